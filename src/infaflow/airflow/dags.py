"""DAG files for the workflows of an export set (no Airflow needed to write them)."""

from __future__ import annotations

from pathlib import Path

from infaflow.airflow.graph import DagShape, shape
from infaflow.airflow.render import Source, render_dag
from infaflow.model import Folder, Workflow
from infaflow.runtime import plan


def workflow_shape(folder: Folder, workflow: Workflow) -> tuple[DagShape, str]:
    """The DAG shape of ``workflow`` and the id of the task that begins a run (its Start task)."""
    the_plan = plan.build(workflow, folder)
    found = shape(the_plan, workflow.name)
    start = the_plan.nodes[the_plan.starts[0]].path
    first = next(t.task_id for t in found.tasks if not t.group and t.path == start and t.kind == "task")
    return found, first


def dag_text(
    folder: Folder, workflow: Workflow, *, project: str = "", exports: list[str] | None = None
) -> str:
    """The DAG file of ``workflow``: reading a converted project (``project``, relative to the DAG file)
    or export files (``exports``, absolute paths)."""
    found, first = workflow_shape(folder, workflow)
    source = Source(workflow.name, folder.name, project, [str(Path(e).resolve()) for e in exports or []])
    return render_dag(found, source, first)
