"""A recorded run beside its workflow's plan: when each task ran, and which chain of tasks actually decided
the run's end (its *actual* critical path) next to the path the analysis predicted (the *planned* one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from infaflow.report.summary import WorkflowReport
from infaflow.runtime.store import RunRecord, TaskRecord

#: Recorded times are taken a moment apart: a predecessor may be logged as ending this long after its
#: successor started.
CLOCK_SLACK = 0.005


@dataclass(frozen=True)
class TaskSpan:
    """One recorded task: seconds from the run's start (``None`` when it never started or never ended)."""

    path: str
    type: str
    status: str
    start: float | None
    end: float | None
    attempts: int
    error: str
    #: (start, end, status) of each attempt when there were several (retries, or a rerun by ``resume``)
    tries: tuple[tuple[float, float | None, str], ...] = ()

    @property
    def duration(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


@dataclass(frozen=True)
class RunView:
    """What the report shows of one run."""

    run_id: int
    workflow: str
    folder: str
    status: str
    started: dt.datetime
    ended: dt.datetime | None
    spans: list[TaskSpan]
    length: float  # seconds from the run's start to its last recorded time
    actual_path: list[str]
    planned_path: list[str]
    planned_length: float

    @property
    def actual_length(self) -> float:
        ends = [s.end for s in self.spans if s.path in set(self.actual_path) and s.end is not None]
        return max(ends, default=0.0)


def _seconds(when: dt.datetime | None, origin: dt.datetime) -> float | None:
    return None if when is None else (when - origin).total_seconds()


Attempt = tuple[int, str, str, "str | None", str]  # as RunStore.attempts gives them


def spans_of(
    run: RunRecord,
    tasks: list[TaskRecord],
    now: dt.datetime,
    attempts: Mapping[str, list[Attempt]] | None = None,
) -> list[TaskSpan]:
    """The tasks of ``run`` in the order they started (those that never started last, by path). A task
    still running (the run is live, or was cut off) ends at ``now`` or at the run's end. ``attempts``: the
    recorded attempts of tasks that had several (by path)."""
    cut = run.ended or now
    out = []
    for t in tasks:
        end = t.ended if t.ended is not None else (cut if t.started is not None else None)
        tries = tuple(
            (
                _seconds(dt.datetime.fromisoformat(started), run.started) or 0.0,
                _seconds(dt.datetime.fromisoformat(ended) if ended else cut, run.started),
                status,
            )
            for _, status, started, ended, _ in (attempts or {}).get(t.path, [])
        )
        out.append(
            TaskSpan(
                t.path,
                t.task_type,
                t.status,
                _seconds(t.started, run.started),
                _seconds(end, run.started),
                t.attempts,
                t.error,
                tries if len(tries) > 1 else (),
            )
        )
    return sorted(out, key=lambda s: (s.start is None, s.start or 0.0, s.path))


def actual_critical_path(flat: nx.DiGraph, spans: list[TaskSpan]) -> list[str]:
    """The chain of tasks that determined when the run ended: from the task that ended last, back through
    the predecessor (a link into it) whose end came last before it started, to a task without one.

    Under PowerCenter's rules a task starts once its input links allow (all of them, or the first for OR
    input): that predecessor is the one it waited for. Worklet tasks are followed inside the worklet, as in
    the flattened graph.
    """
    ran = {s.path: s for s in spans if s.start is not None and s.end is not None and s.path in flat}
    if not ran:
        return []
    last = max(ran.values(), key=lambda s: (s.end, s.start))
    path = [last.path]
    current = last
    while True:
        before = [
            ran[p]
            for p in flat.predecessors(current.path)
            if p in ran and ran[p].end <= current.start + CLOCK_SLACK and p not in path  # type: ignore[operator]
        ]
        if not before:
            break
        current = max(before, key=lambda s: (s.end, s.start))
        path.append(current.path)
    return path[::-1]


def run_view(
    run: RunRecord,
    tasks: list[TaskRecord],
    workflow: WorkflowReport,
    now: dt.datetime | None = None,
    attempts: Mapping[str, list[Attempt]] | None = None,
) -> RunView:
    """The view of ``run`` (recorded ``tasks``, and ``attempts`` of those that had several) of ``workflow``
    (analysed: the planned path)."""
    spans = spans_of(run, tasks, now or dt.datetime.now(), attempts)
    times = [t for s in spans for t in (s.start, s.end) if t is not None]
    length = max([*times, _seconds(run.ended, run.started) or 0.0])
    analysis = workflow.analysis
    return RunView(
        run.run_id,
        run.workflow,
        run.folder,
        run.status,
        run.started,
        run.ended,
        spans,
        length,
        actual_critical_path(workflow.flat, spans),
        list(analysis.critical_path) if analysis else [],
        analysis.critical_length if analysis else 0.0,
    )


__all__ = ["RunView", "TaskSpan", "actual_critical_path", "run_view", "spans_of"]
