"""infaflow.ordering: dependency order on graphlib, the listed order among ready nodes, the cycle named."""

from __future__ import annotations

import heapq
import random

import pytest

from infaflow.ordering import OrderCycle, topological_order


def kahn_first_listed(names: list[str], edges: dict[str, set[str]]) -> list[str] | None:
    """The hand-written order codegen/plan.py used before (the oracle): Kahn's algorithm, the ready step
    declared first goes first; None on a cycle."""
    index = {n: i for i, n in enumerate(names)}
    pending = {n: set(edges.get(n, ())) for n in names}
    dependents: dict[str, list[str]] = {n: [] for n in names}
    for n, deps in pending.items():
        for d in deps:
            dependents[d].append(n)
    ready = [(index[n], n) for n, deps in pending.items() if not deps]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, n = heapq.heappop(ready)
        out.append(n)
        for m in dependents[n]:
            pending[m].discard(n)
            if not pending[m]:
                heapq.heappush(ready, (index[m], m))
    return out if len(out) == len(names) else None


def random_dag(rng: random.Random) -> tuple[list[str], dict[str, set[str]]]:
    """Nodes listed in a shuffled order; edges only from a lower to a higher hidden rank (no cycle)."""
    size = rng.randint(1, 12)
    ranked = [f"n{i}" for i in range(size)]
    edges = {n: {ranked[j] for j in range(i) if rng.random() < 0.3} for i, n in enumerate(ranked)}
    listed = ranked[:]
    rng.shuffle(listed)
    return listed, edges


@pytest.mark.parametrize("seed", range(200))
def test_the_order_is_the_one_the_plans_had(seed: int) -> None:
    listed, edges = random_dag(random.Random(seed))
    assert topological_order(listed, edges) == kahn_first_listed(listed, edges)


@pytest.mark.parametrize(
    ("listed", "edges", "expected"),
    [
        (["c", "b", "a"], {}, ["c", "b", "a"]),  # nothing to wait for: as listed
        (["c", "b", "a"], {"c": {"a"}}, ["b", "a", "c"]),  # c waits for a; b is ready first
        (["a", "b", "c", "d"], {"b": {"d"}, "c": {"a"}}, ["a", "c", "d", "b"]),  # c, ready after a, before d
        (["a", "b"], {"b": {"a", "elsewhere"}}, ["a", "b"]),  # a predecessor that is not listed is ignored
    ],
)
def test_among_ready_nodes_the_first_listed_goes_first(
    listed: list[str], edges: dict[str, set[str]], expected: list[str]
) -> None:
    assert topological_order(listed, edges) == expected


def test_a_cycle_is_named_in_order() -> None:
    edges = {"load": {"extract"}, "extract": {"check"}, "check": {"load"}, "report": {"load"}}
    with pytest.raises(OrderCycle) as err:
        topological_order(["extract", "check", "load", "report"], edges, describe=str.upper)
    cycle = err.value.cycle
    assert cycle[0] == cycle[-1] and sorted(cycle[:-1]) == ["check", "extract", "load"]
    # each node of the message is followed by one that depends on it or one it depends on, in one direction
    pairs = list(zip(cycle, cycle[1:], strict=False))
    assert all(b in edges[a] for a, b in pairs) or all(a in edges[b] for a, b in pairs)
    assert err.value.text == " -> ".join(n.upper() for n in cycle)
    assert str(err.value) == f"cycle {err.value.text}"


def test_a_node_that_waits_for_itself_is_a_cycle() -> None:
    with pytest.raises(OrderCycle) as err:
        topological_order(["a", "b"], {"b": {"b"}})
    assert err.value.cycle == ["b", "b"]
    assert err.value.text == "b -> b"
