"""What one Airflow task of a generated DAG does, without Airflow: merge the states its upstream tasks
handed over, run its step through the runtime (:mod:`infaflow.runtime.steps`), return the new state.

The Airflow operator (:mod:`infaflow.airflow.operators`) only moves states in and out of XCom and maps the
PowerCenter status to an Airflow task state (:func:`airflow_outcome`).
"""

from __future__ import annotations

from collections.abc import Iterable

from infaflow.airflow.graph import CLOSE, DagTask
from infaflow.runtime import steps
from infaflow.runtime.status import DISABLED, NOTSTARTED, STARTED, SUCCEEDED

SUCCESS = "success"
SKIPPED = "skipped"
FAILED = "failed"


def execute(
    config: steps.StepConfig, task: DagTask, upstream: Iterable[steps.RunState | None], first: bool
) -> tuple[steps.RunState | None, str | None]:
    """Run ``task`` after the tasks whose states are ``upstream``; ``first``: it begins the run (the
    workflow's Start task). Returns the state to hand on (``None``: nothing happened) and the PowerCenter
    status (``None``: the task was not decided, so it never ran)."""
    state = steps.merge(upstream)
    if state is None:
        if not first:
            return None, None
        state = steps.begin(config)
    if task.kind == CLOSE:
        return steps.close_scope(config, task.path, state)
    return steps.run_task(config, task.path, state)


def airflow_outcome(kind: str, status: str | None) -> str:
    """The Airflow state that shows a PowerCenter status: a task that did not run (NOTSTARTED, DISABLED)
    is skipped; a task or worklet that did not succeed is failed, as is a workflow that did not succeed."""
    if status is None or status in (NOTSTARTED, DISABLED):
        return SKIPPED
    if status == SUCCEEDED or (status == STARTED and kind != CLOSE):
        return SUCCESS
    return FAILED
