"""The run summary (``--summary-json``) and the task table of ``infaflow show``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infaflow.runtime import values as V
from infaflow.runtime.plan import ScopePlan
from infaflow.runtime.status import NOTSTARTED
from infaflow.runtime.store import RunAttempt, RunStore, TaskRecord

#: suffix of the run store's variable scope holding what a session saved of its mapping variables
MAPPING_SCOPE = "#mapping"

#: A session's row counts as Workflow Monitor shows them: summary key -> task variable.
ROW_COUNTS: dict[str, str] = {
    "source_success_rows": "SrcSuccessRows",
    "source_failed_rows": "SrcFailedRows",
    "target_success_rows": "TgtSuccessRows",
    "target_failed_rows": "TgtFailedRows",
    "transformation_errors": "TotalTransErrors",
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def build(store: RunStore, run_id: int, plan: ScopePlan | None = None) -> dict[str, Any]:
    """``{"run_id", "workflow", "status", "started", "ended", "tasks": {path: {...}}, "variables": {...},
    "mapping_variables": {session path: {name: value}}}``.

    Every task of the plan is listed (tasks that never ran as NOTSTARTED), in export order.
    """
    run = store.run(run_id)
    if run is None:
        raise KeyError(run_id)
    records = {t.path: t for t in store.tasks(run_id)}
    paths = [n.path for n in plan.all_nodes()] if plan is not None else []
    planned = set(paths)
    paths += [p for p in records if p not in planned]
    tasks: dict[str, dict[str, Any]] = {}
    for path in paths:
        rec = records.get(path)
        tasks[path] = task_entry(rec)
    recorded = store.variables(run_id)
    top = recorded.get("", {})
    mapping = {
        scope[: -len(MAPPING_SCOPE)]: values
        for scope, values in recorded.items()
        if scope.endswith(MAPPING_SCOPE)
    }
    return {
        "run_id": run.run_id,
        "workflow": run.workflow,
        "folder": run.folder,
        "status": run.status,
        "started": _iso(run.started),
        "ended": _iso(run.ended),
        "error": run.error,
        "dry_run": bool(run.options.get("dry_run")),
        "attempts": [attempt_entry(a) for a in store.run_attempts(run_id)],
        "tasks": tasks,
        "variables": {name: V.to_json(value) for name, value in top.items()},
        # session path -> the mapping variables' values it saved (sessions that succeeded)
        "mapping_variables": {
            path: {name: V.to_json(value) for name, value in sorted(values.items())}
            for path, values in sorted(mapping.items())
        },
    }


def task_entry(rec: TaskRecord | None) -> dict[str, Any]:
    """One task of the summary; a session that ran also has ``rows`` (:data:`ROW_COUNTS`)."""
    if rec is None:
        return {
            "status": NOTSTARTED,
            "started": None,
            "ended": None,
            "attempts": 0,
            "error": "",
            "message": "",
        }
    entry: dict[str, Any] = {
        "status": rec.status,
        "started": _iso(rec.started),
        "ended": _iso(rec.ended),
        "attempts": rec.attempts,
        "error": rec.error,
        "message": rec.message,
    }
    rows = row_counts(rec)
    if rows is not None:
        entry["rows"] = rows
    if rec.log_path and Path(rec.log_path).is_file():
        entry["log"] = rec.log_path
    return entry


def row_counts(rec: TaskRecord) -> dict[str, int] | None:
    """A session's source/target success and failed rows and transformation errors, as recorded in its
    task variables; None for other tasks and sessions that never reached their mapping."""
    if rec.task_type != "Session" or not any(name in rec.vars for name in ROW_COUNTS.values()):
        return None
    return {key: int(rec.vars.get(name) or 0) for key, name in ROW_COUNTS.items()}  # type: ignore[arg-type]


def attempt_entry(attempt: RunAttempt) -> dict[str, Any]:
    return {
        "attempt": attempt.attempt,
        "kind": attempt.kind,
        "status": attempt.status,
        "started": _iso(attempt.started),
        "ended": _iso(attempt.ended),
        "error": attempt.error,
    }
