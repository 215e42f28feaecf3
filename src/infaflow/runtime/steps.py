"""A workflow run one task instance at a time: the seam an orchestrator (Airflow) runs workflows through.

Each step rebuilds the run's state from a :data:`RunState` (what the tasks that ran before it knew: task
statuses and variables, link states, user variables, fail reasons, stops, raised events), decides and runs
exactly one task instance with the scheduler's own code (:class:`~infaflow.runtime.scheduler.Runner`:
readiness, link conditions, parameter files, task handlers, retry policy, fail-parent flags, Control
tasks), and returns the new state. Nothing here re-implements a PowerCenter rule: :class:`StepRunner` only
turns off the scheduler's "settle what became ready" and "close the scope when idle" so that the caller
decides what runs next.

A :data:`RunState` is plain JSON. Several states (one per upstream task) merge into one with
:func:`merge`: every user variable carries the time it was last written, and the latest write wins, as in a
PowerCenter run where parallel branches share their workflow's variables.

The run is recorded in the ordinary run store (``state_dir``) under one run id, so ``infaflow show`` and
``--summary-json`` read it as any run, and persistent variables are saved where the next run reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.model import Export
from infaflow.runtime import paramfile, plan, summary
from infaflow.runtime import values as V
from infaflow.runtime.api import cli_parameters, find_workflow, root_directory, workflow_param_files
from infaflow.runtime.plan import Node, ScopePlan
from infaflow.runtime.readiness import Link, Verdict, decide
from infaflow.runtime.run_state import RunOptions, ScopeRun, TaskRun
from infaflow.runtime.scheduler import Runner
from infaflow.runtime.services import ExecutorSource
from infaflow.runtime.status import ABORTED, STARTED
from infaflow.runtime.store import RunStore, encode_export_paths
from infaflow.runtime.tasks import HANDLERS, waits
from infaflow.runtime.variables import VariableScope

#: The state of a run between steps (JSON): ``{"run_id", "started", "scopes": {path: {...}}, "events"}``.
RunState = dict[str, Any]


@dataclass
class StepConfig:
    """What every step of one workflow run needs besides the state (the same for all its tasks)."""

    exports: list[str]
    workflow: str
    folder: str | None = None
    state_dir: str = ".infaflow"
    param_files: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    options: RunOptions = field(default_factory=RunOptions)
    executor: ExecutorSource = None
    no_executor_reason: str = "none was given"
    #: while a task runs: the states of tasks running beside it that may stop it (Control tasks), asked
    #: every ``probe_interval`` seconds; a stop or abort of the task's scope (or an outer one) stops it
    stop_probe: Callable[[], RunState | None] | None = None
    probe_interval: float = 1.0


@functools.lru_cache(maxsize=8)
def _load(paths: tuple[str, ...], stamps: tuple[float, ...]) -> Export:  # noqa: ARG001 - stamps key the cache
    from infaflow.export import load_repository

    return load_repository(list(paths))


def load_export(paths: Iterable[str]) -> Export:
    """The export set, loaded once per process while its files do not change."""
    resolved = tuple(str(Path(p).resolve()) for p in paths)
    stamps = tuple(Path(p).stat().st_mtime if Path(p).exists() else 0.0 for p in resolved)
    return _load(resolved, stamps)


def _stamp() -> int:
    return time.time_ns()


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


class StepRunner(Runner):
    """A :class:`Runner` that runs one task per call and never starts anything on its own."""

    stop_probe: Callable[[], RunState | None] | None = None
    probe_interval: float = 1.0

    def _settle(self, scope: ScopeRun, names: Iterable[str]) -> None:
        """Deciding what runs next is the orchestrator's job (each task decides itself when it runs)."""

    def _check_done(self, scope: ScopeRun) -> None:
        """Scopes close when the orchestrator says so (:meth:`close`), after all their tasks ran."""

    def _begin_time(self, run: TaskRun) -> dt.datetime:
        """A task that waits (Timer, Event Wait) starts when its inputs allowed it, as in PowerCenter,
        even when the orchestrator started it later (it waits for all its upstream tasks)."""
        handler = HANDLERS.get(run.node.task_type)
        if handler is not None and handler.mode == "wait":
            ready = self._ready_time(run.scope, run.node)
            if ready is not None:
                return min(ready, dt.datetime.now())
        return dt.datetime.now()

    def _ready_time(self, scope: ScopeRun, node: Node) -> dt.datetime | None:
        ends = []
        for index in node.inputs:
            source = scope.plan.links[index].source
            state = scope.link_state[index]
            if node.and_join or state is Link.TRUE:
                end = scope.task_vars.get(source, {}).get("endtime")
                if isinstance(end, dt.datetime):
                    ends.append(end)
        if not ends:
            return scope.started if not node.inputs else None
        return max(ends) if node.and_join else min(ends)

    # -- state in ---------------------------------------------------------------------------------------

    def restore(self, state: RunState) -> None:
        """Rebuild the scopes (outermost first) and raised events from ``state``."""
        self.started = _when(state["started"]) or self.started
        self._stamps: dict[tuple[str, str], int] = {}
        self._fail_stamps: dict[tuple[str, str], int] = {}
        self._stop_stamps: dict[str, int] = {}
        self._restored_vars: dict[str, dict[str, Any]] = {}
        self.scopes: dict[str, ScopeRun] = {}
        for path in sorted(state["scopes"], key=lambda p: (p.count("/") if p else -1, p)):
            self._restore_scope(path, state["scopes"][path])
        for key, when in state.get("events", {}).items():
            scope, _, name = key.partition("\x1f")
            self.services.events.raise_event(scope, name, _when(when) or self.started)

    def _restore_scope(self, path: str, data: dict[str, Any]) -> None:
        parent = self.scopes.get(path.rpartition("/")[0]) if path else None
        if path and parent is None:
            raise ValueError(f"the state has worklet {path!r} without its parent")
        node = parent.plan.nodes[path.rpartition("/")[2]] if parent is not None else None
        scope_plan = self.plan if node is None else node.child
        assert scope_plan is not None
        params = self.env.params_for(
            paramfile.Scope(self.folder.name, self.workflow.name, scope_plan.worklet_names())
        )
        variables = VariableScope.create(scope_plan.workflow, path, params, {}, {})
        for key, (stamp, text) in data["vars"].items():
            variables.values[key] = V.decode(text)
            self._stamps[(path, key)] = stamp
        self._restored_vars[path] = dict(variables.values)
        scope = ScopeRun(scope_plan, parent, node, variables)
        scope.started = _when(data["started"]) or self.started
        scope.status = dict(data["status"])
        scope.task_vars = {
            name: {k: V.decode(t) for k, t in values.items()} for name, values in data["task_vars"].items()
        }
        for index, value in data["links"].items():
            scope.link_state[int(index)] = Link(value)
        for stamp, reason in data["fail"]:
            scope.fail_reasons.append(reason)
            self._fail_stamps[(path, reason)] = stamp
        scope.suspended = set(data["suspended"])
        if data.get("stop"):
            stamp, scope.stop_mode, scope.stop_reason = data["stop"]
            self._stop_stamps[path] = stamp
        scope.closed = bool(data.get("closed"))
        scope.final = data.get("final", "")
        if parent is not None and node is not None and not scope.closed:
            parent.running[node.name] = scope
        self.scopes[path] = scope
        if parent is None:
            self.root = scope

    # -- state out --------------------------------------------------------------------------------------

    def state(self) -> RunState:
        """The run's state now (variables written in this step stamped with this moment)."""
        now = _stamp()
        scopes: dict[str, Any] = {}
        for scope in self._all_scopes():
            path = scope.path
            before = self._restored_vars.get(path, {})
            variables = {}
            for key, value in scope.vars.values.items():
                old = self._stamps.get((path, key))
                unchanged = (
                    old is not None
                    and key in before
                    and before[key] == value
                    and type(before[key]) is type(value)
                )
                variables[key] = [old if unchanged else now, V.encode(value)]
            stop = None
            if scope.stop_mode:
                stop = [self._stop_stamps.get(path, now), scope.stop_mode, scope.stop_reason]
            scopes[path] = {
                "started": _iso(scope.started),
                "vars": variables,
                "status": dict(scope.status),
                "task_vars": {
                    n: {k: V.encode(v) for k, v in vals.items()} for n, vals in scope.task_vars.items()
                },
                "links": {str(i): s.value for i, s in enumerate(scope.link_state) if s is not Link.PENDING},
                "fail": [[self._fail_stamps.get((path, r), now), r] for r in scope.fail_reasons],
                "suspended": sorted(scope.suspended),
                "stop": stop,
                "closed": scope.closed,
                "final": scope.final,
            }
        events = {
            f"{scope}\x1f{name}": _iso(when)
            for (scope, name), when in self.services.events.all_raised().items()
        }
        return {"run_id": self.run_id, "started": _iso(self.started), "scopes": scopes, "events": events}

    def _all_scopes(self) -> list[ScopeRun]:
        out: list[ScopeRun] = []
        stack = [self.root] if self.root is not None else []
        seen: set[int] = set()
        while stack:
            scope = stack.pop()
            if id(scope) in seen:
                continue
            seen.add(id(scope))
            out.append(scope)
            stack.extend(s for s in scope.running.values() if isinstance(s, ScopeRun))
            stack.extend(s for s in self.scopes.values() if s.parent is scope)
        return sorted(out, key=lambda s: (s.path.count("/") if s.path else -1, s.path))

    # -- steps ------------------------------------------------------------------------------------------

    def open_root(self) -> None:
        """Open the top-level workflow's scope (the first step of a run)."""
        self.scopes = {}
        self._stamps, self._fail_stamps, self._stop_stamps, self._restored_vars = {}, {}, {}, {}
        with self.store.transaction():
            self.root = self._open_scope(self.plan, None, None, {})
        self.scopes[""] = self.root

    def _scope(self, path: str) -> ScopeRun | None:
        found = self.scopes.get(path)
        if found is not None:
            return found
        parent = self._scope(path.rpartition("/")[0]) if path else None
        if parent is None:
            return None
        item = parent.running.get(path.rpartition("/")[2])
        if isinstance(item, ScopeRun):
            self.scopes[path] = item
            return item
        return None

    def run_task(self, path: str) -> str | None:
        """Decide and run the task instance ``path`` (opening the worklets it is in when their own
        instance is ready); its status, or ``None`` when it is not decided (its scope did not run, is
        stopping, or an input never completed)."""
        scope_path, _, name = path.rpartition("/")
        scope = self._scope(scope_path)
        if scope is None and scope_path:
            opened = self.run_task(scope_path)
            if opened != STARTED:
                return None
            scope = self._scope(scope_path)
        if scope is None or scope.closed:
            return None
        if name in scope.status:
            return scope.status[name]
        node = scope.plan.nodes[name]
        with self.store.transaction():
            self._settle_one(scope, node)
        item = scope.running.get(name)
        if isinstance(item, TaskRun):
            self._drive(item, self.stop_probe, self.probe_interval)
        elif isinstance(item, ScopeRun):
            self.scopes[item.path] = item
        return scope.status.get(name)

    def timer_deadline(self, path: str) -> dt.datetime | None:
        """When the Timer task ``path`` will end its wait, if it is ready to start now (``None``: it is
        not a Timer that will wait: not ready, not to run, or failing at once); nothing is recorded."""
        scope_path, _, name = path.rpartition("/")
        scope = self._scope(scope_path)
        if scope is None or scope.closed or name in scope.status or scope.stopping():
            return None
        node = scope.plan.nodes[name]
        verdict = decide([scope.link_state[i] for i in node.inputs], node.and_join)
        if node.task_type != "Timer" or verdict.verdict is not Verdict.READY or not node.instance.is_enabled:
            return None
        run = TaskRun(scope, node, 1, dt.datetime.now(), False)
        ctx = self._context(run)
        ctx.task_started = self._begin_time(run)
        when = waits.timer_deadline(ctx)
        return when if isinstance(when, dt.datetime) else None

    def file_watch(self, path: str) -> Path | None:
        """The file the Event Wait task ``path`` will watch, if it is ready to start now (``None``: not an
        Event Wait on a file, not ready, or not to run); nothing is recorded."""
        scope_path, _, name = path.rpartition("/")
        scope = self._scope(scope_path)
        if scope is None or scope.closed or name in scope.status or scope.stopping():
            return None
        node = scope.plan.nodes[name]
        verdict = decide([scope.link_state[i] for i in node.inputs], node.and_join)
        if (
            node.task_type != "Event Wait"
            or verdict.verdict is not Verdict.READY
            or not node.instance.is_enabled
        ):
            return None
        run = TaskRun(scope, node, 1, dt.datetime.now(), False)
        return waits.file_watch(self._context(run))

    def _drive(
        self, run: TaskRun, probe: Callable[[], RunState | None] | None = None, interval: float = 1.0
    ) -> None:
        """Run ``run`` here, retries included, until its result is recorded; ``probe`` (see
        :attr:`StepConfig.stop_probe`) is asked while it works."""
        while not run.reported:
            inline = list(self._inline)
            work = [*self._to_pool, *self._to_thread]
            self._inline.clear()
            self._to_pool.clear()
            self._to_thread.clear()
            for item in inline:
                self._run_inline(item)
            for item in work:
                threading.Thread(
                    target=self._work, args=(item,), name=f"infaflow-step-{item.node.name}", daemon=True
                ).start()
            while True:
                try:
                    message = self.queue.get(timeout=interval if probe is not None else None)
                    break
                except queue.Empty:
                    self._apply_stops(run, probe() if probe is not None else None)
            with self.store.transaction():
                self._handle(message)

    def _apply_stops(self, run: TaskRun, found: RunState | None) -> None:
        """Stop ``run`` when ``found`` says its scope or an outer one was stopped or aborted since."""
        if not found:
            return
        for path, data in sorted(
            found["scopes"].items(), key=lambda item: item[0].count("/") if item[0] else -1
        ):
            scope = self.scopes.get(path)
            stop = data.get("stop")
            if not stop or scope is None or scope.stop_mode == ABORTED or scope.stop_mode == stop[1]:
                continue
            inside = run.scope.path == path or not path or run.scope.path.startswith(f"{path}/")
            if inside:
                self._stop_scope(scope, stop[1], stop[2])
                self._stop_stamps[path] = stop[0]

    def close(self, path: str) -> str | None:
        """End the scope ``path`` ('' for the workflow) once all its tasks ran; its status (``None`` when
        the scope never opened). Closing the workflow finishes the run in the store."""
        scope = self._scope(path)
        if scope is None:
            return None
        if not scope.closed:
            with self.store.transaction():
                self._close_scope(scope)
        if not path:
            self.store.finish_run(
                self.run_id, scope.final, dt.datetime.now(), getattr(self, "_root_reason", "")
            )
        return scope.final


