"""Statuses are a StrEnum whose members behave as the stored strings: same values, JSON, SQLite, conditions."""

from __future__ import annotations

import json
import sqlite3

import pytest

from infaflow.expr.constants import STATUS
from infaflow.runtime import status as S
from infaflow.runtime.status import Status

NAMES = ["SUCCEEDED", "FAILED", "STOPPED", "ABORTED", "DISABLED", "NOTSTARTED", "STARTED", "SUSPENDED"]


def test_the_members_are_powercenters_names() -> None:
    assert [s.value for s in Status] == NAMES
    assert all(getattr(S, name) is Status[name] for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_status_is_the_string_everywhere_it_goes(name: str) -> None:
    status = Status(name)
    assert status == name and hash(status) == hash(name) and f"{status}" == name and str(status) == name
    assert json.dumps({"status": status, status: 1}) == json.dumps({"status": name, name: 1})
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (status TEXT)")
    db.execute("INSERT INTO t VALUES (?)", (status,))
    assert db.execute("SELECT status, typeof(status) FROM t WHERE status = ?", (name,)).fetchall() == [
        (name, "text")
    ]
    if name != "SUSPENDED":  # a workflow's status only: task conditions never compare it
        assert STATUS[status] == STATUS[name]


def test_the_status_sets_are_unchanged() -> None:
    assert S.COMPLETED == {"SUCCEEDED", "FAILED", "STOPPED", "ABORTED"}
    assert S.FINAL_TASK_STATUSES == {"SUCCEEDED", "FAILED", "STOPPED", "ABORTED", "DISABLED", "NOTSTARTED"}
    assert S.RESUMABLE_RUN_STATUSES == {"FAILED", "STOPPED", "ABORTED", "SUSPENDED", "STARTED"}
