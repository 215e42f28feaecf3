"""What the commands reading recorded runs share: opening the run store, and a recorded run's plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from infaflow.errors import InputError
from infaflow.runtime.store import DB_NAME, RunStore

if TYPE_CHECKING:
    from infaflow.runtime.plan import ScopePlan


def open_store(state_dir: str) -> RunStore:
    """The run store of ``state_dir``; an :class:`InputError` when there is none."""
    if not (Path(state_dir) / DB_NAME).is_file():
        raise InputError(
            f"no run store in {state_dir} (run a workflow first, or pass --state-dir)", state_dir
        )
    return RunStore(state_dir)


def plan_of(record: Any) -> ScopePlan | None:  # noqa: ANN401
    """The plan of a recorded run's workflow when its export is still readable (to list tasks that
    never ran), else None."""
    from infaflow.export import load_repository
    from infaflow.runtime import plan
    from infaflow.runtime.api import find_workflow

    if not all(Path(p).is_file() for p in record.export_paths):
        return None
    try:
        export = load_repository(record.export_paths, lenient=True)
        folder, wf = find_workflow(export, record.workflow, record.folder)
        return plan.build(wf, folder)
    except InputError:
        return None
