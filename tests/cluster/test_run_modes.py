"""The samples run through ``infaflow run`` on real Spark components started on loopback: a standalone master
with one worker (``--spark-master``), the same master through ``--submit``, and a Spark Connect server
(``--spark-remote``). Every mode writes byte-identical targets to ``samples/*/expected`` and records the
same session row counts in the run store."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infaflow.runtime.store import RunStore

from .conftest import ROOT, ConnectServer, Standalone, cli_env, get_json

pytestmark = [pytest.mark.cluster]

ORDERS = ROOT / "samples" / "orders"
RETAIL = ROOT / "samples" / "retail_dw"

# Rows read and written by each session of the orders sample: the data files' rows (customers.csv has 12,
# orders.csv 12 and order_lines.csv 17...) and the expected target files' rows.
ORDERS_COUNTS = {
    "s_m_customer_dim": {
        "SrcSuccessRows": 12,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 10,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
    "s_m_order_facts": {
        "SrcSuccessRows": 29,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 20,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
    "s_m_customer_orders": {
        "SrcSuccessRows": 9,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 9,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
}
# The retail sample's sessions as a run in a local SparkSession records them (the seed tables' rows; one
# sales row rejected by the target's update strategy; the normalizer's 4 quarters per row).
RETAIL_COUNTS = {
    "wl_load_dimensions/s_m_stores_dim": {
        "SrcSuccessRows": 5,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 5,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
    "s_m_sales_fact": {
        "SrcSuccessRows": 16,
        "SrcFailedRows": 0,
        # 8 inserts and the correction of sale 11, an update the writer applies though no row has its key
        # (applied rows, docs/convert.md "Relational targets")
        "TgtSuccessRows": 9,
        "TgtFailedRows": 1,
        "TotalTransErrors": 0,
    },
    "s_m_store_rankings": {
        "SrcSuccessRows": 9,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 6,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
    "s_m_all_returns": {
        "SrcSuccessRows": 4,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 4,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
    "s_m_quarter_targets": {
        "SrcSuccessRows": 2,
        "SrcFailedRows": 0,
        "TgtSuccessRows": 8,
        "TgtFailedRows": 0,
        "TotalTransErrors": 0,
    },
}
COUNTED = ("SrcSuccessRows", "SrcFailedRows", "TgtSuccessRows", "TgtFailedRows", "TotalTransErrors")


def run_cli(args: list[str], cwd: Path = ROOT, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infaflow", *args],
        cwd=cwd,
        env=cli_env(),
        text=True,
        capture_output=True,
        timeout=timeout,
    )


def session_counts(state: Path, run_id: int = 1) -> dict[str, dict[str, int]]:
    store = RunStore(state)
    try:
        return {
            task.path: {name: int(task.vars[name]) for name in COUNTED}
            for task in store.tasks(run_id)
            if task.task_type == "Session" and task.status == "SUCCEEDED"
        }
    finally:
        store.close()


def run_orders(tmp: Path, *spark: str) -> Path:
    """Run the orders sample with the given Spark options; its targets go to ``tmp/out``."""
    state = tmp / "state"
    result = run_cli(
        [
            "run",
            str(ORDERS / "wf_orders_daily.xml"),
            "-w",
            "wf_orders_daily",
            "--param-file",
            str(ORDERS / "params" / "wf_orders_daily.par"),
            "--param",
            f"$PMTargetFileDir={tmp / 'out'}",
            "--state-dir",
            str(state),
            *spark,
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    expected = dict(
        line.split(",") for line in (ORDERS / "expected" / "task_statuses.csv").read_text().split()[1:]
    )
    store = RunStore(state)
    try:
        assert {t.path: t.status for t in store.tasks(1)} == {
            k: v for k, v in expected.items() if k != "wf_orders_daily"
        }, result.stdout
        assert store.run(1).status == expected["wf_orders_daily"]
    finally:
        store.close()
    return state


def assert_orders_outputs(tmp: Path) -> None:
    expected = sorted(p for p in (ORDERS / "expected").glob("*.csv") if p.name != "task_statuses.csv")
    assert expected
    for file in expected:
        got = (
            (tmp / "out" / file.name).read_bytes().removeprefix(b"#")
        )  # PowerCenter's header starts with '#'
        assert got == file.read_bytes(), file.name


SMALL = [
    "--spark-conf",
    "spark.executor.memory=512m",
    "--spark-conf",
    "spark.cores.max=1",
    "--spark-conf",
    "spark.driver.memory=1g",
]


# The standalone master and worker (a JVM each, and executors) take 100 s on 2 cores: marked slow, run by
# .ci/run after the default suite.
@pytest.mark.slow
def test_orders_on_a_standalone_master(standalone: Standalone, tmp_path: Path) -> None:
    state = run_orders(tmp_path, "--spark-master", standalone.master, *SMALL)
    assert_orders_outputs(tmp_path)
    assert session_counts(state) == ORDERS_COUNTS
    # The sessions ran as an application of the master (executors in the worker's JVM), not in local mode.

    apps = (
        get_json(f"{standalone.ui}/json/")["completedapps"] + get_json(f"{standalone.ui}/json/")["activeapps"]
    )
    assert any(app["name"] == "infaflow-run" for app in apps), apps


@pytest.mark.slow
def test_orders_with_submit(standalone: Standalone, tmp_path: Path) -> None:
    state = run_orders(tmp_path, "--submit", "--spark-master", standalone.master, *SMALL)
    assert_orders_outputs(tmp_path)
    assert session_counts(state) == ORDERS_COUNTS

    status = get_json(f"{standalone.ui}/json/")
    names = {app["name"] for app in status["completedapps"] + status["activeapps"]}
    assert {f"infaflow {s}" for s in ORDERS_COUNTS} <= names, names


def test_orders_on_spark_connect(connect_server: ConnectServer, tmp_path: Path) -> None:
    state = run_orders(tmp_path, "--spark-remote", connect_server.url)
    assert_orders_outputs(tmp_path)
    assert session_counts(state) == ORDERS_COUNTS


def test_retail_on_spark_connect(connect_server: ConnectServer, tmp_path: Path) -> None:
    """The retail sample (embedded store, worklets, relational targets) through Spark Connect: the task
    statuses PowerCenter gives and the row counts of a run in a local SparkSession."""
    work = tmp_path / "retail"
    shutil.copytree(RETAIL, work)
    state = tmp_path / "state"
    # Seed tables loaded through the server too, in a child process (a process holds classic or Spark
    # Connect sessions, not both, and this one may hold the classic test session).
    seeds = sorted((work / "data" / "RETAIL_OLTP").glob("*.csv"))
    assert seeds
    loader = (
        "import sys\nfrom pathlib import Path\nfrom infaflow.codegen.executor import remote_spark\n"
        "from infaflow.codegen.store import load_csv\nspark = remote_spark(sys.argv[1])\n"
        "for seed in sys.argv[3:]:\n"
        "    load_csv(spark, Path(sys.argv[2]), 'RETAIL_OLTP', Path(seed).stem, Path(seed))\nspark.stop()\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", loader, connect_server.url, str(state / "store"), *map(str, seeds)],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert loaded.returncode == 0, loaded.stderr
    result = run_cli(
        [
            "run",
            str(work / "wf_retail_nightly.xml"),
            "-w",
            "wf_retail_nightly",
            "--param-file",
            str(work / "params" / "wf_retail_nightly.par"),
            "--param",
            f"$PMSourceFileDir={work / 'data' / 'files'}",
            "--param",
            f"$PMTargetFileDir={work / 'out'}",
            "--state-dir",
            str(state),
            "--spark-remote",
            connect_server.url,
        ],
        cwd=work,
    )
    statuses = dict(
        line.split(",") for line in (RETAIL / "expected" / "task_statuses.csv").read_text().split()[1:]
    )
    assert result.returncode == (0 if statuses["wf_retail_nightly"] == "SUCCEEDED" else 1), result.stderr
    store = RunStore(state)
    try:
        got = {t.path: t.status for t in store.tasks(1)}
    finally:
        store.close()
    assert {k: got.get(k) for k in statuses if k != "wf_retail_nightly"} == {
        k: v for k, v in statuses.items() if k != "wf_retail_nightly"
    }
    assert session_counts(state) == RETAIL_COUNTS


PROBE = (
    "import sys\n"
    "from pyspark.sql import SparkSession\n"
    "spark = SparkSession.builder.remote(sys.argv[1]).getOrCreate()\n"
    "print(spark.conf.get('spark.sql.optimizer.canChangeCachedPlanOutputPartitioning'))\n"
    "spark.stop()\n"  # releases the session: the server closes it, as it does after an idle hour
)


def test_runs_through_the_warm_engine_take_its_session_back(
    connect_server: ConnectServer, tmp_path: Path
) -> None:
    """With no Spark option, a run uses the warm engine of its state directory and leaves its server-side
    session open: the next run takes the same session back (its generated code already compiled). A
    session the server has closed is replaced by a new one in the slot."""
    state = connect_server.state_dir
    urls: list[str] = []
    for attempt in range(3):
        out = tmp_path / f"run{attempt}"
        result = run_cli(
            [
                "run",
                str(ORDERS / "wf_orders_daily.xml"),
                "-w",
                "wf_orders_daily",
                "--param-file",
                str(ORDERS / "params" / "wf_orders_daily.par"),
                "--param",
                f"$PMTargetFileDir={out / 'out'}",
                "--state-dir",
                str(state),
            ]
        )
        assert result.returncode == 0, result.stdout + result.stderr
        found = re.search(
            r"sessions run on Spark Connect (\S+;session_id=\S+) \(warm engine\)", result.stderr
        )
        assert found, result.stderr
        urls.append(found.group(1))
        assert_orders_outputs(out)
        store = RunStore(state)
        try:
            run_id = max(r.run_id for r in store.runs())
        finally:
            store.close()
        assert session_counts(state, run_id) == ORDERS_COUNTS
        if attempt == 1:
            assert urls[1] == urls[0]
            probe = subprocess.run(
                [sys.executable, "-c", PROBE, urls[1]], env=cli_env(), capture_output=True, text=True
            )
            assert probe.stdout.strip() == "true", probe.stderr  # set by s_m_order_facts's job.share
    # The third run named the closed session, was refused it, and took a new one in the slot.
    assert urls[2] == urls[1]
    slot = (state / "engine" / "sessions" / "slot0.json").read_text()
    assert urls[1].split(";session_id=")[1] not in slot and '"session_id"' in slot
