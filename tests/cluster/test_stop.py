"""Stopping a run whose sessions run on a Spark Connect server interrupts their Spark jobs (checked through
the server's REST API), and ``resume`` reruns only what must run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infaflow.runtime.store import RunStore

from .conftest import ROOT, ConnectServer, cli_env, get_json
from .test_run_modes import ORDERS, ORDERS_COUNTS, assert_orders_outputs, run_cli, session_counts

pytestmark = [pytest.mark.cluster]

# A Spark job that runs far longer than any test: only an interruption ends it.
ENDLESS = 'spark.range(0, 10**15, numPartitions=1).selectExpr("sum(id % 7) AS s").collect()'


def jobs(server: ConnectServer, status: str | None = None) -> list[dict]:
    apps = get_json(f"{server.ui}/api/v1/applications")
    query = f"?status={status}" if status else ""
    return [
        job for app in apps for job in get_json(f"{server.ui}/api/v1/applications/{app['id']}/jobs{query}")
    ]


_seen: dict[int, float] = {}


def stalled_job(server: ConnectServer, before: set[int], after: float = 10.0) -> bool:
    """Whether a job started after ``before`` has been running for ``after`` seconds (the endless one:
    the sample's own jobs take a few seconds)."""
    now = time.monotonic()
    for job in jobs(server, "running"):
        if job["jobId"] not in before:
            _seen.setdefault(job["jobId"], now)
            if now - _seen[job["jobId"]] >= after:
                return True
    return False


def wait_for(predicate, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_stop_interrupts_the_sessions_jobs_on_the_server(
    connect_server: ConnectServer, tmp_path: Path
) -> None:
    """The executor's own mechanism, with the Spark Connect session kept open: the stop request alone
    (its job tag interrupted) ends the running job on the server."""
    probe = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("interrupt_probe.py")),
            connect_server.url,
            connect_server.ui,
            str(tmp_path),
        ],
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report == {
        "job_started": True,
        "session_returned": True,
        "stopped": True,
        "running_after": 0,
        "ended": ["FAILED"],
        "session_usable": True,
    }


def test_ctrl_c_stops_the_run_and_resume_reruns_only_what_must(
    connect_server: ConnectServer, tmp_path: Path
) -> None:
    # The orders workflow with its tasks' recovery strategy set to Restart task (PowerCenter's default, Fail
    # task and continue workflow, would fail the stopped sessions on resume instead of running them again).
    xml = tmp_path / "wf_orders_daily.xml"
    data = (ORDERS / "wf_orders_daily.xml").read_bytes()  # Windows-1252, as exported
    assert b'NAME ="Recovery Strategy" VALUE ="Fail task and continue workflow"' in data
    xml.write_bytes(
        data.replace(
            b'NAME ="Recovery Strategy" VALUE ="Fail task and continue workflow"',
            b'NAME ="Recovery Strategy" VALUE ="Restart task"',
        )
    )
    project = tmp_path / "project"
    converted = run_cli(["convert", str(xml), "-o", str(project)])
    assert converted.returncode == 0, converted.stdout + converted.stderr
    module = project / "s_m_customer_dim.py"
    original = module.read_text(encoding="utf-8")
    anchor = "    job = Job(spark, SESSION, params, PARAMETERS)\n"
    assert anchor in original
    module.write_text(original.replace(anchor, f"{anchor}    {ENDLESS}\n", 1), encoding="utf-8")
    state = tmp_path / "state"
    spark_args = [
        "--param-file",
        str(ORDERS / "params" / "wf_orders_daily.par"),
        "--param",
        f"$PMTargetFileDir={tmp_path / 'out'}",
        "--state-dir",
        str(state),
    ]
    before = {job["jobId"] for job in jobs(connect_server)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infaflow",
            "run",
            str(project),
            *spark_args,
            "--spark-remote",
            connect_server.url,
        ],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(
            lambda: proc.poll() is None and stalled_job(connect_server, before),
            900,
            "the stalled session's job",
        )
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, output
    wait_for(lambda: not jobs(connect_server, "running"), 60, "no job of the run running on the server")
    store = RunStore(state)
    try:
        stopped = {t.path: t for t in store.tasks(1)}
    finally:
        store.close()
    assert stopped["s_m_customer_dim"].status == "STOPPED", output
    assert "s_m_customer_orders" not in stopped or stopped["s_m_customer_orders"].status == "NOTSTARTED"
    done_before = {p: t.started for p, t in stopped.items() if t.status == "SUCCEEDED"}

    module.write_text(original, encoding="utf-8")
    resumed = run_cli(["resume", "1", "--state-dir", str(state), "--spark-remote", connect_server.url])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert_orders_outputs(tmp_path)
    assert session_counts(state) == ORDERS_COUNTS
    store = RunStore(state)
    try:
        after = {t.path: t for t in store.tasks(1)}
    finally:
        store.close()
    assert {p: after[p].started for p in done_before} == done_before  # what had succeeded did not run again
