"""Analysis of a workflow DAG as pure functions: parallel levels, width, depth, critical path, slack,
fan-in/fan-out and decision points.

Everything works on the flattened graph (:func:`infaflow.graph.flatten`), so the tasks inside worklets count
with their own durations and the critical path can run through a worklet (``wl/s_load``).

Definitions:

- *level* of a task: the length of the longest chain of links from a root (a task without input links, the
  Start task) to it; tasks of one level can run in parallel. *depth* = number of levels, *width* = the
  largest number of tasks in one level.
- *earliest start* of a task: the latest earliest finish of its predecessors (PowerCenter starts a task
  the moment its inputs allow); *earliest finish* = earliest start + duration.
- *critical path*: the chain of tasks whose durations add up to the workflow's longest run time (its
  *length*). *Slack* of a task: how many seconds it could be delayed without delaying the workflow.
  Critical tasks have zero slack.
- *decision point*: a Decision task, or any task with a conditional output link (the flow may branch there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from infaflow.errors import InputError, Location
from infaflow.graph.build import build_graph, flatten
from infaflow.graph.durations import DurationTable
from infaflow.model import Folder, Workflow

EPSILON = 1e-9


@dataclass
class TaskTiming:
    """Where one task stands in the schedule."""

    path: str
    type: str
    enabled: bool
    duration: float
    level: int
    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float
    slack: float
    fan_in: int
    fan_out: int
    critical: bool
    location: Location = field(default_factory=Location)
    reachable: bool = True  # False: no path from the Start task leads to it, PowerCenter never runs it


@dataclass
class DecisionPoint:
    """A place where the flow may branch: a Decision task or a task with conditional output links."""

    path: str
    type: str
    decision: str  # the Decision task's condition ("Decision Name"), "" for other tasks
    branches: list[tuple[str, str]]  # (successor, link condition)
    location: Location = field(default_factory=Location)


@dataclass
class WorkflowAnalysis:
    """The analysis of one workflow (see the module documentation for the definitions)."""

    name: str
    tasks: dict[str, TaskTiming]  # in topological order
    levels: list[list[str]]
    critical_path: list[str]
    critical_length: float
    decision_points: list[DecisionPoint]
    links: int
    conditional_links: int

    @property
    def depth(self) -> int:
        return len(self.levels)

    @property
    def width(self) -> int:
        return max((len(level) for level in self.levels), default=0)

    @property
    def max_fan_in(self) -> int:
        return max((t.fan_in for t in self.tasks.values()), default=0)

    @property
    def max_fan_out(self) -> int:
        return max((t.fan_out for t in self.tasks.values()), default=0)


def require_acyclic(graph: nx.DiGraph) -> None:
    """Raise :class:`InputError` naming the first link of a cycle when ``graph`` has one."""
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    where: Location = graph.edges[cycle[0][0], cycle[0][1]].get("location") or Location()
    names = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
    raise InputError(f"{graph.graph.get('name', 'workflow')}: link cycle {names}", where.file, where.line)


def topological_order(graph: nx.DiGraph) -> list[str]:
    """A deterministic topological order (ties broken by the order tasks appear in the export)."""
    require_acyclic(graph)
    rank = {n: i for i, n in enumerate(graph.nodes)}
    return list(nx.lexicographical_topological_sort(graph, key=lambda n: rank[n]))


def levels(graph: nx.DiGraph) -> list[list[str]]:
    """Tasks grouped by level (longest chain of links from a root); each level in export order."""
    level: dict[str, int] = {}
    for node in topological_order(graph):
        level[node] = max((level[p] + 1 for p in graph.predecessors(node)), default=0)
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for node in graph.nodes:
        out[level[node]].append(node)
    return out


def fan(graph: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """(fan-in, fan-out) of every task: its number of input and output links."""
    return {n: (graph.in_degree(n), graph.out_degree(n)) for n in graph.nodes}


def reachable(graph: nx.DiGraph) -> set[str]:
    """Tasks reachable from a Start task (all tasks when the graph has no Start task)."""
    starts = [n for n, t in graph.nodes(data="type") if t == "Start"]
    if not starts:
        return set(graph.nodes)
    return set(starts).union(*(nx.descendants(graph, n) for n in starts))


def node_durations(graph: nx.DiGraph, durations: Mapping[str, float] | None = None) -> dict[str, float]:
    """Seconds of every node of a flattened graph (see :mod:`infaflow.graph.durations` for precedence).
    Tasks not reachable from the Start task never run and weigh 0 s, as disabled ones do."""
    table = DurationTable(durations)
    runs = reachable(graph)
    return {n: table.seconds(n, data) if n in runs else 0.0 for n, data in graph.nodes(data=True)}


def schedule(graph: nx.DiGraph, seconds: Mapping[str, float]) -> dict[str, tuple[float, float, float, float]]:
    """(earliest start, earliest finish, latest start, latest finish) of every node."""
    order = topological_order(graph)
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    for n in order:
        es[n] = max((ef[p] for p in graph.predecessors(n)), default=0.0)
        ef[n] = es[n] + seconds[n]
    total = max(ef.values(), default=0.0)
    ls: dict[str, float] = {}
    lf: dict[str, float] = {}
    for n in reversed(order):
        lf[n] = min((ls[s] for s in graph.successors(n)), default=total)
        ls[n] = lf[n] - seconds[n]
    return {n: (es[n], ef[n], ls[n], lf[n]) for n in order}


def critical_path(
    graph: nx.DiGraph,
    seconds: Mapping[str, float],
    times: Mapping[str, tuple[float, float, float, float]] | None = None,
) -> tuple[list[str], float]:
    """The longest chain by summed durations and its length in seconds (ties: first in export order).
    ``times`` is :func:`schedule`'s result when already computed."""
    times = times if times is not None else schedule(graph, seconds)
    if not times:
        return [], 0.0
    order = list(times)
    total = max(t[1] for t in times.values())
    finishing = [n for n in order if abs(times[n][1] - total) < EPSILON]
    end = next((n for n in finishing if graph.out_degree(n) == 0), finishing[0])
    path = [end]
    rank = {n: i for i, n in enumerate(order)}
    while True:
        node = path[-1]
        preds = [p for p in graph.predecessors(node) if abs(times[p][1] - times[node][0]) < EPSILON]
        if not preds:
            break
        path.append(min(preds, key=rank.__getitem__))
    path.reverse()
    return path, total


