"""Conformance: links, joins, disabled tasks and predefined task variables, each scenario written from
PowerCenter's documented rules (Workflow Basics Guide "Working with Links"; Advanced Workflow Guide
"Workflow Variables": "Evaluating Previous Task Status", predefined variable defaults) and asserting the
whole outcome: the workflow status and every task's status."""

from __future__ import annotations

from conftest import statuses
from runtime_xml import Flow

FAIL = {"Fail task if any command fails": "YES"}
OR = {"TREAT_INPUTLINK_AS_AND": "NO"}
OFF = {"ISENABLED": "NO"}


def test_and_join_with_a_disabled_predecessor_runs(run_flows) -> None:
    """A disabled task passes the flow on: its unconditional output link is TRUE, so an AND join waiting
    for it and for a task that succeeded runs."""
    f = Flow("wf").cmd("a", "true").cmd("off", "true", inst=OFF).cmd("j", "true").cmd("k", "true")
    f.link("Start", "a").link("Start", "off").link("a", "j").link("off", "j").link("j", "k")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "a": "SUCCEEDED",
        "off": "DISABLED",
        "j": "SUCCEEDED",
        "k": "SUCCEEDED",
    }
    assert result.status == "SUCCEEDED"


def test_status_of_a_disabled_task_is_disabled_in_a_link(run_flows) -> None:
    """``$off.Status`` is DISABLED (not SUCCEEDED): a ``Status = SUCCEEDED`` link from it is FALSE, while
    ``PrevTaskStatus`` reports the task before it."""
    f = Flow("wf").cmd("a", "true").cmd("off", "true", inst=OFF)
    f.cmd("by_status", "true").cmd("by_prev", "true").cmd("is_disabled", "true")
    f.link("Start", "a").link("a", "off")
    f.link("off", "by_status", "$off.Status = SUCCEEDED")
    f.link("off", "by_prev", "$off.PrevTaskStatus = SUCCEEDED")
    f.link("off", "is_disabled", "$off.Status = DISABLED")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "a": "SUCCEEDED",
        "off": "DISABLED",
        "by_status": "NOTSTARTED",
        "by_prev": "SUCCEEDED",
        "is_disabled": "SUCCEEDED",
    }
    assert result.status == "SUCCEEDED"


def test_prev_task_status_across_two_disabled_tasks_reports_the_failure(run_flows) -> None:
    f = Flow("wf").cmd("s1", "exit 3", attrs=FAIL).cmd("d1", "true", inst=OFF).cmd("d2", "true", inst=OFF)
    f.cmd("on_fail", "true").cmd("on_ok", "true")
    f.link("Start", "s1").link("s1", "d1").link("d1", "d2")
    f.link("d2", "on_fail", "$d2.PrevTaskStatus = FAILED").link(
        "d2", "on_ok", "$d2.PrevTaskStatus = SUCCEEDED"
    )
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "s1": "FAILED",
        "d1": "DISABLED",
        "d2": "DISABLED",
        "on_fail": "SUCCEEDED",
        "on_ok": "NOTSTARTED",
    }
    assert result.status == "SUCCEEDED"  # a failed task without Fail parent does not fail the workflow


def test_prev_task_status_of_a_task_that_ran_is_its_own_status(run_flows) -> None:
    """ "Status and PrevTaskStatus return the same value unless the condition uses a disabled task"."""
    f = Flow("wf").cmd("s1", "exit 1", attrs=FAIL).cmd("s2", "true").cmd("s3", "true")
    f.link("Start", "s1").link("s1", "s2", "$s1.Status = FAILED").link(
        "s2", "s3", "$s2.PrevTaskStatus = SUCCEEDED"
    )
    result = run_flows(f)
    assert statuses(result) == {"Start": "SUCCEEDED", "s1": "FAILED", "s2": "SUCCEEDED", "s3": "SUCCEEDED"}


def test_or_join_with_a_predecessor_that_never_ran(run_flows) -> None:
    """OR: one TRUE link is enough even when the other comes from a task that never ran; AND: a
    predecessor that never ran means the join never runs."""
    f = Flow("wf").cmd("a", "true").cmd("skipped", "true")
    f.cmd("or_j", "true", inst=OR).cmd("and_j", "true").cmd("after_and", "true")
    f.link("Start", "a").link("Start", "skipped", "1 = 0")
    f.link("a", "or_j").link("skipped", "or_j").link("a", "and_j").link("skipped", "and_j")
    f.link("and_j", "after_and")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "a": "SUCCEEDED",
        "skipped": "NOTSTARTED",
        "or_j": "SUCCEEDED",
        "and_j": "NOTSTARTED",
        "after_and": "NOTSTARTED",
    }
    assert result.status == "SUCCEEDED"


