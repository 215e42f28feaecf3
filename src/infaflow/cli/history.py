"""``infaflow runs`` and ``show``: the run history with what Workflow Monitor shows.

Statuses read as in Monitor: a live run (and its running tasks) is RUNNING with its elapsed time, a run
whose process died without recording an end is TERMINATED. Each start of a run is listed: the first,
then every ``resume`` (so a run that failed and was resumed shows both). Sessions show their row counts.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from infaflow.cli._options import examples, json_option, state_dir_option, workflow_option
from infaflow.cli._runstore import open_store, plan_of
from infaflow.errors import InputError
from infaflow.runtime.processes import is_alive
from infaflow.runtime.statusview import RUNNING, seconds_text, shown_status, style_of
from infaflow.runtime.store import RunRecord
from infaflow.runtime.summary import ROW_COUNTS


def _seconds(started: dt.datetime | None, ended: dt.datetime | None, now: dt.datetime) -> float | None:
    if started is None:
        return None
    return ((ended or now) - started).total_seconds()


def _duration_text(
    started: dt.datetime | None, ended: dt.datetime | None, now: dt.datetime, live: bool
) -> str:
    """A finished span, or the elapsed time of a live one; empty when it never started or its end is lost."""
    if started is None or (ended is None and not live):
        return ""
    return seconds_text(_seconds(started, ended, now) or 0.0)


def _console() -> Console:
    return Console(width=200 if not sys.stdout.isatty() else None, highlight=False)


def _status_text(status: str) -> Text:
    return Text(status, style=style_of(status))


# -- runs -----------------------------------------------------------------------------------------------


def _run_rows(record: RunRecord, attempts: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    """One row per start of the run (the record alone for a store written before attempts were kept)."""
    alive = is_alive(record.pid, record.host)
    base = {
        "run_id": record.run_id,
        "workflow": record.workflow,
        "folder": record.folder,
        "dry_run": bool(record.options.get("dry_run")),
    }
    spans = [(a.attempt, a.kind, a.status, a.started, a.ended, a.error) for a in attempts] or [
        (1, "run", record.status, record.started, record.ended, record.error)
    ]
    rows = []
    for attempt, kind, status, started, ended, error in spans:
        live = status == "STARTED" and alive and attempt == spans[-1][0]
        shown = shown_status(status, live)
        seconds = _seconds(started, ended, now) if (ended is not None or live) else None
        rows.append(
            {
                **base,
                "attempt": attempt,
                "kind": kind,
                "status": shown,
                "started": started.isoformat(),
                "ended": ended.isoformat() if ended else None,
                "seconds": round(seconds, 3) if seconds is not None else None,
                "duration": seconds_text(seconds) if seconds is not None else "",
                "error": error,
            }
        )
    return rows


@click.command(
    "runs",
    epilog=examples(
        "infaflow runs                      # the last 20 runs, each resume on its own line",
        "infaflow runs -w wf_orders --json",
        "infaflow runs -w wf_orders --durations > durations.json",
    ),
)
@state_dir_option()
@click.option("--limit", type=click.IntRange(1, 100000), default=20, show_default=True, help="Runs to list.")
@workflow_option("Only runs of this workflow.")
@json_option("Print the runs as JSON: one object per start of a run (attempt 1, then each resume).")
@click.option(
    "--durations",
    "durations",
    is_flag=True,
    help="Print the recorded task durations of --workflow as JSON {task path: seconds} (mean of its last 5 "
    "successful runs), the format of 'infaflow inspect --durations'.",
)
def runs_command(state_dir: str, limit: int, workflow: str | None, as_json: bool, durations: bool) -> None:
    """List recent runs, newest first: each attempt (failed, then resumed) with its status and duration."""
    store = open_store(state_dir)
    now = dt.datetime.now()
    try:
        if durations:
            if not workflow:
                raise InputError("--durations needs --workflow")
            click.echo(
                json.dumps({"durations": store.recorded_durations(workflow)}, indent=2, sort_keys=True)
            )
            return
        rows = [
            row
            for r in store.runs(limit, workflow)
            for row in _run_rows(r, store.run_attempts(r.run_id), now)
        ]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("run", "attempt", "workflow", "folder", "status", "started", "duration")
    for row in rows:
        attempt = "" if row["attempt"] == 1 and row["kind"] == "run" else f"{row['attempt']} ({row['kind']})"
        table.add_row(
            str(row["run_id"]) + (" (dry)" if row["dry_run"] else ""),
            attempt,
            row["workflow"],
            row["folder"],
            _status_text(row["status"]),
            row["started"][:19].replace("T", " "),
            row["duration"],
        )
    _console().print(table)


# -- show -----------------------------------------------------------------------------------------------


def _snapshot(state_dir: str, run_id: int) -> dict[str, Any]:
    """The run's summary as ``show`` presents it: Monitor statuses, elapsed times, task types."""
    from infaflow.runtime import summary as S

    store = open_store(state_dir)
    try:
        record = store.run(run_id)
        if record is None:
            raise InputError(f"no run {run_id} in {state_dir}", state_dir)
        data = S.build(store, run_id, plan_of(record))
        types = {t.path: t.task_type for t in store.tasks(run_id, with_vars=False)}
    finally:
        store.close()
    now = dt.datetime.now()
    live = record.status == "STARTED" and is_alive(record.pid, record.host)
    data["status"] = shown_status(record.status, live)
    data["seconds"] = _seconds(record.started, record.ended, now) if (record.ended or live) else None
    for path, task in data["tasks"].items():
        task["type"] = types.get(path, "")
        task["status"] = shown_status(task["status"], live)
        started = dt.datetime.fromisoformat(task["started"]) if task["started"] else None
        ended = dt.datetime.fromisoformat(task["ended"]) if task["ended"] else None
        running = task["status"] == RUNNING
        task["seconds"] = (
            round(_seconds(started, ended, now) or 0.0, 3)
            if started is not None and (ended is not None or running)
            else None
        )
    return data