def decision_points(graph: nx.DiGraph) -> list[DecisionPoint]:
    """Decision tasks and tasks with at least one conditional output link, in export order."""
    out: list[DecisionPoint] = []
    for node, data in graph.nodes(data=True):
        branches = [(v, graph.edges[node, v].get("condition", "")) for v in graph.successors(node)]
        is_decision = data.get("type") == "Decision"
        if not is_decision and not any(cond for _, cond in branches):
            continue
        inst = data.get("instance")
        decision = ""
        if is_decision and inst is not None:
            decision = inst.effective_attributes().get("Decision Name", "") or ""
        out.append(
            DecisionPoint(
                node, data.get("type", ""), decision.strip(), branches, data.get("location") or Location()
            )
        )
    return out


def reachable_from_start(flat: nx.DiGraph) -> set[str]:
    """The tasks a path from the workflow's Start task leads to (the Start task included). Without a
    top-level Start task every task counts as reachable (nothing to judge by)."""
    starts = [n for n, d in flat.nodes(data=True) if d.get("type") == "Start" and not d.get("parent")]
    if not starts:
        return set(flat.nodes)
    out = set(starts)
    for s in starts:
        out |= nx.descendants(flat, s)
    return out


def analyze_graph(flat: nx.DiGraph, durations: Mapping[str, float] | None = None) -> WorkflowAnalysis:
    """Analyse an already flattened graph. Raises :class:`InputError` on a link cycle."""
    seconds = node_durations(flat, durations)
    times = schedule(flat, seconds)
    lv = levels(flat)
    level_of = {n: i for i, names in enumerate(lv) for n in names}
    path, length = critical_path(flat, seconds, times)
    on_path = set(path)
    reachable = reachable_from_start(flat)
    tasks: dict[str, TaskTiming] = {}
    for n, (es, ef, ls, lf) in times.items():
        data = flat.nodes[n]
        tasks[n] = TaskTiming(
            path=n,
            type=data.get("type", ""),
            enabled=bool(data.get("enabled", True)),
            duration=seconds[n],
            level=level_of[n],
            earliest_start=es,
            earliest_finish=ef,
            latest_start=ls,
            latest_finish=lf,
            slack=max(0.0, ls - es),
            fan_in=flat.in_degree(n),
            fan_out=flat.out_degree(n),
            critical=n in on_path,
            location=data.get("location") or Location(),
            reachable=n in reachable,
        )
    conditional = sum(1 for *_, c in flat.edges(data="condition") if c)
    return WorkflowAnalysis(
        name=str(flat.graph.get("name", "")),
        tasks=tasks,
        levels=lv,
        critical_path=path,
        critical_length=length,
        decision_points=decision_points(flat),
        links=flat.number_of_edges(),
        conditional_links=conditional,
    )


def analyze(
    workflow: Workflow, folder: Folder | None = None, durations: Mapping[str, float] | None = None
) -> WorkflowAnalysis:
    """Build, flatten and analyse ``workflow``. Raises :class:`InputError` on a link cycle."""
    return analyze_graph(flatten(build_graph(workflow, folder)), durations)


__all__ = [
    "DecisionPoint",
    "TaskTiming",
    "WorkflowAnalysis",
    "analyze",
    "analyze_graph",
    "reachable_from_start",
    "critical_path",
    "decision_points",
    "fan",
    "levels",
    "node_durations",
    "reachable",
    "require_acyclic",
    "schedule",
    "topological_order",
]
