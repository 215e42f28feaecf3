"""What a task handler gets (:class:`TaskContext`) and returns (:class:`TaskResult`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.model import Attributes, ValuePair
from infaflow.runtime import values as V
from infaflow.runtime.status import SUCCEEDED


@dataclass
class TaskResult:
    """The outcome of one attempt of a task."""

    status: str
    error: str = ""
    error_code: int = 0
    #: extra predefined task variables (Condition, SrcSuccessRows...) by their display name
    task_vars: dict[str, V.Value] = field(default_factory=dict)
    #: user variables to assign in the task's scope after it ends, in order
    assignments: list[tuple[str, V.Value]] = field(default_factory=list)
    #: a session's mapping variables to save for its next run (only kept when it SUCCEEDED)
    mapping_variables: dict[str, V.Value] = field(default_factory=dict)
    message: str = ""  # what the task reports besides an error (where an email went)
    control: str = ""  # a Control task's option
    raised_event: str = ""  # an Event Raise task's user-defined event

    @classmethod
    def ok(cls, **kwargs: Any) -> TaskResult:
        return cls(SUCCEEDED, **kwargs)


class TaskLog:
    """The log file of one task, created on first write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, message: str) -> None:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                for line in message.splitlines() or [""]:
                    fh.write(f"{stamp} {line}\n")


@dataclass
class TaskContext:
    """Everything a task handler may use. Handlers run in worker threads (``pool``/``wait`` modes) or
    in the scheduler thread (``inline``); only inline handlers may call :attr:`assign`."""

    run_id: int
    path: str  # instance path
    name: str  # instance name
    task_type: str
    attributes: Attributes
    value_pairs: list[ValuePair]
    definition: Any
    instance: Any
    log: TaskLog
    cancel: threading.Event
    attempt: int
    dry_run: bool
    #: expand $$vars / $PMRootDir / $Params in a text (commands, file names, email fields)
    expand: Callable[[str], str]
    #: evaluate an expression text in the task's scope (raises InputError/ExprError); an optional second
    #: argument is the default date format (a session's DateTime Format String)
    evaluate: Callable[..., V.Value]
    #: assign a user variable of the task's scope now (inline handlers only)
    assign: Callable[[str, V.Value], V.Value]
    #: lookup a value by name in the scope (user variable, parameter or built-in): (found, value)
    lookup: Callable[[str], tuple[bool, V.Value]]
    services: Any  # the run's shared services (see scheduler.Services)
    scope_started: dt.datetime
    workflow_started: dt.datetime
    task_started: dt.datetime
    file: str = ""
    line: int = 0
    stop_mode: list[str] = field(default_factory=lambda: ["STOPPED"])  # set by the scheduler on stop/abort
    #: a Session's resolved parameters ($$mapping params, $DBConnection..., process variables, built-ins)
    session_params: dict[str, V.Value] = field(default_factory=dict)
    #: lower-case names of session parameters given by parameter files or --param (they beat pre-session
    #: variable assignments)
    session_fixed: set[str] = field(default_factory=set)

    @property
    def stopped_status(self) -> str:
        return self.stop_mode[0]

    def ordered_value_pairs(self) -> list[ValuePair]:
        return sorted(self.value_pairs, key=lambda v: v.exec_order)


@dataclass(frozen=True)
class Handler:
    """How to run one task type.

    ``mode``: ``inline`` (fast, in the scheduler thread, may assign variables), ``pool`` (work, on one of
    the ``--max-workers`` threads) or ``wait`` (waits for time or an event on its own thread, using no
    worker). ``fixed_restart``: the recovery strategy is always "Restart task" (every type but Session and
    Command, SPEC.md B).
    """

    run: Callable[[TaskContext], TaskResult]
    mode: str
    fixed_restart: bool = True