def merge(states: Iterable[RunState | None]) -> RunState | None:
    """One state from the states of several upstream tasks (``None`` when there is none)."""
    found = [s for s in states if s]
    if not found:
        return None
    out: RunState = {"run_id": found[0]["run_id"], "started": found[0]["started"], "scopes": {}, "events": {}}
    for state in found:
        if state["run_id"] != out["run_id"]:
            raise ValueError(f"states of different runs ({out['run_id']} and {state['run_id']}) cannot merge")
        for path, data in state["scopes"].items():
            _merge_scope(out["scopes"].setdefault(path, _empty(data)), data)
        for key, when in state.get("events", {}).items():
            if key not in out["events"] or (when or "") > (out["events"][key] or ""):
                out["events"][key] = when
    return out


def _empty(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "started": data["started"],
        "vars": {},
        "status": {},
        "task_vars": {},
        "links": {},
        "fail": [],
        "suspended": [],
        "stop": None,
        "closed": False,
        "final": "",
    }


def _merge_scope(out: dict[str, Any], data: dict[str, Any]) -> None:
    for name, status in data["status"].items():
        if out["status"].get(name) in (None, STARTED):
            out["status"][name] = status
            out["task_vars"][name] = data["task_vars"].get(name, {})
    out["links"].update(data["links"])
    for key, (stamp, text) in data["vars"].items():
        if key not in out["vars"] or stamp > out["vars"][key][0]:
            out["vars"][key] = [stamp, text]
    known = {reason for _, reason in out["fail"]}
    out["fail"] = sorted([*out["fail"], *([s, r] for s, r in data["fail"] if r not in known)])
    out["suspended"] = sorted({*out["suspended"], *data["suspended"]})
    stop = data.get("stop")
    if stop and (not out["stop"] or (stop[1] == ABORTED and out["stop"][1] != ABORTED)):
        out["stop"] = stop
    if data.get("closed"):
        out["closed"], out["final"] = True, data["final"]


