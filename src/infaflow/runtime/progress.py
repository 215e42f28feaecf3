"""Visibility while a run goes: a live view on a terminal, plain log lines otherwise.

The live view reads like Workflow Monitor's task view: every task that ended stays on screen as one
line coloured by its status (printed above the live area, so the terminal's scrollback keeps them all),
and the live area below shows the run's title cut to the terminal's width, a bar of tasks done, a bar of
the time elapsed against the expected time (the mean duration of the last successful runs), and the running
tasks with their elapsed (and recorded) time. The live area disappears at the end: no empty table is left
behind.

Off a terminal, or with ``NO_COLOR`` set (https://no-color.org), one uncoloured line per event.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Mapping
from typing import IO, Protocol

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from infaflow.runtime.statusview import RUNNING, seconds_text, style_of

#: Running tasks listed in the live area at most (the rest are counted on one line).
MAX_RUNNING_ROWS = 15


class Progress(Protocol):
    def expect(self, durations: Mapping[str, float], run_seconds: float | None = None) -> None: ...
    def begin(self, run_id: int, workflow: str, total: int) -> None: ...
    def task_started(self, path: str, task_type: str) -> None: ...
    def task_finished(self, path: str, status: str, error: str) -> None: ...
    def note(self, message: str) -> None: ...
    def refresh(self) -> None: ...
    def end(self, status: str) -> None: ...


class Silent:
    """No output (library use, dry runs driven by tests)."""

    def expect(self, durations: Mapping[str, float], run_seconds: float | None = None) -> None: ...
    def begin(self, run_id: int, workflow: str, total: int) -> None: ...
    def task_started(self, path: str, task_type: str) -> None: ...
    def task_finished(self, path: str, status: str, error: str) -> None: ...
    def note(self, message: str) -> None: ...
    def refresh(self) -> None: ...
    def end(self, status: str) -> None: ...


class PlainLines:
    """One uncoloured line per event, for logs, pipes and ``NO_COLOR``."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.since: dict[str, float] = {}

    def _line(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.stream.write(f"{stamp} {text}\n")
        self.stream.flush()

    def expect(self, durations: Mapping[str, float], run_seconds: float | None = None) -> None: ...

    def begin(self, run_id: int, workflow: str, total: int) -> None:
        self._line(f"{_title(run_id)}: workflow {workflow} ({total} tasks)")

    def task_started(self, path: str, task_type: str) -> None:
        self.since[path] = time.monotonic()
        self._line(f"{'STARTED':<10}{path} ({task_type})")

    def task_finished(self, path: str, status: str, error: str) -> None:
        since = self.since.pop(path, None)
        took = f" in {seconds_text(time.monotonic() - since)}" if since is not None else ""
        self._line(f"{status:<10}{path}{took}" + (f": {error}" if error else ""))

    def note(self, message: str) -> None:
        self._line(message)

    def refresh(self) -> None: ...

    def end(self, status: str) -> None:
        self._line(f"workflow {status}")


class LiveView:
    """Finished tasks as coloured lines; below them a live area of bars and running tasks."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.running: dict[str, tuple[str, float]] = {}
        self.expected: dict[str, float] = {}
        self.run_seconds: float | None = None
        self.finished: dict[str, str] = {}
        self.total = 0
        self.workflow = ""
        self.run_id = 0
        self.started = time.monotonic()
        self.live: Live | None = None

    def expect(self, durations: Mapping[str, float], run_seconds: float | None = None) -> None:
        """Recorded durations: of each task (by path) and of the whole run (mean of recent runs)."""
        self.expected = dict(durations)
        self.run_seconds = run_seconds

    # -- rendering ------------------------------------------------------------------------------------

    def _title(self) -> Text:
        failed = sum(1 for s in self.finished.values() if s in ("FAILED", "ABORTED"))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{_title(self.run_id)} · {self.workflow}", style="bold")
        text.append(f" · {len(self.finished)}/{self.total} done")
        if failed:
            text.append(f" · {failed} failed", style=style_of("FAILED"))
        text.append(f" · {seconds_text(time.monotonic() - self.started)}")
        text.truncate(max(10, self.console.width - 1), overflow="ellipsis")
        return text

    def _bars(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        width = max(10, min(40, self.console.width - 40))
        done = len(self.finished)
        grid.add_row(
            "tasks",
            ProgressBar(
                total=max(1, self.total),
                completed=done,
                width=width,
                complete_style="cyan",
                finished_style="green",
            ),
            f"{done}/{self.total}",
        )
        if self.run_seconds:
            elapsed = time.monotonic() - self.started
            over = elapsed > self.run_seconds
            grid.add_row(
                "time",
                ProgressBar(
                    total=self.run_seconds,
                    completed=min(elapsed, self.run_seconds),
                    width=width,
                    complete_style="cyan",
                    finished_style="yellow" if over else "green",
                ),
                f"{seconds_text(elapsed)} of ~{seconds_text(self.run_seconds)} expected"
                + (f" (over by {seconds_text(elapsed - self.run_seconds)})" if over else ""),
            )
        return grid

    def _running(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1), expand=False)
        table.add_column("status", no_wrap=True)
        table.add_column(
            "task", overflow="ellipsis", no_wrap=True, max_width=max(20, self.console.width - 45)
        )
        table.add_column("type", no_wrap=True)
        table.add_column("elapsed", justify="right", no_wrap=True)
        table.add_column("recorded", justify="right", no_wrap=True)
        now = time.monotonic()
        items = list(self.running.items())
        for path, (kind, since) in items[:MAX_RUNNING_ROWS]:
            recorded = self.expected.get(path)
            table.add_row(
                Text(RUNNING, style=style_of(RUNNING)),
                path,
                kind,
                seconds_text(now - since),
                f"~{seconds_text(recorded)}" if recorded else "",
            )
        if len(items) > MAX_RUNNING_ROWS:
            table.add_row("", f"... {len(items) - MAX_RUNNING_ROWS} more running", "", "", "")
        return table

    def _render(self) -> RenderableType:
        parts: list[RenderableType] = [self._title(), self._bars()]
        if self.running:
            parts.append(self._running())
        return Group(*parts)

    # -- events ---------------------------------------------------------------------------------------

    def begin(self, run_id: int, workflow: str, total: int) -> None:
        self.run_id, self.workflow, self.total = run_id, workflow, total
        self.started = time.monotonic()
        self.live = Live(
            console=self.console, get_renderable=self._render, refresh_per_second=4, transient=True
        )
        self.live.start()

    def task_started(self, path: str, task_type: str) -> None:
        self.running[path] = (task_type, time.monotonic())

    def task_finished(self, path: str, status: str, error: str) -> None:
        kind, since = self.running.pop(path, ("", 0.0))
        self.finished[path] = status
        line = Text(no_wrap=False)
        line.append(f"{status:<10}", style=style_of(status))
        line.append(path, style="bold" if status in ("FAILED", "ABORTED") else "")
        if kind:
            line.append(f" ({kind})", style="dim")
        if since:
            line.append(f" in {seconds_text(time.monotonic() - since)}")
        if error:
            line.append(f": {error}", style=style_of(status))
        self.console.print(line)

    def note(self, message: str) -> None:
        self.console.print(Text(message))

    def refresh(self) -> None:
        if self.live is not None:
            self.live.refresh()

    def end(self, status: str) -> None:
        if self.live is not None:
            self.live.stop()  # transient: the live area is erased
            self.live = None
        line = Text("workflow ")
        line.append(status, style=style_of(status))
        self.console.print(line)


def plain_wanted(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Plain lines: off a terminal, or when ``NO_COLOR`` is set to anything but the empty string."""
    env = os.environ if environ is None else environ
    return not stream.isatty() or bool(env.get("NO_COLOR", ""))


def for_stream(stream: IO[str] | None = None, environ: Mapping[str, str] | None = None) -> Progress:
    """The live view on a terminal, plain lines otherwise (or with ``NO_COLOR``)."""
    stream = stream or sys.stderr
    if plain_wanted(stream, environ):
        return PlainLines(stream)
    return LiveView(Console(file=stream))


def _title(run_id: int) -> str:
    """``run N``, or ``dry run`` for a run that is not recorded (run id 0)."""
    return f"run {run_id}" if run_id else "dry run"
