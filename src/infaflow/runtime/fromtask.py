"""Which tasks run when a workflow starts or restarts from one task (Workflow Monitor's "Start Workflow
from Task" and "Restart Workflow from Task").

The named task and every task that follows it through links run; in a worklet, so does the worklet
instance and what follows it in its parent, up to the top-level workflow. Inside a worklet that follows
the task, every task runs. Pure functions over the run plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from infaflow.errors import InputError
from infaflow.runtime.plan import Node, ScopePlan


@dataclass(frozen=True)
class Entry:
    """Where one scope starts: its entry task and the tasks that run (the entry and what follows it)."""

    name: str
    included: frozenset[str]


def find_node(plan: ScopePlan, task: str) -> Node:
    """The node of ``task``: an instance path (``wl_load/s_orders``) or a name unique in the workflow
    (case-insensitive); an :class:`InputError` naming the candidates otherwise."""
    wanted = task.strip().strip("/").lower()
    nodes = plan.all_nodes()
    by_path = [n for n in nodes if n.path.lower() == wanted]
    if by_path:
        return by_path[0]
    by_name = [n for n in nodes if n.name.lower() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        paths = ", ".join(sorted(n.path for n in by_name))
        raise InputError(f"task {task!r} is in several worklets ({paths}): give its path")
    known = ", ".join(sorted(n.path for n in nodes)[:15])
    raise InputError(
        f"no task {task!r} in workflow {plan.workflow.name}; tasks: {known}"
        + (" ..." if len(nodes) > 15 else "")
    )


def _downstream(scope: ScopePlan, name: str) -> set[str]:
    """``name`` and every task of ``scope`` reachable from it through links."""
    seen = {name}
    work = [name]
    while work:
        node = scope.nodes[work.pop()]
        for index in node.outputs:
            target = scope.links[index].target
            if target not in seen:
                seen.add(target)
                work.append(target)
    return seen


def _chain(plan: ScopePlan, node: Node) -> list[tuple[ScopePlan, str]]:
    """(scope, name of the task or worklet instance of the path in it), from the top-level workflow down."""
    parts = node.path.split("/")
    out: list[tuple[ScopePlan, str]] = []
    scope: ScopePlan | None = plan
    for part in parts:
        assert scope is not None
        out.append((scope, part))
        scope = scope.nodes[part].child
    return out


def entries(plan: ScopePlan, task: str) -> dict[str, Entry]:
    """Scope path -> :class:`Entry` of the scopes on the way to ``task`` (for ``run --from``)."""
    node = find_node(plan, task)
    return {
        scope.path: Entry(name, frozenset(_downstream(scope, name))) for scope, name in _chain(plan, node)
    }


def rerun_paths(plan: ScopePlan, task: str) -> set[str]:
    """Instance paths of every task that runs again when the run restarts from ``task`` (for ``resume
    --restart``): the task, what follows it, the worklets holding it and what follows them, and every
    task inside a worklet that follows it."""
    node = find_node(plan, task)
    out: set[str] = set()
    for scope, name in _chain(plan, node):
        for member in _downstream(scope, name):
            inner = scope.nodes[member]
            out.add(inner.path)
            if inner.child is not None and member != name:
                out.update(n.path for n in inner.child.all_nodes())
    if node.child is not None:  # restarting a worklet instance reruns all of it
        out.update(n.path for n in node.child.all_nodes())
    return out
