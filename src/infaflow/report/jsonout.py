"""The JSON form of ``infaflow inspect --format json``: plain dicts, stable keys, seconds as numbers."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from infaflow.errors import Problem
from infaflow.export.missing import summarize_missing
from infaflow.report.summary import ExportReport, WorkflowReport


def _problem(p: Problem) -> dict[str, Any]:
    return {"severity": p.severity, "message": p.message, "file": p.file, "line": p.line}


def workflow_dict(w: WorkflowReport) -> dict[str, Any]:
    """One workflow: tasks, links, analysis, complexity and problems."""
    a = w.analysis
    tasks = []
    for path, data in w.flat.nodes(data=True):
        inst = data["instance"]
        row: dict[str, Any] = {
            "path": path,
            "task": inst.task_name,
            "type": data["type"],
            "enabled": data["enabled"],
            "worklet": data.get("parent", ""),
            "line": data["location"].line,
        }
        if a is not None:
            t = a.tasks[path]
            row.update(
                level=t.level,
                duration=t.duration,
                earliest_start=t.earliest_start,
                earliest_finish=t.earliest_finish,
                latest_start=t.latest_start,
                slack=t.slack,
                fan_in=t.fan_in,
                fan_out=t.fan_out,
                critical=t.critical,
                reachable=t.reachable,
            )
        tasks.append(row)
    links = [
        {"from": u, "to": v, "condition": d.get("condition", ""), "line": d["location"].line}
        for u, v, d in w.flat.edges(data=True)
    ]
    analysis: dict[str, Any] | None = None
    if a is not None:
        analysis = {
            "levels": a.levels,
            "depth": a.depth,
            "width": a.width,
            "critical_path": a.critical_path,
            "critical_path_seconds": a.critical_length,
            "max_fan_in": a.max_fan_in,
            "max_fan_out": a.max_fan_out,
            "links": a.links,
            "conditional_links": a.conditional_links,
            "decision_points": [
                {
                    "task": d.path,
                    "type": d.type,
                    "decision": d.decision,
                    "line": d.location.line,
                    "branches": [{"to": s, "condition": c} for s, c in d.branches],
                }
                for d in a.decision_points
            ],
        }
    complexity = asdict(w.complexity)
    complexity.pop("location")
    complexity["band"] = w.complexity.band
    return {
        "folder": w.folder.name,
        "name": w.workflow.name,
        "line": w.workflow.location.line,
        "enabled": w.workflow.is_enabled,
        "tasks": tasks,
        "links": links,
        "analysis": analysis,
        "complexity": complexity,
        "problems": [_problem(p) for p in w.problems],
    }


def report_dict(report: ExportReport) -> dict[str, Any]:
    """The whole export: folders, sessions, mappings with complexity, workflows with analysis, problems."""
    export = report.export
    mappings = []
    for m in report.mappings:
        c = asdict(m.complexity)
        c.pop("location")
        c.update(band=m.complexity.band, line=m.mapping.location.line)
        mappings.append(c)
    return {
        "file": export.path,
        "files": [
            {
                "path": f.path,
                "creation_date": f.creation_date,
                "repository_version": f.repository_version,
                "encoding": f.encoding,
            }
            for f in export.files
        ],
        "repository_version": export.repository_version,
        "encoding": export.encoding,
        "folders": [
            {
                "name": f.name,
                "workflows": [w.name for w in f.workflows],
                "worklets": [w.name for w in f.worklets],
                "mappings": [m.name for m in f.mappings],
                "mapplets": [m.name for m in f.mapplets],
                "sources": len(f.sources),
                "targets": len(f.targets),
            }
            for f in export.folders
        ],
        "sessions": [
            {
                "folder": s.folder,
                "name": s.name,
                "mapping": s.mapping,
                "reusable": s.reusable,
                "mapping_in_file": s.mapping_found,
            }
            for s in report.sessions
        ],
        "mappings": mappings,
        "workflows": [workflow_dict(w) for w in report.workflows],
        "problems": [_problem(p) for p in [*export.notes, *export.problems]],
        "missing_summary": [_problem(p) for p in summarize_missing(export.missing)],
        "missing": [
            {
                "kind": m.kind,
                "name": m.name,
                "referrer_kind": m.referrer_kind,
                "referrer": m.referrer,
                "context": m.context,
                "folder": m.folder,
                "file": m.location.file,
                "line": m.location.line,
            }
            for m in export.missing
        ],
    }


def render_json(report: ExportReport) -> str:
    """The JSON text of :func:`report_dict`."""
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False)


__all__ = ["render_json", "report_dict", "workflow_dict"]
