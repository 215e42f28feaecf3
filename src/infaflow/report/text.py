"""Terminal tables (rich) for ``infaflow inspect``."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from infaflow.report.summary import (
    MAPPING_ABSENT,
    ExportReport,
    WorkflowReport,
    seconds_text,
    session_without_mapping,
    short_path,
)

MAX_PROBLEMS = 20


def _table(title: str, *columns: str, right: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in columns:
        table.add_column(col, justify="right" if col in right else "left", overflow="fold")
    return table


def overview(report: ExportReport) -> list[RenderableType]:
    """Folders, workflows, mappings and sessions of an export."""
    export = report.export
    out: list[RenderableType] = []
    head = Text(f"{export.path}\n", style="bold")
    if len(export.files) > 1:
        head.append(f"{len(export.files)} export files, ", style="dim")
    head.append(
        f"repository version {export.repository_version or '?'}, encoding {export.encoding or '?'}, "
        f"{len(export.folders)} folder(s), {len(report.workflows)} workflow(s), "
        f"{len(report.mappings)} mapping(s), {len(report.sessions)} session(s)",
        style="dim",
    )
    out.append(head)
    folders = _table(
        "Folders",
        "folder",
        "workflows",
        "worklets",
        "sessions",
        "mappings",
        "mapplets",
        "sources",
        "targets",
        right=("workflows", "worklets", "sessions", "mappings", "mapplets", "sources", "targets"),
    )
    for f in export.folders:
        folders.add_row(
            f.name,
            str(len(f.workflows)),
            str(len(f.worklets)),
            str(sum(1 for _ in f.all_sessions())),
            str(len(f.mappings)),
            str(len(f.mapplets)),
            str(len(f.sources)),
            str(len(f.targets)),
        )
    out.append(folders)
    if report.workflows:
        wfs = _table(
            "Workflows",
            "folder",
            "workflow",
            "tasks",
            "links",
            "depth",
            "width",
            "critical path",
            "score",
            "band",
            right=("tasks", "links", "depth", "width", "critical path", "score"),
        )
        for w in sorted(report.workflows, key=lambda w: -w.complexity.score):
            a = w.analysis
            wfs.add_row(
                w.folder.name,
                w.workflow.name,
                str(w.complexity.tasks),
                str(w.complexity.links),
                str(a.depth) if a else "-",
                str(a.width) if a else "-",
                seconds_text(a.critical_length) if a else "(link errors)",
                str(w.complexity.score),
                w.complexity.band,
            )
        out.append(wfs)
    if report.mappings:
        maps = _table(
            "Mappings",
            "folder",
            "mapping",
            "transformations",
            "expressions",
            "lookups",
            "joins",
            "ports",
            "score",
            "band",
            right=("transformations", "expressions", "lookups", "joins", "ports", "score"),
        )
        for m in sorted(report.mappings, key=lambda m: -m.complexity.score):
            c = m.complexity
            maps.add_row(
                m.folder.name,
                c.name,
                str(c.transformations),
                str(c.expressions),
                str(c.lookups),
                str(c.joins),
                str(c.ports),
                str(c.score),
                c.band,
            )
        out.append(maps)
    if report.sessions:
        sess = _table("Sessions", "folder", "session", "mapping", "reusable")
        for s in report.sessions:
            mapping = s.mapping if s.mapping_found else f"{s.mapping} ({MAPPING_ABSENT})"
            sess.add_row(s.folder, s.name, mapping, "yes" if s.reusable else "no")
        out.append(sess)
    return out


def workflow_detail(w: WorkflowReport) -> list[RenderableType]:
    """Tasks, links, levels, critical path, decision points and complexity of one workflow."""
    wf = w.workflow
    out: list[RenderableType] = [
        Text(
            f"\nWorkflow {wf.name} (folder {w.folder.name}, line {wf.location.line})", style="bold underline"
        )
    ]
    a = w.analysis
    if a is not None:
        tasks = _table(
            "Tasks",
            "level",
            "task",
            "type",
            "duration",
            "start",
            "slack",
            "in",
            "out",
            "critical",
            right=("level", "duration", "start", "slack", "in", "out"),
        )
        for t in a.tasks.values():
            name = t.path if t.enabled else f"{t.path} (disabled)"
            if session_without_mapping(w.flat.nodes[t.path].get("instance")):
                name += f" ({MAPPING_ABSENT})"
            if not t.reachable:
                name += " (unreachable: never runs)"
            tasks.add_row(
                str(t.level) if t.reachable else "-",
                name,
                t.type,
                seconds_text(t.duration),
                seconds_text(t.earliest_start),
                seconds_text(t.slack),
                str(t.fan_in),
                str(t.fan_out),
                "*" if t.critical else "",
                style="bold" if t.critical else None,
            )
        out.append(tasks)
    links = _table("Links", "from", "to", "condition", "line", right=("line",))
    for u, v, data in w.flat.edges(data=True):
        links.add_row(u, v, data.get("condition") or "(always)", str(data["location"].line))
    out.append(links)
    if a is not None:
        summary = _table("Analysis", "figure", "value")
        summary.add_row("depth (levels)", str(a.depth))
        summary.add_row("width (most tasks in one level)", str(a.width))
        summary.add_row("critical path length", seconds_text(a.critical_length))
        summary.add_row("critical path", " -> ".join(a.critical_path))
        summary.add_row("max fan-in / fan-out", f"{a.max_fan_in} / {a.max_fan_out}")
        summary.add_row("links (conditional)", f"{a.links} ({a.conditional_links})")
        for i, level in enumerate(a.levels):
            summary.add_row(f"level {i}", ", ".join(level))
        out.append(summary)
        if a.decision_points:
            dp = _table("Decision points", "task", "type", "decision", "branches")
            for d in a.decision_points:
                dp.add_row(
                    d.path,
                    d.type,
                    d.decision,
                    "\n".join(f"-> {succ}: {cond or '(always)'}" for succ, cond in d.branches),
                )
            out.append(dp)
    c = w.complexity
    comp = _table("Complexity", "figure", "value")
    comp.add_row(
        "score", f"{c.score} ({c.band}) = orchestration {c.orchestration_score} + mappings {c.mapping_score}"
    )
    comp.add_row("tasks by type", ", ".join(f"{k} {n}" for k, n in c.tasks_by_type.items()))
    comp.add_row("mappings run", ", ".join(c.mappings) or "(none loaded)")
    out.append(comp)
    return out


def problems(report: ExportReport) -> list[RenderableType]:
    """Load and graph problems (the first :data:`MAX_PROBLEMS`)."""
    found = report.problems
    if not found:
        return []
    table = _table(f"Problems ({len(found)})", "where", "problem")
    several = len(report.export.files) > 1
    for p in found[:MAX_PROBLEMS]:
        where = (
            f"{short_path(p.file)}:{p.line}" if several and p.line else (f"line {p.line}" if p.line else "")
        )
        table.add_row(where, ("" if p.severity == "error" else "warning: ") + p.message)
    if len(found) > MAX_PROBLEMS:
        table.add_row("", f"... {len(found) - MAX_PROBLEMS} more (see --format json)")
    return [table]


def render_text(report: ExportReport, detail: list[WorkflowReport], console: Console) -> None:
    """Print the overview, then the detail of the ``detail`` workflows, then the problems."""
    parts = overview(report)
    for w in detail:
        parts += workflow_detail(w)
    parts += problems(report)
    console.print(Group(*parts))


__all__ = ["overview", "problems", "render_text", "workflow_detail"]
