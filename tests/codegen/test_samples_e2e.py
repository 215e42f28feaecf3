"""The sample workflows run end to end with their sessions on Spark and produce the expected targets.

Slow (a whole workflow per test): run with ``pytest -m slow tests/codegen``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from infaflow.codegen.executor import SparkSessionExecutor
from infaflow.codegen.store import load_csv
from infaflow.export import load
from infaflow.runtime.api import run_workflow

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.spark]


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows:
        rows[0] = [rows[0][0].lstrip("#"), *rows[0][1:]]  # PowerCenter's header line starts with '#'
    return rows


def _statuses(summary: dict) -> dict[str, str]:
    return {name: task["status"] for name, task in summary["tasks"].items()}


def _expected_statuses(path: Path) -> dict[str, str]:
    return {r[0]: r[1] for r in _rows(path)[1:]}


def _run(spark, sample: str, workflow: str, tmp: Path, monkeypatch: pytest.MonkeyPatch, **extra: str):
    monkeypatch.chdir(ROOT)  # the parameter files name directories relative to the repository root
    export = load(f"samples/{sample}/{workflow}.xml")
    executor = SparkSessionExecutor(spark)
    result = run_workflow(
        export,
        workflow,
        param_files=[f"samples/{sample}/params/{workflow}.par"],
        params={"$PMTargetFileDir": str(tmp / "out"), **extra},
        state_dir=tmp / "state",
        session_executor=executor,
    )
    executor.close()
    return result


def test_orders_workflow_produces_the_expected_files(spark, tmp_path: Path, monkeypatch) -> None:
    result = _run(spark, "orders", "wf_orders_daily", tmp_path, monkeypatch)
    expected = ROOT / "samples" / "orders" / "expected"
    statuses = _statuses(result.summary)
    for name, status in _expected_statuses(expected / "task_statuses.csv").items():
        if name in statuses:
            assert statuses[name] == status, name
    assert result.status == "SUCCEEDED"
    for file in sorted(expected.glob("*.csv")):
        if file.name == "task_statuses.csv":
            continue
        assert _rows(tmp_path / "out" / file.name) == _rows(file), file.name


def test_inventory_workflow_two_instances_of_one_reusable_session(spark, tmp_path: Path, monkeypatch) -> None:
    result = _run(spark, "inventory", "wf_inventory_alerts", tmp_path, monkeypatch)
    expected = ROOT / "samples" / "inventory" / "expected"
    assert result.status == "SUCCEEDED", result.summary
    for file in ("stock_alerts_eu.csv", "stock_alerts_us.csv"):
        got, want = _rows(tmp_path / "out" / file), _rows(expected / file)
        assert got[0] == want[0]
        assert sorted(got[1:]) == sorted(want[1:]), file


def test_retail_workflow_on_the_embedded_store(spark, tmp_path: Path, monkeypatch) -> None:
    seeds = ROOT / "samples" / "retail_dw" / "data" / "RETAIL_OLTP"
    for csv_file in sorted(seeds.glob("*.csv")):
        load_csv(spark, tmp_path / "state" / "store", "RETAIL_OLTP", csv_file.stem, csv_file)
    result = _run(spark, "retail_dw", "wf_retail_nightly", tmp_path, monkeypatch)
    statuses = _statuses(result.summary)
    expected = _expected_statuses(ROOT / "samples" / "retail_dw" / "expected" / "task_statuses.csv")
    sessions = {k: v for k, v in expected.items() if k.rsplit("/", 1)[-1].startswith("s_m_")}
    assert sessions and all(statuses.get(k) == v for k, v in sessions.items()), statuses
    assert result.status == expected["wf_retail_nightly"]
    dim = spark.read.parquet(str(tmp_path / "state" / "store" / "RETAIL_DW" / "dim_store"))
    assert dim.count() == 5
