"""``infaflow run / resume / runs / show``: exit codes, summary JSON, listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from runtime_xml import Flow, write_export

from infaflow.cli import main

FAIL = {"Fail task if any command fails": "YES"}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def flows() -> list[Flow]:
    wl = Flow("wl_a", worklet=True).cmd("inner", "true").link("Start", "inner")
    ok = (
        Flow("wf_ok")
        .var("$$N", "integer", "1")
        .cmd("a", "true")
        .add("w", "Worklet", worklet="wl_a")
        .cmd("never", "true")
    )
    ok.link("Start", "a").link("a", "w").link("a", "never", "$a.Status = FAILED")
    bad = (
        Flow("wf_bad")
        .cmd("b", "exit 1", attrs=FAIL, inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
        .link("Start", "b")
    )
    return [ok, bad, wl]


def test_run_success_writes_summary(cli, tmp_path: Path) -> None:
    export = write_export(tmp_path, *flows())
    result = cli(
        "run", str(export), "--workflow", "wf_ok", "--summary-json", "s.json", "--param", "$$N=5", "-q"
    )
    assert result.exit_code == 0, result.output
    assert "workflow wf_ok SUCCEEDED" in result.output
    summary = json.loads((tmp_path / "s.json").read_text())
    assert set(summary) >= {"run_id", "workflow", "status", "started", "ended", "tasks", "variables"}
    assert summary["status"] == "SUCCEEDED"
    assert summary["tasks"]["w/inner"]["status"] == "SUCCEEDED"
    assert summary["tasks"]["never"] == {
        "status": "NOTSTARTED",
        "started": None,
        "ended": None,
        "attempts": 0,
        "error": "",
        "message": "",
    }
    assert set(summary["tasks"]["a"]) >= {"status", "started", "ended", "attempts", "error", "message"}
    assert summary["variables"] == {"$$N": 5}


def test_run_failure_exit_1_and_show(cli, tmp_path: Path) -> None:
    export = write_export(tmp_path, *flows())
    result = cli("run", str(export), "-w", "wf_bad", "--json")
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert summary["status"] == "FAILED"
    shown = cli("show", str(summary["run_id"]))
    assert shown.exit_code == 0
    assert "FAILED" in shown.output and "b" in shown.output and "exit status 1" in shown.output
    listed = cli("runs", "--json")
    rows = json.loads(listed.output)
    assert rows[0]["run_id"] == summary["run_id"] and rows[0]["status"] == "FAILED"
    shown_json = json.loads(cli("show", str(summary["run_id"]), "--json").output)
    assert shown_json["tasks"]["b"]["status"] == "FAILED"


def test_bad_input_exit_2(cli, tmp_path: Path) -> None:
    export = write_export(tmp_path, *flows())
    result = cli("run", str(export), "-w", "wf_nope")
    assert result.exit_code == 2
    assert "no workflow 'wf_nope'" in result.output and "RT/wf_ok" in result.output
    result = cli("run", str(export), "-w", "wf_ok", "--param", "novalue")
    assert result.exit_code == 2 and "expected NAME=VALUE" in result.output
    result = cli("run", str(export), "-w", "wf_ok", "--param-file", "absent.par")
    assert result.exit_code == 2 and "absent.par: cannot read parameter file" in result.output
    result = cli("show", "99", "--state-dir", "nowhere")
    assert result.exit_code == 2 and "no run store in nowhere" in result.output


def test_bad_link_condition_is_file_line(cli, tmp_path: Path) -> None:
    f = Flow("wf_syntax").cmd("a", "true").link("Start", "a", "$Start.Status = = SUCCEEDED")
    export = write_export(tmp_path, f)
    result = cli("run", str(export), "-w", "wf_syntax")
    assert result.exit_code == 2
    assert result.output.startswith(f"{export}:")
    assert "Traceback" not in result.output


def test_unknown_variable_in_link_fails_the_run(cli, tmp_path: Path) -> None:
    f = Flow("wf_unknown").cmd("a", "true").link("Start", "a", "$$UNDECLARED = 1")
    export = write_export(tmp_path, f)
    result = cli("run", str(export), "-w", "wf_unknown", "--json")
    assert result.exit_code == 1
    summary = json.loads(result.output)
    assert "$$UNDECLARED" in summary["error"] and summary["tasks"]["a"]["status"] == "NOTSTARTED"


def test_resume_unknown_run(cli, tmp_path: Path) -> None:
    export = write_export(tmp_path, *flows())
    assert cli("run", str(export), "-w", "wf_ok", "-q").exit_code == 0
    result = cli("resume", "42")
    assert result.exit_code == 2 and "no run 42" in result.output
    result = cli("resume", "1")
    assert result.exit_code == 2 and "SUCCEEDED: nothing to resume" in result.output


def test_dry_run_cli(cli, tmp_path: Path) -> None:
    export = write_export(tmp_path, *flows())
    result = cli("run", str(export), "-w", "wf_bad", "--dry-run", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["tasks"]["b"]["status"] == "SUCCEEDED"
    assert not (tmp_path / ".infaflow").exists()


def test_recorded_durations_feed_inspect(cli, tmp_path: Path) -> None:
    f = Flow("wf_dur").cmd("slow", "sleep 0.3").cmd("fast", "true").link("Start", "slow").link("slow", "fast")
    export = write_export(tmp_path, f)
    assert cli("run", str(export), "-w", "wf_dur", "-q").exit_code == 0
    result = cli("runs", "--durations", "-w", "wf_dur")
    durations = json.loads(result.output)["durations"]
    assert durations["slow"] >= 0.3 > durations["fast"]
    (tmp_path / "d.json").write_text(result.output)
    inspected = cli("inspect", str(export), "--workflow", "wf_dur", "--durations", "d.json", "--json")
    assert inspected.exit_code == 0, inspected.output
    tasks = {t["path"]: t for t in json.loads(inspected.output)["workflows"][0]["tasks"]}
    assert tasks["slow"]["duration"] == pytest.approx(durations["slow"])
    assert cli("runs", "--durations").exit_code == 2


def test_strict_exits_1_when_a_task_failed_in_a_workflow_that_succeeded(cli, tmp_path: Path) -> None:
    f = Flow("wf_soft").cmd("soft", "exit 3", attrs=FAIL).cmd("after", "true")
    f.link("Start", "soft").link("soft", "after")
    export = write_export(tmp_path, f)
    plain = cli("run", str(export), "-q")  # -w left out: the export holds one workflow
    assert plain.exit_code == 0 and "workflow wf_soft SUCCEEDED" in plain.output
    strict = cli("run", str(export), "-q", "--strict")
    assert strict.exit_code == 1
    assert "--strict: 1 task(s) did not succeed (soft): exit 1" in strict.output


def test_a_dry_run_is_not_numbered_and_succeeds_an_email_without_recipient(cli, tmp_path: Path) -> None:
    f = Flow("wf_mail").add("mail", "Email", attrs={"Email User Name": "", "Email Subject": "s"})
    f.link("Start", "mail")
    export = write_export(tmp_path, f)
    result = cli("run", str(export), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: workflow wf_mail SUCCEEDED (2 SUCCEEDED)" in result.output
    assert "run 1" not in result.output


def test_a_failed_command_says_why_and_where_its_log_is(cli, tmp_path: Path) -> None:
    f = Flow("wf_ls").cmd("list", "echo checking; ls /no/such/dir_infaflow", attrs=FAIL).link("Start", "list")
    export = write_export(tmp_path, f)
    result = cli("run", str(export), "-q", "--json")
    error = json.loads(result.stdout)["tasks"]["list"]["error"]
    head, _, rest = error.partition(" failed with exit status 2: checking | ls: ")
    assert rest, error  # the command's own last lines follow the exit status
    assert "/no/such/dir_infaflow" in rest and "No such file or directory" in rest
    log = error.rsplit("(log: ", 1)[1].rstrip(")")
    assert Path(log).is_file() and "/no/such/dir_infaflow" in Path(log).read_text()


def test_lenient_runs_an_export_that_does_not_validate(cli, tmp_path: Path) -> None:
    path = write_export(tmp_path, Flow("wf_x").cmd("a", "echo ran > ran.txt").link("Start", "a"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('REUSABLE ="NO"', 'REUSABLE ="MAYBE"', 1), encoding="utf-8")
    refused = cli("run", str(path), "-w", "wf_x", "-q")
    assert refused.exit_code == 2
    assert 'REUSABLE="MAYBE" is not one of YES, NO' in refused.output and "--lenient" in refused.output
    assert not (tmp_path / "ran.txt").exists()
    ran = cli("run", str(path), "-w", "wf_x", "-q", "--lenient")
    assert ran.exit_code == 0, ran.output
    assert 'warning: <TASK>: REUSABLE="MAYBE" is not one of YES, NO' in ran.output
    assert (tmp_path / "ran.txt").read_text().strip() == "ran"
