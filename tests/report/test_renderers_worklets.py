"""DOT, Mermaid and SVG of a workflow with nested worklets (built from the model)."""

from __future__ import annotations

from infaflow.errors import Location
from infaflow.model import Export, Folder, TaskInstance, Workflow, WorkflowLink
from infaflow.report.dot import render_dot
from infaflow.report.html import render_html
from infaflow.report.mermaid import render_mermaid
from infaflow.report.summary import ExportReport, inspect_workflow


def wf(name: str, chain: list[tuple[str, str, str]], worklets: list[Workflow] = (), is_worklet: bool = False):
    """A workflow whose tasks (name, task name, type) run one after the other."""
    instances = [
        TaskInstance(n, t, ty, location=Location("x.xml", i + 10)) for i, (n, t, ty) in enumerate(chain)
    ]
    pairs = zip(chain, chain[1:], strict=False)
    links = [WorkflowLink(a[0], b[0], "", Location("x.xml", 50 + i)) for i, (a, b) in enumerate(pairs)]
    return Workflow(name, is_worklet=is_worklet, instances=instances, links=links, worklets=list(worklets))


def nested() -> Workflow:
    inner = wf("wl_inner", [("Start", "Start", "Start"), ("s_deep", "s_deep", "Session")], is_worklet=True)
    outer = wf(
        "wl_outer", [("Start", "Start", "Start"), ("wl_i", "wl_inner", "Worklet")], [inner], is_worklet=True
    )
    return wf(
        "wf_top",
        [("Start", "Start", "Start"), ("wl_o", "wl_outer", "Worklet"), ("s_end", "s_end", "Session")],
        [outer],
    )


def test_dot_nests_worklet_clusters():
    report = inspect_workflow(Folder("F"), nested())
    dot = render_dot(report)
    outer = dot.index('subgraph "cluster_wl_o" {')
    inner = dot.index('subgraph "cluster_wl_o/wl_i" {')
    deep = dot.index('"wl_o/wl_i/s_deep" [')
    assert outer < inner < deep
    assert '"wl_o/wl_i/s_deep" -> "s_end"' in dot
    assert 'color="#ef6c00", penwidth=3' in dot.split('"wl_o/wl_i/s_deep" [')[1].split("\n")[0]


def test_mermaid_nests_worklet_subgraphs():
    mer = render_mermaid(inspect_workflow(Folder("F"), nested())).splitlines()
    outer = mer.index('  subgraph wl_wl_o["worklet wl_o"]')
    inner = mer.index('    subgraph wl_wl_o_wl_i["worklet wl_o/wl_i"]')
    assert outer < inner < mer.index('      t_wl_o_wl_i_s_deep["s_deep<br/>Session"]')
    assert "  t_wl_o_wl_i_s_deep --> t_s_end" in mer


def test_html_draws_every_worklet_level():
    report = inspect_workflow(Folder("F"), nested())
    html = render_html([ExportReport(Export("x.xml"), workflows=[report])])
    assert html.count('class="dag"') == 3  # the workflow, wl_o, wl_o/wl_i
    assert "Worklet <code>wl_o/wl_i</code> <small>runs wl_inner</small>" in html
