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
    base = {"$PMSourceFileDir": str(ROOT / "samples" / "orders" / "data"), "$PMTargetFileDir": str(tmp / "out")}
    return SessionRequest(export, folder, workflow, "s_m_customer_dim", instance, instance.task,  # type: ignore[arg-type]
                          params={**base, **params}, run_id="t1", state_dir=tmp / "state")


def test_outcome_carries_row_counts(spark, tmp_path: Path) -> None:
    outcome = SparkSessionExecutor(spark).run_session(_request(tmp_path))
    assert outcome.succeeded, outcome.error
    # customers.csv has 12 rows; a duplicate and a row without id are dropped on the way.
    assert (outcome.src_success_rows, outcome.tgt_success_rows, outcome.tgt_failed_rows) == (12, 10, 0)
    assert (tmp_path / "out" / "customers_dim.csv").is_file()


def test_a_job_error_fails_the_task_with_its_message(spark, tmp_path: Path) -> None:
    outcome = SparkSessionExecutor(spark).run_session(_request(tmp_path, **{"$PMSourceFileDir": str(tmp_path / "nope")}))
    assert not outcome.succeeded and not outcome.stopped
    assert "nope" in outcome.error and "\n" not in outcome.error


def test_a_stop_request_cancels_the_session(spark, tmp_path: Path) -> None:
    request = _request(tmp_path)
    request.cancel.set()
    outcome = SparkSessionExecutor(spark).run_session(request)
    assert outcome.stopped and not outcome.succeeded
    # Cancelled while running: the job group is cancelled and the task reports it stopped.
    request = _request(tmp_path)
    timer = threading.Timer(0.3, request.cancel.set)
    timer.start()
    outcome = SparkSessionExecutor(spark).run_session(request)
    timer.join()
    assert outcome.stopped and outcome.error == "stopped", outcome
