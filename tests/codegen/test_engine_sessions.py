"""The warm engine's session slots: a run takes a free slot and names its session in the connection
string; the next run (another process) takes the same session back; runs at the same time take different
slots; other session settings or a session the server closed give the slot a new session."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from infaflow.codegen import engine_sessions

URL = "sc://127.0.0.1:15002"
CONF = {"spark.sql.session.timeZone": "UTC"}

TAKE = (
    "import sys, json\n"
    "from infaflow.codegen import engine_sessions\n"
    "slot = engine_sessions.lease(sys.argv[1], 'sc://127.0.0.1:15002', json.loads(sys.argv[2]))\n"
    "print(slot.session_id if slot else '-')\n"
)


def take_in_another_process(state: Path, conf: dict[str, str]) -> str:
    """The session id a run in another process gets (its slot is freed when that process ends)."""
    import json

    src = Path(engine_sessions.__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", TAKE, str(state), json.dumps(conf)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src)},
        check=True,
    )
    return done.stdout.strip()


def test_the_next_run_takes_the_same_session_back(tmp_path: Path) -> None:
    first = take_in_another_process(tmp_path, CONF)
    assert str(uuid.UUID(first)) == first
    assert take_in_another_process(tmp_path, CONF) == first
    # Other session settings: the slot gets a new session (settings a run made stay in a session).
    other = take_in_another_process(tmp_path, {**CONF, "spark.sql.ansi.enabled": "false"})
    assert other not in ("-", first)
    assert take_in_another_process(tmp_path, {**CONF, "spark.sql.ansi.enabled": "false"}) == other


def test_runs_at_the_same_time_take_different_slots(tmp_path: Path) -> None:
    held = engine_sessions.lease(tmp_path, URL, CONF)
    assert held is not None
    assert held.url == f"{URL}/;session_id={held.session_id}"
    assert engine_sessions.leased_session(held.url) == held.session_id
    # This process holds slot 0 locked: another process gets slot 1, a session of its own.
    other = take_in_another_process(tmp_path, CONF)
    assert other not in ("-", held.session_id)
    assert held.slot.name == "slot0.json"
    assert (tmp_path / "engine" / "sessions" / "slot1.json").read_text().count(other) == 1


def test_every_slot_taken_gives_no_slot(tmp_path: Path) -> None:
    held = [engine_sessions.lease(tmp_path, URL, CONF) for _ in range(engine_sessions.SLOTS)]
    assert all(h is not None for h in held)
    assert len({h.session_id for h in held if h}) == engine_sessions.SLOTS
    assert engine_sessions.lease(tmp_path, URL, CONF) is None
    assert take_in_another_process(tmp_path, CONF) == "-"


def test_a_closed_session_is_renewed_in_its_slot(tmp_path: Path) -> None:
    held = engine_sessions.lease(tmp_path, URL, CONF)
    assert held is not None
    url = engine_sessions.renew(held.url)
    new = engine_sessions.leased_session(url)
    assert new is not None and new != held.session_id
    assert engine_sessions.leased_session(held.url) is None
    assert new in held.slot.read_text()
    assert engine_sessions.is_closed_session(
        RuntimeError(f"[INVALID_HANDLE.SESSION_CLOSED] The handle {held.session_id} is invalid.")
    )
    assert not engine_sessions.is_closed_session(RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] x"))


def test_a_connection_string_not_leased_is_not_a_slot() -> None:
    assert engine_sessions.leased_session(URL) is None
    assert engine_sessions.leased_session(f"{URL}/;session_id={uuid.uuid4()}") is None


def test_a_state_directory_that_cannot_be_written_gives_no_slot(tmp_path: Path) -> None:
    (tmp_path / "engine").write_text("not a directory")  # the sessions folder cannot be made
    assert engine_sessions.lease(tmp_path, URL, CONF) is None