def _view(data: dict[str, Any]) -> RenderableType:
    """The run's header line, task table, session row counts, attempts and saved mapping variables."""
    header = Text(f"run {data['run_id']} · {data['folder']}/{data['workflow']} · ")
    header.append(data["status"], style=style_of(data["status"]))
    header.append(f" · started {data['started'][:19].replace('T', ' ')}")
    if data.get("seconds") is not None:
        verb = "running for" if data["status"] == RUNNING else "took"
        header.append(f" · {verb} {seconds_text(data['seconds'])}")
    if data.get("error"):
        header.append(f" · {data['error']}")
    parts: list[RenderableType] = [header]
    tasks = Table("task", "type", "status", "started", "duration", "attempts", "message")
    for path, task in data["tasks"].items():
        message = task["error"] or task.get("message", "")
        tasks.add_row(
            path,
            task.get("type", ""),
            _status_text(task["status"]),
            task["started"][11:23] if task["started"] else "",
            seconds_text(task["seconds"]) if task.get("seconds") is not None else "",
            str(task["attempts"]),
            Text(message, style=style_of(task["status"]) if task["error"] else ""),
        )
    parts.append(tasks)
    sessions = {path: task["rows"] for path, task in data["tasks"].items() if task.get("rows")}
    if sessions:
        counts = Table(
            "session",
            "source rows",
            "source failed",
            "target rows",
            "target failed",
            "transformation errors",
            title="row counts",
            title_justify="left",
        )
        for path, rows in sessions.items():
            counts.add_row(path, *(str(rows[key]) for key in ROW_COUNTS))
        parts.append(counts)
    if len(data.get("attempts", [])) > 1:
        attempts = Table(
            "attempt", "how", "status", "started", "ended", "error", title="attempts", title_justify="left"
        )
        for a in data["attempts"]:
            attempts.add_row(
                str(a["attempt"]),
                a["kind"],
                _status_text(a["status"]),
                (a["started"] or "")[:19].replace("T", " "),
                (a["ended"] or "")[:19].replace("T", " "),
                a["error"],
            )
        parts.append(attempts)
    if data.get("mapping_variables"):
        saved = Table("session", "mapping variable", "value saved")
        for path, values in data["mapping_variables"].items():
            for name, value in values.items():
                saved.add_row(path, name, "NULL" if value is None else str(value))
        parts.append(saved)
    return Group(*parts)


def _follow(state_dir: str, run_id: int, interval: float, console: Console | None) -> dict[str, Any]:
    """Refresh until the run is no longer RUNNING: a live view on a terminal, one line per task status
    change otherwise, nothing without a console (``--json``). Returns the last snapshot."""
    data = _snapshot(state_dir, run_id)
    if console is not None and console.is_terminal:
        from rich.live import Live

        with Live(_view(data), console=console, refresh_per_second=4, transient=True) as live:
            while data["status"] == RUNNING:
                time.sleep(interval)
                data = _snapshot(state_dir, run_id)
                live.update(_view(data))
        return data
    seen: dict[str, str] = {}
    while True:
        for path, task in data["tasks"].items():
            if console is not None and task["status"] != seen.get(path) and (task["started"] or path in seen):
                stamp = dt.datetime.now().strftime("%H:%M:%S")
                console.print(f"{stamp} {task['status']:<10}{path}", highlight=False)
                seen[path] = task["status"]
        if data["status"] != RUNNING:
            return data
        time.sleep(interval)
        data = _snapshot(state_dir, run_id)


@click.command(
    "show",
    epilog=examples(
        "infaflow show 12",
        "infaflow show 12 --follow          # refresh until the run ends",
        "infaflow show 12 --json | jq '.tasks[] | select(.rows) | .rows'",
    ),
)
@click.argument("run_id", type=int)
@state_dir_option()
@json_option("Print the run as JSON: statuses, times, row counts, messages, attempts, mapping variables.")
@click.option(
    "--follow", is_flag=True, help="Refresh until the run ends (like Workflow Monitor), then print it."
)
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=1.0,
    show_default=True,
    help="Seconds between refreshes with --follow.",
)
def show_command(run_id: int, state_dir: str, as_json: bool, follow: bool, interval: float) -> None:
    """Print a run like Workflow Monitor: task statuses, times, messages, session row counts, attempts."""
    console = _console()
    if follow:
        data = _follow(state_dir, run_id, interval, None if as_json else console)
    else:
        data = _snapshot(state_dir, run_id)
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    console.print(_view(data))


COMMANDS = [runs_command, show_command]
