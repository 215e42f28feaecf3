"""How a generated DAG's Session tasks run their converted module: by default as a Spark application
through the provider's ``SparkSubmitOperator`` (apache-airflow-providers-apache-spark) on the Airflow
connection the project's configuration names; ``in-process`` on a Spark session of the worker (local tests).

The session task still runs through infaflow's runtime (readiness, link conditions, pre- and post-session
variable assignments, the recovery strategy); only the Spark work is handed to spark-submit. The job writes
its row counts and mapping variables to a result file the task reads back, as ``infaflow run --submit``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infaflow.airflow.session_settings import SessionSettings
from infaflow.codegen import support
from infaflow.codegen.executor import driver_jars, session_job, session_params
from infaflow.codegen.naming import identifier
from infaflow.codegen.submit import job_arguments, read_result, session_outcome, write_job
from infaflow.runtime.executor import SessionOutcome, SessionRequest

_RUNNING: set[Any] = set()  # the SparkSubmitOperators of this process's running sessions
_RUNNING_LOCK = threading.Lock()


def kill_running() -> None:
    """End the spark-submit applications this process runs (the Airflow task is being killed)."""
    with _RUNNING_LOCK:
        operators = list(_RUNNING)
    for operator in operators:
        operator.on_kill()


class SparkSubmitSessions:
    """:class:`~infaflow.runtime.executor.SessionExecutor` running each session's module with the provider's
    ``SparkSubmitOperator``. ``modules``: instance path -> job file of a converted project (the project's
    code runs, with its ``infaflow_support.py``); other sessions are converted into the run's folder."""

    def __init__(
        self,
        settings: SessionSettings,
        modules: dict[str, Path] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self._modules = {k.lower(): v for k, v in (modules or {}).items()}
        self._context = dict(context or {})

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

        job = session_job(request, self._modules)
        if isinstance(job, SessionOutcome):
            return job
        run_dir = request.log_path.parent.parent if request.log_path else Path(request.state_dir)
        folder = run_dir / "submit" / identifier(request.instance_path)
        job_file, support_file = self._files(request, job, folder)
        result_file = folder / "result.json"
        result_file.unlink(missing_ok=True)
        name = f"infaflow {request.instance_path}"
        params = {
            k: v for k, v in session_params(request).items() if k != support.CANCEL_KEY and v is not None
        }
        jars = driver_jars()
        operator = SparkSubmitOperator(
            task_id=f"{identifier(request.instance_path)}_spark_submit",
            application=str(job_file),
            py_files=str(support_file),
            conn_id=self.settings.conn_id,
            conf={"spark.ui.showConsoleProgress": "false", **support_session_conf(), **self.settings.conf},
            jars=",".join(jars) or None,
            name=name,
            application_args=job_arguments(params, result_file, name),
        )
        done = threading.Event()

        def watch() -> None:  # a stop (a Control task, the run stopped) ends the application
            while not done.wait(0.2):
                if request.cancel.is_set():
                    operator.on_kill()
                    return

        threading.Thread(target=watch, daemon=True, name=f"spark-submit-{request.instance_path}").start()
        error = ""
        with _RUNNING_LOCK:
            _RUNNING.add(operator)
        try:
            operator.execute(self._context)  # type: ignore[arg-type]  # Airflow's Context is a TypedDict
        except Exception as exc:  # noqa: BLE001 - spark-submit's failure is the session's
            error = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else type(exc).__name__
        finally:
            done.set()
            with _RUNNING_LOCK:
                _RUNNING.discard(operator)
        if request.cancel.is_set():
            return SessionOutcome(
                False, error="stopped", stopped=True, first_error_code=1, first_error_msg="stopped"
            )
        result = read_result(result_file)
        if error or "error" in result or not result:
            message = result.get("error") or error or f"spark-submit wrote no result to {result_file}"
            return SessionOutcome(False, error=message, first_error_code=1, first_error_msg=message)
        return session_outcome(result)

    def _files(self, request: SessionRequest, job: Any, folder: Path) -> tuple[Path, Path]:
        """The application and its support module: the project's own files, else the job written out."""
        project_file = self._modules.get(request.instance_path.lower())
        if project_file is not None and (project_file.parent / "infaflow_support.py").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            return project_file, project_file.parent / "infaflow_support.py"
        return write_job(job, folder)

    def close(self) -> None:
        """Nothing to release: each session was its own application."""


def support_session_conf() -> dict[str, str]:
    """The Spark settings every infaflow session uses (the same rows everywhere)."""
    from infaflow.codegen.engine import SESSION_CONF

    return dict(SESSION_CONF)
