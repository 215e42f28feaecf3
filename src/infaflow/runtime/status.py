"""Task and workflow statuses, with PowerCenter's names.

:class:`Status` is a ``StrEnum``: each member is the string PowerCenter shows (and the run store keeps), so
it compares, hashes, formats and serialises (JSON, SQLite) exactly as the plain string. The module-level
names are the members, so ``from infaflow.runtime.status import SUCCEEDED`` reads as before.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A task's or a run's status."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"
    ABORTED = "ABORTED"
    DISABLED = "DISABLED"
    NOTSTARTED = "NOTSTARTED"
    STARTED = "STARTED"  # running (the value `$t.Status` has while the task runs)
    SUSPENDED = "SUSPENDED"  # a workflow or worklet waiting for `resume` after a failure


SUCCEEDED = Status.SUCCEEDED
FAILED = Status.FAILED
STOPPED = Status.STOPPED
ABORTED = Status.ABORTED
DISABLED = Status.DISABLED
NOTSTARTED = Status.NOTSTARTED
STARTED = Status.STARTED
SUSPENDED = Status.SUSPENDED

#: Statuses a task can end in.
FINAL_TASK_STATUSES: frozenset[str] = frozenset({SUCCEEDED, FAILED, STOPPED, ABORTED, DISABLED, NOTSTARTED})
#: Statuses after which a task "completed" (its output links are evaluated).
COMPLETED: frozenset[str] = frozenset({SUCCEEDED, FAILED, STOPPED, ABORTED})
#: Statuses of a run that `resume` can continue.
RESUMABLE_RUN_STATUSES: frozenset[str] = frozenset({FAILED, STOPPED, ABORTED, SUSPENDED, STARTED})
