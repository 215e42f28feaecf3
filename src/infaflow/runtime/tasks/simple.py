"""Start, Decision, Assignment, Control and Event Raise: quick tasks run in the scheduler thread."""

from __future__ import annotations

from typing import Any

from infaflow.errors import InputError
from infaflow.runtime import conditions
from infaflow.runtime.status import FAILED, SUCCEEDED
from infaflow.runtime.tasks.base import TaskContext, TaskResult


def run_start(ctx: TaskContext) -> TaskResult:
    """Start: always succeeds."""
    return TaskResult.ok()


def run_decision(ctx: TaskContext) -> TaskResult:
    """Decision: evaluate ``ATTRIBUTE NAME="Decision Name"``; the result goes to ``$Dec.Condition`` (1/0)
    and the task succeeds regardless; when the condition cannot be evaluated the task fails and
    ``Condition`` is NULL."""
    text = ctx.attributes.get("Decision Name", "") or ""
    if not text.strip():
        ctx.log.write("decision condition is empty: TRUE")
        return TaskResult.ok(task_vars={"Condition": 1})
    try:
        value = ctx.evaluate(text)
    except (InputError, conditions.ExprError) as exc:
        if ctx.dry_run:
            ctx.log.write(f"dry run: decision condition not evaluated: {exc}")
            return TaskResult.ok(task_vars={"Condition": None})
        return TaskResult(
            FAILED, error=f"decision condition: {exc}", error_code=1, task_vars={"Condition": None}
        )
    result = 1 if conditions.E.truthy(value) else 0
    ctx.log.write(f"decision {text!r} -> {result}")
    return TaskResult.ok(task_vars={"Condition": result})


def run_assignment(ctx: TaskContext) -> TaskResult:
    """Assignment: each VALUEPAIR (NAME=$$var, VALUE=expression) in EXECORDER; later ones see earlier."""
    for pair in ctx.ordered_value_pairs():
        try:
            value = ctx.evaluate(pair.value)
            stored = ctx.assign(pair.name, value)
        except KeyError:
            return TaskResult(
                FAILED, error=f"{pair.name} is not a user-defined variable of this scope", error_code=1
            )
        except (InputError, conditions.ExprError, ValueError) as exc:
            if ctx.dry_run:
                ctx.log.write(f"dry run: {pair.name} not assigned: {exc}")
                continue
            return TaskResult(FAILED, error=f"assignment to {pair.name}: {exc}", error_code=1)
        ctx.log.write(f"{pair.name} = {stored!r}")
    return TaskResult.ok()


#: Control options by normalised spelling -> canonical option.
CONTROL_OPTIONS: dict[str, str] = {
    "failme": "Fail Me",
    "failparent": "Fail Parent",
    "stopparent": "Stop Parent",
    "abortparent": "Abort Parent",
    "failtoplevelworkflow": "Fail Top-Level Workflow",
    "stoptoplevelworkflow": "Stop Top-Level Workflow",
    "aborttoplevelworkflow": "Abort Top-Level Workflow",
}


def control_option(raw: str) -> str | None:
    """The canonical Control option for an ``ATTRIBUTE NAME="Control Option"`` value."""
    key = "".join(ch for ch in raw.lower() if ch.isalpha())
    return CONTROL_OPTIONS.get(key)


def run_control(ctx: TaskContext) -> TaskResult:
    """Control: Fail Me fails this task; the other options act on the parent or top-level workflow
    (applied by the scheduler) and the task itself succeeds."""
    raw = ctx.attributes.get("Control Option", "") or ""
    option = control_option(raw)
    if option is None:
        return TaskResult(FAILED, error=f"unknown Control Option {raw!r}", error_code=1)
    ctx.log.write(f"control option: {option}")
    if option == "Fail Me":
        return TaskResult(FAILED, error="Control task: Fail Me", error_code=1, control=option)
    return TaskResult(SUCCEEDED, control=option)


def event_name(ctx: TaskContext) -> str:
    """The user-defined event a task raises or waits for (``Event Name``; older exports put the name in
    ``User Defined Event``)."""
    return attribute_event_name(ctx.attributes)


def attribute_event_name(attributes: Any) -> str:
    """:func:`event_name` from a task's attributes."""
    name = (attributes.get("Event Name", "") or "").strip()
    if name:
        return name
    udf = (attributes.get("User Defined Event", "") or "").strip()
    return "" if udf.upper() in ("", "YES", "NO") else udf


def run_event_raise(ctx: TaskContext) -> TaskResult:
    """Event Raise: fires its user-defined event."""
    name = event_name(ctx)
    if not name:
        return TaskResult(FAILED, error="Event Raise task names no user-defined event", error_code=1)
    ctx.log.write(f"raised event {name}")
    return TaskResult.ok(raised_event=name)
