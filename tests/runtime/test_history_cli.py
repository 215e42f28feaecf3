"""``runs`` and ``show`` read like Workflow Monitor; ``run --from`` and ``resume --restart``; where an
email went. CLI output through click's runner, on exports written from the rules."""

from __future__ import annotations

import json
import socketserver
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from runtime_xml import Flow, write_export

from infaflow.cli import main
from infaflow.export import load
from infaflow.runtime.api import run_workflow
from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.scheduler import RunOptions


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INFAFLOW_SMTP_HOST", raising=False)
    monkeypatch.delenv("INFAFLOW_STATE_DIR", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


class CountingExecutor:
    """Succeeds with Monitor-like row counts (2 rejected rows, 1 transformation error)."""

    def run_session(self, request: SessionRequest) -> SessionOutcome:  # noqa: ARG002
        return SessionOutcome(
            True,
            src_success_rows=120,
            src_failed_rows=0,
            tgt_success_rows=117,
            tgt_failed_rows=2,
            total_trans_errors=1,
        )

    def close(self) -> None: ...


def test_show_has_the_row_counts_of_each_session(cli, tmp_path: Path) -> None:
    flow = (
        Flow("wf_rows")
        .add("s_load", "Session")
        .cmd("after", "true")
        .link("Start", "s_load")
        .link("s_load", "after")
    )
    export = load(write_export(tmp_path, flow))
    result = run_workflow(
        export,
        "wf_rows",
        state_dir=tmp_path / ".infaflow",
        session_executor=CountingExecutor(),
        options=RunOptions(working_dir=str(tmp_path)),
    )
    expected = {
        "source_success_rows": 120,
        "source_failed_rows": 0,
        "target_success_rows": 117,
        "target_failed_rows": 2,
        "transformation_errors": 1,
    }
    assert result.summary["tasks"]["s_load"]["rows"] == expected  # the run summary JSON
    assert "rows" not in result.summary["tasks"]["after"]  # only sessions have row counts
    shown = cli("show", str(result.run_id), "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["tasks"]["s_load"]["rows"] == expected
    text = cli("show", str(result.run_id)).output
    assert "row counts" in text
    row = next(line for line in text.splitlines() if "s_load" in line and "117" in line)
    assert [c for c in row.replace("│", " ").split() if c.isdigit()] == ["120", "0", "117", "2", "1"]


def test_runs_lists_each_attempt_failed_then_resumed(cli, tmp_path: Path) -> None:
    flow = (
        Flow("wf_flaky")
        .cmd(
            "check",
            "test -f ready.flag",
            attrs={"Fail task if any command fails": "YES"},
            inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"},
        )
        .link("Start", "check")
    )
    export = write_export(tmp_path, flow)
    first = cli("run", str(export), "-q")
    assert first.exit_code == 1
    assert first.output.splitlines()[-1].startswith("Done. SUCCEEDED=1 FAILED=1 in ")
    (tmp_path / "ready.flag").write_text("")
    assert cli("resume", "1", "-q").exit_code == 0
    rows = json.loads(cli("runs", "--json").output)
    assert [(r["run_id"], r["attempt"], r["kind"], r["status"]) for r in rows] == [
        (1, 1, "run", "FAILED"),
        (1, 2, "resume", "SUCCEEDED"),
    ]
    text = cli("runs").output
    assert "FAILED" in text and "2 (resume)" in text
    show = json.loads(cli("show", "1", "--json").output)
    assert [a["status"] for a in show["attempts"]] == ["FAILED", "SUCCEEDED"]
    assert show["tasks"]["check"]["attempts"] == 2


def _chain(tmp_path: Path) -> Path:
    """Start -> a -> b -> c, and b -> wl (a worklet: inner1 -> inner2); every command appends its name."""
    wl = (
        Flow("wl_pair", worklet=True)
        .cmd("inner1", "echo inner1 >> trace.txt")
        .cmd("inner2", "echo inner2 >> trace.txt")
    )
    wl.link("Start", "inner1").link("inner1", "inner2")
    wf = Flow("wf_chain")
    for name in ("a", "b", "c"):
        wf.cmd(name, f"echo {name} >> trace.txt")
    wf.add("wl", "Worklet", worklet="wl_pair")
    wf.link("Start", "a").link("a", "b").link("b", "c").link("b", "wl")
    return write_export(tmp_path, wf, wl)


def _trace(tmp_path: Path) -> list[str]:
    path = tmp_path / "trace.txt"
    lines = path.read_text().split() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


def test_run_from_task_runs_it_and_what_follows_only(cli, tmp_path: Path) -> None:
    export = _chain(tmp_path)
    result = cli("run", str(export), "--from", "b", "--summary-json", "s.json", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(_trace(tmp_path)) == ["b", "c", "inner1", "inner2"]
    tasks = json.loads((tmp_path / "s.json").read_text())["tasks"]
    assert tasks["a"]["status"] == "NOTSTARTED" and tasks["Start"]["status"] == "NOTSTARTED"
    inner = cli("run", str(export), "--from", "wl/inner2", "-q")  # inside a worklet: by its path
    assert inner.exit_code == 0, inner.output
    assert _trace(tmp_path) == ["inner2"]
    bad = cli("run", str(export), "--from", "nope", "-q")
    assert bad.exit_code == 2 and "no task 'nope' in workflow wf_chain" in bad.output


def test_resume_restart_reruns_the_task_and_what_follows(cli, tmp_path: Path) -> None:
    export = _chain(tmp_path)
    assert cli("run", str(export), "-q").exit_code == 0
    assert sorted(_trace(tmp_path)) == ["a", "b", "c", "inner1", "inner2"]
    again = cli("resume", "1", "--restart", "b", "-q")  # a run that SUCCEEDED can be restarted from a task
    assert again.exit_code == 0, again.output
    assert sorted(_trace(tmp_path)) == ["b", "c", "inner1", "inner2"]
    assert cli("resume", "1", "--restart", "wl/inner2", "-q").exit_code == 0
    assert _trace(tmp_path) == ["inner2"]  # the worklet's inner1 kept its success
    show = json.loads(cli("show", "1", "--json").output)
    assert [a["kind"] for a in show["attempts"]] == ["run", "restart", "restart"]
    assert show["tasks"]["a"]["attempts"] == 1 and show["tasks"]["b"]["attempts"] == 2
    assert cli("resume", "1").exit_code == 2  # a SUCCEEDED run has nothing to resume without --restart


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message."""

    received: list[str] = []

    def handle(self) -> None:
        self.wfile.write(b"220 test\r\n")
        data = False
        for raw in self.rfile:
            line = raw.decode().rstrip("\r\n")
            if data:
                if line == ".":
                    data = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    self.received.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb == "DATA":
                data = True
                self.wfile.write(b"354 go\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_an_email_task_says_where_the_mail_went(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flow = Flow("wf_mail").add(
        "mail",
        "Email",
        attrs={"Email User Name": "ops@example.com", "Email Subject": "done %w", "Email Text": "ok"},
    )
    flow.link("Start", "mail")
    export = write_export(tmp_path, flow)
    result = cli("run", str(export), "--summary-json", "s.json")
    message = json.loads((tmp_path / "s.json").read_text())["tasks"]["mail"]["message"]
    outbox = tmp_path / ".infaflow" / "runs" / "1" / "outbox"
    (eml,) = outbox.glob("*.eml")
    assert (
        message == f"email to ops@example.com: no SMTP host configured: written to {eml.resolve()}"
        or message
        == f"email to ops@example.com: no SMTP host configured: written to {eml.relative_to(tmp_path)}"
    )
    assert "written to" in result.output  # the progress line of the task
    assert "STARTED   mail (Email)" in result.output and "\x1b[" not in result.output  # plain lines off a tty
    log = (tmp_path / ".infaflow" / "runs" / "1" / "logs" / "mail.log").read_text()
    assert "no SMTP host configured: written to" in log
    with socketserver.TCPServer(("127.0.0.1", 0), _Smtp) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setenv("INFAFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("INFAFLOW_SMTP_PORT", str(server.server_address[1]))
        cli("run", str(export), "--summary-json", "s2.json", "-q")
        server.shutdown()
    sent = json.loads((tmp_path / "s2.json").read_text())["tasks"]["mail"]
    assert sent["status"] == "SUCCEEDED"
    assert sent["message"] == f"email to ops@example.com: sent through 127.0.0.1:{server.server_address[1]}"
    assert any("Subject: done wf_mail" in line for line in _Smtp.received)
    shown = cli("show", "2").output
    assert f"sent through 127.0.0.1:{server.server_address[1]}" in shown
