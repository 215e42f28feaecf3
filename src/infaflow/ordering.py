"""Dependency order on :class:`graphlib.TopologicalSorter`: the one ordering primitive of the project.

``graphlib`` hands out the nodes whose predecessors are done (``get_ready``) and takes them back
(``done``); this helper adds a deterministic choice among the ready ones, so the same graph always gives the
same order: the ready node that comes first in the order the caller lists the nodes (the mapping's
declaration order, the workflow's task order) goes first. A cycle raises :class:`OrderCycle`, which names
the nodes of one cycle in order, as ``graphlib.CycleError`` finds it.
"""

from __future__ import annotations

import graphlib
import heapq
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

Node = TypeVar("Node", bound=Hashable)

__all__ = ["OrderCycle", "topological_order"]


class OrderCycle(graphlib.CycleError):
    """The nodes cannot be ordered: ``cycle`` lists one cycle's nodes, the first repeated at the end."""

    def __init__(self, cycle: list[Any], describe: Callable[[Any], str] = str) -> None:
        self.cycle = cycle
        self.text = " -> ".join(describe(n) for n in cycle)
        super().__init__(f"cycle {self.text}", cycle)

    def __str__(self) -> str:
        return str(self.args[0])


def topological_order(
    nodes: Iterable[Node], predecessors: Mapping[Node, Iterable[Node]], describe: Callable[[Node], str] = str
) -> list[Node]:
    """``nodes`` so that each comes after all of its ``predecessors``; among the nodes ready at the same
    time, the one listed first in ``nodes`` goes first. A predecessor that is not one of ``nodes`` is
    ignored. Raises :class:`OrderCycle` (``describe`` names a node in its message) when there is a cycle."""
    listed = list(dict.fromkeys(nodes))
    position = {node: i for i, node in enumerate(listed)}
    sorter: graphlib.TopologicalSorter[Node] = graphlib.TopologicalSorter()
    for node in listed:
        sorter.add(node, *(p for p in predecessors.get(node, ()) if p in position))
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:  # args[1]: the nodes of one cycle, the first repeated at the end
        raise OrderCycle(list(exc.args[1]), describe) from None
    ready: list[tuple[int, Node]] = []
    out: list[Node] = []
    while sorter.is_active():
        for node in sorter.get_ready():
            heapq.heappush(ready, (position[node], node))
        _, node = heapq.heappop(ready)
        out.append(node)
        sorter.done(node)
    return out
