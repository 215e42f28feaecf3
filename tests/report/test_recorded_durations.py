"""Recorded run durations (the run store of ``infaflow run``) weight the critical path of inspect and report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from infaflow.cli import main

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="01/01/2025 00:00:00" REPOSITORY_VERSION="186.95">
<REPOSITORY NAME="rep" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="F" OWNER="me" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--" UUID="u-1">
<WORKFLOW NAME="wf_timed" DESCRIPTION="" ISENABLED="YES" ISRUNNABLESERVICE="NO" ISSERVICE="NO" ISVALID="YES" REUSABLE_SCHEDULER="NO" SCHEDULERNAME="Scheduler" SERVERNAME="is" SERVER_DOMAINNAME="dom" SUSPEND_ON_ERROR="NO" TASKS_MUST_RUN_ON_SERVER="NO" VERSIONNUMBER="1">
  <TASK DESCRIPTION="" NAME="Start" REUSABLE="NO" TYPE="Start" VERSIONNUMBER="1"/>
  <TASK DESCRIPTION="" NAME="cmd_slow" REUSABLE="NO" TYPE="Command" VERSIONNUMBER="1">
    <ATTRIBUTE NAME="Fail task if any command fails" VALUE="YES"/>
    <ATTRIBUTE NAME="Recovery Strategy" VALUE="Fail task and continue workflow"/>
    <VALUEPAIR EXECORDER="1" NAME="c1" REVERSEASSIGNMENT="NO" VALUE="sleep 0.4"/>
  </TASK>
  <TASK DESCRIPTION="" NAME="cmd_fast" REUSABLE="NO" TYPE="Command" VERSIONNUMBER="1">
    <ATTRIBUTE NAME="Fail task if any command fails" VALUE="YES"/>
    <ATTRIBUTE NAME="Recovery Strategy" VALUE="Fail task and continue workflow"/>
    <VALUEPAIR EXECORDER="1" NAME="c1" REVERSEASSIGNMENT="NO" VALUE="true"/>
  </TASK>
  <TASKINSTANCE DESCRIPTION="" ISENABLED="YES" NAME="Start" REUSABLE="NO" TASKNAME="Start" TASKTYPE="Start"/>
  <TASKINSTANCE DESCRIPTION="" FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN="NO" FAIL_PARENT_IF_INSTANCE_FAILS="YES" ISENABLED="YES" NAME="cmd_slow" REUSABLE="NO" TASKNAME="cmd_slow" TASKTYPE="Command" TREAT_INPUTLINK_AS_AND="YES"/>
  <TASKINSTANCE DESCRIPTION="" FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN="NO" FAIL_PARENT_IF_INSTANCE_FAILS="YES" ISENABLED="YES" NAME="cmd_fast" REUSABLE="NO" TASKNAME="cmd_fast" TASKTYPE="Command" TREAT_INPUTLINK_AS_AND="YES"/>
  <WORKFLOWLINK CONDITION="" FROMTASK="Start" TOTASK="cmd_slow"/>
  <WORKFLOWLINK CONDITION="" FROMTASK="Start" TOTASK="cmd_fast"/>
</WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


def _analysis(args: list[str]) -> dict:
    result = CliRunner().invoke(main, ["inspect", *args, "--json"])
    assert result.exit_code == 0, result.output
    workflow = json.loads(result.output)["workflows"][0]
    return {
        "tasks": {t["path"]: t["duration"] for t in workflow["tasks"]},
        "path": workflow["analysis"]["critical_path"],
        "seconds": workflow["analysis"]["critical_path_seconds"],
    }


def test_recorded_durations_override_defaults_and_file(tmp_path: Path) -> None:
    export = tmp_path / "wf.xml"
    export.write_text(EXPORT, encoding="utf-8")
    state = tmp_path / "state"
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"cmd_fast": 100, "cmd_slow": 10}), encoding="utf-8")

    # Before any run: the file decides (cmd_fast is said to be slow).
    before = _analysis([str(export), "--durations", str(durations), "--state-dir", str(state)])
    assert before["tasks"]["cmd_fast"] == 100 and before["path"][-1] == "cmd_fast"

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "infaflow",
            "run",
            str(export),
            "--workflow",
            "wf_timed",
            "--state-dir",
            str(state),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr

    # After a real run the measured durations win: cmd_slow (sleep 0.4) is now the critical task.
    after = _analysis([str(export), "--durations", str(durations), "--state-dir", str(state)])
    assert 0.35 <= after["tasks"]["cmd_slow"] < 10
    assert after["tasks"]["cmd_fast"] < 0.35
    assert after["path"] == ["Start", "cmd_slow"]
    assert after["seconds"] < 10

    # --no-recorded ignores the store again.
    ignored = _analysis(
        [str(export), "--durations", str(durations), "--state-dir", str(state), "--no-recorded"]
    )
    assert ignored == before

    # The HTML report uses the same durations.
    html = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(export), "-o", str(html), "--state-dir", str(state)])
    assert result.exit_code == 0, result.output
    from infaflow.report.summary import seconds_text

    assert f"critical path length</th><td><b>{seconds_text(after['seconds'])}</b>" in html.read_text(
        encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["report", str(export), "-o", str(html), "--no-recorded"])
    assert "<b>30s</b>" in html.read_text(encoding="utf-8")  # the Command default without the store
