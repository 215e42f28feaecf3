"""Conformance: what a task's end does to its parent workflow or worklet (Workflow Basics Guide: task
General tab "Fail parent if this task fails" / "Fail parent if this task does not run"; "Control Task"
options), with worklets nested two deep. Each test asserts the workflow status and every task's."""

from __future__ import annotations

import time

from conftest import statuses
from runtime_xml import Flow

FAIL = {"Fail task if any command fails": "YES"}
FAILS_PARENT = {"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"}
DID_NOT_RUN = {"FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "YES"}


def nested(inner_task: Flow, inner_inst: dict[str, str], outer_inst: dict[str, str]) -> list[Flow]:
    """wf: Start -> wl_o (worklet wlo) -> after_o; wlo: Start -> wl_i (worklet wli) -> after_i;
    ``inner_task`` is the worklet wli."""
    wlo = (
        Flow("wlo", worklet=True)
        .add("wl_i", "Worklet", worklet="wli", inst=inner_inst)
        .cmd("after_i", "true")
    )
    wlo.link("Start", "wl_i").link("wl_i", "after_i")
    wf = Flow("wf").add("wl_o", "Worklet", worklet="wlo", inst=outer_inst).cmd("after_o", "true")
    wf.link("Start", "wl_o").link("wl_o", "after_o")
    return [wf, wlo, inner_task]


def test_failure_two_worklets_deep_climbs_only_through_flagged_instances(run_flows) -> None:
    wli = Flow("wli", worklet=True).cmd("bad", "exit 2", attrs=FAIL, inst=FAILS_PARENT).cmd("next", "true")
    wli.link("Start", "bad").link("Start", "next")
    # the inner worklet instance has no flag: the outer worklet and the workflow succeed
    result = run_flows(*nested(wli, {}, FAILS_PARENT))
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "wl_o": "SUCCEEDED",
        "wl_o/Start": "SUCCEEDED",
        "wl_o/wl_i": "FAILED",
        "wl_o/wl_i/Start": "SUCCEEDED",
        "wl_o/wl_i/bad": "FAILED",
        "wl_o/wl_i/next": "SUCCEEDED",
        "wl_o/after_i": "SUCCEEDED",  # an unconditional link from a failed worklet is TRUE
        "after_o": "SUCCEEDED",
    }
    assert result.status == "SUCCEEDED"
    # flags on both instances: the failure reaches the workflow
    result = run_flows(*nested(wli, FAILS_PARENT, FAILS_PARENT))
    got = statuses(result)
    assert (got["wl_o/wl_i"], got["wl_o"], got["after_o"]) == ("FAILED", "FAILED", "SUCCEEDED")
    assert result.status == "FAILED"


def test_disabled_worklet_instance_with_did_not_run_flag(run_flows) -> None:
    wli = Flow("wli", worklet=True).cmd("t", "true").link("Start", "t")
    wf = (
        Flow("wf")
        .add("wl", "Worklet", worklet="wli", inst={"ISENABLED": "NO", **DID_NOT_RUN})
        .cmd("after", "true")
    )
    wf.link("Start", "wl").link("wl", "after")
    result = run_flows(wf, wli)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "wl": "DISABLED",
        "wl/Start": "NOTSTARTED",
        "wl/t": "NOTSTARTED",
        "after": "SUCCEEDED",
    }
    assert result.status == "FAILED"
    assert "wl did not run" in result.summary["error"]


def control_at_depth_two(
    option: str, sibling: tuple[str, ...] = ("sleep 0.3",), root_sibling: str = ""
) -> list[Flow]:
    """The Control task sits in wli (two deep) beside a sibling command; the workflow runs a command
    of its own beside wl_o."""
    wli = Flow("wli", worklet=True).add("ctl", "Control", attrs={"Control Option": option})
    wli.cmd("sib_i", *sibling).cmd("after_ctl", "true").link("Start", "ctl").link("Start", "sib_i")
    wli.link("ctl", "after_ctl")
    flows = nested(wli, {}, {})
    flows[0].cmd("sib_root", root_sibling or sibling[0]).link("Start", "sib_root")
    flows[0].cmd("on_fail", "true").link("wl_o", "on_fail", "$wl_o.Status = FAILED")
    flows[1].cmd("on_inner_fail", "true").link("wl_i", "on_inner_fail", "$wl_i.Status = FAILED")
    flows[1].cmd("on_inner_stop", "true").link("wl_i", "on_inner_stop", "$wl_i.Status = STOPPED")
    return flows


def test_fail_parent_two_deep_fails_only_the_inner_worklet_after_it_completes(run_flows) -> None:
    result = run_flows(*control_at_depth_two("Fail Parent"))
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "sib_root": "SUCCEEDED",
        "on_fail": "NOTSTARTED",
        "wl_o": "SUCCEEDED",
        "after_o": "SUCCEEDED",
        "wl_o/Start": "SUCCEEDED",
        "wl_o/wl_i": "FAILED",
        "wl_o/on_inner_fail": "SUCCEEDED",
        "wl_o/on_inner_stop": "NOTSTARTED",
        "wl_o/after_i": "SUCCEEDED",
        "wl_o/wl_i/Start": "SUCCEEDED",
        "wl_o/wl_i/ctl": "SUCCEEDED",
        "wl_o/wl_i/sib_i": "SUCCEEDED",  # the worklet completes first
        "wl_o/wl_i/after_ctl": "SUCCEEDED",
    }
    assert result.status == "SUCCEEDED"


