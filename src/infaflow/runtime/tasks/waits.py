"""Timer and Event Wait tasks: they wait (for a time, a file or an event) on their own thread."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

from infaflow.model import Timer
from infaflow.runtime import values as V
from infaflow.runtime.status import FAILED
from infaflow.runtime.tasks.base import TaskContext, TaskResult
from infaflow.runtime.tasks.simple import event_name


def _offset(timer: Timer) -> dt.timedelta:
    def part(key: str) -> int:
        raw = (timer.recurring.get(key) or timer.recurring.get(key.lower()) or "0").strip()
        return int(raw or 0)

    return dt.timedelta(days=part("DAYS"), hours=part("HOURS"), minutes=part("MINUTES"))


def _absolute(timer: Timer) -> dt.datetime:
    date = (timer.start_options.get("STARTDATE") or "").strip()
    time = (timer.start_options.get("STARTTIME") or "00:00").strip()
    return V.parse_datetime(f"{date} {time}")


def deadline(
    timer: Timer,
    *,
    task_started: dt.datetime,
    parent_started: dt.datetime,
    top_started: dt.datetime,
    variable_value: V.Value = None,
) -> dt.datetime:
    """When a Timer task succeeds. Raises ``ValueError`` when it cannot be known (bad date, NULL
    variable, a variable that is not a date/time)."""
    kind = timer.timer_type.strip().upper()
    if kind == "START_AT_ABSOLUTE_TIME":
        return _absolute(timer)
    if kind == "START_AT_ABSOLUTE_VARIABLE":
        if variable_value is None:
            raise ValueError("the timer's variable is NULL")
        if isinstance(variable_value, str):
            variable_value = V.parse_datetime(variable_value)
        if not isinstance(variable_value, dt.datetime):
            raise ValueError(f"the timer's variable is not a date/time: {variable_value!r}")
        return variable_value.replace(microsecond=0)  # sub-seconds are ignored
    base = {
        "START_RELATIVE_TO_PREVIOUSTASK": task_started,
        "START_RELATIVE_TO_PARENT_WORKFLOW": parent_started,
        "START_RELATIVE_TO_TOPLEVEL_WORKFLOW": top_started,
    }.get(kind)
    if base is None:
        raise ValueError(f"unknown timer type {timer.timer_type!r}")
    return base + _offset(timer)


def run_timer(ctx: TaskContext) -> TaskResult:
    """Timer: wait until the deadline (succeeds at once when it has passed)."""
    when = timer_deadline(ctx)
    if isinstance(when, TaskResult):
        return when
    ctx.log.write(f"timer: waiting until {when.isoformat(sep=' ')}")
    if ctx.dry_run:
        return TaskResult.ok()
    while True:
        remaining = (when - dt.datetime.now()).total_seconds()
        if remaining <= 0:
            return TaskResult.ok()
        if ctx.cancel.wait(min(remaining, 60.0)):
            return TaskResult(ctx.stopped_status, error="timer stopped", error_code=1)


def timer_deadline(ctx: TaskContext) -> dt.datetime | TaskResult:
    """When a Timer task's wait ends, or the failure that ends it at once."""
    timer: Timer | None = getattr(ctx.definition, "timer", None)
    if timer is None:
        return TaskResult(FAILED, error="Timer task has no TIMER settings", error_code=1)
    value: V.Value = None
    if timer.timer_type.strip().upper() == "START_AT_ABSOLUTE_VARIABLE":
        name = (ctx.attributes.get("Variable", "") or "").strip()
        found, value = ctx.lookup(name) if name else (False, None)
        if not found:
            return TaskResult(FAILED, error=f"timer variable {name!r} is not defined", error_code=1)
    try:
        when = deadline(
            timer,
            task_started=ctx.task_started,
            parent_started=ctx.scope_started,
            top_started=ctx.workflow_started,
            variable_value=value,
        )
    except ValueError as exc:
        return TaskResult(FAILED, error=f"timer: {exc}", error_code=1)
    return when


