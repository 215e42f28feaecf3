"""Graphviz DOT of a workflow: left to right, task types by shape and colour, worklets as clusters,
critical path in red, link conditions as edge labels."""

from __future__ import annotations

from infaflow.graph.analysis import reachable_from_start
from infaflow.report.styles import CRITICAL, style
from infaflow.report.summary import WorkflowReport


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(w: WorkflowReport) -> str:
    """The DOT text of one workflow (flattened: worklet tasks inside ``cluster`` subgraphs)."""
    critical = set(w.analysis.critical_path) if w.analysis else set()
    on_path = (
        set(zip(w.analysis.critical_path, w.analysis.critical_path[1:], strict=False))
        if w.analysis
        else set()
    )
    unreachable = set(w.flat.nodes) - reachable_from_start(w.flat)
    lines = [
        f"digraph {_q(w.workflow.name)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10, style=filled];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    clusters: dict[str, list[str]] = {}
    for path, data in w.flat.nodes(data=True):
        clusters.setdefault(data.get("parent", ""), []).append(path)

    def emit(parent: str, indent: str) -> None:
        for path in clusters.get(parent, []):
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
            lines.append(f"{indent}{_q(path)} [{', '.join(attrs)}];")
        for child in sorted(p for p in clusters if p and (p.rsplit("/", 1)[0] if "/" in p else "") == parent):
            lines.append(f"{indent}subgraph {_q('cluster_' + child)} {{")
            lines.append(f'{indent}  label={_q("worklet " + child)}; style=dashed; color="#795548";')
            emit(child, indent + "  ")
            lines.append(f"{indent}}}")

    emit("", "  ")
    for u, v, data in w.flat.edges(data=True):
        attrs = []
        if data.get("condition"):
            attrs.append(f"label={_q(data['condition'])}")
        if (u, v) in on_path:
            attrs += [f'color="{CRITICAL}"', "penwidth=2.5"]
        lines.append(f"  {_q(u)} -> {_q(v)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["render_dot"]
