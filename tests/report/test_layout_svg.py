"""The layered layout (no overlaps, left to right, few crossings, wrapping) and the SVG/HTML output."""

from __future__ import annotations

import re
from itertools import combinations

import networkx as nx
import pytest

from infaflow.report.layout import layout
from infaflow.report.styles import link_label


def chain(n: int) -> nx.DiGraph:
    g = nx.DiGraph()
    nx.add_path(g, [f"s_task_{i:03d}" for i in range(n)])
    return g


def overlaps(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.y + b.height and b.y < a.y + a.height


def test_boxes_never_overlap_and_links_go_left_to_right():
    g = nx.gnp_random_graph(40, 0.08, seed=7, directed=True)
    dag = nx.DiGraph((f"t{u}", f"t{v}") for u, v in g.edges if u < v)
    dag.add_nodes_from(f"t{i}" for i in range(40))
    lay = layout(dag, max_width=100_000)
    assert lay.bands == 1
    assert not any(overlaps(lay.boxes[a], lay.boxes[b]) for a, b in combinations(dag.nodes, 2))
    for u, v in dag.edges:
        assert lay.boxes[u].right < lay.boxes[v].x


def test_long_chains_wrap_into_bands_read_top_to_bottom():
    lay = layout(chain(30), max_width=900)
    assert lay.bands > 3
    assert lay.width < 1100
    boxes = [lay.boxes[f"s_task_{i:03d}"] for i in range(30)]
    rows = sorted({b.y for b in boxes})
    assert len(rows) == lay.bands  # one row per band
    assert [b.y for b in boxes] == sorted(b.y for b in boxes)  # bands go down in order
    for a, b in zip(boxes, boxes[1:], strict=False):  # inside a band, left to right
        assert b.x > a.x or b.y > a.y


def crossings(g: nx.DiGraph, lay) -> int:
    segments = [(lay.boxes[u].mid_y, lay.boxes[v].mid_y, lay.boxes[u].x) for u, v in g.edges]
    return sum(
        1
        for (a1, b1, x1), (a2, b2, x2) in combinations(segments, 2)
        if x1 == x2 and (a1 - a2) * (b1 - b2) < 0
    )


def test_barycentre_ordering_removes_avoidable_crossings():
    # two roots, each with its own two children, listed crosswise
    g = nx.DiGraph()
    g.add_nodes_from(["r1", "r2", "c2a", "c1a", "c2b", "c1b"])
    g.add_edges_from([("r1", "c1a"), ("r1", "c1b"), ("r2", "c2a"), ("r2", "c2b")])
    assert crossings(g, layout(g)) == 0


def test_layout_is_deterministic():
    g = nx.gnp_random_graph(30, 0.1, seed=3, directed=True)
    dag = nx.DiGraph((f"t{u}", f"t{v}") for u, v in g.edges if u < v)
    first, second = layout(dag), layout(dag)
    assert first.boxes == second.boxes and first.routes == second.routes


@pytest.mark.parametrize(
    ("condition", "source", "label"),
    [
        ("$s_load.Status = SUCCEEDED", "s_load", ("succeeded", "success")),
        ("$S_LOAD.status=failed", "s_load", ("failed", "failure")),
        # a Decision's branches are plain conditional links, whichever value the designer made the normal path
        ("$dec.Condition = TRUE", "wl/dec", ("true", "decision")),
        ("$d.condition = False", "d", ("false", "decision")),
        ("$d.Condition=0", "d", ("false", "decision")),
        ("$d.Condition = 1", "d", ("true", "decision")),
        ("$d.Condition", "d", ("true", "decision")),
        ("NOT $d.Condition", "d", ("false", "decision")),
        ("$d.Condition <> TRUE", "d", ("false", "decision")),
        ("$d.Condition != FALSE", "d", ("true", "decision")),
        ("FALSE = $d.Condition", "d", ("false", "decision")),
        ("( $d.Condition = FALSE )", "d", ("false", "decision")),
        ("NOT ($d.Condition = FALSE)", "d", ("true", "decision")),
        (
            "$e.Condition = TRUE",
            "d",
            ("$e.Condition = TRUE", "decision"),
        ),  # another Decision's result, written out
        ("NOT $wl_e.Condition", "s_x", ("NOT $wl_e.Condition", "decision")),
        ("$e.Status = FAILED", "d", ("$e.Status = FAILED", "other")),
        ("$d.Condition = TRUE AND $$RUN", "d", ("$d.Condition = TRUE AND $$RUN", "other")),
        ("($d.Condition) OR ($$X)", "d", ("($d.Condition) OR ($$X)", "other")),
        ("$other.Status = SUCCEEDED", "s_load", ("$other.Status = SUCCEEDED", "other")),
        ("", "s_load", ("", "always")),
        (
            "WORKFLOWSTARTTIME < TO_DATE('8/30/2010','MM/DD/YYYY')",
            "s",
            ("WORKFLOWSTARTTIME < TO_DATE('…", "other"),
        ),
    ],
)
def test_link_labels(condition, source, label):
    assert link_label(condition, source) == label


def test_html_report_is_self_contained_and_ranked(orders_xml, tmp_path):
    from click.testing import CliRunner

    from infaflow.cli import main

    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(orders_xml), str(orders_xml), "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) == {"http://www.w3.org/2000/svg"}
    assert html.count('class="dag"') == 1  # the same file named twice is read once
    ranking = html[
        html.index("Ranked by complexity") : html.index("</table>", html.index("Ranked by complexity"))
    ]
    scores = [int(s) for s in re.findall(r"<td class=n>(\d+)</td><td class=\"band", ranking)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 1 + 3
    assert "wf_orders_daily" in ranking and "m_order_facts" in ranking
    svg = html[html.index('class="dag"') : html.index("</svg>", html.index('class="dag"'))]
    assert svg.count('class="task critical"') == 7  # the critical path's tasks
    assert ">true</text>" in svg and ">false</text>" in svg and ">$$LOADED_ORDERS &gt; 0</text>" in svg
    # both branches of the Decision are plain conditional links, drawn alike; a FAILED link is the error path
    branches = re.findall(
        r'<path d="[^"]+" fill="none" stroke="([^"]+)" stroke-width="[\d.]+"([^>]*)>'
        r"<title>dec_loads_ok → \w+: \$dec_loads_ok\.Condition = (TRUE|FALSE)</title>",
        svg,
    )
    assert {value for *_, value in branches} == {"TRUE", "FALSE"}
    assert all("dasharray" not in rest for _, rest, _ in branches)
    assert all(colour in ("#8d6e00", "#ef6c00") for colour, _, _ in branches)  # decision colour, or critical
    failed = re.search(r'stroke-dasharray="5,3"[^>]*><title>s_m_customer_orders → eml_load_problem', svg)
    assert failed is not None


def test_crossing_count_matches_brute_force():
    import random

    from infaflow.report.layout import _crossings

    rng = random.Random(1)
    for _ in range(100):
        layers = [[f"{i}_{k}" for k in range(rng.randint(1, 6))] for i in range(4)]
        up = {n: [] for layer in layers for n in layer}
        for i in range(1, 4):
            for n in layers[i]:
                up[n] = rng.sample(layers[i - 1], rng.randint(0, len(layers[i - 1])))
        brute = 0
        for i in range(1, 4):
            pos = {n: k for k, n in enumerate(layers[i - 1])}
            edges = [(k, pos[p]) for k, n in enumerate(layers[i]) for p in up[n]]
            brute += sum(1 for (a1, b1), (a2, b2) in combinations(edges, 2) if (a1 - a2) * (b1 - b2) < 0)
        assert _crossings(layers, up) == brute
