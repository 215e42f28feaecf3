"""DOT of long workflows: levels wrapped into bands read top to bottom, tasks that never run in a band of
their own at the end, worklet clusters inside each band they reach; measured with Graphviz when present."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infaflow.errors import Location
from infaflow.model import Folder, TaskInstance, Workflow, WorkflowLink
from infaflow.report.dot import band_positions, render_dot
from infaflow.report.summary import inspect_workflow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolpaths import find_tool  # noqa: E402

DOT = find_tool("dot")
FDM = "thomasluizzi__Informatica_XML_Parser_v2__Informatica_XML_Parser_v2_FinancialDataMart.XML"


def workflow(
    name: str,
    chain: list[tuple[str, str, str]],
    worklets: list[Workflow] = (),
    is_worklet: bool = False,
    orphans: tuple[str, ...] = (),
) -> Workflow:
    """Tasks (instance, task, type) run one after the other; ``orphans`` are sessions without any link."""
    tasks = [*chain, *((o, o, "Session") for o in orphans)]
    instances = [
        TaskInstance(n, t, ty, location=Location("x.xml", i + 10)) for i, (n, t, ty) in enumerate(tasks)
    ]
    links = [
        WorkflowLink(a[0], b[0], "", Location("x.xml", 500 + i))
        for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False))
    ]
    return Workflow(name, is_worklet=is_worklet, instances=instances, links=links, worklets=list(worklets))


def long_workflow() -> Workflow:
    """Start, 10 sessions, a worklet (its Start at level 11, its 6 sessions at levels 12 to 17: across the first
    band's end), 8 more sessions (levels 18 to 25), and 3 sessions nothing links to."""
    inner = workflow(
        "wl_load",
        [("Start", "Start", "Start"), *((f"s_in_{i}", f"s_in_{i}", "Session") for i in range(6))],
        is_worklet=True,
    )
    chain = [
        ("Start", "Start", "Start"),
        *((f"s_a_{i:02d}", f"s_a_{i:02d}", "Session") for i in range(10)),
        ("wl", "wl_load", "Worklet"),
        *((f"s_b_{i:02d}", f"s_b_{i:02d}", "Session") for i in range(8)),
    ]
    return workflow("wf_long", chain, [inner], orphans=("s_orphan_1", "s_orphan_2", "s_orphan_3"))


def test_levels_wrap_into_bands_and_tasks_that_never_run_come_last():
    report = inspect_workflow(Folder("F"), long_workflow())
    bands = band_positions(report.flat, per_band=12)
    assert bands["Start"] == (0, 0) and bands["s_a_09"] == (0, 10)
    assert bands["wl/Start"] == (0, 11) and bands["wl/s_in_0"] == (1, 0)  # the worklet spans two bands
    assert bands["s_b_05"] == (1, 11) and bands["s_b_07"] == (2, 1)
    assert {bands[f"s_orphan_{i}"] for i in (1, 2, 3)} == {(3, 0), (3, 1), (3, 2)}  # a band of their own
    dot = render_dot(report, per_band=12)
    assert 'label="never run: not reachable from the Start task"' in dot
    # the worklet's cluster is drawn in each band it reaches
    assert 'subgraph "cluster_band_0_wl"' in dot and 'subgraph "cluster_band_1_wl"' in dot
    # the link into the next band wraps without stretching the ranks
    assert re.search(r'"wl/Start" -> "wl/s_in_0" \[[^]]*constraint=false', dot)
    assert not re.search(r'"s_a_00" -> "s_a_01" \[[^]]*constraint=false', dot)


def test_short_workflows_are_not_banded():
    report = inspect_workflow(Folder("F"), long_workflow())
    assert band_positions(report.flat, per_band=40) == {}
    assert "cluster_band" not in render_dot(report, per_band=40) and "newrank" not in render_dot(
        report, per_band=40
    )


def rendered(dot: str) -> tuple[float, float, dict[str, float]]:
    """Width and height in points of the layout, and the height of each band's anchor."""
    out = subprocess.run(
        [DOT, "-Tplain"], input=dot, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    head = out.splitlines()[0].split()  # graph scale width height
    anchors = {
        p[1]: float(p[3])
        for line in out.splitlines()
        if (p := line.split())[0] == "node" and re.fullmatch(r"_band_\d+", p[1])
    }
    return float(head[2]) * 72, float(head[3]) * 72, anchors


@pytest.mark.skipif(DOT is None, reason="Graphviz dot is not installed")
def test_bands_render_top_to_bottom_with_graphviz():
    width, height, anchors = rendered(render_dot(inspect_workflow(Folder("F"), long_workflow()), per_band=12))
    assert list(anchors) and sorted(anchors, key=lambda a: -anchors[a]) == [f"_band_{b}" for b in range(4)]
    assert width <= 4 * height


@pytest.mark.corpus
@pytest.mark.skipif(DOT is None, reason="Graphviz dot is not installed")
def test_financial_data_mart_dot_renders_at_a_screen_aspect(corpus_dir: Path) -> None:
    from click.testing import CliRunner

    from infaflow.cli import main

    res = CliRunner().invoke(main, ["inspect", str(corpus_dir / "files" / FDM), "--format", "dot"])
    assert res.exit_code == 0
    width, height, anchors = rendered(res.output)
    print(f"FinancialDataMart DOT: {width * 4 / 3:.0f} x {height * 4 / 3:.0f} px")
    assert width <= 4 * height  # was 23855 x 1021 px in one strip
    assert width * 4 / 3 < 8000
    assert sorted(anchors, key=lambda a: -anchors[a]) == [f"_band_{b}" for b in range(len(anchors))]
