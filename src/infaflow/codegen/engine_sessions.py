"""Server-side sessions of the warm engine kept from one ``infaflow run`` to the next.

A Spark Connect server keeps a session's compiled code, resolved plans and JIT-compiled paths for that
session only: a run that opened a new session each time would compile its jobs' generated code again on
every run (measured on the orders sample: about 250 classes per run, most of a warm run's time). So a run
through the warm engine takes one of a few numbered session slots of the state directory
(``engine/sessions/slot<N>.json`` holds the session id; ``slot<N>.lock`` is held locked while the run
lasts), names the slot's session in its connection string (``sc://host:port/;session_id=<id>``), and leaves
it open on the server when it ends. Runs at the same time take different slots, so they never share a
session's settings. A slot's session is replaced when the run's session settings differ from those it was
opened with, and when the server no longer has it (the server closes a session left idle for an hour, by
default: :func:`renew`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from infaflow.codegen.engine import engine_dir

SLOTS = 8
SESSION_PARAM = ";session_id="

# The slots this process holds: their lock files stay open (locked) until the process ends.
_HELD: dict[str, tuple[Path, IO[str]]] = {}


@dataclass(frozen=True)
class SessionLease:
    """A slot's session taken by this process: the connection string that names it."""

    url: str
    session_id: str
    slot: Path


def _fingerprint(conf: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(sorted(conf.items())).encode("utf-8")).hexdigest()[:16]


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, session_id: str, fingerprint: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"session_id": session_id, "conf": fingerprint}) + "\n", encoding="utf-8")
    tmp.replace(path)


def lease(state_dir: str | Path, url: str, conf: dict[str, str]) -> SessionLease | None:
    """Take a free session slot of the warm engine of ``state_dir`` (``url``: ``sc://host:port``) for a
    run whose session settings are ``conf``; None when every slot is taken by other runs (the run then
    opens a session of its own, released at its end)."""
    folder = engine_dir(state_dir) / "sessions"
    fingerprint = _fingerprint(conf)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(SLOTS):
            taken = _take(folder, number, fingerprint)
            if taken is not None:
                session_id, slot = taken
                return SessionLease(f"{url.rstrip('/')}/{SESSION_PARAM}{session_id}", session_id, slot)
    except OSError:  # a state directory this user cannot write: a session of the run's own
        return None
    return None


def _take(folder: Path, number: int, fingerprint: str) -> tuple[str, Path] | None:
    """Slot ``number``'s session id when the slot is free (locked for this process from now on)."""
    slot = folder / f"slot{number}.json"
    lock = open(folder / f"slot{number}.lock", "a", encoding="utf-8")  # noqa: SIM115 - held open
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        return None
    data = _read(slot)
    session_id = data.get("session_id", "")
    if data.get("conf") != fingerprint or not _valid(session_id):
        session_id = str(uuid.uuid4())
        _write(slot, session_id, fingerprint)
    _HELD[session_id] = (slot, lock)
    return session_id, slot


def _valid(session_id: str) -> bool:
    try:
        return str(uuid.UUID(session_id)) == session_id
    except ValueError:
        return False


def held_session(session_id: str) -> Path | None:
    """The slot of a session this process leased, else None."""
    held = _HELD.get(session_id)
    return held[0] if held else None


def leased_session(url: str) -> str | None:
    """The session id of a connection string this process leased, else None."""
    _base, sep, session_id = url.partition(SESSION_PARAM)
    return session_id if sep and held_session(session_id) else None


def renew(url: str) -> str:
    """A new session for the slot of ``url`` (a leased connection string whose session the server has
    closed): the connection string naming it."""
    base, _sep, old = url.partition(SESSION_PARAM)
    slot, lock = _HELD.pop(old)
    conf = _read(slot).get("conf", "")
    session_id = str(uuid.uuid4())
    _write(slot, session_id, conf)
    _HELD[session_id] = (slot, lock)
    return f"{base}{SESSION_PARAM}{session_id}"


def is_closed_session(exc: BaseException) -> bool:
    """The server refused a session id because it closed that session (idle timeout or released)."""
    text = str(exc)
    return "SESSION_CLOSED" in text or ("INVALID_HANDLE" in text and "session" in text.lower())
