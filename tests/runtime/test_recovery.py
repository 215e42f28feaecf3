"""Suspend on error, resume, Ctrl-C/SIGTERM, kill -9 of the runner, concurrent runs on one store."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow, write_export

from infaflow.errors import InputError
from infaflow.runtime.api import resume_run
from infaflow.runtime.store import RunStore

FAIL = {"Fail task if any command fails": "YES"}
RESTART = {**FAIL, "Recovery Strategy": "Restart task"}


def side(name: str) -> str:
    return f"echo {name} >> side.txt"


def suspend_flow() -> Flow:
    f = Flow("wf_susp", suspend_on_error=True)
    f.cmd("gate", side("gate") + "; test -f go.flag", attrs=FAIL).cmd("after_gate", side("after_gate"))
    f.cmd("other", "sleep 0.2; " + side("other")).cmd("other2", side("other2"))
    f.link("Start", "gate").link("gate", "after_gate").link("Start", "other").link("other", "other2")
    return f


def test_suspend_on_error_then_resume(run_flows, tmp_path: Path) -> None:
    result = run_flows(suspend_flow())
    assert result.status == "SUSPENDED"
    got = statuses(result)
    assert got["gate"] == "FAILED"
    assert got["after_gate"] == "NOTSTARTED"  # the failed task's path stops
    assert got["other"] == got["other2"] == "SUCCEEDED"  # other paths continue
    (tmp_path / "go.flag").write_text("")
    resumed = resume_run(result.run_id, state_dir=tmp_path / ".infaflow")
    assert resumed.run_id == result.run_id
    assert resumed.status == "SUCCEEDED"
    assert set(statuses(resumed).values()) == {"SUCCEEDED"}
    assert resumed.summary["tasks"]["gate"]["attempts"] == 2
    counts = Counter((tmp_path / "side.txt").read_text().split())
    assert counts == {"gate": 2, "after_gate": 1, "other": 1, "other2": 1}  # succeeded tasks never ran again
    with pytest.raises(InputError, match="SUCCEEDED: nothing to resume"):
        resume_run(result.run_id, state_dir=tmp_path / ".infaflow")


def test_suspension_email_goes_to_the_outbox(
    run_flows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFAFLOW_SMTP_HOST", raising=False)
    f = suspend_flow()
    f.suspension_email = "eml_suspended"
    f.add(
        "eml_suspended",
        "Email",
        placed=False,
        attrs={"Email User Name": "ops@example.com", "Email Subject": "%w suspended", "Email Text": "fix it"},
    )
    result = run_flows(f)
    assert result.status == "SUSPENDED"
    (mail,) = (tmp_path / ".infaflow" / "runs" / str(result.run_id) / "outbox").glob("*.eml")
    assert "Subject: wf_susp suspended" in mail.read_text()


def test_failed_run_resumes_failed_tasks(run_flows, tmp_path: Path) -> None:
    f = (
        Flow("wf_fail_resume")
        .cmd("a", side("a"))
        .cmd("b", side("b") + "; test -f ok.flag", attrs=FAIL, inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
    )
    f.cmd("c", side("c")).link("Start", "a").link("a", "b").link("b", "c", "$b.Status = SUCCEEDED")
    result = run_flows(f)
    assert result.status == "FAILED"
    (tmp_path / "ok.flag").write_text("")
    resumed = resume_run(result.run_id, state_dir=tmp_path / ".infaflow")
    assert resumed.status == "SUCCEEDED"
    assert Counter((tmp_path / "side.txt").read_text().split()) == {"a": 1, "b": 2, "c": 1}


def test_resume_keeps_what_kept_tasks_did_to_the_parent(run_flows, tmp_path: Path) -> None:
    f = Flow("wf_keep_ctl").add("ctl", "Control", attrs={"Control Option": "Fail Parent"})
    f.cmd(
        "gate", side("gate") + "; test -f go.flag", attrs=FAIL, inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"}
    )
    f.link("Start", "ctl").link("Start", "gate")
    result = run_flows(f)
    assert result.status == "FAILED"
    (tmp_path / "go.flag").write_text("")
    resumed = resume_run(result.run_id, state_dir=tmp_path / ".infaflow")
    assert statuses(resumed)["gate"] == "SUCCEEDED"
    assert resumed.status == "FAILED"  # the Control task's Fail Parent still holds
    assert "Fail Parent" in resumed.summary["error"]


def test_worklet_suspends_parent_and_resumes_inside(run_flows, tmp_path: Path) -> None:
    wl = (
        Flow("wl_s", worklet=True)
        .cmd("in_ok", side("in_ok"))
        .cmd("in_gate", side("in_gate") + "; test -f go.flag", attrs=FAIL)
    )
    wl.link("Start", "in_ok").link("in_ok", "in_gate")
    top = (
        Flow("wf_wl_susp", suspend_on_error=True).add("w", "Worklet", worklet="wl_s").cmd("end", side("end"))
    )
    top.link("Start", "w").link("w", "end")
    result = run_flows(top, wl)
    assert result.status == "SUSPENDED"
    assert statuses(result)["w"] == "SUSPENDED"
    (tmp_path / "go.flag").write_text("")
    resumed = resume_run(result.run_id, state_dir=tmp_path / ".infaflow")
    assert resumed.status == "SUCCEEDED"
    assert Counter((tmp_path / "side.txt").read_text().split()) == {"in_ok": 1, "in_gate": 2, "end": 1}


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "infaflow", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _task_status(db: Path, path: str) -> str | None:
    if not db.exists():
        return None
    conn = sqlite3.connect(db, timeout=30)
    try:
        row = conn.execute("SELECT status FROM task_runs WHERE path=?", (path,)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return row[0] if row else None


def _wait_for(predicate, timeout: float = 20.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _children_of_run(run_id: int) -> list[int]:
    from infaflow.runtime.processes import orphans_of_run

    return orphans_of_run(run_id)


def test_sigterm_stops_cleanly_and_resume_completes(tmp_path: Path) -> None:
    f = (
        Flow("wf_sig")
        .cmd("a", side("a"))
        .cmd("b", side("b") + "; test -f resume.flag || sleep 60", attrs=RESTART)
        .cmd("c", side("c"))
    )
    f.link("Start", "a").link("a", "b").link("b", "c")
    export = write_export(tmp_path, f)
    proc = _cli("run", str(export), "-w", "wf_sig", "--state-dir", "sd", "-q", cwd=tmp_path)
    db = tmp_path / "sd" / "runs.sqlite"
    _wait_for(
        lambda: (
            _task_status(db, "b") == "STARTED"
            and (tmp_path / "side.txt").exists()
            and "b" in (tmp_path / "side.txt").read_text()
        )
    )
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    store = RunStore(tmp_path / "sd")
    (run,) = store.runs()
    assert run.status == "STOPPED"
    assert {t.path: t.status for t in store.tasks(run.run_id)}["b"] == "STOPPED"
    store.close()
    _wait_for(lambda: not _children_of_run(run.run_id), 10)  # the sleep was terminated with its process group
    (tmp_path / "resume.flag").write_text("")
    again = _cli("resume", str(run.run_id), "--state-dir", "sd", "--json", cwd=tmp_path)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    summary = json.loads(out)
    assert summary["status"] == "SUCCEEDED"
    assert Counter((tmp_path / "side.txt").read_text().split()) == {"a": 1, "b": 2, "c": 1}


def kill_flow(n: int = 6) -> Flow:
    """Two chains of restartable commands whose side effect is written at their end."""
    f = Flow("wf_kill")
    for chain in ("x", "y"):
        prev = "Start"
        for i in range(1, n + 1):
            name = f"{chain}{i}"
            f.cmd(name, f"sleep 0.15; {side(name)}", attrs=RESTART)
            f.link(prev, name)
            prev = name
    return f


def test_kill_9_then_resume(tmp_path: Path) -> None:
    export = write_export(tmp_path, kill_flow())
    proc = _cli("run", str(export), "-w", "wf_kill", "--state-dir", "sd", "-q", cwd=tmp_path)
    db = tmp_path / "sd" / "runs.sqlite"
    _wait_for(lambda: _task_status(db, "x3") == "SUCCEEDED")
    proc.kill()  # SIGKILL: no chance to record anything more
    proc.communicate(timeout=10)
    store = RunStore(tmp_path / "sd")
    (run,) = store.runs()
    assert run.status == "STARTED"  # the record says it was running when the process died
    before = {t.path: t.status for t in store.tasks(run.run_id)}
    succeeded_before = {p for p, s in before.items() if s == "SUCCEEDED" and p != "Start"}
    assert {"x1", "x2", "x3"} <= succeeded_before
    store.close()
    again = _cli("resume", str(run.run_id), "--state-dir", "sd", "--json", cwd=tmp_path)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    summary = json.loads(out)
    assert summary["status"] == "SUCCEEDED"
    assert set(t["status"] for t in summary["tasks"].values()) == {"SUCCEEDED"}
    time.sleep(0.3)  # let any orphan of the killed runner finish writing
    counts = Counter((tmp_path / "side.txt").read_text().split())
    for path in succeeded_before:
        assert counts[path] == 1, f"{path} ran again after it SUCCEEDED"
    assert set(counts) == {f"{c}{i}" for c in "xy" for i in range(1, 7)}
    store = RunStore(tmp_path / "sd")
    tasks = {t.path: t for t in store.tasks(run.run_id)}
    assert len(tasks) == 13  # no record lost
    for path in succeeded_before:
        assert tasks[path].attempts == 1 and [a[1] for a in store.attempts(run.run_id, path)] == ["SUCCEEDED"]
    kinds = [e[1] for e in store.events(run.run_id)]
    assert "resume" in kinds
    store.close()


def _concurrent_runs(tmp_path: Path, n: int) -> None:
    f = Flow("wf_many").var("$$N", "integer", "0")
    f.cmd("a", "true").add("asg", "Assignment", pairs=[("$$N", "$$N + 1")]).cmd("b", "true").cmd("c", "true")
    f.link("Start", "a").link("a", "asg").link("asg", "b").link("asg", "c")
    export = write_export(tmp_path, f)
    procs = [
        _cli(
            "run",
            str(export),
            "-w",
            "wf_many",
            "--state-dir",
            "shared",
            "-q",
            "--max-workers",
            "2",
            cwd=tmp_path,
        )
        for _ in range(n)
    ]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read() for p in procs if p.returncode != 0]  # type: ignore[union-attr]
    assert codes == [0] * n, errors[:3]
    store = RunStore(tmp_path / "shared")
    runs = store.runs(limit=1000)
    assert len(runs) == n and len({r.run_id for r in runs}) == n
    for run in runs:
        assert run.status == "SUCCEEDED"
        tasks = store.tasks(run.run_id)
        assert sorted(t.path for t in tasks) == ["Start", "a", "asg", "b", "c"]
        assert all(t.status == "SUCCEEDED" and t.attempts == 1 for t in tasks)
        assert store.variables(run.run_id)[""]["$$N"] == 1
    store.close()


def test_fifty_concurrent_runs_share_one_store(tmp_path: Path) -> None:
    _concurrent_runs(tmp_path, 50)
