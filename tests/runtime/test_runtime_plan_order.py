"""The runtime plan orders task instances with infaflow.ordering: a cycle of links is refused, named."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_xml import Flow, write_export

from infaflow.errors import InputError
from infaflow.export import load
from infaflow.runtime import plan
from infaflow.runtime.api import find_workflow


def _plan(tmp_path: Path, flow: Flow) -> plan.ScopePlan:
    folder, workflow = find_workflow(load(write_export(tmp_path, flow)), flow.name, None)
    return plan.build(workflow, folder)


def test_a_cycle_of_links_is_refused_with_the_cycle_in_order(tmp_path: Path) -> None:
    flow = (
        Flow("wf_loop").cmd("extract", "true").cmd("load", "true").cmd("check", "true").cmd("report", "true")
    )
    flow.link("Start", "extract").link("extract", "load").link("load", "check").link("check", "extract")
    flow.link("check", "report")
    with pytest.raises(InputError) as err:
        _plan(tmp_path, flow)
    cycle = err.value.message.split(": ", 1)[1]
    assert err.value.message.startswith("workflow 'wf_loop' has a cycle of links: ")
    assert cycle in (
        "extract -> load -> check -> extract",
        "load -> check -> extract -> load",
        "check -> extract -> load -> check",
    )
    assert err.value.file.endswith("export.xml") and err.value.line > 0


def test_priorities_follow_the_longest_path_to_the_end(tmp_path: Path) -> None:
    flow = Flow("wf_fan").cmd("a", "true").cmd("b", "true").cmd("c", "true").cmd("d", "true")
    flow.link("Start", "a").link("Start", "b").link("a", "c").link("c", "d").link("b", "d")
    durations = {"a": 5.0, "b": 1.0, "c": 2.0, "d": 3.0}
    assert plan.priorities(_plan(tmp_path, flow), durations, default=0.0) == {
        "Start": 10.0,
        "a": 10.0,
        "b": 4.0,
        "c": 5.0,
        "d": 3.0,
    }
