"""The records of one run: how to run (:class:`RunOptions`), what a resumed run starts from
(:class:`Resumption`), and the scheduler's state of a running task (:class:`TaskRun`) and of a workflow or
worklet instance (:class:`ScopeRun`), with the messages its queue carries (:data:`QueueMessage`).

Plain records: only the :class:`~infaflow.runtime.scheduler.Runner` changes them.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass, field
from typing import Literal

from infaflow.runtime import values as V
from infaflow.runtime.plan import Node, ScopePlan
from infaflow.runtime.readiness import Link
from infaflow.runtime.status import STOPPED, Status
from infaflow.runtime.store import TaskRecord
from infaflow.runtime.tasks import TaskContext, TaskResult
from infaflow.runtime.variables import VariableScope


def default_workers() -> int:
    """``--max-workers`` default: the number of CPUs, at least 4."""
    return max(4, os.cpu_count() or 1)


@dataclass
class RunOptions:
    """How to run (everything the command line can set besides parameters)."""

    max_workers: int = field(default_factory=default_workers)
    dry_run: bool = False
    command_timeout: float | None = None  # seconds per command; None = no limit
    retries: int | None = None  # extra attempts of restartable tasks; None = from the workflow attributes
    retry_backoff: float = 1.0  # seconds before the first retry, doubled each time
    retry_backoff_cap: float = 60.0
    poll_interval: float = 0.2  # file watches
    stop_grace: float = 5.0  # seconds between SIGTERM and SIGKILL when stopping commands
    abort_timeout: float = 60.0  # seconds an aborted session has to end before it is killed (PowerCenter: 60)
    control_poll: float = 0.5  # seconds between looks for `infaflow stop/abort` requests
    working_dir: str | None = None  # where commands run and relative watched files are looked for
    root_dir: str | None = None  # $PMRootDir default (else <state dir>/infa_shared)
    project_dir: str | None = None  # a converted project whose modules run the sessions (kept for resume)
    start_from: str | None = None  # "Start Workflow from Task": the task (path or name) the run starts at


@dataclass
class TaskRun:
    """A task instance that is running (or waiting to retry)."""

    scope: ScopeRun
    node: Node
    attempt: int
    started: dt.datetime
    restartable: bool
    cancel: threading.Event = field(default_factory=threading.Event)
    stop_mode: list[str] = field(default_factory=lambda: [STOPPED])
    ctx: TaskContext | None = None
    retry_timer: threading.Timer | None = None
    reported: bool = False
    began: dt.datetime | None = None  # when the current attempt really started
    began_once: bool = False
    in_pool: bool = False  # holds one of the --max-workers workers


#: what workers, retry timers and stop requests put on the scheduler's queue
QueueMessage = (
    tuple[Literal["done"], TaskRun, TaskResult]
    | tuple[Literal["retry"], TaskRun, None]
    | tuple[Literal["stop"], Status, None]
    | tuple[Literal["abort-timeout"], TaskRun, None]
)


class ScopeRun:
    """The state of one workflow or worklet instance during a run."""

    def __init__(
        self, plan: ScopePlan, parent: ScopeRun | None, node: Node | None, variables: VariableScope
    ) -> None:
        self.plan = plan
        self.parent = parent
        self.node = node
        self.vars = variables
        self.link_state: list[Link] = [Link.PENDING] * len(plan.links)
        self.status: dict[str, str] = {}
        self.task_vars: dict[str, dict[str, V.Value]] = {}
        self.running: dict[str, TaskRun | ScopeRun] = {}
        self.suspended: set[str] = set()
        self.fail_reasons: list[str] = []
        self.stop_mode: str | None = None
        self.stop_reason = ""
        self.started = dt.datetime.now()
        self.closed = False
        self.final = ""
        self.restored: dict[str, TaskRecord] = {}
        self.lower = {name.lower(): name for name in plan.nodes}

    @property
    def path(self) -> str:
        return self.plan.path

    def stopping(self) -> str | None:
        scope: ScopeRun | None = self
        while scope is not None:
            if scope.stop_mode:
                return scope.stop_mode
            scope = scope.parent
        return None

    def root(self) -> ScopeRun:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


@dataclass
class Resumption:
    """What a resumed run starts from: the recorded tasks and variable values."""

    tasks: dict[str, TaskRecord]
    variables: dict[str, dict[str, V.Value]]
    #: paths that run again whatever their record ("Restart Workflow from Task", see runtime.fromtask)
    restart: frozenset[str] = frozenset()

    def tasks_in(self, scope_path: str) -> dict[str, TaskRecord]:
        """The recorded tasks directly in the scope ``scope_path``, by task instance name."""
        prefix = f"{scope_path}/" if scope_path else ""
        return {
            path[len(prefix) :]: record
            for path, record in self.tasks.items()
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        }