def file_watch(ctx: TaskContext) -> Path | None:
    """The file an Event Wait task watches (``None``: it waits for a user-defined event, or names nothing)."""
    if ctx.attributes.flag("User Defined Event", False) or bool(event_name(ctx)):
        return None
    raw = (ctx.attributes.get("Filewatch Name", "") or "").strip()
    return _watch_path(ctx, raw) if raw else None


def _watch_path(ctx: TaskContext, raw: str) -> Path:
    text = ctx.expand(raw).replace("\\", "/")
    path = Path(text)
    if not path.is_absolute():
        path = Path(ctx.services.working_dir or os.getcwd()) / path
    return path


def run_event_wait(ctx: TaskContext) -> TaskResult:
    """Event Wait: a file watch (optionally deleting the file; FAILED when it cannot), or a
    user-defined event raised by an Event Raise task of the same scope."""
    user_defined = ctx.attributes.flag("User Defined Event", False) or bool(event_name(ctx))
    if user_defined:
        name = event_name(ctx)
        if not name:
            return TaskResult(FAILED, error="Event Wait task names no user-defined event", error_code=1)
        if ctx.dry_run:
            return TaskResult.ok()
        past = ctx.attributes.flag("Enable Past Events", False)
        ctx.log.write(f"waiting for event {name}" + (" (past events count)" if past else ""))
        board = ctx.services.events
        if board.wait(
            ctx.services.scope_key(ctx.path), name, ctx.task_started if not past else None, ctx.cancel
        ):
            ctx.log.write(f"event {name} raised")
            return TaskResult.ok()
        return TaskResult(ctx.stopped_status, error=f"stopped while waiting for event {name}", error_code=1)
    raw = (ctx.attributes.get("Filewatch Name", "") or "").strip()
    if not raw:
        return TaskResult(
            FAILED, error="Event Wait task has neither a file to watch nor a user-defined event", error_code=1
        )
    path = _watch_path(ctx, raw)
    ctx.log.write(f"waiting for file {path}")
    if ctx.dry_run:
        return TaskResult.ok()
    poll = ctx.services.options.poll_interval
    while not path.exists():
        if ctx.cancel.wait(poll):
            return TaskResult(ctx.stopped_status, error=f"stopped while waiting for {path}", error_code=1)
    ctx.log.write(f"file {path} found")
    if ctx.attributes.flag("Delete Filewatch File", False):
        try:
            path.unlink()
        except OSError as exc:
            return TaskResult(
                FAILED, error=f"cannot delete the watched file {path}: {exc.strerror or exc}", error_code=1
            )
        ctx.log.write(f"deleted {path}")
    return TaskResult.ok()


class EventBoard:
    """User-defined events raised in a run, by scope path and event name (case-insensitive)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._raised: dict[tuple[str, str], dt.datetime] = {}

    def raise_event(self, scope: str, name: str, when: dt.datetime) -> None:
        with self._cond:
            self._raised[(scope, name.lower())] = when
            self._cond.notify_all()

    def all_raised(self) -> dict[tuple[str, str], dt.datetime]:
        """Every event raised so far: (scope path, lower-case name) -> when."""
        with self._cond:
            return dict(self._raised)

    def raised(self, scope: str, name: str) -> dt.datetime | None:
        with self._cond:
            return self._raised.get((scope, name.lower()))

    def wait(self, scope: str, name: str, since: dt.datetime | None, cancel: threading.Event) -> bool:
        """Wait until ``name`` is raised in ``scope`` (at or after ``since`` unless None); False when
        ``cancel`` is set first."""
        key = (scope, name.lower())
        with self._cond:
            while True:
                when = self._raised.get(key)
                if when is not None and (since is None or when >= since):
                    return True
                if cancel.is_set():
                    return False
                self._cond.wait(0.2)
