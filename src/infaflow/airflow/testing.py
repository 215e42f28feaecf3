"""``infaflow airflow test``: render a workflow's DAG and run it once with ``dag.test()`` in this process.

Airflow reads its configuration when it is first imported, so :func:`use_airflow_home` must run before
anything imports Airflow: it points ``AIRFLOW_HOME``, the DAG folder and a SQLite metadata database at one
folder (a temporary one unless given) and creates the database there.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infaflow.airflow import INSTALL_HINT, airflow_available
from infaflow.airflow.dags import dag_text
from infaflow.errors import InputError
from infaflow.runtime import summary as run_summary
from infaflow.runtime.api import find_workflow
from infaflow.runtime.scheduler import ExecutorSource
from infaflow.runtime.steps import load_export
from infaflow.runtime.store import RunStore

_HOME: list[Path] = []


def use_airflow_home(home: str | Path | None = None) -> Path:
    """Configure Airflow for in-process test runs in ``home`` (a new temporary folder when ``None``) and
    create its metadata database; later calls in the same process return the first folder."""
    if _HOME:
        return _HOME[0]
    if not airflow_available():
        raise InputError(INSTALL_HINT)
    if "airflow" in sys.modules and home is None and os.environ.get("AIRFLOW_HOME"):
        path = Path(os.environ["AIRFLOW_HOME"])  # Airflow already configured by the caller
    else:
        path = Path(home) if home is not None else Path(tempfile.mkdtemp(prefix="infaflow-airflow-"))
        path.mkdir(parents=True, exist_ok=True)
        (path / "dags").mkdir(exist_ok=True)
        os.environ["AIRFLOW_HOME"] = str(path)
        os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(path / "dags")
        os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{path / 'airflow.db'}"
        os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
        os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    from airflow.utils import db

    db.initdb()
    _HOME.append(path)
    return path


@dataclass
class AirflowRun:
    """The outcome of one ``dag.test()`` run."""

    summary: dict[str, Any]
    dag_state: str
    task_states: dict[str, str]
    dag_file: Path

    @property
    def status(self) -> str:
        return str(self.summary.get("status", ""))


def _import_dag(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"infaflow_dag_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def test_workflow(
    exports: list[str],
    workflow: str | None,
    folder: str | None = None,
    *,
    param_files: list[str] | None = None,
    params: dict[str, str] | None = None,
    state_dir: str | Path = ".infaflow",
    working_dir: str | None = None,
    root_dir: str | None = None,
    session_executor: ExecutorSource = None,
    airflow_home: str | Path | None = None,
) -> AirflowRun:
    """Write ``workflow``'s DAG into the Airflow home's DAG folder and run it once with ``dag.test()``;
    the summary is the one ``infaflow run`` writes, plus the Airflow states under ``"airflow"``."""
    home = use_airflow_home(airflow_home)
    from infaflow.airflow.config import set_session_executor

    export = load_export(exports)
    f, wf = find_workflow(export, workflow, folder)
    dag_file = home / "dags" / f"{wf.name}.py"
    dag_file.write_text(dag_text(f, wf, exports=list(export.paths)), encoding="utf-8")
    dag = _import_dag(dag_file)
    state = str(Path(state_dir).resolve())
    conf = {
        "param_files": [str(Path(p).resolve()) for p in param_files or []],
        "params": dict(params or {}),
        "state_dir": state,
        "working_dir": str(Path(working_dir or os.getcwd()).resolve()),
        "root_dir": str(Path(root_dir).resolve()) if root_dir else "",
    }
    store = RunStore(state)
    try:
        before = {r.run_id for r in store.runs(limit=1000, workflow=wf.name)}
    finally:
        store.close()
    set_session_executor(session_executor)
    try:
        dag_run = dag.test(run_conf=conf)
    finally:
        set_session_executor(None)
    task_states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    store = RunStore(state)
    try:
        runs = [r for r in store.runs(limit=1000, workflow=wf.name) if r.run_id not in before]
        if not runs:
            raise InputError(f"the DAG run of {wf.name} recorded no run (Airflow states: {task_states})")
        from infaflow.runtime import plan

        result = run_summary.build(store, runs[0].run_id, plan.build(wf, f))
    finally:
        store.close()
    result["airflow"] = {"dag_run": str(dag_run.state), "tasks": task_states}
    return AirflowRun(result, str(dag_run.state), task_states, dag_file)


test_workflow.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
