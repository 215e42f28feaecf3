"""The scheduler: a ready-set state machine over the instance graph, with PowerCenter's rules.

One thread (the caller's) owns all state: it decides readiness (:func:`readiness.decide`), records
everything in the run store, and hands work to a pool of ``max_workers`` threads (Command, Session,
Email), to dedicated threads for tasks that only wait (Timer, Event Wait), or runs quick tasks itself
(Start, Decision, Assignment, Control, Event Raise). A task starts the moment its input links allow it:
there are no level barriers. Worklet instances are nested scopes with their own variables.

Everything recorded for a task is committed before any task it enables is started, so a crash never
loses the record of a task that succeeded.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import queue
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from infaflow.errors import InputError
from infaflow.model import Export, Folder, TaskInstance, Workflow
from infaflow.runtime import conditions, fromtask, outcome, paramfile, recovery
from infaflow.runtime import values as V
from infaflow.runtime.outcome import SUSPENDING_TYPES
from infaflow.runtime.plan import Node, ScopePlan, priorities
from infaflow.runtime.progress import Progress, Silent
from infaflow.runtime.readiness import Link, Verdict, decide
from infaflow.runtime.run_state import (
    QueueMessage,
    Resumption,
    RunOptions,
    ScopeRun,
    TaskRun,
    default_workers,
)
from infaflow.runtime.services import ExecutorSource, Services
from infaflow.runtime.status import (
    ABORTED,
    DISABLED,
    FAILED,
    NOTSTARTED,
    STARTED,
    STOPPED,
    SUCCEEDED,
    SUSPENDED,
)
from infaflow.runtime.store import RunStore
from infaflow.runtime.summary import MAPPING_SCOPE
from infaflow.runtime.task_env import TaskEnvironment
from infaflow.runtime.tasks import HANDLERS, TaskContext, TaskLog, TaskResult
from infaflow.runtime.tasks.simple import control_option
from infaflow.runtime.variables import Param, VariableScope, create_output_dirs
from infaflow.runtime.workers import PriorityPool

# The records and services moved to their own modules; importers of this module keep working.
__all__ = [
    "SUSPENDING_TYPES",
    "ExecutorSource",
    "QueueMessage",
    "Resumption",
    "RunOptions",
    "Runner",
    "ScopeRun",
    "Services",
    "TaskRun",
    "default_workers",
]


class Runner:
    """Runs one workflow (a new run, or the continuation of a recorded one)."""

    def __init__(
        self,
        *,
        export: Export,
        folder: Folder,
        workflow: Workflow,
        plan: ScopePlan,
        store: RunStore,
        run_id: int,
        run_dir: Path,
        options: RunOptions,
        param_files: list[paramfile.ParamFile],
        cli_params: dict[str, Param],
        executor: ExecutorSource,
        no_executor_reason: str,
        progress: Progress | None,
        started: dt.datetime,
        resumption: Resumption | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.export = export
        self.folder = folder
        self.workflow = workflow
        self.plan = plan
        self.store = store
        self.run_id = run_id
        self.run_dir = run_dir
        self.log_dir = run_dir / "logs"
        self._log_prefix = f"{self.log_dir}/"
        self.options = options
        self.progress: Progress = progress or Silent()
        self.resumption = resumption
        self.warnings: list[str] = list(warnings or [])
        state_dir = store.state_dir or run_dir
        self.services = Services(
            options=options,
            export=export,
            folder=folder,
            workflow=workflow,
            state_dir=state_dir,
            run_dir=run_dir,
            executor=executor,
            no_executor_reason=no_executor_reason,
        )
        root_dir = Path(options.root_dir) if options.root_dir else state_dir / "infa_shared"
        self.env = TaskEnvironment(
            export=export,
            folder=folder,
            workflow=workflow,
            store=store,
            run_id=run_id,
            repository=self.services.repository,
            root_dir=root_dir,
            param_files=param_files,
            cli_params=cli_params,
            workflow_started=started,
            warnings=self.warnings,
        )
        if not options.dry_run:
            create_output_dirs(self.env.builtins)
        self.policy = recovery.retry_policy(
            workflow, options.retries, options.retry_backoff, options.retry_backoff_cap
        )
        self.queue: queue.SimpleQueue[QueueMessage] = queue.SimpleQueue()
        self._inline: deque[TaskRun] = deque()
        self._to_pool: list[TaskRun] = []
        self._ready: list[
            tuple[float, int, TaskRun]
        ] = []  # pool tasks waiting for a worker, most critical first
        self._seq = itertools.count()
        self._busy = 0
        self._to_thread: list[TaskRun] = []
        self._pool: PriorityPool | None = None
        self.entries = fromtask.entries(plan, options.start_from) if options.start_from else {}
        self.recorded = store.recorded_durations(workflow.name, folder.name) if not options.dry_run else {}
        self.priority = priorities(plan, self.recorded)
        self.root: ScopeRun | None = None
        self.status = ""
        self._finished = False
        self.stop_requests = 0
        self._control_checked = 0.0

    @property
    def started(self) -> dt.datetime:
        """When the workflow run started (``$$WorkflowStartTime``; the task environment's clock)."""
        return self.env.workflow_started

    @started.setter
    def started(self, value: dt.datetime) -> None:
        self.env.workflow_started = value

    # -- scopes ---------------------------------------------------------------------------------------

    def _open_scope(
        self, plan: ScopePlan, parent: ScopeRun | None, node: Node | None, overrides: dict[str, V.Value]
    ) -> ScopeRun:
        names = plan.worklet_names()
        params = self.env.params_for(paramfile.Scope(self.folder.name, self.workflow.name, names))
        persistent = self.store.persistent_values(self.folder.name, self.workflow.name, plan.persistent_key())
        variables = VariableScope.create(plan.workflow, plan.path, params, persistent, overrides)
        scope = ScopeRun(plan, parent, node, variables)
        if parent is None:
            scope.started = self.started
        if self.resumption is not None:
            for key, value in self.resumption.variables.get(plan.path, {}).items():
                if key.lower() in variables.declared:
                    variables.values[key.lower()] = value
            scope.restored.update(self.resumption.tasks_in(plan.path))
        self.store.set_variables(self.run_id, plan.path, variables.display())
        if parent is not None:
            parent.running[node.name] = scope  # type: ignore[union-attr]
        self._replay_restored(scope)
        entry = self.entries.get(plan.path)
        self._settle(scope, [entry.name] if entry else plan.starts)
        self._check_done(scope)
        return scope

    def _replay_restored(self, scope: ScopeRun) -> None:
        """On resume: kept tasks are decided at once (with their recorded variables); interrupted tasks
        whose strategy is "Fail task and continue workflow" are marked FAILED."""
        touched: list[str] = []
        for name in scope.plan.order:
            record = scope.restored.get(name)
            if (
                record is None
                or self.resumption is None
                or scope.plan.nodes[name].path in self.resumption.restart
            ):
                continue
            node = scope.plan.nodes[name]
            action = recovery.on_resume(record.status, node.task_type, node.instance.effective_attributes())
            if action == recovery.KEEP:
                scope.status[name] = record.status
                scope.task_vars[name] = {k.lower(): v for k, v in record.vars.items()}
                self.progress.task_finished(node.path, record.status, "kept from the earlier attempt")
                self._reapply_outcome(scope, node, record.status)
                touched.extend(self._after(scope, node, record.status))
            elif action == recovery.FAIL:
                result = TaskResult(
                    FAILED,
                    error=f"interrupted ({record.status}); recovery strategy: {recovery.FAIL_AND_CONTINUE}",
                    error_code=1,
                )
                touched.extend(
                    self._complete(
                        scope,
                        node,
                        result,
                        record.started or dt.datetime.now(),
                        dt.datetime.now(),
                        record.attempts,
                    )
                )
        self._settle(scope, touched)

    def _reapply_outcome(self, scope: ScopeRun, node: Node, status: str) -> None:
        """What a kept task did to its parent's outcome in the first run: a disabled task with
        FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN, a Control task that failed its parent or the top-level
        workflow (stop and abort are not repeated: resuming is how a stopped run continues)."""
        if status == DISABLED:
            scope.fail_reasons.extend(outcome.fail_parent_reasons(node, status, ""))
        if node.task_type == "Control" and status == SUCCEEDED:
            option = control_option(node.instance.effective_attributes().get("Control Option", "") or "")
            if option in ("Fail Parent", "Fail Top-Level Workflow"):
                self._apply_control(scope, node, option)

    def _close_scope(self, scope: ScopeRun) -> None:
        if scope.closed:
            return
        scope.closed = True
        status, reason = outcome.scope_outcome(scope)
        scope.final = status
        if status != SUSPENDED and not self.options.dry_run:
            # Saved "at the end of the workflow run", whatever its status (Advanced Workflow Guide,
            # "Workflow Variable Start and Current Values"); a suspended run has not ended.
            values = scope.vars.persistent_values()
            if values:
                self.store.save_persistent(
                    self.folder.name, self.workflow.name, scope.plan.persistent_key(), values, self.run_id
                )
        self.store.add_event(self.run_id, "scope-end", scope.path, f"{status} {reason}".strip())
        if scope.parent is None:
            if status == SUSPENDED and self.workflow.suspension_email.strip() and not self.options.dry_run:
                self._send_suspension_email(scope)
            self.status = status
            self._root_reason = reason
            self._finished = True
            return
        parent, node = scope.parent, scope.node
        assert node is not None
        parent.running.pop(node.name, None)
        result = TaskResult(status, error=reason, error_code=0 if status == SUCCEEDED else 1)
        for pair in node.instance.value_pairs:
            if pair.reverse_assignment:
                found, value = self.env.lookup(scope, pair.name)
                if found:
                    result.assignments.append((pair.value.strip(), value))
        started = outcome.started_of(parent, node) or scope.started
        touched = self._complete(
            parent, node, result, started, dt.datetime.now(), 1, halted=outcome.stopped_path(scope)
        )
        self._settle(parent, touched)
        self._check_done(parent)

    def _send_suspension_email(self, scope: ScopeRun) -> None:
        """The workflow's SUSPENSION_EMAIL: the Email task of that name (in the workflow or the folder)."""
        name = self.workflow.suspension_email.strip()
        task = next(
            (
                t
                for t in [*self.workflow.tasks, *self.folder.tasks]
                if t.name.lower() == name.lower() and t.type == "Email"
            ),
            None,
        )
        if task is None:
            message = f"SUSPENSION_EMAIL {name!r} is not an Email task of this workflow or folder; not sent"
            self.warnings.append(message)
            self.store.add_event(self.run_id, "suspension-email", "", message)
            return
        instance = TaskInstance(name, name, "Email", task=task)
        node = Node(name, f"suspension_email/{name}", instance, "Email", task)
        ctx = self._context(TaskRun(scope, node, 1, dt.datetime.now(), False))
        result = HANDLERS["Email"].run(ctx)
        detail = "sent" if result.status == SUCCEEDED else f"not sent: {result.error}"
        self.store.add_event(self.run_id, "suspension-email", node.path, detail)
        if result.status != SUCCEEDED:
            self.warnings.append(f"suspension email {name!r} {detail}")

    def _check_done(self, scope: ScopeRun) -> None:
        if not scope.closed and not scope.running:
            self._close_scope(scope)

    # -- readiness ------------------------------------------------------------------------------------

    def _settle(self, scope: ScopeRun, names: Iterable[str]) -> None:
        """Decide every task in ``names`` whose inputs changed, and whatever that decides in turn."""
        work = deque(names)
        plan = scope.plan
        while work:
            name = work.popleft()
            if name in scope.status:
                continue
            work.extend(self._settle_one(scope, plan.nodes[name]))

    def _settle_one(self, scope: ScopeRun, node: Node) -> list[str]:
        """Decide one undecided task from its input links: complete it as NOTSTARTED or DISABLED, launch
        it, or leave it waiting; the tasks to settle next."""
        entry = self.entries.get(scope.path)
        inputs = [i for i in node.inputs if entry is None or scope.plan.links[i].source in entry.included]
        verdict = decide([scope.link_state[i] for i in inputs], node.and_join)
        if verdict.verdict is Verdict.WAIT:
            return []
        if verdict.verdict is Verdict.NEVER:
            return self._complete(scope, node, TaskResult(NOTSTARTED, error=""), None, None, 0)
        if scope.stopping():
            return []
        if not node.instance.is_enabled:
            return self._complete(scope, node, TaskResult(DISABLED), None, None, 0)
        self._launch(scope, node)
        return []

    def _after(self, scope: ScopeRun, node: Node, status: str) -> list[str]:
        """Evaluate ``node``'s output links now that it ended in ``status``; the targets to settle."""
        targets: list[str] = []
        if status == NOTSTARTED:
            for index in node.outputs:
                scope.link_state[index] = Link.DEAD
                targets.append(scope.plan.links[index].target)
            return targets
        if scope.stopping():
            return targets
        env = None
        for index in node.outputs:
            link = scope.plan.links[index]
            if link.node is None:
                scope.link_state[index] = Link.TRUE
            else:
                env = env or self.env.scope_environment(scope, node.name)
                try:
                    scope.link_state[index] = Link.TRUE if conditions.holds(link.node, env) else Link.FALSE
                except Exception as exc:  # noqa: BLE001 - any evaluation problem is this link's, reported with its location
                    scope.link_state[index] = Link.FALSE
                    where = f"{link.model.location}" if link.model.location.line else self.export.path
                    message = (
                        f"{where}: link {link.source} -> {link.target}: condition {link.condition!r} "
                        f"cannot be evaluated: {exc}"
                    )
                    if self.options.dry_run:
                        self.warnings.append(message)
                    else:
                        scope.fail_reasons.append(message)
                    self.store.add_event(self.run_id, "link-error", node.path, message)
            targets.append(link.target)
        return targets

    # -- launching ------------------------------------------------------------------------------------

    def _log_path(self, node: Node) -> Path:
        return Path(f"{self._log_prefix}{node.path.replace('/', '__')}.log")

    def _launch(self, scope: ScopeRun, node: Node) -> None:
        now = dt.datetime.now()
        previous = scope.restored.get(node.name)
        attempt = (previous.attempts if previous else 0) + 1
        scope.status[node.name] = STARTED
        scope.task_vars[node.name] = {"starttime": now, "status": STARTED}
        self.store.task_started(
            self.run_id, node.path, node.task_type, attempt, now, str(self._log_path(node))
        )
        self.progress.task_started(node.path, node.task_type)
        if node.task_type == "Worklet":
            self._launch_worklet(scope, node, now)
            return
        handler = HANDLERS.get(node.task_type)
        attrs = node.instance.effective_attributes()
        restartable = (handler.fixed_restart if handler else True) or recovery.restarts(node.task_type, attrs)
        run = TaskRun(scope, node, attempt, now, restartable)
        scope.running[node.name] = run
        if handler is None:
            self._inline.append(run)  # reported as a failure by _run_inline
            return
        self._dispatch(run)

    def _launch_worklet(self, scope: ScopeRun, node: Node, now: dt.datetime) -> None:
        if node.child is None:
            status = SUCCEEDED if self.options.dry_run else FAILED
            error = (
                "" if self.options.dry_run else f"worklet {node.instance.task_name!r} is not in this export"
            )
            touched = self._complete(
                scope, node, TaskResult(status, error=error, error_code=0 if not error else 1), now, now, 1
            )
            self._settle(scope, touched)
            return
        overrides: dict[str, V.Value] = {}
        evaluate = self.env.evaluator(scope, node)
        for pair in sorted(node.instance.value_pairs, key=lambda p: p.exec_order):
            if pair.reverse_assignment:
                continue
            try:
                overrides[pair.name.strip()] = evaluate(pair.value)
            except (InputError, conditions.ExprError, ValueError) as exc:
                if self.options.dry_run:
                    self.warnings.append(f"{node.path}: worklet value {pair.name}: {exc}")
                    continue
                touched = self._complete(
                    scope,
                    node,
                    TaskResult(FAILED, error=f"worklet value {pair.name}: {exc}", error_code=1),
                    now,
                    now,
                    1,
                )
                self._settle(scope, touched)
                return
        try:
            self._open_scope(node.child, scope, node, overrides)
        except (InputError, ValueError) as exc:
            scope.running.pop(node.name, None)
            touched = self._complete(
                scope, node, TaskResult(FAILED, error=str(exc), error_code=1), now, now, 1
            )
            self._settle(scope, touched)

    def _context(self, run: TaskRun) -> TaskContext:
        scope, node = run.scope, run.node
        attrs = node.instance.effective_attributes()
        pairs = node.instance.value_pairs or list(getattr(node.definition, "value_pairs", []) or [])

        def assign(name: str, value: V.Value) -> V.Value:
            stored = scope.vars.assign(name, value)
            self.store.set_variables(
                self.run_id, scope.path, {scope.vars.declared[name.lower()].name: stored}
            )
            return stored

        ctx = TaskContext(
            run_id=self.run_id,
            path=node.path,
            name=node.name,
            task_type=node.task_type,
            attributes=attrs,
            value_pairs=pairs,
            definition=node.definition,
            instance=node.instance,
            log=TaskLog(self._log_path(node)),
            cancel=run.cancel,
            attempt=run.attempt,
            dry_run=self.options.dry_run,
            expand=self.env.expander(scope),
            evaluate=self.env.evaluator(scope, node),
            assign=assign,
            lookup=lambda name: self.env.lookup(scope, name),
            services=self.services,
            scope_started=scope.started,
            workflow_started=self.started,
            task_started=run.started,
            file=node.instance.location.file,
            line=node.instance.location.line,
            stop_mode=run.stop_mode,
        )
        if node.task_type == "Session":
            ctx.session_params, ctx.session_fixed = self.env.session_params(scope, node)
        return ctx

    def _dispatch(self, run: TaskRun) -> None:
        run.ctx = self._context(run)
        handler = HANDLERS[run.node.task_type]
        if handler.mode == "inline":
            self._inline.append(run)
        elif handler.mode == "wait":
            self._to_thread.append(run)
        else:
            self._to_pool.append(run)

    def _work(self, run: TaskRun) -> None:
        handler = HANDLERS[run.node.task_type]
        assert run.ctx is not None
        began = self._begin_time(run)  # when a worker takes it: StartTime excludes the wait for a worker
        run.began = began
        run.ctx.task_started = began
        if not run.began_once:
            run.began_once = True
            run.started = began
        try:
            result = handler.run(run.ctx)
        except Exception as exc:  # noqa: BLE001 - a bug in one task must not kill the run
            run.ctx.log.write(traceback.format_exc())
            result = TaskResult(FAILED, error=f"internal error: {type(exc).__name__}: {exc}", error_code=1)
        self.queue.put(("done", run, result))

    def _begin_time(self, run: TaskRun) -> dt.datetime:  # noqa: ARG002 - a seam for step-by-step runs
        """When an attempt of ``run`` starts (now, here)."""
        return dt.datetime.now()

    def _run_inline(self, run: TaskRun) -> None:
        handler = HANDLERS.get(run.node.task_type)
        if handler is None and self.options.dry_run:
            self.warnings.append(
                f"{run.node.path}: task type "
                f"{run.node.instance.raw_task_type or run.node.task_type!r} is unknown"
            )
            result = TaskResult(SUCCEEDED)
        elif handler is None:
            result = TaskResult(
                FAILED,
                error=f"task type {run.node.instance.raw_task_type or run.node.task_type!r} cannot run",
                error_code=1,
            )
        elif run.cancel.is_set():
            result = TaskResult(run.stop_mode[0], error="stopped before it started", error_code=1)
        else:
            self._work(run)
            return
        self.queue.put(("done", run, result))

    # -- results --------------------------------------------------------------------------------------

    def _on_result(self, run: TaskRun, result: TaskResult) -> None:
        if run.reported:
            return
        scope, node = run.scope, run.node
        now = dt.datetime.now()
        self.store.attempt_finished(
            self.run_id, node.path, run.attempt, result.status, now, result.error, run.began
        )
        if (
            result.status == FAILED
            and run.restartable
            and run.attempt < self.policy.max_attempts
            and not scope.stopping()
            and not self.options.dry_run
        ):
            delay = self.policy.delay(run.attempt)
            self.store.add_event(
                self.run_id,
                "retry",
                node.path,
                f"attempt {run.attempt} failed ({result.error}); retrying in {delay:g} s",
            )
            self.progress.note(
                f"retry     {node.path} in {delay:g} s (attempt {run.attempt} failed: {result.error})"
            )
            run.retry_timer = threading.Timer(delay, self.queue.put, (("retry", run, None),))
            run.retry_timer.daemon = True
            run.retry_timer.start()
            return
        run.reported = True
        scope.running.pop(node.name, None)
        touched = self._complete(scope, node, result, run.started, now, run.attempt)
        self._settle(scope, touched)
        self._check_done(scope)

    def _on_retry(self, run: TaskRun) -> None:
        if run.reported:
            return
        run.retry_timer = None
        if run.scope.stopping():
            self._on_result(
                run, TaskResult(run.stop_mode[0], error="stopped while waiting to retry", error_code=1)
            )
            return
        run.attempt += 1
        run.cancel = threading.Event()
        self.store.task_started(
            self.run_id,
            run.node.path,
            run.node.task_type,
            run.attempt,
            dt.datetime.now(),
            str(self._log_path(run.node)),
        )
        self._dispatch(run)

    def _complete(
        self,
        scope: ScopeRun,
        node: Node,
        result: TaskResult,
        started: dt.datetime | None,
        ended: dt.datetime | None,
        attempts: int,
        *,
        halted: bool = False,
    ) -> list[str]:
        """Record ``node``'s end in ``result.status``, apply its effects; the tasks to settle next.
        ``halted``: the task was stopped or aborted, so its path stops (its output links are not
        evaluated)."""
        status = result.status
        values = scope.task_vars.setdefault(node.name, {})
        ran = status not in (NOTSTARTED, DISABLED)  # a task that did not run has NULL task variables
        values.update(
            {
                "status": status,
                "starttime": started,
                "endtime": ended,
                "errorcode": result.error_code if ran else None,
                "errormsg": result.error if ran else None,
            }
        )
        values["prevtaskstatus"] = outcome.prev_status(scope, node) if status == DISABLED else status
        for key, value in result.task_vars.items():
            values[key.lower()] = value
        scope.status[node.name] = status
        shown = {conditions.TASK_VARIABLE_NAMES.get(k, k): v for k, v in values.items()}
        self.store.task_finished(
            self.run_id,
            node.path,
            node.task_type,
            status,
            started,
            ended,
            attempts,
            result.error,
            result.error_code,
            shown,
            message=result.message,
        )
        if status not in (NOTSTARTED,) or started is not None:
            self.progress.task_finished(node.path, status, result.error or result.message)
        for name, value in result.assignments:
            try:
                stored = scope.vars.assign(name, value)
                self.store.set_variables(
                    self.run_id, scope.path, {scope.vars.declared[name.lower()].name: stored}
                )
            except (KeyError, ValueError) as exc:
                self.warnings.append(f"{node.path}: cannot assign {name}: {exc}")
        if result.mapping_variables and status == SUCCEEDED and not self.options.dry_run:
            # The repository value of the session's mapping variables (the next run's start value), and
            # what this run saved (``infaflow show``).
            self.store.save_persistent(
                self.folder.name,
                self.workflow.name,
                f"{node.path}{MAPPING_SCOPE}",
                result.mapping_variables,
                self.run_id,
            )
            self.store.set_variables(self.run_id, f"{node.path}{MAPPING_SCOPE}", result.mapping_variables)
        if result.raised_event:
            self.services.events.raise_event(scope.path, result.raised_event, dt.datetime.now())
            self.store.add_event(self.run_id, "event-raise", node.path, result.raised_event)
        if result.control and status in (SUCCEEDED, FAILED):
            self._apply_control(scope, node, result.control)
        if outcome.suspends(scope, node, status):
            scope.suspended.add(node.name)
            self.store.add_event(self.run_id, "suspend", node.path, result.error)
            return []  # its output links are not evaluated
        scope.fail_reasons.extend(outcome.fail_parent_reasons(node, status, result.error))
        if halted:
            self.store.add_event(self.run_id, "path-stopped", node.path, status)
            return []
        return self._after(scope, node, status)

    def _apply_control(self, scope: ScopeRun, node: Node, option: str) -> None:
        root = scope.root()
        reason = f"Control task {node.path}: {option}"
        self.store.add_event(self.run_id, "control", node.path, option)
        actions: dict[str, Callable[[], None]] = {
            "Fail Me": lambda: None,
            "Fail Parent": lambda: scope.fail_reasons.append(reason),
            # A Control task stops or aborts as Monitor's stop and abort do (Advanced Workflow Guide,
            # "Stopping and Aborting": a Command finishes its current command, a session gets the abort
            # timeout), hence ``gentle``.
            "Stop Parent": lambda: self._stop_scope(scope, STOPPED, reason, gentle=True),
            "Abort Parent": lambda: self._stop_scope(scope, ABORTED, reason, gentle=True),
            "Fail Top-Level Workflow": lambda: root.fail_reasons.append(reason),
            "Stop Top-Level Workflow": lambda: self._stop_scope(root, STOPPED, reason, gentle=True),
            "Abort Top-Level Workflow": lambda: self._stop_scope(root, ABORTED, reason, gentle=True),
        }
        actions[option]()

    # -- stopping -------------------------------------------------------------------------------------

    def _stop_scope(self, scope: ScopeRun, mode: str, reason: str, gentle: bool = False) -> None:
        """Stop or abort ``scope`` and everything running in it. ``gentle`` (``infaflow stop``/``abort`` and
        Control tasks, PowerCenter's semantics): a stopped command finishes the command it runs and runs no
        more, an aborted session gets ``abort_timeout`` seconds to end before it is killed."""
        if scope.closed:
            return
        if scope.stop_mode == ABORTED or scope.stop_mode == mode:
            return
        scope.stop_mode = mode
        scope.stop_reason = reason
        for item in list(scope.running.values()):
            if isinstance(item, ScopeRun):
                self._stop_scope(item, mode, reason, gentle)
                continue
            item.stop_mode[0] = mode
            item.cancel.set()
            if gentle and mode == ABORTED and item.node.task_type == "Session":
                timer = threading.Timer(
                    self.options.abort_timeout, self.queue.put, (("abort-timeout", item, None),)
                )
                timer.daemon = True
                timer.start()
            elif mode == ABORTED:
                self.services.processes.signal(item.node.path, signal.SIGKILL)
            elif not gentle:
                self.services.processes.terminate(item.node.path, self.options.stop_grace)
            if item.retry_timer is not None:
                item.retry_timer.cancel()
                item.retry_timer = None
                self.queue.put(
                    ("done", item, TaskResult(mode, error="stopped while waiting to retry", error_code=1))
                )

    def request_stop(self, abort: bool = False) -> None:
        """Ask the run to stop (safe from signal handlers and other threads)."""
        self.queue.put(("stop", ABORTED if abort else STOPPED, None))

    # -- the loop -------------------------------------------------------------------------------------

    def run(self) -> str:
        """Run to the end; returns the workflow's final status."""
        self.progress.expect(
            self.recorded,
            None
            if self.options.dry_run
            else self.store.recorded_run_seconds(self.workflow.name, self.folder.name),
        )
        self.progress.begin(
            0 if self.options.dry_run else self.run_id, self.workflow.name, len(self.plan.all_nodes())
        )
        self._pool = PriorityPool(self.options.max_workers)
        try:
            with self.store.transaction():
                self.root = self._open_scope(self.plan, None, None, {})
            self._loop()
        except BaseException as exc:
            if self.root is not None:
                self._kill_everything()
            self.progress.end(
                STOPPED if isinstance(exc, KeyboardInterrupt) else FAILED
            )  # a live view is closed
            raise
        finally:
            self._pool.shutdown()
            self.services.close()
        self.progress.end(self.status)
        return self.status

    def _flush(self) -> None:
        assert self._pool is not None
        # Workers are handed tasks here, after every completion has been processed, so a freed worker
        # takes the most critical task ready at that moment (not whatever was queued first).
        for run in self._to_pool:
            heapq.heappush(self._ready, (-self.priority.get(run.node.path, 0.0), next(self._seq), run))
        while self._ready and self._busy < self.options.max_workers:
            priority, _, run = heapq.heappop(self._ready)
            run.in_pool = True
            self._busy += 1
            self._pool.submit(-priority, self._work, run)
        for run in self._to_thread:
            threading.Thread(
                target=self._work, args=(run,), name=f"infaflow-wait-{run.node.name}", daemon=True
            ).start()
        self._to_pool.clear()
        self._to_thread.clear()

    def _handle(self, message: QueueMessage) -> None:
        if message[0] == "done":
            _, first, second = message
            if first.in_pool:
                first.in_pool = False
                self._busy -= 1
            self._on_result(first, second)
        elif message[0] == "retry":
            self._on_retry(message[1])
        elif message[0] == "stop":
            assert self.root is not None
            self.stop_requests += 1
            mode = ABORTED if message[1] == ABORTED or self.stop_requests > 1 else STOPPED
            self.store.add_event(self.run_id, "stop-request", "", mode)
            self.progress.note(f"{'aborting' if mode == ABORTED else 'stopping'} the run (interrupted)")
            self._stop_scope(self.root, mode, "interrupted")
            self._check_done(self.root)
        elif message[0] == "abort-timeout":
            self._on_abort_timeout(message[1])

    def _on_abort_timeout(self, run: TaskRun) -> None:
        """An aborted session that did not end within ``abort_timeout``: kill its processes and record
        it ABORTED (what it reports later is ignored)."""
        if run.reported:
            return
        self.services.processes.signal(run.node.path, signal.SIGKILL)
        self.store.add_event(self.run_id, "abort-timeout", run.node.path, f"{self.options.abort_timeout:g} s")
        if run.in_pool:
            run.in_pool = False
            self._busy -= 1
        error = f"aborted: did not end within the abort timeout ({self.options.abort_timeout:g} s); killed"
        self._on_result(run, TaskResult(ABORTED, error=error, error_code=1))

    def _poll_control(self) -> None:
        """Take the ``infaflow stop`` / ``abort`` requests other processes recorded for this run."""
        now = time.monotonic()
        if self.root is None or now - self._control_checked < self.options.control_poll:
            return
        self._control_checked = now
        modes = self.store.take_control_requests(self.run_id)
        if not modes:
            return
        with self.store.transaction():
            for mode in modes:
                verb = "abort" if mode == ABORTED else "stop"
                self.store.add_event(self.run_id, "stop-request", "", f"{mode} (infaflow {verb})")
                self.progress.note(
                    f"{'aborting' if mode == ABORTED else 'stopping'} the run (infaflow {verb})"
                )
                self._stop_scope(self.root, mode, f"{mode.lower()} by infaflow {verb}", gentle=True)
                self._check_done(self.root)

    def _loop(self) -> None:
        wait = 0.25 if not isinstance(self.progress, Silent) else 1.0
        while True:
            with self.store.transaction():
                while self._inline:
                    self._run_inline(self._inline.popleft())
                    while True:
                        try:
                            self._handle(self.queue.get_nowait())
                        except queue.Empty:
                            break
            self._flush()
            if self._finished:
                return
            if self._inline:
                continue
            self._poll_control()
            if self._finished:
                return
            try:
                message = self.queue.get(timeout=min(wait, self.options.control_poll))
            except queue.Empty:
                self.progress.refresh()
                continue
            with self.store.transaction():
                self._handle(message)
                while True:
                    try:
                        self._handle(self.queue.get_nowait())
                    except queue.Empty:
                        break
            self._flush()
            if self._finished:
                return

    def _kill_everything(self) -> None:
        assert self.root is not None
        stack: list[ScopeRun] = [self.root]
        while stack:
            scope = stack.pop()
            for item in scope.running.values():
                if isinstance(item, ScopeRun):
                    stack.append(item)
                else:
                    item.cancel.set()
                    self.services.processes.signal(item.node.path, signal.SIGKILL)
