"""Properties of the schedule on random DAGs, checked against an independent longest-path computation."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from infaflow.errors import Location
from infaflow.graph import analyze_graph


@st.composite
def dags(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    edges = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30))
    seconds = draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n))
    g = nx.DiGraph(name="wf")
    for i in range(n):
        g.add_node(f"t{i}", type="Session", enabled=True, location=Location("x", i + 1), instance=None)
    for a, b in edges:
        if a < b:
            g.add_edge(f"t{a}", f"t{b}", condition="", location=Location("x", 100))
    return g, {f"t{i}": float(s) for i, s in enumerate(seconds)}


@settings(max_examples=80, deadline=None)
@given(dags())
def test_critical_path_is_the_longest_chain_and_slack_is_consistent(case):
    g, seconds = case
    result = analyze_graph(g, seconds)
    # independent longest path: split each task into in/out nodes joined by an edge weighing its duration
    split = nx.DiGraph()
    for n in g.nodes:
        split.add_edge(("in", n), ("out", n), w=seconds[n])
    for u, v in g.edges:
        split.add_edge(("out", u), ("in", v), w=0.0)
    assert result.critical_length == nx.dag_longest_path_length(split, weight="w")
    path = result.critical_path
    assert sum(seconds[n] for n in path) == result.critical_length
    assert all(g.has_edge(a, b) for a, b in zip(path, path[1:], strict=False))
    assert g.in_degree(path[0]) == 0
    for name, t in result.tasks.items():
        assert t.slack >= 0
        assert t.earliest_finish + t.slack <= result.critical_length + 1e-9
        for succ in g.successors(name):
            assert result.tasks[succ].earliest_start >= t.earliest_finish
            assert result.tasks[succ].level > t.level
    assert all(result.tasks[n].slack == 0 for n in path)
    assert sum(len(level) for level in result.levels) == g.number_of_nodes()
