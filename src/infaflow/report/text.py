"""Terminal tables (rich) for ``infaflow inspect``.

Names (tasks, sessions, mappings, folders, types) are never wrapped: a name column is as wide as its longest
name. Free text (conditions, paths, level lists, problems) wraps between words within :data:`WRAP_WIDTH`.
Piped output is laid out without a screen width and without trailing padding.
"""

from __future__ import annotations

import io
from typing import Literal

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Column, Table
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
WRAP_WIDTH = 90  # characters of a free-text cell before it wraps (between words)
#: Columns that hold free text; all others hold names or figures and are never wrapped.
TEXT_COLUMNS = frozenset({"condition", "value", "branches", "problem", "decision", "note"})
#: Columns of short figures and keywords: never shrunk to fit a terminal.
FIGURE_COLUMNS = frozenset({"type", "band", "critical", "reusable", "line", "where", "figure"})
MIN_TEXT = 24  # a free-text column is not narrowed below this on a narrow terminal
MIN_NAME = 12  # nor a name column (cut with an ellipsis) below this
PIPED_WIDTH = 100_000  # piped: as wide as the tables are; no screen to fit


def _table(title: str, *columns: str, right: tuple[str, ...] = ()) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in columns:
        justify: Literal["right", "left"] = "right" if col in right else "left"
        if col in TEXT_COLUMNS:
            table.add_column(col, justify=justify, overflow="fold", max_width=WRAP_WIDTH)
        else:
            table.add_column(col, justify=justify, no_wrap=True)
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
        notes: dict[str, str] = {}
        for t in a.tasks.values():
            said = [] if t.enabled else ["(disabled)"]
            if session_without_mapping(w.flat.nodes[t.path].get("instance")):
                said.append(f"({MAPPING_ABSENT})")
            if not t.reachable:
                said.append("(unreachable: never runs)")
            notes[t.path] = " ".join(said)
        noted = ("note",) if any(notes.values()) else ()
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
            *noted,
            right=("level", "duration", "start", "slack", "in", "out"),
        )
        for t in a.tasks.values():
            tasks.add_row(
                str(t.level) if t.reachable else "-",
                t.path,
                t.type,
                seconds_text(t.duration),
                seconds_text(t.earliest_start),
                seconds_text(t.slack),
                str(t.fan_in),
                str(t.fan_out),
                "*" if t.critical else "",
                *((notes[t.path],) if noted else ()),
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


def _natural(column: Column) -> int:
    return max(
        [
            cell_len(column.header if isinstance(column.header, str) else str(column.header)),
            *(max((cell_len(line) for line in str(c).splitlines()), default=0) for c in column.cells),
        ]
    )


def fit_table(table: Table, width: int) -> None:
    """Narrow ``table`` to ``width`` columns if it is wider: free text first (wrapped between words, down to
    :data:`MIN_TEXT`), then names (cut with an ellipsis, never wrapped, down to :data:`MIN_NAME`), then free
    text down to that too; figures and keywords keep their width. A table that is still too wide (a terminal
    narrower than about 100 columns) is narrowed by rich, evenly."""
    natural = [_natural(c) for c in table.columns]
    excess = sum(natural) + 3 * (len(natural) - 1) + 2 - width  # cell padding, column rules, the edges
    for kind, floor in (("text", MIN_TEXT), ("name", MIN_NAME), ("text", MIN_NAME)):
        if excess <= 0:
            return
        chosen = [i for i, c in enumerate(table.columns) if _kind(c) == kind and natural[i] > floor]
        room = sum(natural[i] - floor for i in chosen)
        if not room:
            continue
        cut = min(excess, room)
        for i in chosen:  # each gives up its share of what it has above the floor (rounded up)
            share = min(natural[i] - floor, -(-cut * (natural[i] - floor) // room))
            natural[i] -= share
            table.columns[i].max_width = natural[i]
            if _kind(table.columns[i]) == "name":
                table.columns[i].overflow = "ellipsis"
        excess -= cut


def _kind(column: Column) -> str:
    header = str(column.header)
    if header in TEXT_COLUMNS:
        return "text"
    if header in FIGURE_COLUMNS or column.justify == "right":
        return "figure"
    return "name"


def render_text(report: ExportReport, detail: list[WorkflowReport], console: Console) -> None:
    """Print the overview, then the detail of the ``detail`` workflows, then the problems, fitted to the
    console's width."""
    parts = overview(report)
    for w in detail:
        parts += workflow_detail(w)
    parts += problems(report)
    for part in parts:
        if isinstance(part, Table):
            fit_table(part, console.width)
    console.print(Group(*parts))


def plain_text(report: ExportReport, detail: list[WorkflowReport]) -> str:
    """What :func:`render_text` prints, for a pipe or a file: no colour, no screen width, no trailing
    spaces."""
    buffer = io.StringIO()
    render_text(report, detail, Console(file=buffer, width=PIPED_WIDTH, color_system=None, highlight=False))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def echo_text(report: ExportReport, detail: list[WorkflowReport]) -> None:
    """Print :func:`render_text` on a terminal (its width, colours), or :func:`plain_text` when piped."""
    console = Console()
    if console.is_terminal:
        render_text(report, detail, console)
    else:
        click.echo(plain_text(report, detail), nl=False)


__all__ = ["echo_text", "overview", "plain_text", "problems", "render_text", "workflow_detail"]