def _runner(config: StepConfig, store: RunStore, run_id: int, started: dt.datetime) -> StepRunner:
    export = load_export(config.exports)
    folder, workflow = find_workflow(export, config.workflow, config.folder)
    the_plan = plan.build(workflow, folder)
    cli = cli_parameters(config.params)
    warnings: list[str] = []
    files = workflow_param_files(
        workflow, folder, config.param_files, cli, root_directory(config.options, config.state_dir), warnings
    )
    return StepRunner(
        export=export,
        folder=folder,
        workflow=workflow,
        plan=the_plan,
        store=store,
        run_id=run_id,
        run_dir=Path(config.state_dir) / "runs" / str(run_id),
        options=config.options,
        param_files=files,
        cli_params=cli,
        executor=config.executor,
        no_executor_reason=config.no_executor_reason,
        progress=None,
        started=started,
        warnings=warnings,
    )


def begin(config: StepConfig) -> RunState:
    """Record a new run of the workflow in the store and open its top-level scope."""
    export = load_export(config.exports)
    folder, workflow = find_workflow(export, config.workflow, config.folder)
    store = RunStore(config.state_dir)
    try:
        started = dt.datetime.now()
        stored = {
            "param_files": [str(Path(p).resolve()) for p in config.param_files],
            "params": dict(config.params),
            "working_dir": str(Path(config.options.working_dir or os.getcwd()).resolve()),
            "root_dir": config.options.root_dir,
            "project_dir": config.options.project_dir,
            "orchestrator": "airflow",
        }
        run_id = store.create_run(
            workflow.name,
            folder.name,
            encode_export_paths([str(Path(p).resolve()) for p in export.paths]),
            stored,
            started,
        )
        runner = _runner(config, store, run_id, started)
        runner.open_root()
        return runner.state()
    finally:
        store.close()


