"""How a task sees variables (runtime/task_env.py) and what a task's end means for its scope
(runtime/outcome.py), on scopes built from small exports; and the scheduler's names after its split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from runtime_xml import Flow, write_export

from infaflow.export import load
from infaflow.runtime import outcome, plan, run_state, scheduler, services, task_env
from infaflow.runtime.api import find_workflow
from infaflow.runtime.conditions import status_value
from infaflow.runtime.readiness import Link
from infaflow.runtime.run_state import Resumption, ScopeRun
from infaflow.runtime.status import (
    ABORTED,
    DISABLED,
    FAILED,
    NOTSTARTED,
    STARTED,
    STOPPED,
    SUCCEEDED,
    SUSPENDED,
)
from infaflow.runtime.store import TaskRecord
from infaflow.runtime.variables import Param, VariableScope


def _scope(
    tmp_path: Path, flow: Flow, params: dict[str, Param] | None = None, parent: ScopeRun | None = None
) -> ScopeRun:
    folder, workflow = find_workflow(
        load(write_export(tmp_path, flow, name=f"{flow.name}.xml")), flow.name, None
    )
    scope_plan = plan.build(workflow, folder)
    variables = VariableScope.create(workflow, "", params or {}, {})
    return ScopeRun(scope_plan, parent, None, variables)


def _flow(name: str = "wf_env", suspend_on_error: bool = False) -> Flow:
    flow = Flow(name, suspend_on_error=suspend_on_error).var("$$Count", "integer", "7")
    flow.cmd("extract", "true", inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
    flow.cmd("load", "true", inst={"FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "YES"})
    return flow.link("Start", "extract").link("extract", "load")


def test_scheduler_names_are_the_objects_of_their_new_modules() -> None:
    homes = {
        "RunOptions": run_state,
        "TaskRun": run_state,
        "ScopeRun": run_state,
        "Resumption": run_state,
        "QueueMessage": run_state,
        "default_workers": run_state,
        "Services": services,
        "ExecutorSource": services,
        "SUSPENDING_TYPES": outcome,
    }
    for name, module in homes.items():
        assert getattr(scheduler, name) is getattr(module, name), name
    assert set(homes) | {"Runner"} == set(scheduler.__all__)


def test_lookup_reads_user_variables_then_builtins_then_parameters(tmp_path: Path) -> None:
    params = {
        "$$undeclared": Param("$$Undeclared", "text", "--param"),
        "$dbconnection_src": Param("$DBConnection_SRC", "ora", "x:1"),
    }
    scope = _scope(tmp_path, _flow(), params)
    builtin = {"$pmworkflowname": "wf_env", "$pmfoldername": "RT"}
    assert task_env.lookup(scope, builtin, " $$count ") == (True, 7)
    assert task_env.lookup(scope, builtin, "$$Undeclared") == (True, "text")
    assert task_env.lookup(scope, builtin, "$$Missing") == (False, None)
    assert task_env.lookup(scope, builtin, "$PMWorkflowName") == (True, "wf_env")
    assert task_env.lookup(scope, builtin, "$DBConnection_SRC") == (True, "ora")
    assert task_env.lookup(scope, builtin, "$PMSessionName") == (False, None)
    # a $$ name is never a built-in, even one spelled like it
    assert task_env.lookup(scope, {"$$count": 1}, "$$Count") == (True, 7)
    assert task_env.lookup(scope, {"$$other": 1}, "$$Other") == (False, None)


def test_task_variables_are_recorded_values_else_the_defaults(tmp_path: Path) -> None:
    scope = _scope(tmp_path, _flow())
    ended = dt.datetime(2024, 5, 1, 6, 30)
    assert task_env.task_variable(scope, "EXTRACT", "Status") == (True, status_value(NOTSTARTED))
    # a task that has not run: every variable but Status is NULL (Advanced Workflow Guide)
    assert task_env.task_variable(scope, "extract", "PrevTaskStatus") == (True, None)
    assert task_env.task_variable(scope, "extract", "ErrorCode") == (True, None)
    assert task_env.task_variable(scope, "extract", "EndTime") == (True, None)
    scope.status["extract"] = STARTED
    assert task_env.task_variable(scope, "extract", "status") == (True, status_value(STARTED))
    scope.task_vars["extract"] = {"status": FAILED, "errorcode": 2, "endtime": ended}
    assert task_env.task_variable(scope, "extract", "Status") == (True, status_value(FAILED))
    assert task_env.task_variable(scope, "extract", "ErrorCode") == (True, 2)
    assert task_env.task_variable(scope, "extract", "EndTime") == (True, ended)
    assert task_env.task_variable(scope, "extract", "PrevTaskStatus") == (True, status_value(FAILED))
    assert task_env.task_variable(scope, "extract", "ErrorMsg") == (True, "")  # ran: the default
    assert task_env.task_variable(scope, "nosuch", "Status") == (False, None)
    assert task_env.task_variable(scope, "extract", "Colour") == (False, None)


def test_a_scope_ends_stopped_then_suspended_then_failed_then_succeeded(tmp_path: Path) -> None:
    scope = _scope(tmp_path, _flow())
    assert outcome.scope_outcome(scope) == (SUCCEEDED, "")
    scope.fail_reasons += ["extract failed: exit 1", "load did not run (NOTSTARTED)"]
    assert outcome.scope_outcome(scope) == (FAILED, "extract failed: exit 1; load did not run (NOTSTARTED)")
    scope.suspended |= {"load", "extract"}
    assert outcome.scope_outcome(scope) == (SUSPENDED, "suspended after extract, load failed")
    scope.stop_mode, scope.stop_reason = ABORTED, "interrupted"
    assert outcome.scope_outcome(scope) == (ABORTED, "interrupted")


def test_fail_parent_options_and_suspension(tmp_path: Path) -> None:
    scope = _scope(tmp_path, _flow())
    extract, load_node = scope.plan.nodes["extract"], scope.plan.nodes["load"]
    assert outcome.fail_parent_reasons(extract, FAILED, "exit 1") == ["extract failed: exit 1"]
    assert outcome.fail_parent_reasons(extract, FAILED, "") == ["extract failed"]
    assert outcome.fail_parent_reasons(extract, NOTSTARTED, "") == []
    assert outcome.fail_parent_reasons(load_node, FAILED, "exit 1") == []
    assert outcome.fail_parent_reasons(load_node, DISABLED, "") == ["load did not run (DISABLED)"]
    assert outcome.fail_parent_reasons(load_node, STOPPED, "") == []
    assert not outcome.suspends(scope, extract, FAILED)
    (tmp_path / "outer").mkdir()
    outer = _scope(tmp_path / "outer", _flow("wf_outer", suspend_on_error=True))
    inner = _scope(tmp_path, _flow(), parent=outer)
    assert outcome.suspends(inner, extract, FAILED) and outcome.suspends(inner, extract, SUSPENDED)
    assert not outcome.suspends(inner, extract, STOPPED)
    assert not outcome.suspends(inner, inner.plan.nodes["Start"], FAILED)


def test_prev_task_status_comes_through_the_first_true_link(tmp_path: Path) -> None:
    flow = Flow("wf_prev").cmd("a", "true").cmd("b", "true").cmd("off", "true", inst={"ISENABLED": "NO"})
    flow.link("Start", "a").link("Start", "b").link("a", "off").link("b", "off")
    scope = _scope(tmp_path, flow)
    off = scope.plan.nodes["off"]
    assert outcome.prev_status(scope, off) == NOTSTARTED
    scope.task_vars["a"] = {"prevtaskstatus": FAILED}
    scope.task_vars["b"] = {"prevtaskstatus": SUCCEEDED}
    from_a, from_b = off.inputs
    scope.link_state[from_a], scope.link_state[from_b] = Link.FALSE, Link.TRUE
    assert outcome.prev_status(scope, off) == SUCCEEDED
    scope.link_state[from_a] = Link.TRUE
    assert outcome.prev_status(scope, off) == FAILED


def test_a_resumption_hands_each_scope_its_own_tasks() -> None:
    def record(path: str) -> TaskRecord:
        return TaskRecord(
            path=path,
            task_type="Command",
            status=SUCCEEDED,
            started=None,
            ended=None,
            attempts=1,
            error="",
            error_code=0,
            log_path="",
        )

    paths = ["Start", "wl_load", "wl_load/Start", "wl_load/cmd", "wl_load/wl_inner/cmd", "wl_loader/cmd"]
    resumption = Resumption({p: record(p) for p in paths}, {})
    assert list(resumption.tasks_in("")) == ["Start", "wl_load"]
    assert list(resumption.tasks_in("wl_load")) == ["Start", "cmd"]
    assert list(resumption.tasks_in("wl_load/wl_inner")) == ["cmd"]
    assert resumption.tasks_in("wl_load")["cmd"].path == "wl_load/cmd"
