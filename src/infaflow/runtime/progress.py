"""Visibility while a run goes: a live view on a terminal, plain log lines otherwise."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import IO, Protocol

from rich.console import Console
from rich.live import Live
from rich.table import Table


class Progress(Protocol):
    def begin(self, run_id: int, workflow: str, total: int) -> None: ...
    def task_started(self, path: str, task_type: str) -> None: ...
    def task_finished(self, path: str, status: str, error: str) -> None: ...
    def note(self, message: str) -> None: ...
    def refresh(self) -> None: ...
    def end(self, status: str) -> None: ...


class Silent:
    """No output (library use, dry runs driven by tests)."""

    def begin(self, run_id: int, workflow: str, total: int) -> None: ...
    def task_started(self, path: str, task_type: str) -> None: ...
    def task_finished(self, path: str, status: str, error: str) -> None: ...
    def note(self, message: str) -> None: ...
    def refresh(self) -> None: ...
    def end(self, status: str) -> None: ...


class PlainLines:
    """One line per event, for logs and pipes."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr

    def _line(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.stream.write(f"{stamp} {text}\n")
        self.stream.flush()

    def begin(self, run_id: int, workflow: str, total: int) -> None:
        self._line(f"{_title(run_id)}: workflow {workflow} ({total} tasks)")

    def task_started(self, path: str, task_type: str) -> None:
        self._line(f"started   {path} ({task_type})")

    def task_finished(self, path: str, status: str, error: str) -> None:
        self._line(f"{status:<9} {path}" + (f": {error}" if error else ""))

    def note(self, message: str) -> None:
        self._line(message)

    def refresh(self) -> None: ...

    def end(self, status: str) -> None:
        self._line(f"workflow {status}")


class LiveView:
    """A rich live table: running tasks, done/total, elapsed."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.running: dict[str, tuple[str, float]] = {}
        self.done = 0
        self.total = 0
        self.failed = 0
        self.workflow = ""
        self.run_id = 0
        self.started = time.monotonic()
        self.live: Live | None = None

    def _render(self) -> Table:
        elapsed = time.monotonic() - self.started
        table = Table(
            title=f"{_title(self.run_id)} · {self.workflow} · {self.done}/{self.total} done"
            f"{f' · {self.failed} failed' if self.failed else ''} · {elapsed:.0f}s",
            expand=False,
        )
        table.add_column("running task")
        table.add_column("type")
        table.add_column("for", justify="right")
        now = time.monotonic()
        for path, (kind, since) in list(self.running.items())[:20]:
            table.add_row(path, kind, f"{now - since:.0f}s")
        if len(self.running) > 20:
            table.add_row(f"... {len(self.running) - 20} more", "", "")
        return table

    def begin(self, run_id: int, workflow: str, total: int) -> None:
        self.run_id, self.workflow, self.total = run_id, workflow, total
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=False)
        self.live.start()

    def task_started(self, path: str, task_type: str) -> None:
        self.running[path] = (task_type, time.monotonic())

    def task_finished(self, path: str, status: str, error: str) -> None:
        self.running.pop(path, None)
        self.done += 1
        if status in ("FAILED", "ABORTED"):
            self.failed += 1
            self.console.print(f"[red]{status}[/red] {path}: {error}")

    def note(self, message: str) -> None:
        self.console.print(message)

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._render())

    def end(self, status: str) -> None:
        if self.live is not None:
            self.live.update(self._render())
            self.live.stop()
        self.console.print(f"workflow {status}")


def for_stream(stream: IO[str] | None = None) -> Progress:
    """The live view on a terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return LiveView()
    return PlainLines(stream)


def _title(run_id: int) -> str:
    """``run N``, or ``dry run`` for a run that is not recorded (run id 0)."""
    return f"run {run_id}" if run_id else "dry run"
