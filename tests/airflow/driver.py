"""A workflow's DAG run the way Airflow runs it, without Airflow: its tasks in a topological order of the
DAG, each through :func:`infaflow.airflow.execute.execute` (what the generated DAG's operator calls) with
the states of its upstream tasks, as the operator pulls them from XCom."""

from __future__ import annotations

from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from infaflow.airflow.dags import workflow_shape
from infaflow.airflow.execute import execute
from infaflow.runtime.api import find_workflow
from infaflow.runtime.scheduler import ExecutorSource, RunOptions
from infaflow.runtime.steps import StepConfig, load_export, run_summary


def run_dag(
    exports: list[str],
    workflow: str | None,
    *,
    state_dir: Path,
    working_dir: Path,
    param_files: list[str] | None = None,
    params: dict[str, str] | None = None,
    executor: ExecutorSource = None,
    no_executor_reason: str = "none was given",
    options: RunOptions | None = None,
) -> dict[str, Any]:
    """Run the DAG of ``workflow`` task by task; the run summary (as ``infaflow run`` writes it)."""
    export = load_export(exports)
    folder, wf = find_workflow(export, workflow, None)
    shape, first = workflow_shape(folder, wf)
    opts = options or RunOptions()
    opts.working_dir = str(working_dir)
    config = StepConfig(
        exports=list(exports),
        workflow=wf.name,
        folder=folder.name,
        state_dir=str(state_dir),
        param_files=[str(p) for p in param_files or []],
        params=dict(params or {}),
        options=opts,
        executor=executor,
        no_executor_reason=no_executor_reason,
    )
    tasks = shape.by_id()
    states: dict[str, Any] = {}
    last = None
    for task_id in TopologicalSorter({t.task_id: t.upstream for t in shape.tasks}).static_order():
        task = tasks[task_id]
        states[task_id], _ = execute(
            config, task, [states.get(u) for u in [*task.upstream, *task.reads]], task_id == first
        )
        last = states[task_id] or last
    assert last is not None, "the DAG run recorded nothing"
    return run_summary(config, last)
