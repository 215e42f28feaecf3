"""Typed values and the SQLite run store."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from infaflow.model import Attributes, Timer, Workflow
from infaflow.runtime import recovery
from infaflow.runtime import values as V
from infaflow.runtime.store import RunStore, recorded_durations
from infaflow.runtime.tasks.waits import deadline


@pytest.mark.parametrize(
    ("text", "datatype", "value"),
    [
        ("12", "integer", 12),
        ("1.5", "double", 1.5),
        ("1.50", "decimal", Decimal("1.50")),
        ("8/30/2010", "date/time", dt.datetime(2010, 8, 30)),
        ("08/30/2010 13:14:15", "date/time", dt.datetime(2010, 8, 30, 13, 14, 15)),
        ("08/30/2010 13:14:15.000123", "date/time", dt.datetime(2010, 8, 30, 13, 14, 15, 123)),
        (" x ", "string", " x "),
    ],
)
def test_parse_value(text: str, datatype: str, value: V.Value) -> None:
    assert V.parse_value(text, datatype) == value


def test_defaults_and_coerce() -> None:
    assert V.datatype_default("integer") == 0
    assert V.datatype_default("string") == ""
    assert V.datatype_default("date/time") == dt.datetime(1753, 1, 1)
    assert V.coerce(Decimal("3.9"), "integer") == 3
    assert V.coerce(7, "string") == "7"
    with pytest.raises(ValueError):
        V.parse_value("abc", "integer")


@pytest.mark.parametrize("value", [None, 1, 2.5, Decimal("1.10"), "x", dt.datetime(2020, 1, 2, 3, 4, 5, 6)])
def test_encode_roundtrip(value: V.Value) -> None:
    assert V.decode(V.encode(value)) == value
    assert type(V.decode(V.encode(value))) is type(value)


def test_store_is_wal_and_records(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    t0 = dt.datetime(2024, 1, 1, 10, 0, 0)
    run_id = store.create_run("wf", "F", "x.xml", {"dry_run": False}, t0)
    store.task_started(run_id, "a", "Command", 1, t0, "a.log")
    store.task_finished(
        run_id,
        "a",
        "Command",
        "SUCCEEDED",
        t0,
        t0 + dt.timedelta(seconds=2),
        1,
        "",
        0,
        {"Status": "SUCCEEDED"},
    )
    store.task_finished(run_id, "wl/b", "Command", "NOTSTARTED", None, None, 0, "", 0, {})
    store.set_variables(run_id, "", {"$$N": 3})
    store.finish_run(run_id, "SUCCEEDED", t0 + dt.timedelta(seconds=3))
    store.save_persistent("F", "wf", "", {"$$P": Decimal("2.5")}, run_id)
    store.close()

    conn = sqlite3.connect(tmp_path / "runs.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()

    again = RunStore(tmp_path)
    tasks = {t.path: t for t in again.tasks(run_id)}
    assert tasks["a"].status == "SUCCEEDED" and tasks["a"].duration == 2.0 and tasks["a"].log_path == "a.log"
    assert tasks["wl/b"].status == "NOTSTARTED"
    assert again.variables(run_id) == {"": {"$$N": 3}}
    assert again.persistent_values("F", "wf", "") == {"$$P": Decimal("2.5")}
    assert again.run(run_id).status == "SUCCEEDED"
    assert [r.run_id for r in again.runs()] == [run_id]
    again.close()
    assert recorded_durations(tmp_path, "wf") == {"a": 2.0}
    assert recorded_durations(tmp_path / "none", "wf") == {}


def test_recovery_strategy_and_backoff() -> None:
    assert recovery.strategy("Command", Attributes()) == recovery.FAIL_AND_CONTINUE
    assert recovery.strategy("Command", Attributes({"Recovery Strategy": "Restart task"})) == recovery.RESTART
    assert (
        recovery.strategy("Session", Attributes({"recovery strategy": "Resume from last checkpoint"}))
        == recovery.RESUME_FROM_CHECKPOINT
    )
    assert recovery.restarts("Session", Attributes({"Recovery Strategy": "Resume from last checkpoint"}))
    assert recovery.strategy("Email", Attributes()) == recovery.RESTART
    policy = recovery.RetryPolicy(5, base=1.0, cap=5.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    wf = Workflow(
        "w",
        attributes=Attributes(
            {"Automatically recover terminated tasks": "YES", "Maximum automatic recovery attempts": "2"}
        ),
    )
    assert recovery.retry_policy(wf, None, 1, 60).max_attempts == 3
    assert recovery.retry_policy(Workflow("w"), None, 1, 60).max_attempts == 1
    assert recovery.retry_policy(Workflow("w"), 4, 1, 60).max_attempts == 5
    assert recovery.on_resume("SUCCEEDED", "Command", Attributes()) == recovery.KEEP
    assert recovery.on_resume("STARTED", "Command", Attributes()) == recovery.FAIL
    assert (
        recovery.on_resume("STARTED", "Command", Attributes({"Recovery Strategy": "Restart task"}))
        == recovery.RERUN
    )
    assert recovery.on_resume("FAILED", "Command", Attributes()) == recovery.RERUN
    assert recovery.on_resume("STOPPED", "Timer", Attributes()) == recovery.RERUN


def test_timer_deadlines() -> None:
    t0 = dt.datetime(2024, 5, 1, 12, 0, 0)
    parent = t0 - dt.timedelta(minutes=5)
    top = t0 - dt.timedelta(hours=1)
    rel = {"DAYS": "1", "HOURS": "2", "MINUTES": "3"}
    offset = dt.timedelta(days=1, hours=2, minutes=3)
    kw = {"task_started": t0, "parent_started": parent, "top_started": top}
    assert deadline(Timer("START_RELATIVE_TO_PREVIOUSTASK", recurring=rel), **kw) == t0 + offset
    assert deadline(Timer("START_RELATIVE_TO_PARENT_WORKFLOW", recurring=rel), **kw) == parent + offset
    assert deadline(Timer("START_RELATIVE_TO_TOPLEVEL_WORKFLOW", recurring=rel), **kw) == top + offset
    absolute = Timer("START_AT_ABSOLUTE_TIME", start_options={"STARTDATE": "9/30/2009", "STARTTIME": "16:26"})
    assert deadline(absolute, **kw) == dt.datetime(2009, 9, 30, 16, 26)
    var = Timer("START_AT_ABSOLUTE_VARIABLE")
    assert deadline(var, variable_value=dt.datetime(2024, 1, 1, 0, 0, 1, 999), **kw) == dt.datetime(
        2024, 1, 1, 0, 0, 1
    )
    with pytest.raises(ValueError, match="NULL"):
        deadline(var, variable_value=None, **kw)
