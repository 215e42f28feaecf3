"""Progress output: plain lines off a terminal, a live table on one."""

from __future__ import annotations

import io

from rich.console import Console

from infaflow.runtime.progress import LiveView, PlainLines, Silent, for_stream


def test_plain_lines() -> None:
    out = io.StringIO()
    view = PlainLines(out)
    view.begin(3, "wf_x", 4)
    view.task_started("wl/a", "Command")
    view.task_finished("wl/a", "FAILED", "exit status 1")
    view.end("FAILED")
    lines = [line.split(" ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines == [
        "run 3: workflow wf_x (4 tasks)",
        "started   wl/a (Command)",
        "FAILED    wl/a: exit status 1",
        "workflow FAILED",
    ]


def test_live_view_renders_running_tasks() -> None:
    out = io.StringIO()
    view = LiveView(Console(file=out, force_terminal=True, width=120))
    view.begin(5, "wf_live", 3)
    view.task_started("a", "Command")
    view.task_started("b", "Session")
    view.task_finished("a", "SUCCEEDED", "")
    table = view._render()
    assert "1/3 done" in str(table.title)
    assert table.row_count == 1  # only b still runs
    view.end("SUCCEEDED")
    assert "workflow SUCCEEDED" in out.getvalue()


def test_for_stream_picks_plain_lines_off_a_terminal() -> None:
    assert isinstance(for_stream(io.StringIO()), PlainLines)
    Silent().begin(1, "x", 0)
