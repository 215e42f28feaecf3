"""End to end: the file-based samples run with the Spark session executor and give the expected statuses."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from infaflow.export import load
from infaflow.runtime.api import run_workflow
from infaflow.runtime.scheduler import RunOptions

pytestmark = [pytest.mark.spark]


@pytest.mark.parametrize(
    ("sample", "xml", "workflow"),
    [
        ("orders", "wf_orders_daily.xml", "wf_orders_daily"),
        ("inventory", "wf_inventory_alerts.xml", "wf_inventory_alerts"),
    ],
)
def test_sample_statuses(
    samples_dir: Path,
    tmp_path: Path,
    spark,
    monkeypatch: pytest.MonkeyPatch,
    sample: str,
    xml: str,
    workflow: str,
) -> None:  # noqa: ANN001
    executor_module = pytest.importorskip("infaflow.codegen.executor")
    work = tmp_path / "samples" / sample
    shutil.copytree(samples_dir / sample, work)
    monkeypatch.chdir(tmp_path)  # the parameter file's directories are relative to where the run starts
    export = load(work / xml)
    result = run_workflow(
        export,
        workflow,
        param_files=sorted((work / "params").glob("*.par")),
        # absolute directories: the shared Spark JVM does not follow the test's working directory
        params={"$PMSourceFileDir": str(work / "data"), "$PMTargetFileDir": str(work / "out")},
        state_dir=tmp_path / ".infaflow",
        options=RunOptions(working_dir=str(tmp_path)),
        session_executor=executor_module.SparkSessionExecutor(spark),
    )
    with open(work / "expected" / "task_statuses.csv", newline="") as fh:
        expected = {row["TASK_INSTANCE"]: row["STATUS"] for row in csv.DictReader(fh)}
    assert result.status == expected.pop(workflow)
    assert {path: task["status"] for path, task in result.summary["tasks"].items()} == expected
