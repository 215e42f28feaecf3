"""Generated DAGs take their Session settings from the project's configuration and run sessions with the
provider's SparkSubmitOperator; parameter values come from Airflow Variables (under the DAG run's own,
over parameter files); an Event Wait on a file waits in a trigger (Airflow's FileTrigger), not in a worker.

The SparkSubmitOperator run of the orders sample is marked ``slow`` (three spark-submit applications)."""

from __future__ import annotations

import ast
import contextlib
import csv
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow, write_export

from infaflow.airflow.dags import dag_text
from infaflow.airflow.session_settings import SessionSettings, project_settings
from infaflow.errors import InputError
from infaflow.export import load
from infaflow.runtime.store import RunStore

ROOT = Path(__file__).resolve().parents[2]


def _sessions(text: str) -> dict:
    """The ``sessions`` entry of the DAG file's ``WORKFLOW``."""
    tree = ast.parse(text)
    node = next(
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "WORKFLOW"
    )
    assert isinstance(node.value, ast.Dict)
    value = next(
        v
        for k, v in zip(node.value.keys, node.value.values, strict=True)
        if ast.literal_eval(k) == "sessions"
    )
    return ast.literal_eval(value)


def test_the_dag_carries_the_session_settings_of_infaflow_toml(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    f = Flow("wf_cfg").cmd("a", "true").link("Start", "a")
    export = load(write_export(tmp_path, f))
    folder, wf = export.find_workflow("wf_cfg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INFAFLOW_CONFIG", raising=False)
    assert _sessions(dag_text(folder, wf, exports=[str(tmp_path / "x.xml")])) == {
        "run": "spark-submit",
        "conn_id": "spark_default",
        "conf": {},
    }
    (tmp_path / "infaflow.toml").write_text(
        '[spark]\nconf = { "spark.executor.memory" = "2g" }\n'
        '[airflow]\nsessions = "spark-submit"\nspark_conn_id = "spark_prod"\n'
    )
    assert _sessions(dag_text(folder, wf, project="..")) == {
        "run": "spark-submit",
        "conn_id": "spark_prod",
        "conf": {"spark.executor.memory": "2g"},
    }
    (tmp_path / "infaflow.toml").write_text('[airflow]\nsessions = "in-process"\n')
    assert project_settings() == SessionSettings("in-process", "spark_default", {})
    (tmp_path / "infaflow.toml").write_text('[airflow]\nsessions = "yarn"\n')
    with pytest.raises(InputError, match="sessions run 'yarn': expected one of spark-submit, in-process"):
        project_settings()
    (tmp_path / "infaflow.toml").write_text('[airflow]\nconn = "x"\n')
    with pytest.raises(InputError, match=r"\[airflow\]: unknown setting\(s\) conn"):
        project_settings()


def test_parameter_values_from_an_airflow_variable(airflow_home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Precedence: the DAG run's params, then the workflow's Airflow Variable, then parameter files."""
    from infaflow.airflow.testing import test_workflow

    f = Flow("wf_vars").var("$$A", "string", "init").var("$$B", "string", "init").var("$$C", "string", "init")
    f.var("$$OUT", "string", "")
    f.add("asg", "Assignment", pairs=[("$$OUT", "$$A || '/' || $$B || '/' || $$C")]).link("Start", "asg")
    par = tmp_path / "wf.par"
    par.write_text("[Global]\n$$A=file\n$$B=file\n$$C=file\n")
    monkeypatch.setenv(
        "AIRFLOW_VAR_INFAFLOW_PARAMS_WF_VARS", json.dumps({"$$A": "variable", "$$B": "variable"})
    )
    run = test_workflow(
        [str(write_export(tmp_path, f))],
        "wf_vars",
        param_files=[str(par)],
        params={"$$A": "run"},
        state_dir=tmp_path / "st",
        working_dir=str(tmp_path),
    )
    assert run.status == "SUCCEEDED", run.summary
    assert run.summary["variables"]["$$OUT"] == "run/variable/file"


def test_an_airflow_variable_that_is_not_an_object_fails_the_task(
    airflow_home: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from infaflow.airflow.testing import test_workflow

    f = Flow("wf_badvar").cmd("a", "true").link("Start", "a")
    monkeypatch.setenv("AIRFLOW_VAR_INFAFLOW_PARAMS_WF_BADVAR", json.dumps(["$$A"]))
    with pytest.raises(InputError, match="recorded no run"):  # the first task failed before the run began
        test_workflow(
            [str(write_export(tmp_path, f))],
            "wf_badvar",
            state_dir=tmp_path / "st",
            working_dir=str(tmp_path),
        )


def test_an_event_wait_on_a_file_waits_in_a_trigger(airflow_home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from infaflow.airflow.operators import PowerCenterTask
    from infaflow.airflow.testing import test_workflow

    resumed: list[str] = []
    original = PowerCenterTask.resume_after_file
    original_defer = PowerCenterTask.defer
    flag = tmp_path / "in" / "orders[1].done"  # the name's [ ] are literal, not a glob
    writers: list[threading.Timer] = []

    def spy(self, context, event=None):  # noqa: ANN001, ANN202
        resumed.append(self.instance_path)
        return original(self, context, event)

    def deferring(self, **kwargs):  # noqa: ANN001, ANN003, ANN202 - the file appears once the task waits
        writers.append(threading.Timer(3, lambda: flag.write_text("go")))
        writers[-1].start()
        return original_defer(self, **kwargs)

    monkeypatch.setattr(PowerCenterTask, "resume_after_file", spy)
    monkeypatch.setattr(PowerCenterTask, "defer", deferring)
    f = Flow("wf_watch").var("$$FLAG", "string", "")
    f.add(
        "watch",
        "Event Wait",
        attrs={
            "User Defined Event": "NO",
            "Filewatch Name": "in/$$FLAG[1].done",
            "Delete Filewatch File": "YES",
        },
    )
    f.add("there", "Event Wait", attrs={"User Defined Event": "NO", "Filewatch Name": "ready.txt"})
    f.cmd("after", "true").link("Start", "watch").link("watch", "after").link("Start", "there")
    (tmp_path / "in").mkdir()
    (tmp_path / "ready.txt").write_text("x")  # already there: no wait
    (tmp_path / "in" / "orders1.done").write_text("not this one")
    try:
        run = test_workflow(
            [str(write_export(tmp_path, f))],
            "wf_watch",
            params={"$$FLAG": "orders"},
            state_dir=tmp_path / "st",
            working_dir=str(tmp_path),
        )
    finally:
        for writer in writers:
            writer.cancel()
    assert statuses(run.summary) == {
        "Start": "SUCCEEDED",
        "watch": "SUCCEEDED",
        "there": "SUCCEEDED",
        "after": "SUCCEEDED",
    }
    assert len(writers) == 1
    assert resumed == ["watch"]  # it waited in the trigger; "there" found its file at once
    assert not flag.exists()  # Delete Filewatch File
    assert (tmp_path / "in" / "orders1.done").exists()


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows:
        rows[0] = [rows[0][0].lstrip("#"), *rows[0][1:]]  # PowerCenter's header line starts with '#'
    return rows


@pytest.mark.slow  # three spark-submit applications, each its own JVM
def test_orders_sample_sessions_run_with_spark_submit_operator(
    airflow_home: Path, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from infaflow.airflow.testing import test_workflow

    monkeypatch.chdir(ROOT)  # the parameter file names directories relative to the repository root
    monkeypatch.delenv("INFAFLOW_CONFIG", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"}))
    monkeypatch.setenv(
        "PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )  # spark-submit
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    expected = ROOT / "samples" / "orders" / "expected"
    state = tmp_path / "state"
    run = test_workflow(
        ["samples/orders/wf_orders_daily.xml"],
        "wf_orders_daily",
        param_files=["samples/orders/params/wf_orders_daily.par"],
        params={"$PMTargetFileDir": str(tmp_path / "out")},
        state_dir=state,
        working_dir=str(ROOT),
    )
    assert '"run": "spark-submit"' in run.dag_file.read_text()
    with open(expected / "task_statuses.csv", newline="") as fh:
        want = {row["TASK_INSTANCE"]: row["STATUS"] for row in csv.DictReader(fh)}
    assert run.status == want.pop("wf_orders_daily") == "SUCCEEDED", run.summary
    assert statuses(run.summary) == want
    assert run.dag_state == "success"
    for file in sorted(expected.glob("*.csv")):
        if file.name != "task_statuses.csv":
            assert _rows(tmp_path / "out" / file.name) == _rows(file), file.name
    results = sorted(
        p.parent.name for p in state.rglob("submit/*/result.json")
    )  # one application per session
    assert results == ["s_m_customer_dim", "s_m_customer_orders", "s_m_order_facts"]
    store = RunStore(state)
    try:
        counts = {t.path: int(t.vars["TgtSuccessRows"]) for t in store.tasks(1) if t.task_type == "Session"}
    finally:
        store.close()
    assert counts == {"s_m_customer_dim": 10, "s_m_order_facts": 20, "s_m_customer_orders": 9}


ENDLESS_JOB = """from infaflow_support import main


def run(spark, params):
    spark.range(0, 10**15, numPartitions=1).selectExpr("sum(id % 7) AS s").collect()


if __name__ == "__main__":
    raise SystemExit(main(run))
"""


@pytest.mark.slow  # a spark-submit application
def test_a_stop_ends_the_spark_submit_application(airflow_home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """A stop request (a Control task, the DAG run stopped) or Airflow killing the task ends the session's
    spark-submit process through SparkSubmitOperator's on_kill; the session ends STOPPED."""
    import psutil

    from infaflow.airflow.session_settings import SessionSettings
    from infaflow.airflow.sessions import SparkSubmitSessions
    from infaflow.codegen import support
    from infaflow.runtime.executor import SessionRequest

    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[1]"}))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    project = tmp_path / "project"
    project.mkdir()
    (project / "s_endless.py").write_text(ENDLESS_JOB, encoding="utf-8")
    (project / "infaflow_support.py").write_text(
        Path(support.__file__).read_text(encoding="utf-8"), encoding="utf-8"
    )
    sessions = SparkSubmitSessions(SessionSettings(), modules={"s_endless": project / "s_endless.py"})
    request = SessionRequest(
        None,
        None,
        None,
        "s_endless",
        None,
        None,  # type: ignore[arg-type]
        run_id="1",
        state_dir=tmp_path / "st",
    )
    outcome: list = []
    # a daemon: should the stop not work, the test fails instead of holding the test process open
    worker = threading.Thread(target=lambda: outcome.append(sessions.run_session(request)), daemon=True)
    worker.start()

    def cmdline(process: psutil.Process) -> list[str]:
        try:
            return process.cmdline()
        except psutil.Error:  # ended meanwhile, or a zombie not reaped yet (spark-submit's own helpers)
            return []

    def submitted() -> list[psutil.Process]:
        return [
            p
            for p in psutil.Process().children(recursive=True)
            if any("s_endless.py" in part for part in cmdline(p))
        ]

    try:
        deadline = time.monotonic() + 300
        while not submitted():
            assert time.monotonic() < deadline, "spark-submit did not start"
            time.sleep(0.5)
        time.sleep(5)  # the application is running its endless job
        assert worker.is_alive()
        request.cancel.set()
        worker.join(120)
        assert not worker.is_alive()
        assert outcome[0].stopped and not outcome[0].succeeded
        gone = time.monotonic() + 60
        while submitted() and time.monotonic() < gone:
            time.sleep(0.5)
        assert not submitted()
    finally:  # never leave an endless application behind, whatever failed
        request.cancel.set()
        for process in submitted():
            with contextlib.suppress(psutil.Error):
                process.kill()
