"""Recovery strategies, automatic retries and what ``resume`` does with each recorded task.

Strategies (task ATTRIBUTE ``Recovery Strategy``, SPEC.md B): Session and Command tasks choose between
``Fail task and continue workflow`` (default) and ``Restart task`` (sessions also ``Resume from last
checkpoint``, which runs locally as a restart: there is no checkpoint of a Spark job). Every other task
type always restarts.

Retries inside a run: a task whose strategy is restart is attempted up to ``max_attempts`` times with a
capped exponential backoff (``base * 2**(n-1)``, at most ``cap`` seconds). ``max_attempts`` comes from the
workflow attributes ``Automatically recover terminated tasks=YES`` + ``Maximum automatic recovery attempts``
(default 5) or from ``--retries``; otherwise 1 (no retry).
"""

from __future__ import annotations

from dataclasses import dataclass

from infaflow.model import Attributes, Workflow
from infaflow.runtime.status import ABORTED, DISABLED, FAILED, STARTED, STOPPED, SUCCEEDED

FAIL_AND_CONTINUE = "Fail task and continue workflow"
RESTART = "Restart task"
RESUME_FROM_CHECKPOINT = "Resume from last checkpoint"

_STRATEGIES = {
    "failtaskandcontinueworkflow": FAIL_AND_CONTINUE,
    "restarttask": RESTART,
    "resumefromlastcheckpoint": RESUME_FROM_CHECKPOINT,
}

DEFAULT_AUTOMATIC_ATTEMPTS = 5


def strategy(task_type: str, attributes: Attributes) -> str:
    """The effective recovery strategy of a task."""
    if task_type not in ("Session", "Command"):
        return RESTART
    raw = attributes.get("Recovery Strategy", "") or ""
    key = "".join(ch for ch in raw.lower() if ch.isalpha())
    found = _STRATEGIES.get(key, FAIL_AND_CONTINUE)
    if found == RESUME_FROM_CHECKPOINT and task_type == "Command":
        return FAIL_AND_CONTINUE
    return found


def restarts(task_type: str, attributes: Attributes) -> bool:
    return strategy(task_type, attributes) in (RESTART, RESUME_FROM_CHECKPOINT)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 1
    base: float = 1.0
    cap: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (after attempt ``attempt`` failed)."""
        return min(self.cap, self.base * (2 ** max(0, attempt - 1)))


def retry_policy(workflow: Workflow, retries: int | None, base: float, cap: float) -> RetryPolicy:
    """The policy for restartable tasks of ``workflow`` (``retries``: ``--retries`` when given)."""
    if retries is not None:
        return RetryPolicy(max(1, retries + 1), base, cap)
    attrs = workflow.attributes
    if attrs.flag("Automatically recover terminated tasks", False):
        raw = attrs.get("Maximum automatic recovery attempts", "") or ""
        try:
            attempts = int(raw) if raw.strip() else DEFAULT_AUTOMATIC_ATTEMPTS
        except ValueError:
            attempts = DEFAULT_AUTOMATIC_ATTEMPTS
        return RetryPolicy(max(1, attempts + 1), base, cap)
    return RetryPolicy(1, base, cap)


# What resume does with a recorded task status.
KEEP = "keep"  # never run again (SUCCEEDED, DISABLED)
RERUN = "rerun"  # run again
FAIL = "fail"  # interrupted with "Fail task and continue workflow": FAILED without running


def on_resume(status: str, task_type: str, attributes: Attributes) -> str:
    """What ``resume`` does with a task recorded in ``status``.

    Succeeded and disabled tasks are kept. Failed and aborted tasks run again (that is what resuming a
    failed or suspended run is for). Interrupted tasks (still STARTED after a crash, or STOPPED by
    Ctrl-C/SIGTERM/a Stop control) follow their recovery strategy.
    """
    if status in (SUCCEEDED, DISABLED):
        return KEEP
    if status in (FAILED, ABORTED):
        return RERUN
    if status in (STARTED, STOPPED):
        return RERUN if restarts(task_type, attributes) else FAIL
    return RERUN
