"""Workflow execution semantics (SPEC.md B): joins, unreached branches, disabled tasks, parent outcome,
decisions, assignments, control tasks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow

FAIL = {"Fail task if any command fails": "YES"}


def fork(join_and: bool) -> Flow:
    """Start -> ok, Start -> bad (fails); both -> j (only on success); j -> after."""
    f = Flow("wf_join").cmd("ok", "true").cmd("bad", "exit 1", attrs=FAIL)
    f.cmd("j", "true", inst={"TREAT_INPUTLINK_AS_AND": "YES" if join_and else "NO"}).cmd("after", "true")
    f.link("Start", "ok").link("Start", "bad")
    f.link("ok", "j", "$ok.Status = SUCCEEDED").link("bad", "j", "$bad.Status = SUCCEEDED").link("j", "after")
    return f


def test_and_join_with_failed_branch_does_not_run(run_flows) -> None:
    result = run_flows(fork(True))
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "ok": "SUCCEEDED",
        "bad": "FAILED",
        "j": "NOTSTARTED",
        "after": "NOTSTARTED",
    }
    assert result.status == "SUCCEEDED"  # a failed task without fail-parent flags does not fail the parent


def test_or_join_runs_on_first_true_link(run_flows) -> None:
    result = run_flows(fork(False))
    assert statuses(result)["j"] == "SUCCEEDED"
    assert statuses(result)["after"] == "SUCCEEDED"


def test_or_join_all_false_never_runs(run_flows) -> None:
    f = (
        Flow("wf_or")
        .cmd("a", "true")
        .cmd("b", "true")
        .cmd("j", "true", inst={"TREAT_INPUTLINK_AS_AND": "NO"})
    )
    f.link("Start", "a").link("Start", "b").link("a", "j", "$a.Status = FAILED").link(
        "b", "j", "$b.Status = FAILED"
    )
    assert statuses(run_flows(f))["j"] == "NOTSTARTED"


def test_unreached_branch_descendants_unless_reached_another_way(run_flows) -> None:
    f = (
        Flow("wf_unreached")
        .cmd("a", "true")
        .cmd("x", "true")
        .cmd("y", "true")
        .cmd("z", "true", inst={"TREAT_INPUTLINK_AS_AND": "NO"})
    )
    f.cmd("w", "true")
    f.link("Start", "a").link("a", "x", "$a.Status = FAILED").link("x", "y").link("y", "w")
    f.link("y", "z").link("a", "z")  # z is an OR join reached from a as well
    got = statuses(run_flows(f))
    assert got["x"] == got["y"] == got["w"] == "NOTSTARTED"
    assert got["z"] == "SUCCEEDED"


def test_failure_branch_runs_on_failure(run_flows, tmp_path: Path) -> None:
    f = (
        Flow("wf_fb")
        .cmd("s", "exit 2", attrs=FAIL)
        .cmd("on_fail", "echo failed > fb.txt")
        .cmd("on_ok", "true")
    )
    f.link("Start", "s").link("s", "on_fail", "$s.Status = FAILED OR $s.Status = ABORTED").link(
        "s", "on_ok", "$s.Status=SUCCEEDED"
    )
    got = statuses(run_flows(f))
    assert (got["on_fail"], got["on_ok"]) == ("SUCCEEDED", "NOTSTARTED")
    assert (tmp_path / "fb.txt").read_text().strip() == "failed"


def test_disabled_task_passes_flow_and_prev_task_status(run_flows) -> None:
    f = (
        Flow("wf_dis")
        .cmd("first", "true")
        .cmd("off", "exit 1", inst={"ISENABLED": "NO"})
        .cmd("next", "true")
        .cmd("chk", "true")
    )
    f.link("Start", "first").link("first", "off").link("off", "next", "$off.PrevTaskStatus = SUCCEEDED")
    f.link("off", "chk", "$off.Status = DISABLED")
    result = run_flows(f)
    got = statuses(result)
    assert got["off"] == "DISABLED"
    assert got["next"] == "SUCCEEDED"  # PrevTaskStatus of a disabled task = the previous non-disabled task
    assert got["chk"] == "SUCCEEDED"
    assert result.status == "SUCCEEDED"


def test_fail_parent_if_instance_fails_other_branches_continue(run_flows) -> None:
    f = Flow("wf_fp").cmd("bad", "exit 1", attrs=FAIL, inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
    f.cmd("slow", "sleep 0.3").cmd("after_slow", "true")
    f.link("Start", "bad").link("Start", "slow").link("slow", "after_slow")
    result = run_flows(f)
    assert result.status == "FAILED"
    assert statuses(result)["after_slow"] == "SUCCEEDED"
    assert "bad failed" in result.summary["error"]


def test_fail_parent_if_instance_did_not_run(run_flows) -> None:
    f = Flow("wf_dnr").cmd("a", "true").cmd("b", "true", inst={"FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "YES"})
    f.link("Start", "a").link("a", "b", "$a.Status = FAILED")
    result = run_flows(f)
    assert result.status == "FAILED"
    assert statuses(result)["b"] == "NOTSTARTED"
    assert "b did not run" in result.summary["error"]
    # the same flag on a task that runs does not fail the parent
    g = (
        Flow("wf_dnr2")
        .cmd("a", "true")
        .cmd("b", "true", inst={"FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "YES"})
        .link("Start", "a")
        .link("a", "b")
    )
    assert run_flows(g).status == "SUCCEEDED"


def test_disabled_counts_as_not_run_for_the_flag(run_flows) -> None:
    f = (
        Flow("wf_dis_flag")
        .cmd("off", "true", inst={"ISENABLED": "NO", "FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "YES"})
        .link("Start", "off")
    )
    assert run_flows(f).status == "FAILED"


def test_decision_branches(run_flows) -> None:
    f = Flow("wf_dec").var("$$LIMIT", "integer", "10")
    f.add("dec", "Decision", attrs={"Decision Name": "$$LIMIT > 5 AND $Start.Status = SUCCEEDED"})
    f.cmd("yes_branch", "true").cmd("no_branch", "true")
    f.link("Start", "dec").link("dec", "yes_branch", "$dec.Condition = TRUE").link(
        "dec", "no_branch", "$dec.condition = false"
    )
    got = statuses(run_flows(f))
    assert (got["yes_branch"], got["no_branch"]) == ("SUCCEEDED", "NOTSTARTED")
    got = statuses(run_flows(f, params={"$$LIMIT": "3"}))
    assert (got["yes_branch"], got["no_branch"]) == ("NOTSTARTED", "SUCCEEDED")


def test_assignments_in_order_and_typed(run_flows) -> None:
    f = Flow("wf_asg").var("$$A", "integer", "1").var("$$B", "string", "").var("$$D", "date/time", "")
    f.add(
        "asg",
        "Assignment",
        pairs=[
            ("$$A", "$$A + 41"),
            ("$$B", "'n=' || TO_CHAR($$A)"),
            ("$$D", "TO_DATE('2024-02-03', 'YYYY-MM-DD')"),
        ],
    )
    f.cmd("use", "true").link("Start", "asg").link("asg", "use", "$$A = 42")
    result = run_flows(f)
    assert result.summary["variables"]["$$A"] == 42
    assert result.summary["variables"]["$$B"] == "n=42"  # later assignments see earlier ones
    assert result.summary["variables"]["$$D"].startswith("2024-02-03")
    assert statuses(result)["use"] == "SUCCEEDED"


def test_assignment_to_predefined_variable_fails(run_flows) -> None:
    f = Flow("wf_asg_bad").add("asg", "Assignment", pairs=[("$Start.Status", "1")]).link("Start", "asg")
    result = run_flows(f)
    assert statuses(result)["asg"] == "FAILED"
    assert "not a user-defined variable" in result.summary["tasks"]["asg"]["error"]


def test_link_conditions_see_workflow_variables_and_builtins(run_flows) -> None:
    f = Flow("wf_vars").var("$$FLAG", "integer", "1").cmd("a", "true").cmd("b", "true").cmd("c", "true")
    f.link("Start", "a", "$$FLAG").link(
        "Start", "b", "$PMWorkflowName = 'wf_vars' AND WORKFLOWSTARTTIME <= SYSDATE"
    )
    f.link("Start", "c", "$Status = SUCCEEDED")  # bare $Status: the link's source
    got = statuses(run_flows(f))
    assert got == {"Start": "SUCCEEDED", "a": "SUCCEEDED", "b": "SUCCEEDED", "c": "SUCCEEDED"}


def control_flow(option: str, *parallel: str) -> Flow:
    f = Flow("wf_ctl").add("ctl", "Control", attrs={"Control Option": option})
    f.cmd("par", *(parallel or ("sleep 20",))).cmd("after_ctl", "true").cmd("after_par", "true")
    f.link("Start", "ctl").link("Start", "par").link("ctl", "after_ctl").link("par", "after_par")
    return f


@pytest.mark.parametrize(
    ("option", "wf_status", "ctl_status", "par_status"),
    [
        ("Fail Me", "SUCCEEDED", "FAILED", "SUCCEEDED"),
        ("Fail Parent", "FAILED", "SUCCEEDED", "SUCCEEDED"),
        ("Fail top-level workflow", "FAILED", "SUCCEEDED", "SUCCEEDED"),
        ("Stop Parent", "STOPPED", "SUCCEEDED", "STOPPED"),
        ("Abort Parent", "ABORTED", "SUCCEEDED", "ABORTED"),
        ("Stop top-level workflow", "STOPPED", "SUCCEEDED", "STOPPED"),
        ("Abort top-level workflow", "ABORTED", "SUCCEEDED", "ABORTED"),
    ],
)
def test_control_options(
    run_flows, tmp_path: Path, option: str, wf_status: str, ctl_status: str, par_status: str
) -> None:
    stops = wf_status in ("STOPPED", "ABORTED")
    # A stopped Command task finishes the command it runs and starts no other; an aborted one is killed.
    parallel = {"STOPPED": ("sleep 0.5", "touch late.txt"), "ABORTED": ("sleep 20",)}.get(
        wf_status, ("sleep 0.2",)
    )
    t0 = time.monotonic()
    result = run_flows(control_flow(option, *parallel))
    assert time.monotonic() - t0 < 10
    got = statuses(result)
    assert result.status == wf_status
    assert got["ctl"] == ctl_status
    assert got["par"] == par_status
    if stops:
        assert got["after_ctl"] == got["after_par"] == "NOTSTARTED"
        assert not (tmp_path / "late.txt").exists()
    else:
        assert got["after_par"] == "SUCCEEDED"


def test_fail_me_with_fail_parent_flag(run_flows) -> None:
    f = (
        Flow("wf_fm")
        .add(
            "ctl",
            "Control",
            attrs={"Control Option": "Fail Me"},
            inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"},
        )
        .link("Start", "ctl")
    )
    assert run_flows(f).status == "FAILED"


def test_command_fail_on_any_no_runs_all(run_flows, tmp_path: Path) -> None:
    f = Flow("wf_cmds").cmd("c", "echo one >> out.txt", "exit 5", "echo three >> out.txt").link("Start", "c")
    result = run_flows(f)
    assert statuses(result)["c"] == "SUCCEEDED"
    assert (tmp_path / "out.txt").read_text().split() == ["one", "three"]
    g = (
        Flow("wf_cmds2")
        .cmd("c", "echo a >> out2.txt", "exit 5", "echo b >> out2.txt", attrs=FAIL)
        .link("Start", "c")
    )
    result = run_flows(g)
    assert statuses(result)["c"] == "FAILED"
    assert "exit status 5" in result.summary["tasks"]["c"]["error"]
    assert (tmp_path / "out2.txt").read_text().split() == ["a"]


def test_command_expands_variables_and_logs(run_flows, tmp_path: Path) -> None:
    f = (
        Flow("wf_exp")
        .var("$$WHO", "string", "world")
        .cmd("c", "echo hello $$WHO from $PMWorkflowName in $PMRootDir")
        .link("Start", "c")
    )
    result = run_flows(f)
    log = (tmp_path / ".infaflow" / "runs" / str(result.run_id) / "logs" / "c.log").read_text()
    assert "hello world from wf_exp in " in log
    assert str(tmp_path / ".infaflow" / "infa_shared") in log


def test_command_timeout(run_flows) -> None:
    from infaflow.runtime.scheduler import RunOptions

    f = Flow("wf_to").cmd("c", "sleep 30", attrs=FAIL).link("Start", "c")
    t0 = time.monotonic()
    result = run_flows(f, options=RunOptions(command_timeout=0.3))
    assert time.monotonic() - t0 < 10
    assert statuses(result)["c"] == "FAILED"
    assert "timed out" in result.summary["tasks"]["c"]["error"]


def test_restart_task_retries_with_backoff(run_flows, tmp_path: Path) -> None:
    from infaflow.runtime.scheduler import RunOptions

    script = "n=$(cat n.txt 2>/dev/null || echo 0); n=$((n+1)); echo $n > n.txt; [ $n -ge 3 ]"
    f = (
        Flow("wf_retry")
        .cmd("c", script, attrs={**FAIL, "Recovery Strategy": "Restart task"})
        .link("Start", "c")
    )
    result = run_flows(f, options=RunOptions(retries=4, retry_backoff=0.05))
    assert statuses(result)["c"] == "SUCCEEDED"
    assert result.summary["tasks"]["c"]["attempts"] == 3
    # "Fail task and continue workflow" is not retried
    (tmp_path / "n.txt").unlink()
    g = Flow("wf_noretry").cmd("c", script, attrs=FAIL).link("Start", "c")
    result = run_flows(g, options=RunOptions(retries=4, retry_backoff=0.05))
    assert statuses(result)["c"] == "FAILED"
    assert result.summary["tasks"]["c"]["attempts"] == 1


def test_dependency_driven_no_level_barrier(run_flows, tmp_path: Path) -> None:
    """The short branch's second task starts while the long first-level task still runs."""
    f = Flow("wf_dd").cmd("long", "sleep 1").cmd("short", "true").cmd("after_short", "date +%s.%N > t.txt")
    f.link("Start", "long").link("Start", "short").link("short", "after_short")
    result = run_flows(f)
    tasks = result.summary["tasks"]
    assert tasks["after_short"]["ended"] < tasks["long"]["ended"]


