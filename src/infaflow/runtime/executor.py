"""The session executor interface: how the scheduler runs a Session task.

The runtime knows nothing of Spark; the code generation layer provides an executor that runs the
generated PySpark job of a session (see :mod:`infaflow.codegen`). Without an executor a Session task
fails with a clear message: it is never pretended to succeed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from infaflow.model import Export, Folder, Session, TaskInstance, Workflow


@dataclass
class SessionRequest:
    """Everything an executor needs to run one Session task instance."""

    export: Export
    folder: Folder
    workflow: Workflow  # the top-level workflow of the run
    instance_path: str  # e.g. "wl_load/s_m_orders"
    instance: TaskInstance
    session: Session
    # Resolved values, by name as written in the export: mapping parameters/variables ($$X), session
    # parameters ($DBConnection_X, $InputFile_X...), process variables ($PMSourceFileDir...), built-ins.
    params: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""
    state_dir: Path = Path(".infaflow")
    log_path: Path | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    attempt: int = 1


@dataclass
class SessionOutcome:
    """What a session run produced: its status and the values of its predefined task variables."""

    succeeded: bool
    error: str = ""
    src_success_rows: int = 0
    src_failed_rows: int = 0
    tgt_success_rows: int = 0
    tgt_failed_rows: int = 0
    total_trans_errors: int = 0
    first_error_code: int = 0
    first_error_msg: str = ""
    # Final values of mapping variables (SETVARIABLE & co.) to persist when the session succeeds.
    mapping_variables: dict[str, Any] = field(default_factory=dict)
    stopped: bool = False  # ended because request.cancel was set


class SessionExecutor(Protocol):
    """Runs sessions; implementations must honour ``request.cancel`` (stop promptly when set)."""

    def run_session(self, request: SessionRequest) -> SessionOutcome: ...

    def close(self) -> None: ...
