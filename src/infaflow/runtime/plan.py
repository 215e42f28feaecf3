"""The instance graph of a workflow, flattened over its worklets, ready for the scheduler.

Each workflow or worklet instance becomes a :class:`ScopePlan` (its task instances, their input and output
links, their parsed link conditions); nested worklets hang below their instance. Everything a user can get
wrong in the export (a link to an unknown task, a condition that does not parse, a worklet that contains
itself) is reported here as an :class:`InputError` before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infaflow.errors import InputError
from infaflow.model import Folder, Session, Task, TaskInstance, Workflow, WorkflowLink
from infaflow.ordering import OrderCycle, topological_order
from infaflow.runtime import conditions


@dataclass
class PlanLink:
    index: int
    source: str
    target: str
    condition: str
    node: Any  # the parsed condition, or None when empty (always true)
    model: WorkflowLink


@dataclass
class Node:
    """One task instance of a scope."""

    name: str
    path: str  # full instance path: "wl_outer/wl_inner/task"
    instance: TaskInstance
    task_type: str
    definition: Task | Session | Workflow | None
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    child: ScopePlan | None = None  # for Worklet instances whose worklet is in the export

    @property
    def and_join(self) -> bool:
        return self.instance.treat_input_link_as_and


@dataclass
class ScopePlan:
    """A workflow, or one worklet instance, ready to schedule."""

    workflow: Workflow
    path: str  # '' for the top-level workflow, else the worklet instance path
    nodes: dict[str, Node]
    links: list[PlanLink]
    starts: list[str]
    order: list[str]  # instance names in export order

    def worklet_names(self) -> tuple[str, ...]:
        return tuple(p for p in self.path.split("/") if p)

    def persistent_key(self) -> str:
        """Where the repository keeps this scope's persistent variables: ``''`` for the workflow; for a
        worklet its definition, so every instance of a worklet in the workflow shares them (Advanced
        Workflow Guide, "Persistent Worklet Variables": Worklet2 starts from Worklet1's final value)."""
        return f"worklet:{self.workflow.name}" if self.path else ""

    def all_nodes(self) -> list[Node]:
        """Every node of this scope and the scopes below it."""
        out: list[Node] = []
        for name in self.order:
            node = self.nodes[name]
            out.append(node)
            if node.child is not None:
                out.extend(node.child.all_nodes())
        return out


def _definition(inst: TaskInstance, wf: Workflow, folder: Folder) -> Task | Session | Workflow | None:
    if inst.task is not None:
        return inst.task
    pools: dict[str, tuple[list[Any], list[Any]]] = {
        "Session": (wf.sessions, folder.sessions),
        "Worklet": (wf.worklets, folder.worklets),
    }
    local, shared = pools.get(inst.task_type, (wf.tasks, folder.tasks))
    wanted = inst.task_name.lower()
    first, second = (shared, local) if inst.reusable else (local, shared)
    for pool in (first, second):
        for item in pool:
            if item.name.lower() == wanted:
                return item
    return None


def build(
    wf: Workflow, folder: Folder, path: str = "", _stack: tuple[str, ...] = (), lenient: bool = False
) -> ScopePlan:
    """The plan of ``wf`` (a workflow, or a worklet when ``path`` names its instance).

    ``lenient`` (dry runs): a workflow without a Start task starts from every task without input links
    instead of being refused.
    """
    file = wf.location.file
    if wf.name in _stack:
        raise InputError(
            f"worklet {wf.name!r} contains itself ({' -> '.join((*_stack, wf.name))})", file, wf.location.line
        )
    nodes: dict[str, Node] = {}
    by_lower: dict[str, str] = {}
    order: list[str] = []
    for inst in wf.instances:
        if inst.name in nodes:
            raise InputError(
                f"task instance {inst.name!r} appears twice in {wf.type.lower()} {wf.name!r}",
                file,
                inst.location.line,
            )
        node_path = f"{path}/{inst.name}" if path else inst.name
        node = Node(inst.name, node_path, inst, inst.task_type, _definition(inst, wf, folder))
        nodes[inst.name] = node
        by_lower[inst.name.lower()] = inst.name
        order.append(inst.name)
    links: list[PlanLink] = []
    for model_link in wf.links:
        source = by_lower.get(model_link.from_task.lower())
        target = by_lower.get(model_link.to_task.lower())
        line = model_link.location.line or wf.location.line
        for end, found in ((model_link.from_task, source), (model_link.to_task, target)):
            if found is None:
                raise InputError(
                    f"link refers to task instance {end!r}, which is not in {wf.type.lower()} {wf.name!r}",
                    file,
                    line,
                )
        assert source is not None and target is not None
        parsed = conditions.parse_condition(model_link.condition, file, line)
        link = PlanLink(len(links), source, target, model_link.condition, parsed, model_link)
        links.append(link)
        nodes[source].outputs.append(link.index)
        nodes[target].inputs.append(link.index)
    starts = [n.name for n in nodes.values() if n.task_type == "Start"]
    if not starts:
        if not lenient:
            raise InputError(f"{wf.type.lower()} {wf.name!r} has no Start task", file, wf.location.line)
        starts = [n.name for n in nodes.values() if not n.inputs]
    for node in nodes.values():
        if node.task_type == "Worklet" and isinstance(node.definition, Workflow):
            node.child = build(node.definition, folder, node.path, (*_stack, wf.name), lenient)
    _check_cycles(wf, nodes, links)
    return ScopePlan(wf, path, nodes, links, starts, order)


def _check_cycles(wf: Workflow, nodes: dict[str, Node], links: list[PlanLink]) -> None:
    try:
        topological_order(nodes, _predecessors(nodes, links))
    except OrderCycle as cycle:
        raise InputError(
            f"{wf.type.lower()} {wf.name!r} has a cycle of links: {cycle.text}",
            wf.location.file,
            wf.location.line,
        ) from None


def _predecessors(nodes: dict[str, Node], links: list[PlanLink]) -> dict[str, list[str]]:
    """Each task instance's upstream instances (one per link into it)."""
    return {name: [links[i].source for i in node.inputs] for name, node in nodes.items()}


def priorities(
    plan: ScopePlan, durations: dict[str, float] | None = None, default: float = 1.0
) -> dict[str, float]:
    """Each task's longest remaining path to the end of its scope (its own duration included), by
    instance path: the scheduler starts the most critical ready task first when workers are scarce.

    Durations are the recorded ones (``RunStore.recorded_durations``) where known, else ``default``; a
    worklet weighs as its own critical path.
    """
    durations = durations or {}
    out: dict[str, float] = {}

    def scope(p: ScopePlan) -> float:
        order = _topological(p)
        longest = 0.0
        for name in reversed(order):
            node = p.nodes[name]
            own = durations.get(node.path, default)
            if node.child is not None:
                own = max(own, scope(node.child))
            after = max((out[p.nodes[p.links[i].target].path] for i in node.outputs), default=0.0)
            out[node.path] = own + after
            longest = max(longest, out[node.path])
        return longest

    scope(plan)
    return out


def _topological(p: ScopePlan) -> list[str]:
    """The scope's task instances in dependency order (the plan has no cycle: ``build`` refuses one)."""
    return topological_order(p.order, _predecessors(p.nodes, p.links))
