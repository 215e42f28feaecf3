"""Conformance: sessions (through a recording executor double: no Spark), Command tasks with several
commands, suspend on error, Timer / Event Wait / Event Raise / Email basics (Workflow Basics Guide "Tasks";
Advanced Workflow Guide "Suspending the Workflow", "Parameter Files")."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from conftest import statuses
from runtime_xml import Flow

from infaflow.runtime.api import resume_run
from infaflow.runtime.executor import SessionOutcome, SessionRequest

FAIL = {"Fail task if any command fails": "YES"}


class Sessions:
    """Records every request; a session named in ``failing`` fails, the others load ``rows`` rows."""

    def __init__(self, failing: tuple[str, ...] = (), rows: int = 7) -> None:
        self.failing, self.rows = failing, rows
        self.requests: dict[str, SessionRequest] = {}

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        self.requests[request.instance_path] = request
        if request.instance.name in self.failing:
            return SessionOutcome(
                False, error="ORA-00942: table or view does not exist", first_error_code=942
            )
        return SessionOutcome(True, src_success_rows=self.rows, tgt_success_rows=self.rows)

    def close(self) -> None: ...


def test_session_status_and_row_counts_drive_links(run_flows) -> None:
    """The pattern real exports use: continue when the session succeeded and loaded rows, alert when it
    failed, aborted or stopped."""
    f = Flow("wf").add("s_load", "Session").add("s_bad", "Session")
    f.cmd("next", "true").cmd("alert", "true").cmd("bad_alert", "true").cmd("bad_next", "true")
    ok = "$s_load.TgtSuccessRows > 0 AND $s_load.Status = Succeeded"
    ko = "$s_bad.Status = Failed OR $s_bad.Status = Aborted OR $s_bad.Status = Stopped"
    f.link("Start", "s_load").link("Start", "s_bad")
    f.link("s_load", "next", ok).link("s_load", "alert", "$s_load.Status = Failed")
    f.link("s_bad", "bad_alert", ko + " AND $s_bad.FirstErrorCode = 942 AND $s_bad.TgtSuccessRows = 0")
    f.link("s_bad", "bad_next", "$s_bad.Status = SUCCEEDED")
    result = run_flows(f, session_executor=Sessions(failing=("s_bad",)))
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "s_load": "SUCCEEDED",
        "s_bad": "FAILED",
        "next": "SUCCEEDED",
        "alert": "NOTSTARTED",
        "bad_alert": "SUCCEEDED",
        "bad_next": "NOTSTARTED",
    }
    assert result.status == "SUCCEEDED"


def test_session_inside_a_worklet_reads_its_st_section(run_flows, tmp_path: Path) -> None:
    """For a session in a worklet, ``[F.WF:wf.WT:wl.ST:s]`` beats ``[F.ST:s]``, which beats ``[s]``,
    which beats the worklet's and the workflow's headings, which beat ``[Global]``."""
    wl = Flow("wli", worklet=True).add("s_x", "Session").link("Start", "s_x")
    wf = Flow("wf").add("wl", "Worklet", worklet="wli").add("s_x", "Session").link("Start", "wl")
    wf.link("Start", "s_x")
    par = tmp_path / "p.par"
    par.write_text(
        "[Global]\n$$A=global\n$$B=global\n$$C=global\n$$D=global\n$$E=global\n"
        "[RT.WF:wf]\n$$B=workflow\n$$C=workflow\n$$D=workflow\n$$E=workflow\n"
        "[RT.WF:wf.WT:wl]\n$$C=worklet\n$$D=worklet\n$$E=worklet\n"
        "[s_x]\n$$D=bare session\n$$E=bare session\n"
        "[RT.ST:s_x]\n$$E=folder session\n"
        "[RT.WF:wf.WT:wl.ST:s_x]\n$$F=worklet session\n",
        encoding="utf-8",
    )
    sessions = Sessions()
    result = run_flows(wf, wl, session_executor=sessions, param_files=[par])
    assert result.status == "SUCCEEDED"
    inner = sessions.requests["wl/s_x"].params
    assert [inner[k] for k in ("$$A", "$$B", "$$C", "$$D", "$$E", "$$F")] == [
        "global",
        "workflow",
        "worklet",
        "bare session",
        "folder session",
        "worklet session",
    ]
    outer = sessions.requests["s_x"].params
    assert [outer[k] for k in ("$$A", "$$B", "$$C", "$$D", "$$E")] == [
        "global",
        "workflow",
        "workflow",
        "bare session",
        "folder session",
    ]
    assert "$$F" not in outer  # the worklet session's heading names another instance


def test_command_task_with_several_commands(run_flows, tmp_path: Path) -> None:
    """YES: the commands after the failing one do not run and the task fails; NO: every command runs and
    the task completes (SUCCEEDED)."""
    cmds = ("echo 1 >> {f}", "exit 3", "echo 3 >> {f}", "exit 4", "echo 5 >> {f}")
    f = Flow("wf").cmd("yes", *(c.format(f="yes.txt") for c in cmds), attrs=FAIL)
    f.cmd("no", *(c.format(f="no.txt") for c in cmds), attrs={"Fail task if any command fails": "NO"})
    f.cmd("after_yes", "true").cmd("after_no", "true")
    f.link("Start", "yes").link("Start", "no")
    f.link("yes", "after_yes", "$yes.Status = FAILED AND $yes.ErrorCode = 3")
    f.link("no", "after_no", "$no.Status = SUCCEEDED")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "yes": "FAILED",
        "no": "SUCCEEDED",
        "after_yes": "SUCCEEDED",
        "after_no": "SUCCEEDED",
    }
    assert (tmp_path / "yes.txt").read_text().split() == ["1"]
    assert (tmp_path / "no.txt").read_text().split() == ["1", "3", "5"]
    assert result.status == "SUCCEEDED"


def test_suspend_on_error_stops_only_the_failed_path_and_resume_runs_what_must_run(
    run_flows, tmp_path: Path
) -> None:
    """A failed Command suspends its path (its links are not evaluated, even the failure branch), other
    paths go on, the workflow ends SUSPENDED; recovering reruns the failed task and continues, without
    rerunning what succeeded. A failed Decision does not suspend."""
    f = Flow("wf", suspend_on_error=True)
    f.cmd("gate", "echo gate >> side.txt; test -f go.flag", attrs=FAIL).cmd(
        "after_gate", "echo ag >> side.txt"
    )
    f.cmd("on_gate_fail", "echo agf >> side.txt").cmd("other", "sleep 0.2; echo other >> side.txt")
    f.add("dec", "Decision", attrs={"Decision Name": "$$UNDECLARED = 1"}).cmd(
        "after_dec", "echo ad >> side.txt"
    )
    f.link("Start", "gate").link("gate", "after_gate", "$gate.Status = SUCCEEDED")
    f.link("gate", "on_gate_fail", "$gate.Status = FAILED").link("Start", "other")
    f.link("Start", "dec").link("dec", "after_dec", "$dec.Status = FAILED")
    result = run_flows(f)
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "gate": "FAILED",
        "after_gate": "NOTSTARTED",
        "on_gate_fail": "NOTSTARTED",
        "other": "SUCCEEDED",
        "dec": "FAILED",
        "after_dec": "SUCCEEDED",
    }
    assert result.status == "SUSPENDED"
    (tmp_path / "go.flag").write_text("")
    resumed = resume_run(result.run_id, state_dir=tmp_path / ".infaflow")
    assert resumed.status == "SUCCEEDED"
    assert statuses(resumed) == {
        "Start": "SUCCEEDED",
        "gate": "SUCCEEDED",
        "after_gate": "SUCCEEDED",
        "on_gate_fail": "NOTSTARTED",
        "other": "SUCCEEDED",
        "dec": "FAILED",
        "after_dec": "SUCCEEDED",
    }
    assert Counter((tmp_path / "side.txt").read_text().split()) == {"gate": 2, "ag": 1, "other": 1, "ad": 1}


def test_timer_event_wait_and_raise(run_flows, tmp_path: Path) -> None:
    """A relative Timer waits from its own start; an Event Wait on a user-defined event runs on when
    the Event Raise of its workflow fires; a file watch succeeds once the file exists and deletes it."""
    f = Flow("wf", events=["loaded"])
    f.add(
        "wait_2s",
        "Timer",
        attrs={"Variable": ""},
        timer=("START_RELATIVE_TO_PREVIOUSTASK", {}, {"DAYS": "0", "HOURS": "0", "MINUTES": "0"}),
    )
    f.cmd("make_flag", "sleep 0.3; touch ready.flag")
    f.add("watch", "Event Wait", attrs={"Filewatch Name": "ready.flag", "Delete Filewatch File": "YES"})
    f.add("raise", "Event Raise", attrs={"Event Name": "loaded"})
    f.add("wait_ev", "Event Wait", attrs={"User Defined Event": "YES", "Event Name": "loaded"})
    f.cmd("done", "true")
    f.link("Start", "wait_2s").link("Start", "make_flag").link("Start", "watch").link("Start", "wait_ev")
    f.link("make_flag", "raise").link("wait_ev", "done").link("watch", "done").link("wait_2s", "done")
    t0 = time.monotonic()
    result = run_flows(f)
    assert time.monotonic() - t0 < 10
    assert set(statuses(result).values()) == {"SUCCEEDED"}
    assert result.status == "SUCCEEDED"
    assert not (tmp_path / "ready.flag").exists()
    tasks = result.summary["tasks"]
    assert tasks["wait_ev"]["ended"] >= tasks["raise"]["ended"]


def test_email_task_writes_to_the_outbox(run_flows, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("INFAFLOW_SMTP_HOST", raising=False)
    f = Flow("wf").var("$$TO", "string", "ops@example.com")
    f.add("mail", "Email", attrs={"Email User Name": "$$TO", "Email Subject": "%w done", "Email Text": "ok"})
    f.link("Start", "mail")
    result = run_flows(f)
    assert statuses(result) == {"Start": "SUCCEEDED", "mail": "SUCCEEDED"}
    (mail,) = (tmp_path / ".infaflow" / "runs" / str(result.run_id) / "outbox").glob("*.eml")
    text = mail.read_text()
    assert "To: ops@example.com" in text and "Subject: wf done" in text
