"""Task and workflow statuses, with PowerCenter's names."""

from __future__ import annotations

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
STOPPED = "STOPPED"
ABORTED = "ABORTED"
DISABLED = "DISABLED"
NOTSTARTED = "NOTSTARTED"
STARTED = "STARTED"  # running (the value `$t.Status` has while the task runs)
SUSPENDED = "SUSPENDED"  # a workflow or worklet waiting for `resume` after a failure

#: Statuses a task can end in.
FINAL_TASK_STATUSES: frozenset[str] = frozenset({SUCCEEDED, FAILED, STOPPED, ABORTED, DISABLED, NOTSTARTED})
#: Statuses after which a task "completed" (its output links are evaluated).
COMPLETED: frozenset[str] = frozenset({SUCCEEDED, FAILED, STOPPED, ABORTED})
#: Statuses of a run that `resume` can continue.
RESUMABLE_RUN_STATUSES: frozenset[str] = frozenset({FAILED, STOPPED, ABORTED, SUSPENDED, STARTED})
