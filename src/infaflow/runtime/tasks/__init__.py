"""Task handlers, one module per kind, registered by canonical task type.

Worklets are not in the table: the scheduler runs a worklet instance as a nested scope.
"""

from __future__ import annotations

from infaflow.runtime.tasks.base import Handler, TaskContext, TaskLog, TaskResult
from infaflow.runtime.tasks.command import run_command_task
from infaflow.runtime.tasks.email_task import run_email_task
from infaflow.runtime.tasks.session import run_session
from infaflow.runtime.tasks.simple import (
    run_assignment,
    run_control,
    run_decision,
    run_event_raise,
    run_start,
)
from infaflow.runtime.tasks.waits import run_event_wait, run_timer

HANDLERS: dict[str, Handler] = {
    "Start": Handler(run_start, "inline"),
    "Decision": Handler(run_decision, "inline"),
    "Assignment": Handler(run_assignment, "inline"),
    "Control": Handler(run_control, "inline"),
    "Event Raise": Handler(run_event_raise, "inline"),
    "Command": Handler(run_command_task, "pool", fixed_restart=False),
    "Session": Handler(run_session, "pool", fixed_restart=False),
    "Email": Handler(run_email_task, "pool"),
    "Timer": Handler(run_timer, "wait"),
    "Event Wait": Handler(run_event_wait, "wait"),
}

__all__ = ["HANDLERS", "Handler", "TaskContext", "TaskLog", "TaskResult"]
