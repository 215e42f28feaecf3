"""Graphviz DOT of a workflow: left to right, task types by shape and colour, worklets as clusters,
critical path in orange, link conditions as edge labels.

A long workflow would render as a strip hundreds of tasks long, so its levels are wrapped into *bands* read
top to bottom like lines of text (as the HTML report does): each band is a cluster of :data:`BAND_LEVELS`
consecutive levels, the n-th level of every band shares one rank (``newrank``), and a link into the next
band does not constrain ranks (``constraint=false``). Tasks that never run (not reachable from Start) come
last, in a band of their own. Worklet clusters are drawn inside each band they reach.
"""

from __future__ import annotations

import networkx as nx

from infaflow.graph.analysis import levels, reachable_from_start
from infaflow.report.styles import CRITICAL, style
from infaflow.report.summary import WorkflowReport

#: Levels per band: a workflow deeper than this is wrapped.
BAND_LEVELS = 12


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def band_positions(flat: nx.DiGraph, per_band: int = BAND_LEVELS) -> dict[str, tuple[int, int]]:
    """Task path -> (band, position in the band) for a workflow deeper than ``per_band`` levels (else empty).

    Reachable tasks go by level; tasks that never run follow in bands of their own, by their own levels, those
    without any link spread over the positions of one band.
    """
    runs = reachable_from_start(flat)
    head = levels(flat.subgraph([n for n in flat.nodes if n in runs]))
    never = [n for n in flat.nodes if n not in runs]
    if len(head) <= per_band and not (never and len(head) + 1 > per_band):
        return {}
    out: dict[str, tuple[int, int]] = {}
    for level, names in enumerate(head):
        for n in names:
            out[n] = divmod(level, per_band)
    first = (len(head) + per_band - 1) // per_band
    alone = [n for n in never if flat.degree(n) == 0]
    tail = levels(flat.subgraph([n for n in never if n not in set(alone)]))
    for level, names in enumerate(tail):
        for n in names:
            out[n] = (first + level // per_band, level % per_band)
    for k, n in enumerate(alone):
        out[n] = (first, k % per_band)
    return out


def render_dot(w: WorkflowReport, per_band: int = BAND_LEVELS) -> str:
    """The DOT text of one workflow (flattened: worklet tasks inside ``cluster`` subgraphs)."""
    critical = set(w.analysis.critical_path) if w.analysis else set()
    on_path = (
        set(zip(w.analysis.critical_path, w.analysis.critical_path[1:], strict=False))
        if w.analysis
        else set()
    )
    unreachable = set(w.flat.nodes) - reachable_from_start(w.flat)
    bands = band_positions(w.flat, per_band) if w.analysis else {}
    lines = [
        f"digraph {_q(w.workflow.name)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    if bands:
        lines.append("  newrank=true; nodesep=0.2; ranksep=0.45;")

    def node_line(path: str, indent: str) -> str:
        data = w.flat.nodes[path]
        s = style(data["type"])
        label = f"{path.rsplit('/', 1)[-1]}\n({data['type']})"
        attrs = [
            f"label={_q(label)}",
            f"shape={s.dot_shape}",
            f'fillcolor="{s.fill}"',
            f'color="{CRITICAL if path in critical else s.stroke}"',
        ]
        if path in critical:
            attrs.append("penwidth=3")
        if not data.get("enabled", True):
            attrs.append('style="filled,dashed"')
        if path in unreachable:  # PowerCenter never runs it: greyed, dotted, said in its label
            attrs[0] = f"label={_q(label + chr(10) + 'unreachable')}"
            attrs += ['style="filled,dotted"', 'fontcolor="#757575"']
        return f"{indent}{_q(path)} [{', '.join(attrs)}];"

    def emit(paths: list[str], parent: str, indent: str, prefix: str) -> None:
        """The tasks of ``paths`` directly in ``parent``, then one cluster per worklet holding some of
        them."""
        for path in paths:
            if w.flat.nodes[path].get("parent", "") == parent:
                lines.append(node_line(path, indent))
        children = sorted(
            {
                c
                for p in paths
                for c in _ancestors(w.flat.nodes[p].get("parent", ""))
                if _parent(c) == parent and c
            }
        )
        for child in children:
            inside = [p for p in paths if _within(w.flat.nodes[p].get("parent", ""), child)]
            lines.append(f"{indent}subgraph {_q('cluster_' + prefix + child)} {{")
            lines.append(f'{indent}  label={_q("worklet " + child)}; style=dashed; color="#795548";')
            emit(inside, child, indent + "  ", prefix)
            lines.append(f"{indent}}}")

    if not bands:
        emit(list(w.flat.nodes), "", "  ", "")
    else:
        count = max(b for b, _ in bands.values()) + 1
        first_never = min((b for n, (b, _) in bands.items() if n in unreachable), default=count)
        for b in range(count):
            members = [n for n in w.flat.nodes if bands[n][0] == b]
            label = (
                "never run: not reachable from the Start task"
                if b >= first_never
                else f"levels {b * per_band}-{min(b * per_band + per_band, _depth(bands, b, per_band)) - 1}"
            )
            lines.append(f"  subgraph {_q(f'cluster_band_{b}')} {{")
            lines.append(
                f'    label={_q(label)}; labeljust=l; style=rounded; color="#d5dbe3"; fontcolor="#5b6573";'
            )
            lines += [
                f'    {_q(f"_band_{b}{end}")} [style=invis, shape=point, width=0, label=""];'
                for end in ("", "_end")
            ]
            emit(members, "", "    ", f"band_{b}_")
            lines.append("  }")
        # one rank per position in a band, kept in order by an invisible spine
        spine = [f"_position_{p}" for p in range(per_band)]
        lines += [f'  {_q(point)} [style=invis, shape=point, width=0, label=""];' for point in spine]
        for p, point in enumerate(spine):
            anchors = [f"_band_{b}" for b in range(count)] if p == 0 else []
            anchors += [f"_band_{b}_end" for b in range(count)] if p == per_band - 1 else []
            same = [point, *anchors, *(n for n in w.flat.nodes if bands[n][1] == p)]
            lines.append(f"  {{ rank=same; {'; '.join(_q(n) for n in same)}; }}")
        lines.append(f"  {' -> '.join(_q(point) for point in spine)} [style=invis];")
        # bands are ordered top to bottom by the links that wrap from one band into the next: an invisible one
        # from the end of each band to the start of the next keeps that order where no real link does
        lines += [
            f"  {_q(f'_band_{b - 1}_end')} -> {_q(f'_band_{b}')} [style=invis, constraint=false];"
            for b in range(1, count)
        ]
        lines += [
            f"  {_q(f'_band_{bands[n][0]}')} -> {_q(n)} [style=invis, constraint=false];"
            for n in w.flat.nodes
            if w.flat.degree(n) == 0
        ]
    for u, v, data in w.flat.edges(data=True):
        attrs = []
        if data.get("condition"):
            attrs.append(f"label={_q(data['condition'])}")
        if (u, v) in on_path:
            attrs += [f'color="{CRITICAL}"', "penwidth=2.5"]
        if bands and bands[u][0] != bands[v][0]:
            attrs.append("constraint=false")  # into another band: wraps, does not stretch the ranks
        lines.append(f"  {_q(u)} -> {_q(v)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ancestors(parent: str) -> list[str]:
    """``a/b/c`` -> ``a``, ``a/b``, ``a/b/c``."""
    parts = parent.split("/") if parent else []
    return ["/".join(parts[: k + 1]) for k in range(len(parts))]


def _within(parent: str, worklet: str) -> bool:
    return parent == worklet or parent.startswith(worklet + "/")


def _depth(bands: dict[str, tuple[int, int]], band: int, per_band: int) -> int:
    """One past the last level drawn in ``band``."""
    return band * per_band + max(p for b, p in bands.values() if b == band) + 1


__all__ = ["BAND_LEVELS", "band_positions", "render_dot"]
