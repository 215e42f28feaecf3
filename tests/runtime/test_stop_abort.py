"""``infaflow stop`` / ``abort`` from another process than the one running the run, ``show`` of a live
run (RUNNING, elapsed time, ``--follow``), and ``resume`` afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from runtime_xml import Flow, write_export

from infaflow.cli import main
from infaflow.export import load
from infaflow.runtime.api import run_workflow
from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.scheduler import RunOptions
from infaflow.runtime.store import RunStore

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INFAFLOW_STATE_DIR", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def _start(tmp_path: Path, export: Path) -> subprocess.Popen[str]:
    """``infaflow run`` in its own process; returns once the run is recorded and its first task runs."""
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("INFAFLOW_STATE_DIR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "infaflow", "run", str(export), "-q"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (tmp_path / "started.txt").exists():
            return proc
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run did not start")


def test_stop_lets_the_running_command_finish_and_runs_no_more_then_resume(cli, tmp_path: Path) -> None:
    wf = Flow("wf_long").cmd(
        "load",
        "touch started.txt; sleep 2; echo first >> done.txt",
        "echo second >> done.txt",
        attrs={"Recovery Strategy": "Restart task"},
    )
    wf.cmd("after", "echo after >> done.txt").link("Start", "load").link("load", "after")
    proc = _start(tmp_path, write_export(tmp_path, wf))
    live = json.loads(cli("show", "1", "--json").output)
    assert live["status"] == "RUNNING" and live["seconds"] is not None  # Monitor's word, with elapsed time
    assert live["tasks"]["load"]["status"] == "RUNNING"
    assert "RUNNING" in cli("runs").output
    stopped = cli("stop", "1", "--wait", "--timeout", "60")
    assert stopped.exit_code == 0, stopped.output
    assert "run 1: workflow STOPPED" in stopped.output
    assert proc.wait(30) == 1
    assert (tmp_path / "done.txt").read_text().split() == ["first"]  # finished its command, ran no other
    tasks = json.loads(cli("show", "1", "--json").output)["tasks"]
    assert tasks["load"]["status"] == "STOPPED" and tasks["after"]["status"] == "NOTSTARTED"
    assert cli("stop", "1").exit_code == 2  # nothing left to stop
    resumed = cli("resume", "1", "-q")
    assert resumed.exit_code == 0, resumed.output
    assert (tmp_path / "done.txt").read_text().split() == ["first", "first", "second", "after"]
    assert [r["status"] for r in json.loads(cli("runs", "--json").output)] == ["STOPPED", "SUCCEEDED"]


def test_abort_kills_a_command_and_show_follow_ends_with_the_run(cli, tmp_path: Path) -> None:
    wf = Flow("wf_hang").cmd("hang", "touch started.txt; sleep 60").link("Start", "hang")
    proc = _start(tmp_path, write_export(tmp_path, wf))
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("INFAFLOW_STATE_DIR", None)
    follower = subprocess.Popen(
        [sys.executable, "-m", "infaflow", "show", "1", "--follow", "--interval", "0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert follower.stdout is not None
    seen = [
        follower.stdout.readline().split()[1:] for _ in range(2)
    ]  # the follower has seen the task running
    assert seen == [["SUCCEEDED", "Start"], ["RUNNING", "hang"]], seen
    began = time.monotonic()
    aborted = cli("abort", "1", "--wait", "--timeout", "60")
    assert aborted.exit_code == 0, aborted.output
    assert time.monotonic() - began < 20  # killed, not waited for
    assert "workflow ABORTED" in aborted.output
    assert proc.wait(30) == 1
    out = follower.communicate(timeout=30)[0]
    assert follower.returncode == 0
    assert "ABORTED   hang" in out  # one line per change, then the run's table
    assert "run 1 · RT/wf_hang · ABORTED" in out


def test_stop_of_a_run_whose_process_is_gone(cli, tmp_path: Path) -> None:
    store = RunStore(tmp_path / ".infaflow")
    import datetime as dt

    run_id = store.create_run("wf", "RT", "x.xml", {}, dt.datetime.now())
    store._conn.execute("UPDATE runs SET pid = 999999999 WHERE run_id = ?", (run_id,))
    store.close()
    result = cli("stop", str(run_id))
    assert (
        result.exit_code == 2 and "is gone" in result.output and f"infaflow resume {run_id}" in result.output
    )
    assert json.loads(cli("show", str(run_id), "--json").output)["status"] == "TERMINATED"


def test_a_suspended_run_is_stopped_at_once_and_resumes(cli, tmp_path: Path) -> None:
    wf = Flow("wf_susp", suspend_on_error=True).cmd(
        "check", "test -f ready.flag", attrs={"Fail task if any command fails": "YES"}
    )
    wf.link("Start", "check")
    assert cli("run", str(write_export(tmp_path, wf)), "-q").exit_code == 1
    assert json.loads(cli("show", "1", "--json").output)["status"] == "SUSPENDED"
    stopped = cli("stop", "1")
    assert stopped.exit_code == 0 and "was SUSPENDED: now STOPPED" in stopped.output
    assert json.loads(cli("show", "1", "--json").output)["status"] == "STOPPED"
    (tmp_path / "ready.flag").write_text("")
    assert cli("resume", "1", "-q").exit_code == 0


class _Stubborn:
    """A session executor that ignores the stop request for a while."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def run_session(self, request: SessionRequest) -> SessionOutcome:  # noqa: ARG002
        self.started.set()
        time.sleep(4)
        return SessionOutcome(True)

    def close(self) -> None: ...


def test_an_aborted_session_is_killed_after_the_abort_timeout(tmp_path: Path) -> None:
    wf = Flow("wf_sess").add("s_slow", "Session").link("Start", "s_slow")
    export = load(write_export(tmp_path, wf))
    executor = _Stubborn()
    state = tmp_path / ".infaflow"

    def abort_when_started() -> None:
        executor.started.wait(30)
        store = RunStore(state)
        store.request_control(1, "ABORTED")
        store.close()

    threading.Thread(target=abort_when_started, daemon=True).start()
    began = time.monotonic()
    result = run_workflow(
        export,
        "wf_sess",
        state_dir=state,
        session_executor=executor,
        options=RunOptions(abort_timeout=0.5, control_poll=0.1, working_dir=str(tmp_path)),
    )
    assert time.monotonic() - began < 3.5  # did not wait for the session's 4 s
    assert result.status == "ABORTED"
    task = result.summary["tasks"]["s_slow"]
    assert task["status"] == "ABORTED" and "abort timeout (0.5 s)" in task["error"]
