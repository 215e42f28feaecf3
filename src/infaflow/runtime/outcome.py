"""What a task's end means for its scope, and how a scope ends: PowerCenter's rules as pure functions
over a :class:`~infaflow.runtime.run_state.ScopeRun` (the scheduler records and applies them).

Sources: Workflow Basics Guide, "Suspending the Workflow" (SUSPEND_ON_ERROR; SPEC.md B), the task
instance options "Fail parent if this task fails" / "Fail parent if this task does not run", and the
predefined task variable ``PrevTaskStatus``.
"""

from __future__ import annotations

import datetime as dt

from infaflow.runtime.plan import Node
from infaflow.runtime.readiness import Link
from infaflow.runtime.run_state import ScopeRun
from infaflow.runtime.status import ABORTED, DISABLED, FAILED, NOTSTARTED, STOPPED, SUCCEEDED, SUSPENDED

#: Task types whose failure suspends the workflow under SUSPEND_ON_ERROR (SPEC.md B).
SUSPENDING_TYPES = frozenset({"Session", "Command", "Worklet", "Email"})


def prev_status(scope: ScopeRun, node: Node) -> str:
    """``PrevTaskStatus`` of a disabled task: that of the first task before it whose link to it is true."""
    for index in node.inputs:
        if scope.link_state[index] is Link.TRUE:
            source = scope.plan.links[index].source
            found = scope.task_vars.get(source, {}).get("prevtaskstatus")
            if found:
                return str(found)
    return NOTSTARTED


def suspend_on_error(scope: ScopeRun) -> bool:
    """Whether ``scope``'s workflow (or a workflow around its worklet) suspends on error."""
    current: ScopeRun | None = scope
    while current is not None:
        if current.plan.workflow.suspend_on_error:
            return True
        current = current.parent
    return False


def suspends(scope: ScopeRun, node: Node, status: str) -> bool:
    """Whether ``node`` ending in ``status`` suspends its scope (its output links are then not evaluated)."""
    return status in (FAILED, SUSPENDED) and node.task_type in SUSPENDING_TYPES and suspend_on_error(scope)


def stopped_path(scope: ScopeRun) -> bool:
    """Whether the worklet ``scope`` ended because it was stopped or aborted (its own Control task, or a
    stop from above): "When you stop a task in the workflow, the Integration Service stops processing the
    task and all other tasks in its path" and stops or aborts a worklet like a task (Workflow Monitor
    guide), so the parent does not evaluate the worklet's output links; concurrent tasks go on."""
    return scope.parent is not None and scope.stop_mode in (STOPPED, ABORTED)


def fail_parent_reasons(node: Node, status: str, error: str) -> list[str]:
    """Why ``node`` ending in ``status`` fails its parent, from its instance's fail-parent options."""
    inst = node.instance
    reasons: list[str] = []
    if status == FAILED and inst.fail_parent_if_instance_fails:
        reasons.append(f"{node.path} failed" + (f": {error}" if error else ""))
    if status in (NOTSTARTED, DISABLED) and inst.fail_parent_if_instance_did_not_run:
        reasons.append(f"{node.path} did not run ({status})")
    return reasons


def scope_outcome(scope: ScopeRun) -> tuple[str, str]:
    """The final status of a scope whose tasks all ended, and why: stopped or aborted, else suspended,
    else failed (a task failed it), else succeeded."""
    if scope.stop_mode:
        return scope.stop_mode, scope.stop_reason
    if scope.suspended:
        return SUSPENDED, f"suspended after {', '.join(sorted(scope.suspended))} failed"
    if scope.fail_reasons:
        return FAILED, "; ".join(scope.fail_reasons)
    return SUCCEEDED, ""


def started_of(scope: ScopeRun, node: Node) -> dt.datetime | None:
    """When ``node`` started in ``scope`` (its ``StartTime``), if it did."""
    found = scope.task_vars.get(node.name, {}).get("starttime")
    return found if isinstance(found, dt.datetime) else None