def _with_runner(config: StepConfig, state: RunState, action: str, path: str) -> tuple[RunState, str | None]:
    store = RunStore(config.state_dir)
    try:
        runner = _runner(config, store, int(state["run_id"]), _when(state["started"]) or dt.datetime.now())
        runner.restore(state)
        runner.stop_probe, runner.probe_interval = config.stop_probe, config.probe_interval
        try:
            status = runner.run_task(path) if action == "task" else runner.close(path)
        finally:
            runner.services.close()
        return runner.state(), status
    finally:
        store.close()


def file_watch(config: StepConfig, path: str, state: RunState) -> Path | None:
    """The file the Event Wait task ``path`` would watch if it ran now after ``state`` (see
    :meth:`StepRunner.file_watch`), so an orchestrator can wait for it without holding a worker."""
    store = RunStore(config.state_dir)
    try:
        runner = _runner(config, store, int(state["run_id"]), _when(state["started"]) or dt.datetime.now())
        runner.restore(state)
        return runner.file_watch(path)
    finally:
        store.close()


def timer_deadline(config: StepConfig, path: str, state: RunState) -> dt.datetime | None:
    """When the Timer task ``path`` would end its wait if it ran now after ``state`` (see
    :meth:`StepRunner.timer_deadline`), so an orchestrator can wait without holding a worker."""
    store = RunStore(config.state_dir)
    try:
        runner = _runner(config, store, int(state["run_id"]), _when(state["started"]) or dt.datetime.now())
        runner.restore(state)
        return runner.timer_deadline(path)
    finally:
        store.close()


def run_task(config: StepConfig, path: str, state: RunState) -> tuple[RunState, str | None]:
    """Run the task instance ``path`` after the tasks whose (merged) ``state`` is given."""
    return _with_runner(config, state, "task", path)


def close_scope(config: StepConfig, path: str, state: RunState) -> tuple[RunState, str | None]:
    """Close the worklet instance ``path`` ('' : the workflow, which ends the run)."""
    return _with_runner(config, state, "close", path)


def run_summary(config: StepConfig, state: RunState) -> dict[str, Any]:
    """The run's summary, as ``infaflow run --summary-json`` writes it."""
    export = load_export(config.exports)
    folder, workflow = find_workflow(export, config.workflow, config.folder)
    store = RunStore(config.state_dir)
    try:
        return summary.build(store, int(state["run_id"]), plan.build(workflow, folder))
    finally:
        store.close()


def scope_plans(root: ScopePlan) -> list[ScopePlan]:
    """``root`` and every worklet scope below it, outermost first."""
    out = [root]
    for node in root.all_nodes():
        if node.child is not None:
            out.append(node.child)
    return out
