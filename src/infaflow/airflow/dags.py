"""DAG files for the workflows of an export set (no Airflow needed to write them)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
    folder: Folder,
    workflow: Workflow,
    *,
    project: str = "",
    exports: list[str] | None = None,
    sessions: Mapping[str, Any] | None = None,
) -> str:
    """The DAG file of ``workflow``: reading a converted project (``project``, relative to the DAG file)
    or export files (``exports``, absolute paths); ``sessions``: how its Session tasks run (the project's
    configuration, :func:`infaflow.airflow.sessions.project_settings`, when not given)."""
    from infaflow.airflow.session_settings import project_settings

    found, first = workflow_shape(folder, workflow)
    run_sessions = dict(sessions) if sessions is not None else project_settings().as_dict()
    source = Source(
        workflow.name, folder.name, project, [str(Path(e).resolve()) for e in exports or []], run_sessions
    )
    return render_dag(found, source, first)
