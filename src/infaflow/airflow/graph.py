"""The shape of a workflow's Airflow DAG, computed from the runtime's plan (no Airflow needed).

One Airflow task per task instance, with the instance's name as task id; a worklet instance is a task
group of its own name holding its tasks and one closing task named like the instance (the worklet's
status); the workflow ends with one closing task named like the workflow (the run's status: the only leaf,
so the DAG run's state follows it). A PowerCenter link becomes an edge from the task that ends its source
(the closing task of a worklet) to the tasks that begin its target (a worklet's Start tasks). Every task
uses the trigger rule ``all_done``: whether it runs is decided by the runtime's readiness rules.

A user-defined Event Wait also waits for the Event Raise tasks of its scope that raise its event, so the
event is known when it runs (an edge, unless that would make a cycle).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

from infaflow.runtime.plan import Node, ScopePlan
from infaflow.runtime.tasks.simple import attribute_event_name

TASK = "task"  # runs one task instance
CLOSE = "close"  # closes a worklet instance or the workflow

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def safe_id(name: str) -> str:
    """An Airflow task or group id for a PowerCenter name (characters Airflow refuses become ``_``)."""
    return _UNSAFE.sub("_", name) or "_"


@dataclass
class DagTask:
    """One Airflow task of the DAG."""

    task_id: str  # full id ("wl_outer.wl_inner.s_load")
    local_id: str  # id inside its group
    group: tuple[str, ...]  # group ids from the outside in
    kind: str  # TASK or CLOSE
    path: str  # the instance path ("wl_outer/wl_inner/s_load"; a CLOSE task: its scope's path)
    task_type: str  # PowerCenter task type ("Workflow" / "Worklet" for CLOSE tasks)
    upstream: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)  # other tasks whose state it reads (Control tasks)


@dataclass
class DagShape:
    workflow: str
    tasks: list[DagTask]

    def by_id(self) -> dict[str, DagTask]:
        return {t.task_id: t for t in self.tasks}


class _Builder:
    def __init__(self) -> None:
        self.tasks: list[DagTask] = []
        self.entry: dict[str, list[str]] = {}  # instance path -> ids of the tasks that begin it
        self.exit: dict[str, str] = {}  # instance path -> id of the task that ends it

    def scope(self, plan: ScopePlan, group: tuple[str, ...], close_name: str, close_type: str) -> DagTask:
        prefix = "".join(f"{g}." for g in group)
        used: set[str] = set()
        for name in plan.order:
            node = plan.nodes[name]
            local = safe_id(name)
            used.add(local)
            if node.child is not None:
                inner = self.scope(node.child, (*group, local), name, "Worklet")
                self.entry[node.path] = [self._id(node.child, s, (*group, local)) for s in node.child.starts]
                self.exit[node.path] = inner.task_id
            else:
                task = DagTask(prefix + local, local, group, TASK, node.path, node.task_type)
                self.tasks.append(task)
                self.entry[node.path] = [task.task_id]
                self.exit[node.path] = task.task_id
        close_local = safe_id(close_name)
        while close_local in used:
            close_local += "_end"
        close = DagTask(prefix + close_local, close_local, group, CLOSE, plan.path, close_type)
        for link in plan.links:
            for target in self.entry[plan.nodes[link.target].path]:
                self._edge(self.exit[plan.nodes[link.source].path], target)
        for node in plan.nodes.values():
            if not node.outputs:
                close.upstream.append(self.exit[node.path])
        self._event_edges(plan)
        self.tasks.append(close)
        return close

    @staticmethod
    def _id(plan: ScopePlan, name: str, group: tuple[str, ...]) -> str:
        return "".join(f"{g}." for g in group) + safe_id(name)

    def _task(self, task_id: str) -> DagTask:
        return next(t for t in self.tasks if t.task_id == task_id)

    def _edge(self, source: str, target: str) -> None:
        task = self._task(target)
        if source not in task.upstream:
            task.upstream.append(source)

    def _event_edges(self, plan: ScopePlan) -> None:
        raises: dict[str, list[Node]] = {}
        for node in plan.nodes.values():
            if node.task_type == "Event Raise":
                name = attribute_event_name(node.instance.effective_attributes()).lower()
                raises.setdefault(name, []).append(node)
        for node in plan.nodes.values():
            if node.task_type != "Event Wait":
                continue
            name = attribute_event_name(node.instance.effective_attributes()).lower()
            for raiser in raises.get(name, []) if name else []:
                source, target = self.exit[raiser.path], self.entry[node.path][0]
                task = self._task(target)
                if source in task.upstream:
                    continue
                task.upstream.append(source)
                if not self._acyclic():
                    task.upstream.remove(source)

    def _acyclic(self) -> bool:
        try:
            TopologicalSorter({t.task_id: t.upstream for t in self.tasks}).prepare()
        except CycleError:
            return False
        return True


def shape(plan: ScopePlan, workflow_name: str) -> DagShape:
    """The DAG of the workflow whose plan is ``plan``."""
    builder = _Builder()
    builder.scope(plan, (), workflow_name, "Workflow")
    controls = [t.task_id for t in builder.tasks if t.task_type == "Control"]
    for task in builder.tasks:
        task.reads = [c for c in controls if c != task.task_id and c not in task.upstream]
    return DagShape(workflow_name, builder.tasks)
