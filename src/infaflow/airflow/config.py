"""How a generated DAG's tasks find the workflow, the run store and the session executor (no Airflow)."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infaflow.runtime.scheduler import ExecutorSource, RunOptions
from infaflow.runtime.steps import StepConfig

#: The session executor of this process (set by ``infaflow airflow test`` and the tests: a Spark session
#: they share); ``None``: the DAG's ``sessions`` setting decides (SparkSubmitOperator by default).
_EXECUTOR: list[ExecutorSource] = [None]


def set_session_executor(source: ExecutorSource) -> None:
    """Run the sessions of this process's DAG tasks with ``source`` (an executor or a factory)."""
    _EXECUTOR[0] = source


class SharedExecutor:
    """One session executor for every session of a DAG run in this process: each task's step closes its
    executor when it ends, which would stop a shared Spark session; this one stays open until
    :meth:`shutdown`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def run_session(self, request: Any) -> Any:
        return self.inner.run_session(request)

    def close(self) -> None:
        """Kept open until :meth:`shutdown`."""

    def shutdown(self) -> None:
        self.inner.close()


def state_dir(params: Mapping[str, Any]) -> str:
    """Where runs are recorded and persistent variables live: the DAG run's ``state_dir`` parameter, else
    ``$INFAFLOW_STATE_DIR``, else ``$AIRFLOW_HOME/infaflow``."""
    given = str(params.get("state_dir") or "").strip() or os.environ.get("INFAFLOW_STATE_DIR", "").strip()
    if given:
        return given
    home = os.environ.get("AIRFLOW_HOME") or str(Path.home() / "airflow")
    return str(Path(home) / "infaflow")


def _project(root: str) -> Any:
    from infaflow.codegen.project import open_project

    return open_project(root)


def _default_executor(modules: dict[str, Path] | None) -> tuple[ExecutorSource, str]:
    try:
        from infaflow.codegen.executor import SparkSessionExecutor
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        return None, f"the Spark session executor is not available ({exc})"
    return functools.partial(SparkSessionExecutor, modules=modules or {}), "none"


def _spark_submit_executor(
    settings: Any, modules: dict[str, Path] | None, context: Mapping[str, Any] | None
) -> tuple[ExecutorSource, str]:
    import importlib.util

    if importlib.util.find_spec("airflow.providers.apache.spark") is None:
        return None, (
            "the sessions run with SparkSubmitOperator, and apache-airflow-providers-apache-spark is not "
            "installed (pip install 'infaflow[airflow]'), or set [airflow] sessions = \"in-process\""
        )
    from infaflow.airflow.sessions import SparkSubmitSessions

    return functools.partial(SparkSubmitSessions, settings, modules, context), "none"


def step_config(
    workflow: Mapping[str, Any], params: Mapping[str, Any], context: Mapping[str, Any] | None = None
) -> StepConfig:
    """The step configuration of a DAG run: ``workflow`` is the DAG file's ``WORKFLOW`` (``exports`` or a
    converted ``project``, ``workflow``, ``folder``, ``sessions``: how sessions run); ``params`` the DAG
    run's parameters (``param_files``, ``params``, ``state_dir``, ``working_dir``, ``root_dir``);
    ``context`` the Airflow task's context (handed to SparkSubmitOperator)."""
    from infaflow.airflow.session_settings import SPARK_SUBMIT, SessionSettings

    name = str(workflow["workflow"])
    folder = workflow.get("folder") or None
    modules: dict[str, Path] | None = None
    project_dir = workflow.get("project") or None
    if project_dir:
        project = _project(str(project_dir))
        exports = [str(p) for p in project.export_paths]
        modules = project.modules(project.manifest(name)["workflow"])
    else:
        exports = [str(p) for p in workflow["exports"]]
    options = RunOptions(
        working_dir=str(params.get("working_dir") or workflow.get("working_dir") or os.getcwd()),
        root_dir=str(params.get("root_dir") or "") or None,
        project_dir=str(project_dir) if project_dir else None,
    )
    sessions = SessionSettings.from_dict(workflow.get("sessions"))
    executor: ExecutorSource
    if _EXECUTOR[0] is not None:
        executor, reason = _EXECUTOR[0], "none"
    elif sessions.run == SPARK_SUBMIT:
        executor, reason = _spark_submit_executor(sessions, modules, context)
    else:
        executor, reason = _default_executor(modules)
    if context is not None and executor is not None:  # in Airflow: PowerCenter connections from Airflow's
        from infaflow.airflow.connections import AirflowConnections

        executor = AirflowConnections(executor, modules)
    return StepConfig(
        exports=exports,
        workflow=name,
        folder=folder,
        state_dir=state_dir(params),
        param_files=[str(p) for p in params.get("param_files") or []],
        params={str(k): str(v) if v is not None else "" for k, v in (params.get("params") or {}).items()},
        options=options,
        executor=executor,
        no_executor_reason=reason,
    )
