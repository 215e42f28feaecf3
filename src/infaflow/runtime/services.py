"""What the task handlers of one run share (:class:`Services`): the session executor, the processes
started, raised events, the SMTP settings and the names of the run's repository objects."""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable
from pathlib import Path

from infaflow.model import Export, Folder, Workflow
from infaflow.runtime.email import SmtpConfig
from infaflow.runtime.executor import SessionExecutor
from infaflow.runtime.processes import ProcessRegistry
from infaflow.runtime.run_state import RunOptions
from infaflow.runtime.tasks.waits import EventBoard

ExecutorSource = SessionExecutor | Callable[[], SessionExecutor | None] | None


class Services:
    """What task handlers share during one run."""

    def __init__(
        self,
        *,
        options: RunOptions,
        export: Export,
        folder: Folder,
        workflow: Workflow,
        state_dir: Path,
        run_dir: Path,
        executor: ExecutorSource,
        no_executor_reason: str,
    ) -> None:
        self.options = options
        self.export = export
        self.folder = folder
        self.workflow = workflow
        self.state_dir = state_dir
        self.run_dir = run_dir
        self.outbox = run_dir / "outbox"
        self.processes = ProcessRegistry()
        self.events = EventBoard()
        self.smtp = SmtpConfig.from_env()
        self.working_dir = options.working_dir
        self.repository = export.repositories[0].name if export.repositories else ""
        self.folder_name = folder.name
        self.workflow_name = workflow.name
        try:
            self.user = getpass.getuser()
        except (KeyError, OSError):
            self.user = ""
        self.no_executor_reason = no_executor_reason
        self._executor_source = executor
        self._executor: SessionExecutor | None = None
        self._executor_made = False
        self._executor_lock = threading.Lock()

    def session_executor(self) -> SessionExecutor | None:
        """The run's session executor, created on first use (one per run)."""
        with self._executor_lock:
            if not self._executor_made:
                self._executor_made = True
                source = self._executor_source
                if source is None:
                    self._executor = None
                elif hasattr(source, "run_session") and not isinstance(source, type):
                    self._executor = source  # type: ignore[assignment]
                else:
                    try:
                        self._executor = source()
                    except Exception as exc:  # noqa: BLE001 - reported on every session
                        self._executor = None
                        self.no_executor_reason = (
                            f"the session executor could not start: {type(exc).__name__}: {exc}"
                        )
            return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()

    @staticmethod
    def scope_key(task_path: str) -> str:
        """The scope path of a task path ('' for tasks of the top-level workflow)."""
        return task_path.rpartition("/")[0]
