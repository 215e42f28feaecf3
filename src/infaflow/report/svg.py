"""Inline SVG drawings of a workflow DAG (from :mod:`infaflow.report.layout`) and of the legend."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import networkx as nx

from infaflow.graph.analysis import reachable
from infaflow.report.layout import NAME_PADDING, NAME_SIZE, Box, Layout, layout
from infaflow.report.metrics import fit_text, text_width
from infaflow.report.styles import (
    CRITICAL,
    DECISION_LINK,
    FAILURE_LINK,
    SUCCESS_LINK,
    TASK_STYLES,
    link_label,
    style,
)

LINK_COLOURS = {
    "always": "#8a8f98",
    "success": SUCCESS_LINK,
    "failure": FAILURE_LINK,
    "decision": DECISION_LINK,
    "other": "#37474f",
    "critical": CRITICAL,
}
FONT = "font-family:Helvetica,Arial,sans-serif"
TAG_SIZE = 8.5
TAG_SPACING = 0.5


def _shape(kind: str, b: Box, fill: str, stroke: str, width: float, dash: str) -> str:
    x, y, w, h, m = b.x, b.y, b.width, b.height, b.mid_y
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}'
    if kind == "pill":
        return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{h / 2:.1f}" {common}/>'
    if kind == "diamond":
        pts = [(x, m), (x + 14, y), (x + w - 14, y), (x + w, m), (x + w - 14, y + h), (x + 14, y + h)]
    elif kind == "hexagon":
        c = 8
        pts = [
            (x + c, y),
            (x + w - c, y),
            (x + w, y + c),
            (x + w, y + h - c),
            (x + w - c, y + h),
            (x + c, y + h),
            (x, y + h - c),
            (x, y + c),
        ]
    elif kind == "parallelogram":
        pts = [(x + 10, y), (x + w, y), (x + w - 10, y + h), (x, y + h)]
    elif kind == "note":
        pts = [(x, y), (x + w - 10, y), (x + w, y + 10), (x + w, y + h), (x, y + h)]
    elif kind == "double":
        return (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" {common}/>'
            f'<rect x="{x + 3:.1f}" y="{y + 3:.1f}" width="{w - 6:.1f}" height="{h - 6:.1f}" rx="2" '
            f'fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    else:
        return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="4" {common}/>'
    return f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in pts)}" {common}/>'


def _name(text: str, box: Box) -> str:
    """A task name cut to its box (the box is as wide as the name allows, up to its layer's maximum)."""
    return fit_text(text, box.width - NAME_PADDING, NAME_SIZE, bold=True)


def _tag(text: str, box: Box) -> str:
    return fit_text(text, box.width - NAME_PADDING, TAG_SIZE, letter_spacing=TAG_SPACING)


def _tag_text(data: Mapping[str, object], runs: bool) -> str:
    """The type tag under a task's name, with why it does not run."""
    tag = style(str(data.get("type", ""))).tag
    if not runs:  # not reachable from Start: PowerCenter never runs it
        return tag + " · NEVER RUNS"
    return tag if data.get("enabled", True) else tag + " · DISABLED"


def _markers(prefix: str) -> str:
    out = []
    for kind, colour in LINK_COLOURS.items():
        out.append(
            f'<marker id="{prefix}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/>'
            f"</marker>"
        )
    return "<defs>" + "".join(out) + "</defs>"


def render_svg(
    graph: nx.DiGraph,
    *,
    ident: str,
    critical_nodes: set[str] | None = None,
    critical_edges: set[tuple[str, str]] | None = None,
    tooltips: Mapping[str, str] | None = None,
    max_width: float = 1100.0,
) -> str:
    """The SVG of ``graph`` (node attributes ``type``, ``enabled``; edge attribute ``condition``)."""
    critical_nodes = critical_nodes or set()
    critical_edges = critical_edges or set()
    tooltips = tooltips or {}
    labels: dict[tuple[str, str], tuple[str, str]] = {
        (u, v): link_label(d.get("condition", ""), u) for u, v, d in graph.edges(data=True)
    }
    reached = reachable(graph)
    tags = {n: _tag_text(d, n in reached) for n, d in graph.nodes(data=True)}
    lay: Layout = layout(
        graph,
        {e: text for e, (text, _) in labels.items()},
        max_width=max_width,
        last=[n for n in graph.nodes if n not in reached],
        min_widths={
            n: text_width(t, TAG_SIZE, letter_spacing=TAG_SPACING) + NAME_PADDING for n, t in tags.items()
        },
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="{lay.width:.0f}" '
        f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" role="img" '
        f'aria-label="{escape(str(graph.graph.get("name", "")))}" style="{FONT}">',
        _markers(ident),
    ]
    # links under tasks; critical links last so they stay visible
    ordered = sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]) in critical_edges)
    label_parts = []
    for u, v, d in ordered:
        route = lay.routes[(u, v)]
        text, kind = labels[(u, v)]
        is_critical = (u, v) in critical_edges
        colour_kind = "critical" if is_critical else kind
        dash = ' stroke-dasharray="5,3"' if kind == "failure" else ""
        width = 3.0 if is_critical else 1.4
        condition = d.get("condition", "") or "(always)"
        parts.append(
            f'<path d="{route.path}" fill="none" stroke="{LINK_COLOURS[colour_kind]}" '
            f'stroke-width="{width}"{dash} marker-end="url(#{ident}-{colour_kind})">'
            f"<title>{escape(u)} → {escape(v)}: {escape(condition)}</title></path>"
        )
        if text:
            label_parts.append(
                f'<text x="{route.label_x:.1f}" y="{route.label_y - 3:.1f}" '
                f'text-anchor="{route.label_anchor}" font-size="10" '
                f'fill="{LINK_COLOURS[kind]}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                f"<title>{escape(condition)}</title>{escape(text)}</text>"
            )
    parts += label_parts
    if lay.last_top is not None:
        y = lay.last_top - 8
        parts.append(
            f'<line class="never-runs" x1="12" y1="{y - 14:.1f}" x2="{lay.width - 12:.1f}" y2="{y - 14:.1f}" '
            f'stroke="#b0b6bf" stroke-dasharray="2,3"/><text x="16" y="{y:.1f}" font-size="11" '
            f'fill="#5b6573">Never run: not reachable from the Start task</text>'
        )
    for n, d in graph.nodes(data=True):
        b = lay.boxes[n]
        s = style(d.get("type", ""))
        never = n not in reached  # not reachable from Start: PowerCenter never runs it
        enabled = d.get("enabled", True) and not never
        is_critical = n in critical_nodes
        dash = "" if enabled else ' stroke-dasharray="4,3"'
        tag = tags[n]
        tip = tooltips.get(n, f"{n} ({d.get('type', '')})")
        parts.append(
            f'<g class="task{" critical" if is_critical else ""}"'
            f"{'' if enabled else ' opacity=' + chr(34) + '0.55' + chr(34)}>"
            f"<title>{escape(tip)}</title>"
            + _shape(
                s.shape, b, s.fill, CRITICAL if is_critical else s.stroke, 3.0 if is_critical else 1.3, dash
            )
            + f'<text x="{b.x + b.width / 2:.1f}" y="{b.y + 17:.1f}" text-anchor="middle" font-size="11" '
            f'font-weight="bold" fill="#1a1a1a">{escape(_name(n, b))}</text>'
            f'<text x="{b.x + b.width / 2:.1f}" y="{b.y + 31:.1f}" '
            f'text-anchor="middle" font-size="{TAG_SIZE}" '
            f'letter-spacing="{TAG_SPACING}" fill="{s.stroke}">{escape(_tag(tag, b))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def legend_svg() -> str:
    """A legend of task types, the critical path and link kinds."""
    items: list[str] = []
    x = 8.0
    for task_type, s in TASK_STYLES.items():
        w = max(70.0, len(task_type) * 6.6 + 20)
        b = Box(x, 6, w, 26)
        items.append(
            _shape(s.shape, b, s.fill, s.stroke, 1.3, "")
            + f'<text x="{x + w / 2:.1f}" y="23" text-anchor="middle" font-size="10.5">{escape(task_type)}'
            "</text>"
        )
        x += w + 8
    y = 52.0
    x2 = 8.0
    entries = [
        ("critical path", "critical", ""),
        ("always", "always", ""),
        ("succeeded / true", "success", ""),
        ("failed / aborted / stopped", "failure", ' stroke-dasharray="5,3"'),
        ("decision true / false", "decision", ""),
        ("other condition", "other", ""),
    ]
    for text, kind, dash in entries:
        width = 3.0 if kind == "critical" else 1.6
        items.append(
            f'<line x1="{x2:.1f}" y1="{y:.1f}" x2="{x2 + 34:.1f}" y2="{y:.1f}" '
            f'stroke="{LINK_COLOURS[kind]}" stroke-width="{width}"{dash}/>'
            f'<text x="{x2 + 40:.1f}" y="{y + 4:.1f}" font-size="10.5">{escape(text)}</text>'
        )
        x2 += 40 + len(text) * 6.2 + 22
    items.append(
        f'<rect x="{x2:.1f}" y="{y - 10:.1f}" width="60" height="20" rx="4" fill="#fff" '
        f'stroke="{CRITICAL}" stroke-width="3"/><text x="{x2 + 66:.1f}" y="{y + 4:.1f}" font-size="10.5">'
        "critical task</text>"
    )
    x2 += 150
    items.append(
        f'<rect x="{x2:.1f}" y="{y - 10:.1f}" width="60" height="20" rx="4" fill="#fff" opacity="0.55" '
        f'stroke="#555" stroke-dasharray="4,3"/><text x="{x2 + 66:.1f}" y="{y + 4:.1f}" font-size="10.5">'
        "disabled or unreachable task</text>"
    )
    width = max(x, x2 + 230)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="legend" width="{width:.0f}" height="66" '
        f'viewBox="0 0 {width:.0f} 66" style="{FONT}">{"".join(items)}</svg>'
    )


__all__ = ["legend_svg", "render_svg"]
