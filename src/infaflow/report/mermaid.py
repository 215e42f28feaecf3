"""Mermaid flowchart of a workflow: left to right, task types by shape, worklets as subgraphs, critical
path highlighted, link conditions as edge labels."""

from __future__ import annotations

import re

from infaflow.graph.analysis import reachable_from_start
from infaflow.report.styles import CRITICAL, style
from infaflow.report.summary import WorkflowReport


def _esc(text: str) -> str:
    """Mermaid label text with quotes and markup characters as entities."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("|", "#124;")


def _text(text: str) -> str:
    return f'"{_esc(text)}"'


def _parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _ids(paths: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for path in paths:
        base = "t_" + re.sub(r"\W", "_", path, flags=re.ASCII)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        ids[path] = name
    return ids


def render_mermaid(w: WorkflowReport) -> str:
    """The Mermaid text of one workflow (flattened; each worklet a subgraph)."""
    paths = list(w.flat.nodes)
    ids = _ids(paths)
    lines = ["flowchart LR"]
    by_parent: dict[str, list[str]] = {}
    for path in paths:
        by_parent.setdefault(w.flat.nodes[path].get("parent", ""), []).append(path)

    def emit(parent: str, indent: str) -> None:
        for path in by_parent.get(parent, []):
            data = w.flat.nodes[path]
            open_, close = style(data["type"]).mermaid
            label = f'"{_esc(path.rsplit("/", 1)[-1])}<br/>{_esc(data["type"])}"'
            lines.append(f"{indent}{ids[path]}{open_}{label}{close}")
        for child in sorted(p for p in by_parent if p and _parent_of(p) == parent):
            sub_id = "wl_" + re.sub(r"\W", "_", child, flags=re.ASCII)
            lines.append(f"{indent}subgraph {sub_id}[{_text('worklet ' + child)}]")
            emit(child, indent + "  ")
            lines.append(f"{indent}end")

    emit("", "  ")
    critical_edges = (
        set(zip(w.analysis.critical_path, w.analysis.critical_path[1:], strict=False))
        if w.analysis
        else set()
    )
    critical_index = []
    for i, (u, v, data) in enumerate(w.flat.edges(data=True)):
        cond = data.get("condition", "")
        arrow = f"-->|{_text(cond)}|" if cond else "-->"
        lines.append(f"  {ids[u]} {arrow} {ids[v]}")
        if (u, v) in critical_edges:
            critical_index.append(str(i))
    for t, s in {w.flat.nodes[p]["type"]: style(w.flat.nodes[p]["type"]) for p in paths}.items():
        cls = "type_" + re.sub(r"\W", "_", t)
        lines.append(f"  classDef {cls} fill:{s.fill},stroke:{s.stroke}")
        lines.append(f"  class {','.join(ids[p] for p in paths if w.flat.nodes[p]['type'] == t)} {cls}")
    if w.analysis and w.analysis.critical_path:
        lines.append(f"  classDef critical stroke:{CRITICAL},stroke-width:3px")
        lines.append(f"  class {','.join(ids[p] for p in w.analysis.critical_path)} critical")
    if critical_index:
        lines.append(f"  linkStyle {','.join(critical_index)} stroke:{CRITICAL},stroke-width:3px")
    unreachable = [p for p in paths if p not in reachable_from_start(w.flat)]
    if unreachable:  # PowerCenter never runs them
        lines.append("  classDef unreachable stroke-dasharray:3 3,color:#757575,opacity:0.6")
        lines.append(f"  class {','.join(ids[p] for p in unreachable)} unreachable")
    return "\n".join(lines) + "\n"


__all__ = ["render_mermaid"]
