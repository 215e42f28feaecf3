"""``infaflow report``: one self-contained HTML file (inline CSS and SVG, no script, no network) with every
workflow and mapping ranked by complexity and, per workflow, its DAG drawn left to right beside its
analysis."""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

import networkx as nx

from infaflow.graph import DEFAULT_SECONDS, WorkflowAnalysis
from infaflow.graph.complexity import (
    BANDS,
    DEFAULT_TRANSFORMATION_WEIGHT,
    TASK_WEIGHTS,
    TRANSFORMATION_WEIGHTS,
)
from infaflow.report.gantt import MONITOR_WORDS, render_gantt
from infaflow.report.summary import (
    MAPPING_ABSENT,
    ExportReport,
    WorkflowReport,
    seconds_text,
    session_without_mapping,
    short_path,
)
from infaflow.report.svg import legend_svg, render_svg

if TYPE_CHECKING:
    from infaflow.report.runview import RunView

CSS = """
body{font:14px/1.45 Helvetica,Arial,sans-serif;margin:0;color:#1d2228;background:#f6f7f9}
header{background:#1f3b57;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cfe0f1;font-size:13px}
main{padding:12px 24px 40px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d5dbe3;padding-bottom:4px}
h2 small,h3 small{font-weight:normal;color:#5b6573;font-size:13px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff;font-size:13px}
th,td{border:1px solid #dde2e8;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.band-low{color:#2e7d32}.band-medium{color:#b28900}.band-high{color:#c25e00}.band-very-high{color:#b71c1c;font-weight:bold}
.row{display:flex;gap:16px;align-items:flex-start}
.drawing{flex:1 1 auto;min-width:0;background:#fff;border:1px solid #d5dbe3;border-radius:6px}
svg.dag,svg.legend,svg.gantt{display:block;max-width:100%;height:auto}
aside{flex:0 0 360px;min-width:0;background:#fff;border:1px solid #d5dbe3;border-radius:6px;padding:10px 12px;
font-size:13px;overflow-wrap:break-word}
@media (max-width:1000px){.row{flex-direction:column;align-items:stretch}aside{flex:none}}
aside.run{flex-basis:440px}aside table{width:100%}aside h4{margin:12px 0 4px;font-size:13px}
ol.path{margin:4px 0;padding-left:22px}ol.path li{margin:1px 0}ol.path li.only{font-style:italic}
.paths{display:flex;gap:12px}.paths>div{flex:1 1 0;min-width:0}
.problem{color:#b71c1c}.warning{color:#8a5a00}
.legend-box{background:#fff;border:1px solid #d5dbe3;border-radius:6px;padding:6px;max-width:100%;
box-sizing:border-box;width:fit-content}
details{margin:8px 0}summary{cursor:pointer;font-weight:bold}
code{font-size:12px;background:#f0f2f5;padding:0 3px;border-radius:3px}
.muted{color:#6b7480}
td[class^=band]{white-space:nowrap}
td.file{word-break:break-all;max-width:340px;font-size:12px;color:#4a5561}
main table{max-width:100%}td{overflow-wrap:anywhere}td.n{white-space:nowrap}
.wide table{font-size:12px}
"""


def _band_class(band: str) -> str:
    return "band-" + band.replace(" ", "-")


def _local(path: str, prefix: str) -> str | None:
    """The node at drawing level ``prefix`` that a flattened path belongs to."""
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :].split("/", 1)[0]


def _critical(analysis: WorkflowAnalysis | None, prefix: str) -> tuple[set[str], set[tuple[str, str]]]:
    if analysis is None:
        return set(), set()
    nodes = {n for p in analysis.critical_path if (n := _local(p, prefix)) is not None}
    edges = set()
    for a, b in zip(analysis.critical_path, analysis.critical_path[1:], strict=False):
        la, lb = _local(a, prefix), _local(b, prefix)
        if la is not None and lb is not None and la != lb:
            edges.add((la, lb))
    return nodes, edges


