"""Tasks that never run get their own band at the end of the drawing; names are measured and cut to fit."""

from __future__ import annotations

import re
from itertools import combinations

import networkx as nx
import pytest

from infaflow.report.layout import MAX_NODE_WIDTH, NAME_PADDING, NAME_SIZE, layout, name_width
from infaflow.report.metrics import fit_text, text_width


def overlaps(a, b) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.y + b.height and b.y < a.y + a.height


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]


def workflow_with_orphans() -> tuple[nx.DiGraph, set[str]]:
    """Start -> a chain of 12; orphans: 5 without links, and o1 -> o2 -> s_05 (o1 has no input: never runs)."""
    g = nx.DiGraph()
    g.add_node("o_alone_0")  # first in the export, as in real ones: would sit in the first band
    nx.add_path(g, ["Start", *(f"s_{i:02d}" for i in range(12))])
    g.add_nodes_from(f"o_alone_{i}" for i in range(1, 5))
    g.add_edges_from([("o1", "o2"), ("o2", "s_05")])
    never = {"o1", "o2", *(f"o_alone_{i}" for i in range(5))}
    return g, never


def test_never_running_tasks_sit_in_their_own_bands_after_all_others():
    g, never = workflow_with_orphans()
    lay = layout(g, max_width=700, last=never)
    runs_bottom = max(b.y + b.height for n, b in lay.boxes.items() if n not in never)
    assert lay.last_top is not None and lay.last_top > runs_bottom
    assert all(lay.boxes[n].y >= lay.last_top for n in never)
    assert not any(overlaps(lay.boxes[a], lay.boxes[b]) for a, b in combinations(g.nodes, 2))
    # the five tasks without links spread over a grid, not one tall column
    alone = [lay.boxes[f"o_alone_{i}"] for i in range(5)]
    assert len({b.x for b in alone}) > 1
    # their chain keeps its left-to-right order inside the band
    assert lay.boxes["o1"].right < lay.boxes["o2"].x


def test_a_link_back_from_the_never_runs_band_stays_inside_the_drawing_and_enters_from_the_left():
    g, never = workflow_with_orphans()
    lay = layout(g, max_width=700, last=never)
    route = points(lay.routes[("o2", "s_05")].path)
    assert route[0] == (
        pytest.approx(lay.boxes["o2"].right, abs=0.1),
        pytest.approx(lay.boxes["o2"].mid_y, abs=0.1),
    )
    target = lay.boxes["s_05"]
    assert route[-1] == (pytest.approx(target.x, abs=0.1), pytest.approx(target.mid_y, abs=0.1))
    assert route[-2][0] < target.x and route[-2][1] == pytest.approx(target.mid_y, abs=0.1)
    for x, y in route:
        assert 0 < x < lay.width and 0 < y < lay.height
    # the vertical run up the right margin passes right of every task
    up = max(x for x, _ in route)
    assert up > max(b.right for b in lay.boxes.values())
    # the horizontal run along the gutter above the target's band touches no task
    above = min(y for _, y in route)
    assert not any(b.y <= above <= b.y + b.height for b in lay.boxes.values())


def test_without_never_running_tasks_nothing_changes():
    g, _ = workflow_with_orphans()
    assert layout(g, max_width=700).last_top is None


@pytest.mark.parametrize(
    "name",
    [
        "s_m_load",
        "WWWWWWWWWWWWWWWWWWWW",
        "iiiiiiiiiiiiiiiiiiiiiiiiiiiii",
        "s_stgTrialBalance3_LoadDataToFDM_GeneralLedgerSnapshotFact",
        "s_DÉJÀ_VU_é",
        "s_日本語のセッション",
    ],
)
def test_names_are_measured_so_they_fit_their_box(name):
    g = nx.DiGraph()
    g.add_node(name)
    box = layout(g).boxes[name]
    shown = fit_text(name, box.width - NAME_PADDING, NAME_SIZE, bold=True)
    assert text_width(shown, NAME_SIZE, bold=True) <= box.width - NAME_PADDING
    assert box.width == pytest.approx(min(MAX_NODE_WIDTH, max(120.0, name_width(name))))
    if shown != name:  # only names wider than the widest box are cut, with an ellipsis
        assert name_width(name) > MAX_NODE_WIDTH and shown.endswith("…") and name.startswith(shown[:-1])


def test_wide_letters_are_measured_wider_than_narrow_ones():
    # "W" is 944/1000 em in bold Helvetica, "i" 278: a count of characters would size both boxes alike
    assert text_width("W" * 10, 11, bold=True) > 3 * text_width("i" * 10, 11, bold=True)
    assert text_width("日", 11) >= 11  # full-width characters count a whole em


def test_a_box_sized_to_its_name_shows_the_whole_name():
    # the box is exactly as wide as the name needs: a rounding error must not cut it
    for name in ("s_m_customer_orders", "s_m_order_facts", "cmd_prepare_target_dir", "dec_loads_ok"):
        assert fit_text(name, name_width(name) - NAME_PADDING, NAME_SIZE, bold=True) == name
