"""Build the workflow DAG: a networkx ``DiGraph`` with one node per task instance and one edge per link.

Node attributes (keyed by the task instance NAME, which links use):

``instance``  the :class:`~infaflow.model.TaskInstance`
``type``      the canonical task type (``Session``, ``Decision``, ``Worklet``...)
``enabled``   ``ISENABLED`` of the instance
``location``  where the TASKINSTANCE is written
``worklet``   for a Worklet instance, the resolved worklet definition (or ``None``)
``subgraph``  for a Worklet instance, the worklet's own graph (built the same way), else ``None``

Edge attributes: ``condition`` (``""`` = always), ``location`` of the WORKFLOWLINK, ``link`` (the model
object).
Graph attributes: ``name``, ``workflow`` (the model object), ``location``.

The graph is built leniently: a duplicate instance keeps its first definition, a link naming an unknown task
is left out. :func:`infaflow.graph.checks.check_workflow` reports both with their line numbers.
"""

from __future__ import annotations

import networkx as nx

from infaflow.model import Folder, TaskInstance, Workflow

WORKLET = "Worklet"


def resolve_worklet(
    instance: TaskInstance, parent: Workflow, folder: Folder | None = None
) -> Workflow | None:
    """The worklet a Worklet task instance runs: the loader's resolved reference, else a non-reusable
    WORKLET of the same parent with NAME = TASKNAME, else a reusable one of ``folder``."""
    if isinstance(instance.task, Workflow):
        return instance.task
    wanted = instance.task_name.lower()
    candidates = list(parent.worklets)
    if folder is not None:
        candidates += folder.worklets
    return next((w for w in candidates if w.name.lower() == wanted), None)


def build_graph(workflow: Workflow, folder: Folder | None = None) -> nx.DiGraph:
    """The DAG of ``workflow`` (or worklet); Worklet nodes carry their inner graph in ``subgraph``."""
    return _build(workflow, folder, stack=())


def _build(workflow: Workflow, folder: Folder | None, stack: tuple[str, ...]) -> nx.DiGraph:
    graph = nx.DiGraph(name=workflow.name, workflow=workflow, location=workflow.location)
    stack = (*stack, workflow.name.lower())
    for inst in workflow.instances:
        if inst.name in graph:
            continue  # duplicate instance name: reported by the checks
        worklet = resolve_worklet(inst, workflow, folder) if inst.task_type == WORKLET else None
        subgraph = None
        if worklet is not None and worklet.name.lower() not in stack:
            subgraph = _build(worklet, folder, stack)
        graph.add_node(
            inst.name,
            instance=inst,
            type=inst.task_type,
            enabled=inst.is_enabled,
            location=inst.location,
            worklet=worklet,
            subgraph=subgraph,
        )
    for link in workflow.links:
        if link.from_task not in graph or link.to_task not in graph:
            continue  # link to an unknown task: reported by the checks
        if graph.has_edge(link.from_task, link.to_task):
            continue  # duplicate link: reported by the checks
        graph.add_edge(
            link.from_task, link.to_task, condition=link.condition.strip(), location=link.location, link=link
        )
    return graph


def _entries(graph: nx.DiGraph, node: str, prefix: str) -> list[str]:
    """Flattened names where flow enters ``node``: a worklet's inner roots, else the node itself."""
    inner = graph.nodes[node].get("subgraph")
    path = f"{prefix}{node}"
    if inner is None or inner.number_of_nodes() == 0:
        return [path]
    roots = [n for n in inner.nodes if inner.in_degree(n) == 0] or list(inner.nodes)[:1]
    return [e for r in roots for e in _entries(inner, r, f"{path}/")]


def _exits(graph: nx.DiGraph, node: str, prefix: str) -> list[str]:
    """Flattened names where flow leaves ``node``: a worklet's inner sinks, else the node itself."""
    inner = graph.nodes[node].get("subgraph")
    path = f"{prefix}{node}"
    if inner is None or inner.number_of_nodes() == 0:
        return [path]
    sinks = [n for n in inner.nodes if inner.out_degree(n) == 0] or list(inner.nodes)[-1:]
    return [e for s in sinks for e in _exits(inner, s, f"{path}/")]


def flatten(graph: nx.DiGraph) -> nx.DiGraph:
    """A view for analysis where every worklet is replaced by its tasks, named by instance path
    (``wl_instance/task_instance``, nested as ``wl/inner_wl/task``).

    Links into a worklet reach its root tasks (its Start), links out of it leave from its last tasks.
    Each node keeps the original attributes plus ``path`` and ``parent`` (the worklet path, ``""`` at top
    level); each edge keeps ``condition`` and ``location``. A worklet whose definition is absent from the
    export stays a single node.
    """
    flat = nx.DiGraph(
        name=graph.graph.get("name", ""),
        workflow=graph.graph.get("workflow"),
        location=graph.graph.get("location"),
    )
    _flatten_into(flat, graph, prefix="")
    return flat


def _flatten_into(flat: nx.DiGraph, graph: nx.DiGraph, prefix: str) -> None:
    for node, data in graph.nodes(data=True):
        inner = data.get("subgraph")
        path = f"{prefix}{node}"
        if inner is not None and inner.number_of_nodes() > 0:
            _flatten_into(flat, inner, f"{path}/")
        else:
            flat.add_node(path, **data, path=path, parent=prefix.rstrip("/"))
    for u, v, data in graph.edges(data=True):
        for a in _exits(graph, u, prefix):
            for b in _entries(graph, v, prefix):
                flat.add_edge(a, b, **data)


__all__ = ["build_graph", "flatten", "resolve_worklet"]