def _tooltips(graph: nx.DiGraph, analysis: WorkflowAnalysis | None, prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for n, d in graph.nodes(data=True):
        lines = [f"{n} ({d.get('type', '')}, line {d['location'].line})"]
        inst = d.get("instance")
        if inst is not None and inst.task_name != n:
            lines.append(f"task {inst.task_name}")
        if not d.get("enabled", True):
            lines.append("disabled: skipped, the flow passes through")
        if analysis is not None:
            inner = [
                t for p, t in analysis.tasks.items() if p == prefix + n or p.startswith(prefix + n + "/")
            ]
            if inner:
                start = min(t.earliest_start for t in inner)
                finish = max(t.earliest_finish for t in inner)
                slack = min(t.slack for t in inner)
                lines.append(
                    f"duration {seconds_text(finish - start)}, starts at {seconds_text(start)}, "
                    f"slack {seconds_text(slack)}"
                )
        if d.get("type") == "Decision" and inst is not None:
            decision = inst.effective_attributes().get("Decision Name", "")
            if decision:
                lines.append(f"decision: {decision}")
        out[n] = "\n".join(lines)
    return out


def _analysis_panel(w: WorkflowReport) -> str:
    a, c = w.analysis, w.complexity
    rows = [
        ("complexity score", f'<span class="{_band_class(c.band)}">{c.score} ({c.band})</span>'),
        ("orchestration / mappings", f"{c.orchestration_score} / {c.mapping_score}"),
        ("tasks", ", ".join(f"{escape(k)} {n}" for k, n in c.tasks_by_type.items())),
        ("links (conditional)", f"{c.links} ({c.conditional_links})"),
    ]
    if a is not None:
        rows += [
            ("critical path length", f"<b>{seconds_text(a.critical_length)}</b>"),
            ("depth / width", f"{a.depth} levels / {a.width} in parallel at most"),
            ("max fan-in / fan-out", f"{a.max_fan_in} / {a.max_fan_out}"),
        ]
    html = ["<table>", *(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows), "</table>"]
    if a is not None:
        html.append(f"<h4>Critical path ({len(a.critical_path)} tasks)</h4><ol class=path>")
        for p in a.critical_path:
            t = a.tasks[p]
            html.append(
                f"<li>{escape(p)} <span class=muted>{escape(t.type)}, {seconds_text(t.duration)}</span></li>"
            )
        html.append("</ol>")
        if a.decision_points:
            html.append("<h4>Decision points</h4><ul>")
            for d in a.decision_points:
                branches = "; ".join(
                    f"→ {escape(s)}: <code>{escape(cond or 'always')}</code>" for s, cond in d.branches
                )
                decision = f" <code>{escape(d.decision)}</code>" if d.decision else ""
                html.append(f"<li><b>{escape(d.path)}</b> ({escape(d.type)}){decision}<br>{branches}</li>")
            html.append("</ul>")
        # tasks that never run have the whole run as slack, which says nothing: they are listed under Problems
        slack = sorted((t for t in a.tasks.values() if t.slack > 0 and t.reachable), key=lambda t: -t.slack)[
            :8
        ]
        if slack:
            html.append("<h4>Most slack</h4><table>")
            html += [
                f"<tr><td>{escape(t.path)}</td><td class=n>{seconds_text(t.slack)}</td></tr>" for t in slack
            ]
            html.append("</table>")
    if c.mappings:
        html.append(f"<h4>Mappings run ({len(c.mappings)})</h4><p>{escape(', '.join(c.mappings))}</p>")
    if w.problems:
        html.append("<h4>Problems</h4><ul>")
        html += [
            f'<li class="{"problem" if p.severity == "error" else "warning"}">'
            f"line {p.line}: {escape(p.message)}"
            "</li>"
            for p in w.problems
        ]
        html.append("</ul>")
    return "".join(html)


def _task_table(w: WorkflowReport) -> str:
    a = w.analysis
    if a is None:
        return ""
    rows = []
    for t in a.tasks.values():
        mark = "★" if t.critical else ""
        absent = (
            f" <b>({MAPPING_ABSENT})</b>"
            if session_without_mapping(w.flat.nodes[t.path].get("instance"))
            else ""
        )
        rows.append(
            f"<tr><td class=n>{t.level}</td>"
            f"<td>{escape(t.path)}{'' if t.enabled else ' (disabled)'}{absent}</td>"
            f"<td>{escape(t.type)}</td><td class=n>{seconds_text(t.duration)}</td>"
            f"<td class=n>{seconds_text(t.earliest_start)}</td><td class=n>{seconds_text(t.slack)}</td>"
            f"<td class=n>{t.fan_in}</td><td class=n>{t.fan_out}</td><td>{mark}</td>"
            f"<td class=n>{t.location.line}</td></tr>"
        )
    links = [
        f"<tr><td>{escape(u)}</td><td>{escape(v)}</td>"
        f"<td><code>{escape(d.get('condition') or '')}</code></td>"
        f"<td class=n>{d['location'].line}</td></tr>"
        for u, v, d in w.flat.edges(data=True)
    ]
    return (
        f"<details><summary>Tasks ({len(rows)})</summary><table><tr><th>level</th><th>task</th><th>type</th>"
        "<th>duration</th><th>start</th><th>slack</th><th>in</th><th>out</th><th>critical</th><th>line</th></tr>"
        + "".join(rows)
        + "</table></details>"
        f"<details><summary>Links ({len(links)})</summary>"
        "<table><tr><th>from</th><th>to</th><th>condition</th>"
        "<th>line</th></tr>" + "".join(links) + "</table></details>"
    )


def _drawings(graph: nx.DiGraph, w: WorkflowReport, ident: str, prefix: str = "") -> list[str]:
    """The SVG of ``graph`` and, below it, one per worklet it runs (nested worklets too)."""
    nodes, edges = _critical(w.analysis, prefix)
    out = [
        render_svg(
            graph,
            ident=ident,
            critical_nodes=nodes,
            critical_edges=edges,
            tooltips=_tooltips(graph, w.analysis, prefix),
        )
    ]
    for k, (n, d) in enumerate(graph.nodes(data=True)):
        inner = d.get("subgraph")
        if inner is None or inner.number_of_nodes() == 0:
            continue
        path = prefix + n
        out.append(
            f"<h3>Worklet <code>{escape(path)}</code> <small>runs {escape(d['worklet'].name)}</small></h3>"
        )
        out += _drawings(inner, w, f"{ident}-{k}", path + "/")
    return out


def _workflow_section(w: WorkflowReport, ident: str) -> str:
    wf = w.workflow
    if w.analysis is None:
        drawing = (
            "<p class=problem>The links of this workflow are broken (see Problems); it is not drawn.</p>"
        )
        drawings = [drawing]
    else:
        drawings = _drawings(w.graph, w, ident)
    title = (
        f'<h2 id="{ident}">Workflow {escape(wf.name)} <small>folder {escape(w.folder.name)} · '
        f"{escape(w.folder.name and short_path(w.workflow.location.file))}"
        f" line {wf.location.line}</small></h2>"
    )
    return (
        title
        + f"<div class=row><div class=drawing>{drawings[0]}</div><aside>{_analysis_panel(w)}</aside></div>"
        + "".join(
            f"<div>{d}</div>" if d.startswith("<h3") else f"<div class=drawing>{d}</div>"
            for d in drawings[1:]
        )
        + _task_table(w)
    )


def _ranking(reports: list[ExportReport], anchors: dict[int, str]) -> str:
    rows: list[tuple[int, str]] = []
    for r in reports:
        for w in r.workflows:
            file = escape(short_path(w.workflow.location.file or r.export.path))
            c = w.complexity
            a = w.analysis
            detail = f"{c.tasks} tasks, {c.links} links, {len(c.mappings)} mappings" + (
                f", critical path {seconds_text(a.critical_length)}" if a else ""
            )
            name = f'<a href="#{anchors[id(w)]}">{escape(w.workflow.name)}</a>'
            rows.append(
                (
                    c.score,
                    f"<td>workflow</td><td>{escape(w.folder.name)}</td><td>{name}</td>"
                    f"<td class=file>{file}</td>"
                    f'<td class=n>{c.score}</td><td class="{_band_class(c.band)}">{c.band}</td>'
                    f"<td>{escape(detail)}</td>",
                )
            )
        for m in r.mappings:
            c2 = m.complexity
            file = escape(short_path(m.mapping.location.file or r.export.path))
            detail = (
                f"{c2.transformations} transformations, {c2.expressions} expressions, {c2.lookups} lookups, "
                f"{c2.joins} joins, {c2.ports} ports"
            )
            rows.append(
                (
                    c2.score,
                    f"<td>{'mapplet' if c2.is_mapplet else 'mapping'}</td><td>{escape(m.folder.name)}"
                    f'</td><td><a href="#{anchors[id(m)]}">{escape(c2.name)}</a></td>'
                    f"<td class=file>{file}</td>"
                    f'<td class=n>{c2.score}</td><td class="{_band_class(c2.band)}">{c2.band}</td>'
                    f"<td>{escape(detail)}</td>",
                )
            )
    rows.sort(key=lambda r: -r[0])
    body = "".join(f"<tr><td class=n>{i}</td>{row}</tr>" for i, (_, row) in enumerate(rows, start=1))
    return (
        "<table><tr><th>#</th><th>kind</th><th>folder</th><th>name</th><th>file</th><th>score</th><th>band</th>"
        f"<th>figures</th></tr>{body}</table>"
    )


def _mapping_table(r: ExportReport, anchors: dict[int, str]) -> str:
    types = sorted({t for m in r.mappings for t in m.complexity.transformations_by_type})
    head = "".join(f"<th>{escape(t)}</th>" for t in types)
    rows = []
    for m in sorted(r.mappings, key=lambda m: -m.complexity.score):
        c = m.complexity
        cells = "".join(f"<td class=n>{c.transformations_by_type.get(t, '') or ''}</td>" for t in types)
        rows.append(
            f'<tr id="{anchors[id(m)]}"><td>{escape(c.name)}</td><td class=n>{c.score}</td>'
            f"<td class=n>{c.sources}</td><td class=n>{c.targets}</td><td class=n>{c.expressions}</td>"
            f"<td class=n>{c.lookups}</td><td class=n>{c.joins}</td><td class=n>{c.ports}</td>{cells}</tr>"
        )
    return (
        "<table><tr><th>mapping</th><th>score</th><th>sources</th><th>targets</th><th>expressions</th>"
        f"<th>lookups</th><th>joins</th><th>ports</th>{head}</tr>{''.join(rows)}</table>"
    )


def _by_weight(table: dict[str, int] | dict[str, float], unit: str = "") -> str:
    groups: dict[float, list[str]] = {}
    for name, weight in table.items():
        groups.setdefault(weight, []).append(name)
    return "; ".join(
        f"{', '.join(names)} {seconds_text(w) if unit == 's' else int(w)}"
        for w, names in sorted(groups.items())
    )


def scores_note() -> str:
    """How scores and durations are computed, generated from the tables the code uses."""
    bands = ", ".join(f"below {limit} {name}" for limit, name in BANDS)
    return (
        "<details><summary>How scores and durations are computed</summary>"
        "<p><b>Mapping score</b> = the sum over its transformations of a weight per type ("
        f"{escape(_by_weight(TRANSFORMATION_WEIGHTS))}; other types {DEFAULT_TRANSFORMATION_WEIGHT}) + 1 per "
        "expression + 1 per two function calls + 2 per unconnected lookup call "
        "+ 2 per SQL override + 1 per ten "
        "ports + 1 per source and target + the score of each distinct mapplet used.</p>"
        f"<p><b>Workflow score</b> = orchestration (per task: {escape(_by_weight(TASK_WEIGHTS))}; + 2 per "
        "conditional link; worklets' contents included) "
        "+ the scores of the distinct mappings its sessions run. "
        f"Bands: {bands}, else very high.</p>"
        "<p><b>Durations</b> weigh the critical path: "
        "the durations file (<code>--durations</code>) by instance "
        "path, instance name or task name, else a default per type ("
        f"{escape(_by_weight(DEFAULT_SECONDS, 's'))}). "
        "Disabled tasks and tasks not reachable from Start weigh 0. "
        "<b>Slack</b> is how long a task can be delayed without delaying the workflow."
        "</p></details>"
    )


def _path_list(paths: list[str], seconds: Mapping[str, float | None], other: set[str]) -> str:
    items = []
    for p in paths:
        took = seconds.get(p)
        shared = "" if p in other else ' class="only"'
        items.append(
            f"<li{shared}>{escape(p)} <span class=muted>{seconds_text(took) if took is not None else '-'}"
            "</span></li>"
        )
    return "<ol class=path>" + "".join(items) + "</ol>"


def _run_panel(view: RunView, w: WorkflowReport) -> str:
    counts = Counter(MONITOR_WORDS.get(s.status, s.status) for s in view.spans)
    ended = view.ended.strftime("%Y-%m-%d %H:%M:%S") if view.ended else "(still running or cut off)"
    rows = [
        ("status", f"<b>{escape(MONITOR_WORDS.get(view.status, view.status))}</b>"),
        ("started", view.started.strftime("%Y-%m-%d %H:%M:%S")),
        ("ended", escape(ended)),
        ("took", seconds_text(view.length)),
        ("tasks", escape(", ".join(f"{k} {n}" for k, n in sorted(counts.items())))),
    ]
    html = ["<table>", *(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows), "</table>"]
    planned_seconds = {p: t.duration for p, t in w.analysis.tasks.items()} if w.analysis else {}
    actual_seconds = {s.path: s.duration for s in view.spans}
    planned = (
        f"{len(view.planned_path)} tasks, {seconds_text(view.planned_length)} predicted"
        if w.analysis
        else "none: the workflow's links are broken (see its Problems)"
    )
    html.append(
        "<div class=paths><div><h4>Planned critical path</h4>"
        f"<p class=muted>{escape(planned)}</p>"
        + _path_list(view.planned_path, planned_seconds, set(view.actual_path))
        + "</div><div><h4>Actual critical path</h4>"
        f"<p class=muted>{len(view.actual_path)} tasks, ended at {seconds_text(view.actual_length)}</p>"
        + _path_list(view.actual_path, actual_seconds, set(view.planned_path))
        + "</div></div>"
        "<p class=muted>Actual: the task that ended last, then back through the input link each task "
        "waited for. Tasks on one path only are in italics.</p>"
    )
    return "".join(html)


def _run_section(view: RunView, w: WorkflowReport, anchor: str) -> str:
    return (
        f'<h2 id="run-{view.run_id}">Run {view.run_id} of <a href="#{anchor}">{escape(view.workflow)}</a> '
        f"<small>folder {escape(view.folder)} · bars from each task's start to its end, coloured by status; "
        "orange outline: actual critical path; ◇ planned critical path</small></h2>"
        f"<div class=row><div class=drawing>{render_gantt(view)}</div>"
        f"<aside class=run>{_run_panel(view, w)}</aside></div>"
    )


def _failures(failures: list[str]) -> str:
    if not failures:
        return ""
    items = "".join(f"<li>{escape(f)}</li>" for f in failures)
    return (
        f"<h2 class=problem>Input problems ({len(failures)})</h2>"
        "<p>These files or workflows could not be read "
        f"or analysed; everything else is below.</p><ul class=problem>{items}</ul>"
    )


def render_html(
    reports: list[ExportReport],
    title: str = "infaflow report",
    failures: list[str] | None = None,
    run: tuple[RunView, WorkflowReport] | None = None,
) -> str:
    """The whole report for one or more exports; ``failures`` are input problems (``file:line: message``) of
    files or workflows that could not be read or analysed; ``run``: a recorded run of one of the workflows
    (its Gantt chart comes first)."""
    anchors: dict[int, str] = {}
    for i, r in enumerate(reports):
        for j, w in enumerate(r.workflows):
            anchors[id(w)] = f"wf-{i}-{j}"
        for j, m in enumerate(r.mappings):
            anchors[id(m)] = f"m-{i}-{j}"
    n_wf = sum(len(r.workflows) for r in reports)
    n_map = sum(len(r.mappings) for r in reports)
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    names = [escape(short_path(f)) for r in reports for f in r.export.paths]
    files = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:2])} and {len(names) - 2} more"
    out = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{len(names)} export file(s): {files} · {n_wf} workflow(s), "
        f"{n_map} mapping(s) · generated {now} by infaflow</p></header><main>",
        _failures(failures or []),
        _run_section(run[0], run[1], anchors[id(run[1])]) if run is not None else "",
        f'<div class="legend-box">{legend_svg()}</div>',
        "<h2>Ranked by complexity</h2>",
        _ranking(reports, anchors),
        scores_note(),
    ]
    for r in reports:
        for w in r.workflows:
            out.append(_workflow_section(w, anchors[id(w)]))
        if r.mappings:
            out.append(f"<h2>Mappings <small>{escape(short_path(r.export.path))}</small></h2>")
            out.append(f"<div class=wide>{_mapping_table(r, anchors)}</div>")
        load_problems = r.load_problems
        if load_problems:
            out.append(
                f"<details><summary>Load problems of {escape(short_path(r.export.path))} "
                f"({len(load_problems)})</summary><ul>"
            )
            out += [
                f'<li class="{"problem" if p.severity == "error" else "warning"}">'
                f"{escape(short_path(p.file))}:{p.line}: {escape(p.message)}</li>"
                for p in load_problems
            ]
            out.append("</ul></details>")
    out.append("</main></body></html>")
    return "".join(out)


__all__ = ["render_html"]
