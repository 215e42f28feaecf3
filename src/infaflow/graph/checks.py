"""Structural checks of a workflow's links: each finding is a :class:`~infaflow.errors.Problem` with a line.

Errors (PowerCenter would refuse to run the workflow): duplicate task instance names, links naming an
unknown task, no Start task or several, link cycles, a worklet that contains itself.
Warnings: tasks not reachable from the Start task (PowerCenter never runs them), duplicate links, a
Worklet instance whose worklet is absent from the export. Worklets are checked too, once per definition,
with messages naming the worklet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import networkx as nx

from infaflow.errors import Location, Problem
from infaflow.graph.build import WORKLET, build_graph, resolve_worklet
from infaflow.model import Export, Folder, Workflow


def _problem(severity: str, message: str, where: Location) -> Problem:
    return Problem(severity, message, where.file, where.line)


def check_workflow(workflow: Workflow, folder: Folder | None = None) -> list[Problem]:
    """Every structural problem of ``workflow`` and of the worklets it runs (each worklet checked once)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    _check(workflow, folder, problems, seen, stack=())
    return problems


def check_export(export: Export) -> list[Problem]:
    """:func:`check_workflow` over every workflow of every folder (and reusable worklets nobody runs)."""
    problems: list[Problem] = []
    for folder in export.folders:
        seen: set[str] = set()
        for wf in [*folder.workflows, *folder.worklets]:
            if wf.name.lower() in seen:
                continue
            _check(wf, folder, problems, seen, stack=())
    return problems


def _check(
    wf: Workflow, folder: Folder | None, out: list[Problem], seen: set[str], stack: tuple[str, ...]
) -> None:
    seen.add(wf.name.lower())
    what = f"{wf.type.lower()} {wf.name}"
    out.extend(_duplicates(wf, what))
    out.extend(_unknown_links(wf, what))
    out.extend(_starts(wf, what))
    graph = build_graph(wf, folder)
    cyclic = list(_cycles(graph, what))
    out.extend(cyclic)
    if not cyclic:
        out.extend(_unreachable(graph, wf, what))
    stack = (*stack, wf.name.lower())
    for inst in wf.instances:
        if inst.task_type != WORKLET:
            continue
        worklet = resolve_worklet(inst, wf, folder)
        if worklet is None:
            out.append(
                _problem(
                    "warning",
                    f"{what}: worklet {inst.task_name!r} of task {inst.name!r} is not in "
                    "this export; it is drawn as a single task",
                    inst.location,
                )
            )
        elif worklet.name.lower() in stack:
            out.append(
                _problem(
                    "error",
                    f"{what}: worklet {worklet.name!r} runs itself (through task {inst.name!r})",
                    inst.location,
                )
            )
        elif worklet.name.lower() not in seen:
            _check(worklet, folder, out, seen, stack)


def _duplicates(wf: Workflow, what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for inst in wf.instances:
        if inst.name in seen:
            yield _problem("error", f"{what}: duplicate task instance {inst.name!r}", inst.location)
        seen.add(inst.name)


def _unknown_links(wf: Workflow, what: str) -> Iterator[Problem]:
    names = {i.name for i in wf.instances}
    pairs: Counter[tuple[str, str]] = Counter()
    for link in wf.links:
        for end in (link.from_task, link.to_task):
            if end not in names:
                near = next((n for n in names if n.lower() == end.lower()), None)
                hint = f" (did you mean {near!r}?)" if near else ""
                yield _problem(
                    "error",
                    f"{what}: link {link.from_task} -> {link.to_task} names unknown task {end!r}{hint}",
                    link.location,
                )
        pairs[(link.from_task, link.to_task)] += 1
        if pairs[(link.from_task, link.to_task)] == 2:
            yield _problem(
                "warning", f"{what}: duplicate link {link.from_task} -> {link.to_task}", link.location
            )


def _starts(wf: Workflow, what: str) -> Iterator[Problem]:
    starts = wf.start_instances()
    if not starts:
        yield _problem("error", f"{what}: no Start task", wf.location)
    for extra in starts[1:]:
        yield _problem(
            "error", f"{what}: several Start tasks ({', '.join(s.name for s in starts)})", extra.location
        )


def _cycles(graph: nx.DiGraph, what: str) -> Iterator[Problem]:
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        sub = graph.subgraph(component)
        cycle = nx.find_cycle(sub)
        names = [u for u, _ in cycle] + [cycle[0][0]]
        where = min((graph.edges[u, v]["location"] for u, v in cycle), key=lambda loc: loc.line)
        yield _problem("error", f"{what}: link cycle {' -> '.join(names)}", where)


def _unreachable(graph: nx.DiGraph, wf: Workflow, what: str) -> Iterator[Problem]:
    starts = [i.name for i in wf.start_instances() if i.name in graph]
    if not starts:
        return
    reached: set[str] = set(starts)
    for start in starts:
        reached |= nx.descendants(graph, start)
    for node, data in graph.nodes(data=True):
        if node not in reached:
            yield _problem(
                "warning",
                f"{what}: task {node!r} is not reachable from the Start task and never runs",
                data["location"],
            )


def first_error(problems: list[Problem]) -> Problem | None:
    """The first error among ``problems`` (in order of appearance), or ``None``."""
    return next((p for p in problems if p.severity == "error"), None)


__all__ = ["check_export", "check_workflow", "first_error"]