def test_fail_top_level_two_deep_fails_the_workflow_and_lets_everything_finish(run_flows) -> None:
    result = run_flows(*control_at_depth_two("Fail Top-Level Workflow"))
    got = statuses(result)
    assert result.status == "FAILED"
    assert {k: v for k, v in got.items() if v != "SUCCEEDED"} == {
        "on_fail": "NOTSTARTED",
        "wl_o/on_inner_fail": "NOTSTARTED",
        "wl_o/on_inner_stop": "NOTSTARTED",
    }
    assert "Control task wl_o/wl_i/ctl: Fail Top-Level Workflow" in result.summary["error"]


def test_stop_parent_two_deep_stops_the_inner_worklet_and_its_path(run_flows, tmp_path) -> None:
    """Stop as Monitor stops (Advanced Workflow Guide, "Stopping and Aborting"): the running Command task
    finishes the command it runs and runs none of the next; nothing else starts in the stopped worklet.
    A stopped worklet is stopped like a task: "the Integration Service stops processing the task and all
    other tasks in its path" while concurrent tasks go on, so the outer worklet does not evaluate its
    links (not even ``$wl_i.Status = STOPPED``) and ends when its other tasks end."""
    flows = control_at_depth_two(
        "Stop Parent", sibling=("sleep 0.5", "touch late.txt"), root_sibling="sleep 0.5"
    )
    result = run_flows(*flows)
    assert not (tmp_path / "late.txt").exists()
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "sib_root": "SUCCEEDED",
        "on_fail": "NOTSTARTED",
        "wl_o": "SUCCEEDED",
        "after_o": "SUCCEEDED",
        "wl_o/Start": "SUCCEEDED",
        "wl_o/wl_i": "STOPPED",
        "wl_o/on_inner_fail": "NOTSTARTED",
        "wl_o/on_inner_stop": "NOTSTARTED",
        "wl_o/after_i": "NOTSTARTED",
        "wl_o/wl_i/Start": "SUCCEEDED",
        "wl_o/wl_i/ctl": "SUCCEEDED",
        "wl_o/wl_i/sib_i": "STOPPED",
        "wl_o/wl_i/after_ctl": "NOTSTARTED",
    }
    assert result.status == "SUCCEEDED"


def test_abort_parent_in_a_worklet_stops_its_path_only(run_flows) -> None:
    t0 = time.monotonic()
    result = run_flows(*control_at_depth_two("Abort Parent", sibling=("sleep 20",), root_sibling="true"))
    assert time.monotonic() - t0 < 10
    got = statuses(result)
    assert (got["wl_o/wl_i"], got["wl_o/wl_i/sib_i"], got["wl_o/after_i"]) == (
        "ABORTED",
        "ABORTED",
        "NOTSTARTED",
    )
    assert (got["wl_o"], got["after_o"], got["sib_root"]) == ("SUCCEEDED", "SUCCEEDED", "SUCCEEDED")
    assert result.status == "SUCCEEDED"


def test_abort_top_level_two_deep_aborts_everything_running(run_flows) -> None:
    t0 = time.monotonic()
    result = run_flows(*control_at_depth_two("Abort Top-Level Workflow", sibling=("sleep 20",)))
    assert time.monotonic() - t0 < 10
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "sib_root": "ABORTED",
        "on_fail": "NOTSTARTED",
        "wl_o": "ABORTED",
        "after_o": "NOTSTARTED",
        "wl_o/Start": "SUCCEEDED",
        "wl_o/wl_i": "ABORTED",
        "wl_o/on_inner_fail": "NOTSTARTED",
        "wl_o/on_inner_stop": "NOTSTARTED",
        "wl_o/after_i": "NOTSTARTED",
        "wl_o/wl_i/Start": "SUCCEEDED",
        "wl_o/wl_i/ctl": "SUCCEEDED",
        "wl_o/wl_i/sib_i": "ABORTED",
        "wl_o/wl_i/after_ctl": "NOTSTARTED",
    }
    assert result.status == "ABORTED"


def test_fail_me_in_a_worklet_with_the_flag_fails_the_worklet(run_flows) -> None:
    wl = Flow("wli", worklet=True).add(
        "ctl", "Control", attrs={"Control Option": "Fail Me"}, inst=FAILS_PARENT
    )
    wl.cmd("after", "true").link("Start", "ctl").link("ctl", "after", "$ctl.Status = FAILED")
    wf = Flow("wf").add("wl", "Worklet", worklet="wli").cmd("next", "true").link("Start", "wl")
    wf.link("wl", "next", "$wl.Status = FAILED")
    result = run_flows(wf, wl)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "wl": "FAILED",
        "wl/Start": "SUCCEEDED",
        "wl/ctl": "FAILED",
        "wl/after": "SUCCEEDED",
        "next": "SUCCEEDED",
    }
    assert result.status == "SUCCEEDED"


def test_fail_parent_flag_does_not_apply_to_a_stopped_or_succeeded_task(run_flows) -> None:
    f = Flow("wf").cmd("ok", "true", inst={**FAILS_PARENT, **DID_NOT_RUN}).link("Start", "ok")
    assert run_flows(f).status == "SUCCEEDED"