def test_failure_branch_and_success_branch_of_a_failed_task(run_flows) -> None:
    f = Flow("wf").cmd("s", "exit 4", attrs=FAIL).cmd("on_fail", "true").cmd("on_ok", "true")
    f.cmd("on_any", "true")
    f.link("Start", "s").link("s", "on_fail", "$s.Status = FAILED OR $s.Status = ABORTED")
    f.link("s", "on_ok", "$s.Status = SUCCEEDED").link("s", "on_any")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "s": "FAILED",
        "on_fail": "SUCCEEDED",
        "on_ok": "NOTSTARTED",
        "on_any": "SUCCEEDED",  # an unconditional link is TRUE whatever the status
    }
    assert result.status == "SUCCEEDED"


def test_keywords_and_names_in_conditions_are_case_insensitive(run_flows) -> None:
    f = Flow("wf").var("$$Flag", "integer", "1").cmd("Load_A", "true").cmd("b", "true").cmd("c", "true")
    f.link("Start", "Load_A").link("Load_A", "b", "$load_a.STATUS = succeeded AND $$FLAG = 1")
    f.link("Load_A", "c", "$LOAD_A.prevtaskstatus = Succeeded and not ($$flag <> 1)")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "Load_A": "SUCCEEDED",
        "b": "SUCCEEDED",
        "c": "SUCCEEDED",
    }


def test_a_null_link_condition_is_false(run_flows) -> None:
    f = Flow("wf").var("$$S", "string", "").cmd("a", "true").cmd("b", "true")
    f.link("Start", "a", "$$S = 'x' OR NULL").link("Start", "b", "NOT ($$S = 'x')")
    result = run_flows(f, params={"$$S": ""})  # an empty parameter value is NULL
    assert statuses(result) == {"Start": "SUCCEEDED", "a": "NOTSTARTED", "b": "NOTSTARTED"}
    assert result.status == "SUCCEEDED"


def test_variables_of_a_task_that_has_not_run_are_null_except_status(run_flows) -> None:
    """Advanced Workflow Guide: every predefined task variable but Status defaults to NULL for a task that
    has not run (Status is NOTSTARTED), so conditions on such a task are valid."""
    f = Flow("wf").cmd("later", "true").cmd("probe", "true").cmd("cmp", "true").cmd("st", "true")
    f.link(
        "Start", "probe", "ISNULL($later.ErrorCode) AND ISNULL($later.ErrorMsg) AND ISNULL($later.StartTime)"
    )
    f.link("Start", "cmp", "$later.ErrorCode = 0")  # NULL = 0 is NULL: FALSE
    f.link("Start", "st", "$later.Status = NOTSTARTED AND ISNULL($later.PrevTaskStatus)")
    f.link("probe", "later")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "later": "SUCCEEDED",
        "probe": "SUCCEEDED",
        "cmp": "NOTSTARTED",
        "st": "SUCCEEDED",
    }


def test_error_code_and_message_of_a_task_that_succeeded(run_flows) -> None:
    f = Flow("wf").cmd("a", "true").cmd("b", "true")
    f.link("Start", "a").link("a", "b", "$a.ErrorCode = 0 AND $a.ErrorMsg = ''")
    assert statuses(run_flows(f))["b"] == "SUCCEEDED"


def test_each_link_is_evaluated_once_when_its_source_ends(run_flows) -> None:
    """A link condition reads the variables as they are when its source task ends: a later assignment
    does not re-open a link that was FALSE."""
    f = Flow("wf").var("$$N", "integer", "0").cmd("a", "true").cmd("b", "sleep 0.3")
    f.add("asg", "Assignment", pairs=[("$$N", "1")]).cmd("j", "true", inst=OR)
    f.link("Start", "a").link("Start", "b").link("b", "asg")
    f.link("a", "j", "$$N = 1").link("asg", "j", "$$N = 5")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "a": "SUCCEEDED",
        "b": "SUCCEEDED",
        "asg": "SUCCEEDED",
        "j": "NOTSTARTED",
    }
    assert result.summary["variables"]["$$N"] == 1
