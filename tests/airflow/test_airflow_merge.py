"""Merging the states handed over by several upstream tasks (infaflow.runtime.steps.merge)."""

from __future__ import annotations

import pytest

from infaflow.runtime import values as V
from infaflow.runtime.steps import merge


def state(run_id: int = 1, **scope: object) -> dict:
    base = {
        "started": "2024-01-01T00:00:00",
        "vars": {},
        "status": {},
        "task_vars": {},
        "links": {},
        "fail": [],
        "suspended": [],
        "stop": None,
        "closed": False,
        "final": "",
    }
    base.update(scope)
    return {"run_id": run_id, "started": "2024-01-01T00:00:00", "scopes": {"": base}, "events": {}}


def test_nothing_to_merge() -> None:
    assert merge([None, None]) is None


def test_the_latest_write_of_a_variable_wins() -> None:
    a = state(vars={"$$x": [10, V.encode(1)], "$$y": [5, V.encode("a")]})
    b = state(vars={"$$x": [20, V.encode(2)], "$$y": [3, V.encode("b")]})
    got = merge([a, b])["scopes"][""]["vars"]
    assert got == {"$$x": [20, V.encode(2)], "$$y": [5, V.encode("a")]}
    assert merge([b, a])["scopes"][""]["vars"] == got  # whatever the order of the upstream tasks


def test_statuses_links_and_fail_reasons_are_united() -> None:
    a = state(status={"t1": "SUCCEEDED", "wl": "STARTED"}, links={"0": "true"}, fail=[[2, "t1 failed"]])
    b = state(
        status={"t2": "FAILED", "wl": "SUCCEEDED"},
        links={"1": "false"},
        fail=[[1, "t2 failed"], [2, "t1 failed"]],
    )
    got = merge([a, b])["scopes"][""]
    assert got["status"] == {
        "t1": "SUCCEEDED",
        "wl": "SUCCEEDED",
        "t2": "FAILED",
    }  # a finished worklet beats STARTED
    assert got["links"] == {"0": "true", "1": "false"}
    assert got["fail"] == [[1, "t2 failed"], [2, "t1 failed"]]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [("STOPPED", "ABORTED", "ABORTED"), ("ABORTED", "STOPPED", "ABORTED"), ("STOPPED", None, "STOPPED")],
)
def test_an_abort_beats_a_stop(first: str, second: str | None, expected: str) -> None:
    a = state(stop=[1, first, "ctl1"])
    b = state(stop=[2, second, "ctl2"] if second else None)
    assert merge([a, b])["scopes"][""]["stop"][1] == expected


def test_states_of_different_runs_do_not_merge() -> None:
    with pytest.raises(ValueError, match="different runs"):
        merge([state(1), state(2)])
