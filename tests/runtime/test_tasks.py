"""Task types: worklets (nested, own scope), timers, events, email, sessions, parameters, persistence."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow

from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.scheduler import RunOptions


def nested_worklets() -> list[Flow]:
    inner = Flow("wl_inner", worklet=True).var("$$DEPTH2", "string", "unset")
    inner.cmd("leaf", "echo leaf=$$DEPTH2 >> leaf.txt").link("Start", "leaf")
    inner.add("ctl", "Control", attrs={"Control Option": "Fail Parent"}, inst={"ISENABLED": "NO"}).link(
        "leaf", "ctl"
    )
    outer = Flow("wl_outer", worklet=True).var("$$DEPTH1", "string", "unset").var("$$BACK", "string", "")
    outer.add("wl_in", "Worklet", worklet="wl_inner", inst_pairs=[("$$DEPTH2", "$$DEPTH1 || '/2'", False)])
    outer.add("asg", "Assignment", pairs=[("$$BACK", "'from outer ' || $$DEPTH1")])
    outer.link("Start", "wl_in").link("wl_in", "asg", "$wl_in.Status = SUCCEEDED")
    top = Flow("wf_nested").var("$$TOP", "string", "top").var("$$RESULT", "string", "")
    top.add(
        "wl_out",
        "Worklet",
        worklet="wl_outer",
        inst_pairs=[("$$DEPTH1", "$$TOP || '/1'", False), ("$$BACK", "$$RESULT", True)],
    )
    top.cmd("done", "true").link("Start", "wl_out").link("wl_out", "done", "$wl_out.Status = SUCCEEDED")
    return [top, outer, inner]


def test_worklets_nested_two_deep(run_flows, tmp_path: Path) -> None:
    result = run_flows(*nested_worklets())
    got = statuses(result)
    assert result.status == "SUCCEEDED"
    assert got["wl_out"] == "SUCCEEDED"
    assert got["wl_out/wl_in"] == "SUCCEEDED"
    assert got["wl_out/wl_in/leaf"] == "SUCCEEDED"
    assert got["wl_out/wl_in/ctl"] == "DISABLED"
    assert got["wl_out/asg"] == "SUCCEEDED"
    assert got["done"] == "SUCCEEDED"
    assert (tmp_path / "leaf.txt").read_text().strip() == "leaf=top/1/2"  # values passed in at each level
    assert result.summary["variables"]["$$RESULT"] == "from outer top/1"  # passed back out


def test_worklet_scope_hides_parent_variables(run_flows) -> None:
    wl = Flow("wl_x", worklet=True).add("asg", "Assignment", pairs=[("$$PARENT", "1")]).link("Start", "asg")
    top = (
        Flow("wf_scope")
        .var("$$PARENT", "integer", "0")
        .add("w", "Worklet", worklet="wl_x")
        .link("Start", "w")
    )
    result = run_flows(top, wl)
    assert statuses(result)["w/asg"] == "FAILED"
    assert result.summary["variables"]["$$PARENT"] == 0


def test_worklet_fail_parent_flags(run_flows) -> None:
    wl = (
        Flow("wl_f", worklet=True)
        .add("ctl", "Control", attrs={"Control Option": "Fail Parent"})
        .link("Start", "ctl")
    )
    top = (
        Flow("wf_wlf")
        .add("w", "Worklet", worklet="wl_f")
        .cmd("after", "true")
        .link("Start", "w")
        .link("w", "after")
    )
    result = run_flows(top, wl)
    assert statuses(result)["w"] == "FAILED"
    assert result.status == "SUCCEEDED"  # without FAIL_PARENT_IF_INSTANCE_FAILS on the worklet instance
    top2 = (
        Flow("wf_wlf2")
        .add("w", "Worklet", worklet="wl_f", inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
        .link("Start", "w")
    )
    assert run_flows(top2, wl).status == "FAILED"
    wl3 = (
        Flow("wl_top", worklet=True)
        .add("ctl", "Control", attrs={"Control Option": "Fail top-level workflow"})
        .link("Start", "ctl")
    )
    top3 = Flow("wf_wlf3").add("w", "Worklet", worklet="wl_top").link("Start", "w")
    result = run_flows(top3, wl3)
    assert result.status == "FAILED"
    assert statuses(result)["w"] == "SUCCEEDED"


def test_stop_parent_inside_a_worklet_stops_only_the_worklet(run_flows) -> None:
    wl = Flow("wl_stop", worklet=True).add("ctl", "Control", attrs={"Control Option": "Stop Parent"})
    wl.cmd("long", "sleep 0.5", "touch late.txt").add(
        "wait", "Timer", timer=("START_RELATIVE_TO_PARENT_WORKFLOW", {}, {"HOURS": "1"})
    )
    wl.link("Start", "ctl").link("Start", "long").link("Start", "wait")
    top = (
        Flow("wf_wl_stop")
        .add("w", "Worklet", worklet="wl_stop")
        .cmd("on_stop", "true")
        .cmd("parallel", "sleep 0.2")
    )
    top.link("Start", "w").link("w", "on_stop", "$w.Status = STOPPED").link("Start", "parallel")
    t0 = time.monotonic()
    result = run_flows(top, wl)
    assert time.monotonic() - t0 < 10
    got = statuses(result)
    # the running command finishes the command it runs and runs no other; the Timer's wait ends
    assert (got["w"], got["w/long"], got["w/wait"]) == ("STOPPED", "STOPPED", "STOPPED")
    assert got["parallel"] == "SUCCEEDED"
    assert got["on_stop"] == "NOTSTARTED"  # a stopped worklet's path stops: its links are not evaluated
    assert result.status == "SUCCEEDED"


def test_timer_absolute_variable_and_relative(run_flows) -> None:
    f = Flow("wf_timer").var("$$AT", "date/time", "")
    f.add("t", "Timer", attrs={"Variable": "$$AT"}, timer=("START_AT_ABSOLUTE_VARIABLE", {}, {}))
    f.add(
        "rel",
        "Timer",
        timer=("START_RELATIVE_TO_PARENT_WORKFLOW", {}, {"DAYS": "0", "HOURS": "0", "MINUTES": "0"}),
    )
    f.link("Start", "t").link("Start", "rel")
    at = (dt.datetime.now() + dt.timedelta(seconds=2)).replace(microsecond=0)
    t0 = time.monotonic()
    result = run_flows(f, params={"$$AT": at.strftime("%m/%d/%Y %H:%M:%S")})
    assert statuses(result)["t"] == "SUCCEEDED"
    assert dt.datetime.fromisoformat(result.summary["tasks"]["t"]["ended"]) >= at
    assert time.monotonic() - t0 < 6
    rel = result.summary["tasks"]["rel"]
    assert dt.datetime.fromisoformat(rel["ended"]) - dt.datetime.fromisoformat(rel["started"]) < dt.timedelta(
        seconds=1
    )
    # a NULL variable fails the timer
    result = run_flows(f, params={"$$AT": ""})
    assert statuses(result)["t"] == "FAILED"


def test_timer_absolute_time_in_the_past_is_immediate(run_flows) -> None:
    f = (
        Flow("wf_t_abs")
        .add(
            "t",
            "Timer",
            timer=("START_AT_ABSOLUTE_TIME", {"STARTDATE": "9/30/2009", "STARTTIME": "16:26"}, {}),
        )
        .link("Start", "t")
    )
    assert statuses(run_flows(f))["t"] == "SUCCEEDED"


def test_user_defined_events(run_flows, tmp_path: Path) -> None:
    f = Flow("wf_ev")
    f.events.append("ev_ready")
    f.cmd("slow", "sleep 0.3").add("raise", "Event Raise", attrs={"Event Name": "ev_ready"})
    f.add(
        "wait",
        "Event Wait",
        attrs={"User Defined Event": "YES", "Event Name": "ev_ready", "Enable Past Events": "YES"},
    )
    f.cmd("after", "true")
    f.link("Start", "slow").link("slow", "raise").link("Start", "wait").link("wait", "after")
    result = run_flows(f)
    got = statuses(result)
    assert got == {
        "Start": "SUCCEEDED",
        "slow": "SUCCEEDED",
        "raise": "SUCCEEDED",
        "wait": "SUCCEEDED",
        "after": "SUCCEEDED",
    }
    assert result.summary["tasks"]["wait"]["ended"] >= result.summary["tasks"]["raise"]["ended"]


def test_file_watch_with_delete(run_flows, tmp_path: Path) -> None:
    f = Flow("wf_fw").add(
        "wait",
        "Event Wait",
        attrs={"User Defined Event": "NO", "Filewatch Name": "flags/go.txt", "Delete Filewatch file": "YES"},
    )
    f.cmd("after", "true").link("Start", "wait").link("wait", "after")
    (tmp_path / "flags").mkdir()

    def touch() -> None:
        time.sleep(0.4)
        (tmp_path / "flags" / "go.txt").write_text("go")

    threading.Thread(target=touch).start()
    result = run_flows(f, options=RunOptions(poll_interval=0.05))
    assert statuses(result)["after"] == "SUCCEEDED"
    assert not (tmp_path / "flags" / "go.txt").exists()


def email_flow() -> Flow:
    return (
        Flow("wf_mail")
        .var("$$TO", "string", "ops@example.com")
        .add(
            "mail",
            "Email",
            attrs={
                "Email User Name": "$$TO",
                "Email Subject": "Run of %w",
                "Email Text": "line1\\nstatus ok",
            },
        )
        .link("Start", "mail")
    )


def test_email_without_smtp_goes_to_outbox(
    run_flows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFAFLOW_SMTP_HOST", raising=False)
    result = run_flows(email_flow())
    assert statuses(result)["mail"] == "SUCCEEDED"
    files = list((tmp_path / ".infaflow" / "runs" / str(result.run_id) / "outbox").glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: ops@example.com" in text and "Subject: Run of wf_mail" in text and "line1\nstatus ok" in text


def test_email_through_smtp_on_loopback(run_flows, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller

    received: list[tuple[str, list[str], bytes]] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
            received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("INFAFLOW_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("INFAFLOW_SMTP_PORT", str(port))
        monkeypatch.setenv("INFAFLOW_SMTP_FROM", "etl@example.com")
        result = run_flows(email_flow())
    finally:
        controller.stop()
        asyncio.set_event_loop(None)
    assert statuses(result)["mail"] == "SUCCEEDED"
    assert len(received) == 1
    sender, rcpts, content = received[0]
    assert (sender, rcpts) == ("etl@example.com", ["ops@example.com"])
    assert b"Subject: Run of wf_mail" in content


def test_email_smtp_unreachable_fails_the_task(run_flows, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("INFAFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("INFAFLOW_SMTP_PORT", str(port))
    result = run_flows(email_flow())
    assert statuses(result)["mail"] == "FAILED"
    assert "not sent" in result.summary["tasks"]["mail"]["error"]


class RecordingExecutor:
    """A session executor for tests: succeeds with fixed row counts and records its requests."""

    def __init__(self, succeed: bool = True) -> None:
        self.requests: list[SessionRequest] = []
        self.succeed = succeed

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        self.requests.append(request)
        if not self.succeed:
            return SessionOutcome(
                False, error="target table missing", first_error_code=7, first_error_msg="missing"
            )
        return SessionOutcome(
            True, src_success_rows=12, tgt_success_rows=10, mapping_variables={"$$LAST_ID": 99}
        )

    def close(self) -> None: ...


def session_flow() -> Flow:
    f = Flow("wf_sess").var("$$WFV", "string", "from workflow").var("$$SAVED", "integer", "0")
    f.add(
        "s_load",
        "Session",
        components=[
            ("Pre-session command", "Command", [("pre", "echo pre >> sess.txt")], {}),
            ("Post-session success command", "Command", [("post", "echo post-ok >> sess.txt")], {}),
            ("Post-session failure command", "Command", [("postf", "echo post-fail >> sess.txt")], {}),
            ("Pre-session variable assignment", "Assignment", [("$$MP", "$$WFV")], {}),
            ("Post-session success variable assignment", "Assignment", [("$$SAVED", "$$LAST_ID")], {}),
            (
                "Failure Email",
                "Email",
                [],
                {
                    "Email User Name": "ops@example.com",
                    "Email Subject": "%s failed (%e)",
                    "Email Text": "see log",
                },
            ),
        ],
    )
    f.cmd("rows_ok", "true").link("Start", "s_load").link(
        "s_load", "rows_ok", "$s_load.TgtSuccessRows = 10 AND $s_load.SrcSuccessRows = 12"
    )
    return f


def test_session_without_executor_fails_clearly(
    run_flows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFAFLOW_SMTP_HOST", raising=False)
    result = run_flows(session_flow(), no_executor_reason="the Spark executor is not installed")
    assert statuses(result)["s_load"] == "FAILED"
    assert (
        result.summary["tasks"]["s_load"]["error"]
        == "no session executor: the Spark executor is not installed"
    )
    assert (tmp_path / "sess.txt").read_text().split() == ["pre", "post-fail"]
    (mail,) = (tmp_path / ".infaflow" / "runs" / str(result.run_id) / "outbox").glob("*.eml")
    assert "Subject: s_load failed (FAILED)" in mail.read_text()  # the session's failure email


def test_session_with_executor(run_flows, tmp_path: Path) -> None:
    executor = RecordingExecutor()
    result = run_flows(session_flow(), session_executor=executor)
    got = statuses(result)
    assert got["s_load"] == "SUCCEEDED" and got["rows_ok"] == "SUCCEEDED"
    (request,) = executor.requests
    assert request.instance_path == "s_load"
    assert request.params["$$MP"] == "from workflow"
    assert request.params["$PMSessionName"] == "s_load"
    assert result.summary["variables"]["$$SAVED"] == 99
    assert (tmp_path / "sess.txt").read_text().split() == ["pre", "post-ok"]
    # the mapping variable is saved and given to the next run
    executor2 = RecordingExecutor()
    run_flows(session_flow(), session_executor=executor2)
    assert executor2.requests[0].params["$$LAST_ID"] == 99


@pytest.mark.parametrize(
    ("config", "value"),
    [
        ({}, "03/15/2024 10:20:30.000000"),
        ({"DateTime Format String": "YYYY-MM-DD"}, "2024-03-15"),
    ],
)
def test_pre_session_assignment_uses_the_session_date_format(
    run_flows, config: dict[str, str], value: str
) -> None:
    # TO_CHAR without a format uses the session's DateTime Format String (its CONFIGREFERENCE override here)
    f = Flow("wf_fmt").add(
        "s_load",
        "Session",
        config=config,
        components=[
            (
                "Pre-session variable assignment",
                "Assignment",
                [("$$MP", "TO_CHAR(TO_DATE('03/15/2024 10:20:30', 'MM/DD/YYYY HH24:MI:SS'))")],
                {},
            )
        ],
    )
    f.link("Start", "s_load")
    executor = RecordingExecutor()
    run_flows(f, session_executor=executor)
    assert executor.requests[0].params["$$MP"] == value


def test_session_executor_factory_called_once(run_flows) -> None:
    made: list[RecordingExecutor] = []

    def factory() -> RecordingExecutor:
        made.append(RecordingExecutor())
        return made[-1]

    f = session_flow()
    f.add("s2", "Session").link("Start", "s2")
    result = run_flows(f, session_executor=factory)
    assert statuses(result)["s2"] == "SUCCEEDED"
    assert len(made) == 1 and len(made[0].requests) == 2


PARAMS = """\
[Global]
$$A=global-a
$$B=global-b
$$C=global-c
[RT.WF:wf_params]
$$B=file-b
$$C=file-c
"""


def test_parameter_precedence(run_flows, tmp_path: Path) -> None:
    attr_file = tmp_path / "wf_attr.par"
    attr_file.write_text("[RT.WF:wf_params]\n$$A=attr-a\n$$B=attr-b\n$$C=attr-c\n$$D=attr-d\n")
    f = Flow("wf_params", attrs={"Parameter Filename": str(attr_file)})
    for name in ("$$A", "$$B", "$$C", "$$D", "$$E"):
        f.var(name, "string", "default")
    f.cmd("show", "echo $$A $$B $$C $$D $$E > params.txt").link("Start", "show")
    explicit = tmp_path / "explicit.par"
    explicit.write_text(PARAMS)
    result = run_flows(f, param_files=[explicit], params={"$$C": "cli-c"})
    # --param > --param-file (narrowest heading inside it) > the workflow's Parameter Filename > default
    assert (tmp_path / "params.txt").read_text().split() == [
        "global-a",
        "file-b",
        "cli-c",
        "attr-d",
        "default",
    ]
    assert result.summary["variables"]["$$E"] == "default"


def test_bad_parameter_value_is_input_error(run_flows) -> None:
    from infaflow.errors import InputError

    f = Flow("wf_badp").var("$$N", "integer", "0")
    with pytest.raises(InputError, match=r"--param: value for \$\$N"):
        run_flows(f, params={"$$N": "abc"})


def test_persistent_variables_across_runs(run_flows) -> None:
    f = Flow("wf_persist").var("$$COUNT", "integer", "0", persistent=True).var("$$TEMP", "integer", "0")
    f.add("inc", "Assignment", pairs=[("$$COUNT", "$$COUNT + 1"), ("$$TEMP", "$$TEMP + 1")]).link(
        "Start", "inc"
    )
    values = [run_flows(f).summary["variables"] for _ in range(3)]
    assert [v["$$COUNT"] for v in values] == [1, 2, 3]
    assert [v["$$TEMP"] for v in values] == [1, 1, 1]
    # a parameter file value beats the saved value
    assert run_flows(f, params={"$$COUNT": "100"}).summary["variables"]["$$COUNT"] == 101


def test_dry_run_executes_nothing(run_flows, tmp_path: Path) -> None:
    f = Flow("wf_dry").cmd(
        "c", "echo ran > ran.txt", "exit 1", attrs={"Fail task if any command fails": "YES"}
    )
    f.add("s", "Session").add("t", "Timer", timer=("START_RELATIVE_TO_PARENT_WORKFLOW", {}, {"HOURS": "5"}))
    f.link("Start", "c").link("c", "s", "$c.Status = SUCCEEDED").link("s", "t")
    result = run_flows(f, options=RunOptions(dry_run=True))
    assert result.status == "SUCCEEDED"
    assert set(statuses(result).values()) == {"SUCCEEDED"}
    assert not (tmp_path / "ran.txt").exists()
    assert not (tmp_path / ".infaflow").exists()  # dry runs use an in-memory store
