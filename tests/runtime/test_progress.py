"""Progress output: plain lines off a terminal or with NO_COLOR, a live Monitor-like view on one."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from infaflow.runtime.progress import LiveView, PlainLines, Silent, for_stream
from infaflow.runtime.statusview import count_statuses, shown_status, summary_line

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_one_line_per_event_with_durations() -> None:
    out = io.StringIO()
    view = PlainLines(out)
    view.begin(3, "wf_x", 4)
    view.task_started("wl/a", "Command")
    view.task_finished("wl/a", "FAILED", "exit status 1")
    view.task_finished("b", "DISABLED", "")
    view.end("FAILED")
    lines = [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines[0] == "run 3: workflow wf_x (4 tasks)"
    assert lines[1] == "STARTED   wl/a (Command)"
    assert re.fullmatch(r"FAILED    wl/a in (<0\.1|\d\.\d|\d)s: exit status 1", lines[2]), lines[2]
    assert lines[3] == "DISABLED  b"
    assert lines[4] == "workflow FAILED"
    assert not ANSI.search(out.getvalue())


def _live(width: int = 120) -> tuple[LiveView, io.StringIO]:
    out = io.StringIO()
    return LiveView(Console(file=out, force_terminal=True, width=width, color_system="standard")), out


def _text(view: LiveView) -> str:
    buf = io.StringIO()
    Console(file=buf, width=view.console.width, color_system=None).print(view._render())
    return buf.getvalue()


def test_live_view_keeps_finished_tasks_coloured_and_lists_running_ones() -> None:
    view, out = _live()
    view.expect({"a": 2.0, "b": 8.0, "c": 10.0}, 30.0)
    view.begin(5, "wf_live", 3)
    view.task_started("a", "Command")
    view.task_started("b", "Session")
    view.task_finished("a", "SUCCEEDED", "")
    view.task_started("c", "Command")
    view.task_finished("c", "FAILED", "ls: cannot access 'x'")
    area = _text(view)
    assert "run 5 · wf_live · 2/3 done · 1 failed" in area
    assert "tasks" in area and "2/3" in area
    assert re.search(r"time .* (<0\.1|\d\.\d)s of ~30s expected", area), area  # elapsed against recorded runs
    assert re.search(r"RUNNING\s+b\s+Session\s+\S+s\s+~8s", area), area  # elapsed and recorded time
    assert " a " not in area.split("RUNNING", 1)[1]  # finished tasks are not in the running list...
    view.end("FAILED")
    printed = out.getvalue()
    assert "\x1b[32mSUCCEEDED" in printed  # ...they stay on screen, green
    assert "\x1b[1;31mFAILED" in printed and "ls: cannot access 'x'" in printed  # red, with the cause
    assert "workflow " in printed


def test_live_view_leaves_no_table_behind() -> None:
    out = _Tty()
    view = LiveView(Console(file=out, force_terminal=True, width=80))
    view.begin(1, "wf", 1)
    view.task_started("only", "Command")
    view.refresh()
    view.task_finished("only", "SUCCEEDED", "")
    view.end("SUCCEEDED")
    screen = ANSI.sub("", out.getvalue())
    last = [line for line in screen.splitlines() if line.strip()][-1]
    assert last.strip() == "workflow SUCCEEDED"
    assert view.live is None


def test_title_fits_the_terminal() -> None:
    view, _ = _live(width=50)
    view.begin(12345, "wf_a_very_long_workflow_name_that_would_wrap_a_narrow_terminal", 135)
    first = _text(view).splitlines()[0]
    assert len(first) <= 50 and first.endswith("…")
    view.end("SUCCEEDED")


def test_for_stream_plain_off_a_terminal_and_with_no_color() -> None:
    assert isinstance(for_stream(io.StringIO(), {}), PlainLines)
    assert isinstance(for_stream(_Tty(), {"NO_COLOR": "1"}), PlainLines)
    assert isinstance(for_stream(_Tty(), {"NO_COLOR": ""}), LiveView)  # an empty NO_COLOR does not count
    Silent().begin(1, "x", 0)


def test_summary_line_counts_in_monitor_order() -> None:
    counts = count_statuses(["NOTSTARTED", "SUCCEEDED", "FAILED", "SUCCEEDED"])
    assert summary_line(counts, 17.24) == "Done. SUCCEEDED=2 FAILED=1 NOTSTARTED=1 in 17s"
    assert summary_line(count_statuses(["SUCCEEDED"]), 0.21) == "Done. SUCCEEDED=1 in 0.2s"


def test_started_reads_running_or_terminated() -> None:
    assert shown_status("STARTED", alive=True) == "RUNNING"
    assert shown_status("STARTED", alive=False) == "TERMINATED"
    assert shown_status("FAILED", alive=True) == "FAILED"


def test_elapsed_time_grows() -> None:
    view, _ = _live()
    view.begin(2, "wf", 2)
    view.expect({}, 50.0)
    view.started -= 65
    view.task_started("slow", "Command")
    view.running["slow"] = ("Command", time.monotonic() - 125)
    area = _text(view)
    assert "1m 05s" in area.splitlines()[0]  # the title's elapsed time
    assert "2m 05s" in area
    assert "1m 05s of ~50s expected (over by 15s)" in area
    view.end("SUCCEEDED")


def test_a_run_that_breaks_still_closes_the_progress(run_flows, monkeypatch) -> None:  # noqa: ANN001
    import pytest
    from runtime_xml import Flow

    from infaflow.runtime.scheduler import Runner

    class Recording(Silent):
        def __init__(self) -> None:
            self.ended: list[str] = []

        def end(self, status: str) -> None:
            self.ended.append(status)

    def broken(self: Runner) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(Runner, "_loop", broken)
    progress = Recording()
    with pytest.raises(RuntimeError):
        run_flows(Flow("wf_x").cmd("a", "true").link("Start", "a"), progress=progress)
    assert progress.ended == ["FAILED"]  # a live view would be stopped, the terminal left clean


def test_the_expected_time_is_the_mean_of_recent_successful_runs(run_flows, tmp_path) -> None:  # noqa: ANN001
    from runtime_xml import Flow

    from infaflow.runtime.store import RunStore

    class Recording(Silent):
        def expect(self, durations, run_seconds=None) -> None:  # noqa: ANN001
            self.durations, self.run_seconds = dict(durations), run_seconds

    flow = Flow("wf_t").cmd("a", "sleep 0.2").link("Start", "a")
    first = Recording()
    run_flows(flow, progress=first)
    assert first.run_seconds is None and first.durations == {}  # nothing recorded before the first run
    second = Recording()
    run_flows(flow, progress=second)
    store = RunStore(tmp_path / ".infaflow")
    (record,) = [r for r in store.runs() if r.run_id == 1]
    store.close()
    assert second.run_seconds == (record.ended - record.started).total_seconds()
    assert 0.2 <= second.durations["a"] < 5