def test_predefined_task_variables_in_conditions(run_flows) -> None:
    f = (
        Flow("wf_taskvars")
        .cmd("c", "exit 5", attrs=FAIL)
        .cmd("by_code", "true")
        .cmd("by_msg", "true")
        .cmd("by_time", "true")
    )
    f.cmd("not_yet", "true")
    f.link("Start", "c").link("c", "by_code", "$c.ErrorCode = 5")
    f.link("c", "by_msg", "INSTR($c.ErrorMsg, 'exit status 5') > 0")
    f.link("c", "by_time", "$c.EndTime >= $c.StartTime AND $c.StartTime >= WORKFLOWSTARTTIME")
    f.link(
        "Start", "not_yet", "$by_code.Status = NOTSTARTED"
    )  # evaluated when Start ends: by_code has not run
    got = statuses(run_flows(f))
    assert got["by_code"] == got["by_msg"] == got["by_time"] == got["not_yet"] == "SUCCEEDED"


def test_scarce_workers_take_the_most_critical_task_first(run_flows) -> None:
    from infaflow.runtime.scheduler import RunOptions

    f = Flow("wf_prio").cmd("short", "true").cmd("long1", "true").cmd("long2", "true").cmd("long3", "true")
    f.link("Start", "short").link("Start", "long1").link("long1", "long2").link("long2", "long3")
    tasks = run_flows(f, options=RunOptions(max_workers=1)).summary["tasks"]
    assert tasks["long1"]["started"] < tasks["short"]["started"]  # short comes first in the export
