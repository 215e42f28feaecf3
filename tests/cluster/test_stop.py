"""Stopping a run interrupts its sessions' Spark jobs, on a Spark Connect server (checked through the server's
REST API) and in a classic local run (checked in Spark's event log), and ``resume`` reruns only what must
run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from infaflow.codegen import engine
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


def stalled_project(tmp_path: Path) -> tuple[Path, Path, str]:
    """The orders sample converted, its s_m_customer_dim job made endless. Its tasks' recovery strategy is set
    to Restart task (PowerCenter's default, Fail task and continue workflow, would fail the stopped sessions
    on resume instead of running them again). Returns the project, the stalled module and its original
    text."""
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
    return project, module, original


def ctrl_c(cmd: list[str], stalled: Callable[[], bool]) -> tuple[int, str, float]:
    """Start ``infaflow`` with ``cmd``, press Ctrl-C (SIGINT) once ``stalled()`` holds; returns the exit code,
    the output and the seconds from the signal to the process's end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "infaflow", *cmd],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(lambda: proc.poll() is None and stalled(), 900, "the stalled session's job")
        proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        output, _ = proc.communicate(timeout=300)
        return proc.returncode, output, time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def tasks(state: Path) -> dict:
    store = RunStore(state)
    try:
        return {t.path: t for t in store.tasks(1)}
    finally:
        store.close()


def assert_stopped_then_resumed(
    tmp_path: Path, state: Path, module: Path, original: str, output: str, *spark: str
) -> None:
    """The stalled session is STOPPED, its successor never started; ``resume`` (the job fixed) reruns only
    what had not succeeded and completes the sample's targets."""
    stopped = tasks(state)
    assert stopped["s_m_customer_dim"].status == "STOPPED", output
    assert "s_m_customer_orders" not in stopped or stopped["s_m_customer_orders"].status == "NOTSTARTED"
    done_before = {p: t.started for p, t in stopped.items() if t.status == "SUCCEEDED"}
    module.write_text(original, encoding="utf-8")
    resumed = run_cli(["resume", "1", "--state-dir", str(state), *spark])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert_orders_outputs(tmp_path)
    assert session_counts(state) == ORDERS_COUNTS
    after = tasks(state)
    assert {p: after[p].started for p in done_before} == done_before  # what had succeeded did not run again


def spark_args(tmp_path: Path, state: Path) -> list[str]:
    return [
        "--param-file",
        str(ORDERS / "params" / "wf_orders_daily.par"),
        "--param",
        f"$PMTargetFileDir={tmp_path / 'out'}",
        "--state-dir",
        str(state),
    ]


def test_ctrl_c_stops_the_run_and_resume_reruns_only_what_must(
    connect_server: ConnectServer, tmp_path: Path
) -> None:
    project, module, original = stalled_project(tmp_path)
    state = tmp_path / "state"
    before = {job["jobId"] for job in jobs(connect_server)}
    code, output, _ = ctrl_c(
        ["run", str(project), *spark_args(tmp_path, state), "--spark-remote", connect_server.url],
        lambda: stalled_job(connect_server, before),
    )
    assert code == 1, output
    wait_for(lambda: not jobs(connect_server, "running"), 60, "no job of the run running on the server")
    assert_stopped_then_resumed(
        tmp_path, state, module, original, output, "--spark-remote", connect_server.url
    )


def job_ends(event_logs: Path) -> dict[int, str | None]:
    """Job id -> how it ended, from the Spark event log of the run (what Spark's history server reads):
    "JobSucceeded", the failure's message, or None for a job that never ended."""
    ends: dict[int, str | None] = {}
    for log in event_logs.rglob(
        "events_*"
    ):  # Spark 4 writes rolling logs: eventlog_v2_<app>/events_<n>_<app>
        # One event per "\n"-ended line; str.splitlines would also cut at characters such as U+001C that
        # JSON leaves unescaped (a plan's regular expressions hold them).
        for line in log.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            event = json.loads(line)
            if event["Event"] == "SparkListenerJobStart":
                ends.setdefault(event["Job ID"], None)
            elif event["Event"] == "SparkListenerJobEnd":
                result = event["Job Result"]
                ends[event["Job ID"]] = result.get("Exception", {}).get("Message", result["Result"])
    return ends


def test_ctrl_c_in_a_local_run_cancels_the_sessions_spark_jobs(tmp_path: Path) -> None:
    """Classic local mode (this process is the driver): Ctrl-C interrupts the stalled session's job through
    its job tag, so the run ends promptly and Spark records the job as cancelled by that tag (a job killed
    with its JVM records no end); ``resume`` reruns only what must run."""
    project, module, original = stalled_project(tmp_path)
    state, ui, event_logs = tmp_path / "state", engine.free_port(), tmp_path / "events"
    event_logs.mkdir()
    conf = [
        "--spark-master",
        "local[1]",
        "--spark-conf",
        "spark.ui.enabled=true",
        "--spark-conf",
        f"spark.ui.port={ui}",
        "--spark-conf",
        "spark.eventLog.enabled=true",
        "--spark-conf",
        f"spark.eventLog.dir={event_logs.as_uri()}",
        "--spark-conf",
        "spark.eventLog.compress=false",
    ]
    seen: dict[int, float] = {}

    def stalled() -> bool:  # a job of the run's own Spark UI running for 10 s: the endless one
        try:
            apps = get_json(f"http://127.0.0.1:{ui}/api/v1/applications")
            running = [
                j["jobId"]
                for a in apps
                for j in get_json(f"http://127.0.0.1:{ui}/api/v1/applications/{a['id']}/jobs?status=running")
            ]
        except (OSError, ValueError):  # the UI not up yet, or still starting
            return False
        now = time.monotonic()
        return any(now - seen.setdefault(job, now) >= 10 for job in running)

    code, output, seconds = ctrl_c(["run", str(project), *spark_args(tmp_path, state), *conf], stalled)
    assert code == 1, output
    assert seconds < 60, output  # not left waiting on the endless job
    ends = job_ends(event_logs)
    cancelled = [
        m
        for m in ends.values()
        if m and "cancelled part of cancelled job tags infaflow-1-s_m_customer_dim" in m
    ]
    assert len(cancelled) == 1, ends
    # Every job of the run ended before the process did: done, or interrupted through its session's tag (the
    # sessions running beside the stalled one are stopped too).
    assert all(
        m == "JobSucceeded" or (m and "cancelled part of cancelled job tags infaflow-1-" in m)
        for m in ends.values()
    ), ends
    assert_stopped_then_resumed(tmp_path, state, module, original, output)
