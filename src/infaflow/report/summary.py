"""What ``inspect`` and ``report`` show: one export's workflows (graph, checks, analysis, complexity) and
mappings (complexity), computed once and handed to every renderer."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import networkx as nx

from infaflow.errors import InputError, Problem
from infaflow.export.missing import summarize_missing
from infaflow.graph import (
    MappingComplexity,
    WorkflowAnalysis,
    WorkflowComplexity,
    analyze_graph,
    build_graph,
    check_workflow,
    flatten,
    mapping_complexity,
    workflow_complexity,
)
from infaflow.graph.complexity import mapping_of
from infaflow.model import Export, Folder, Mapping, Session, TaskInstance, Workflow

#: How a session whose mapping no loaded file defines is marked in tables.
MAPPING_ABSENT = "mapping not loaded"


@dataclass
class WorkflowReport:
    """One workflow: its graph, flattened view, problems, analysis (``None`` when its links are broken)."""

    folder: Folder
    workflow: Workflow
    graph: nx.DiGraph
    flat: nx.DiGraph
    problems: list[Problem]
    analysis: WorkflowAnalysis | None
    complexity: WorkflowComplexity

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class MappingReport:
    folder: Folder
    mapping: Mapping
    complexity: MappingComplexity


@dataclass
class SessionRow:
    folder: str
    name: str
    mapping: str
    reusable: bool
    mapping_found: bool


@dataclass
class ExportReport:
    """Everything shown about one export file."""

    export: Export
    workflows: list[WorkflowReport] = field(default_factory=list)
    mappings: list[MappingReport] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)

    @property
    def load_problems(self) -> list[Problem]:
        """Skipped files, load problems, then missing references (one line per kind)."""
        export = self.export
        return [*export.notes, *export.problems, *summarize_missing(export.missing)]

    @property
    def problems(self) -> list[Problem]:
        """:attr:`load_problems`, then graph problems of every workflow."""
        return [*self.load_problems, *(p for w in self.workflows for p in w.problems)]


def short_path(path: str) -> str:
    """A file's name without its folders, as tables and the report show it."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def session_without_mapping(instance: TaskInstance | None) -> bool:
    """Whether a task instance runs a session whose mapping no loaded file defines."""
    return instance is not None and isinstance(instance.task, Session) and instance.task.mapping is None


def _sessions(folder: Folder) -> list[SessionRow]:
    rows: list[SessionRow] = []
    for s in folder.all_sessions():
        found = isinstance(s, Session) and mapping_of(s, folder) is not None
        rows.append(SessionRow(folder.name, s.name, s.mapping_name, s.reusable, found))
    return rows


def inspect_workflow(
    folder: Folder,
    workflow: Workflow,
    durations: MappingType[str, float] | None = None,
    mapping_scores: dict[int, int] | None = None,
) -> WorkflowReport:
    """Check, analyse and score one workflow. A workflow with link errors is reported without analysis."""
    problems = check_workflow(workflow, folder)
    graph = build_graph(workflow, folder)
    flat = flatten(graph)
    analysis = None
    if not any(p.severity == "error" for p in problems):
        analysis = analyze_graph(flat, durations)
    return WorkflowReport(
        folder,
        workflow,
        graph,
        flat,
        problems,
        analysis,
        workflow_complexity(workflow, folder, mapping_scores),
    )


RecordedDurations = Callable[[Folder, Workflow], MappingType[str, float]]


def _durations_for(
    folder: Folder,
    workflow: Workflow,
    given: MappingType[str, float] | None,
    recorded: RecordedDurations | None,
) -> MappingType[str, float] | None:
    """The durations of one workflow: the given ones (a durations file), overridden by recorded run
    durations of that workflow (by instance path) when there are any."""
    measured = recorded(folder, workflow) if recorded is not None else {}
    if not measured:
        return given
    return {**(given or {}), **measured}


def inspect_export(
    export: Export,
    durations: MappingType[str, float] | None = None,
    folder: str | None = None,
    workflow: str | None = None,
    recorded: RecordedDurations | None = None,
) -> ExportReport:
    """Analyse ``export``, optionally only ``folder`` and only ``workflow`` (raises :class:`InputError` if
    either is not in the file). ``recorded(folder, workflow)`` may supply measured task durations (by
    instance path) that override ``durations`` for that workflow's critical path."""
    folders = export.folders
    if folder is not None:
        chosen = export.folder(folder)
        if chosen is None:
            names = ", ".join(f.name for f in folders) or "none"
            raise InputError(f"no folder {folder!r} in this export (folders: {names})", export.path)
        folders = [chosen]
    report = ExportReport(export)
    scores: dict[int, int] = {}
    for f in folders:
        for m in f.mappings:
            c = mapping_complexity(m)
            scores[id(m)] = c.score
            report.mappings.append(MappingReport(f, m, c))
        report.sessions += _sessions(f)
    selected = [(f, wf) for f in folders for wf in f.workflows]
    if workflow is not None:
        found = export.find_workflow(workflow, folders[0].name if folder is not None else None)
        if found is None:
            names = ", ".join(wf.name for _, wf in selected) or "none"
            raise InputError(f"no workflow {workflow!r} in this export (workflows: {names})", export.path)
        selected = [found]
    report.workflows = [
        inspect_workflow(f, wf, _durations_for(f, wf, durations, recorded), scores) for f, wf in selected
    ]
    return report


def fail_on_errors(report: ExportReport) -> None:
    """Raise :class:`InputError` for the first graph error (a cycle, a link to an unknown task...), after
    which nothing can be analysed. The full list is in ``report.problems``."""
    for w in report.workflows:
        if w.errors:
            first = w.errors[0]
            more = f" ({len(w.errors) - 1} more errors)" if len(w.errors) > 1 else ""
            raise InputError(first.message + more, first.file or report.export.path, first.line)


def seconds_text(seconds: float) -> str:
    """A duration as a person reads it: ``0s``, ``<0.1s``, ``0.2s``, ``45s``, ``5m 00s``, ``2h 03m``."""
    if seconds <= 0:
        return "0s"
    if seconds < 0.05:
        return "<0.1s"
    if seconds < 10:
        return f"{seconds:.1f}".removesuffix(".0") + "s"
    total = int(round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


__all__ = [
    "ExportReport",
    "MappingReport",
    "SessionRow",
    "WorkflowReport",
    "fail_on_errors",
    "inspect_export",
    "inspect_workflow",
    "seconds_text",
    "session_without_mapping",
    "short_path",
]
