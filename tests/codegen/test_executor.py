"""The Spark session executor: row counts into the outcome, job errors fail the task, stop requests."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from infaflow.codegen.executor import SparkSessionExecutor
from infaflow.export import load
from infaflow.runtime.executor import SessionRequest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.spark


def _request(tmp: Path, **params: str) -> SessionRequest:
    export = load(ROOT / "samples" / "orders" / "wf_orders_daily.xml")
    folder = export.folders[0]
    workflow = folder.workflows[0]
    instance = workflow.instance("s_m_customer_dim")
    assert instance is not None and instance.task is not None
    base = {
        "$PMSourceFileDir": str(ROOT / "samples" / "orders" / "data"),
        "$PMTargetFileDir": str(tmp / "out"),
    }
    return SessionRequest(
        export,
        folder,
        workflow,
        "s_m_customer_dim",
        instance,
        instance.task,  # type: ignore[arg-type]
        params={**base, **params},
        run_id="t1",
        state_dir=tmp / "state",
    )


def test_outcome_carries_row_counts(spark, tmp_path: Path) -> None:
    outcome = SparkSessionExecutor(spark).run_session(_request(tmp_path))
    assert outcome.succeeded, outcome.error
    # customers.csv has 12 rows; a duplicate and a row without id are dropped on the way.
    assert (outcome.src_success_rows, outcome.tgt_success_rows, outcome.tgt_failed_rows) == (12, 10, 0)
    assert (tmp_path / "out" / "customers_dim.csv").is_file()


def test_a_job_error_fails_the_task_with_its_message(spark, tmp_path: Path) -> None:
    outcome = SparkSessionExecutor(spark).run_session(
        _request(tmp_path, **{"$PMSourceFileDir": str(tmp_path / "nope")})
    )
    assert not outcome.succeeded and not outcome.stopped
    assert "nope" in outcome.error and "\n" not in outcome.error


def test_a_stop_request_cancels_the_session(spark, tmp_path: Path) -> None:
    request = _request(tmp_path)
    request.cancel.set()
    outcome = SparkSessionExecutor(spark).run_session(request)
    assert outcome.stopped and not outcome.succeeded
    # Cancelled while running: the session's job tag is interrupted and the task reports it stopped.
    request = _request(tmp_path)
    timer = threading.Timer(0.3, request.cancel.set)
    timer.start()
    outcome = SparkSessionExecutor(spark).run_session(request)
    timer.join()
    assert outcome.stopped and outcome.error == "stopped", outcome


def test_a_stop_interrupts_the_running_job_by_its_tag(spark, tmp_path: Path) -> None:
    """A job that only an interruption ends (classic Spark; tests/cluster checks Spark Connect): the stop
    request interrupts the session's tag, the job ends on the cluster side, the session is usable after."""
    module = tmp_path / "s_endless.py"
    module.write_text(
        "def run(spark, params):\n"
        '    spark.range(0, 10**15, numPartitions=1).selectExpr("sum(id % 7)").collect()\n'
    )
    request = SessionRequest(
        None,
        None,
        None,
        "s_endless",
        None,
        None,  # type: ignore[arg-type]
        run_id="t2",
        state_dir=tmp_path / "state",
    )
    tracker = spark.sparkContext.statusTracker()
    outcome = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            SparkSessionExecutor(spark, modules={"s_endless": module}).run_session(request)
        )
    )
    worker.start()
    try:
        for _ in range(600):
            if tracker.getActiveJobsIds():
                break
            threading.Event().wait(0.1)
        assert tracker.getActiveJobsIds(), "the job did not start"
        request.cancel.set()
        worker.join(60)
        assert not worker.is_alive()
    finally:
        request.cancel.set()
        worker.join(60)
    assert outcome[0].stopped and outcome[0].error == "stopped", outcome
    for _ in range(100):
        if not tracker.getActiveJobsIds():
            break
        threading.Event().wait(0.1)
    assert not tracker.getActiveJobsIds()
