"""Running and resuming workflows: the library entry points behind ``infaflow run`` and ``resume``."""

from __future__ import annotations

import datetime as dt
import os
import signal
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.errors import InputError
from infaflow.model import Export, Folder, Workflow
from infaflow.runtime import fromtask, paramfile, plan, processes, summary
from infaflow.runtime.paramcheck import check_param_file
from infaflow.runtime.progress import Progress
from infaflow.runtime.run_state import Resumption, RunOptions
from infaflow.runtime.scheduler import Runner
from infaflow.runtime.services import ExecutorSource
from infaflow.runtime.status import RESUMABLE_RUN_STATUSES, STARTED, SUCCEEDED
from infaflow.runtime.store import ATTEMPT_RESTART, ATTEMPT_RESUME, RunStore, encode_export_paths
from infaflow.runtime.variables import Param, builtins, expand

DEFAULT_STATE_DIR = ".infaflow"


@dataclass
class RunResult:
    run_id: int
    status: str
    summary: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED


def parse_param(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` from ``--param`` (the value may be empty: NULL)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--param {text!r}: expected NAME=VALUE")
    return name.strip(), value


def find_workflow(export: Export, name: str | None, folder: str | None) -> tuple[Folder, Workflow]:
    """The workflow ``name`` (in ``folder`` when given; ``None``: the export set's only workflow). An
    :class:`InputError` lists the workflows when it is absent, or the folders when several hold it."""
    candidates = [
        (f, wf) for f, wf in export.workflows() if folder is None or f.name.lower() == folder.lower()
    ]
    names = sorted(f"{f.name}/{wf.name}" for f, wf in candidates)
    known = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "") or "none"
    where = f" in folder {folder!r}" if folder else ""
    if name is None:
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise InputError(_no_workflow(export, where), export.path)
        raise InputError(f"name the workflow to run with --workflow/-w{where}: {known}", export.path)
    exact = [(f, wf) for f, wf in candidates if wf.name == name]
    found = exact or [(f, wf) for f, wf in candidates if wf.name.lower() == name.lower()]
    if not found:
        worklet = export.find_workflow(name, folder)  # a reusable worklet runs like a workflow
        if worklet is not None:
            return worklet
        raise InputError(f"no workflow {name!r}{where}; workflows in this export: {known}", export.path)
    if len(found) > 1:
        folders = ", ".join(f.name for f, _ in found)
        raise InputError(
            f"workflow {name!r} is in several folders ({folders}): choose one with --folder", export.path
        )
    return found[0]


def _no_workflow(export: Export, where: str) -> str:
    """Why nothing can run: the exports hold no workflow (often mapping files only), and what to do."""
    worklets = sorted(w.name for f in export.folders for w in f.worklets)
    if worklets:
        return f"no workflow{where} in these exports; to run a worklet, name it with --workflow/-w: " + (
            ", ".join(worklets[:10])
        )
    mappings = sum(len(f.mappings) for f in export.folders)
    held = f"only {mappings} mapping{'s' if mappings != 1 else ''}" if mappings else "nothing to run"
    return (
        f"no workflow{where} in these exports ({held}): 'infaflow run' runs a workflow; add the export "
        "file that holds it, or convert the mappings with 'infaflow convert'"
    )


def workflow_param_files(
    workflow: Workflow,
    folder: Folder,
    explicit: Sequence[str | Path],
    cli: Mapping[str, Param],
    root_dir: Path,
    warnings: list[str],
) -> list[paramfile.ParamFile]:
    """``--param-file`` files, then the workflow's ``Parameter Filename`` (its ``$PMRootDir``-style
    references expanded with the values the explicit files and ``--param`` give); a missing workflow
    file is a warning."""
    files = [paramfile.load(p) for p in explicit]
    attr = (workflow.attributes.get("Parameter Filename", "") or "").strip()
    if attr:
        found = paramfile.resolve(files, paramfile.Scope(folder.name, workflow.name))
        params = {
            key: Param(name, value, f"{file}:{line}") for key, (name, value, file, line) in found.items()
        }
        params.update(cli)
        known = builtins(
            workflow=workflow.name,
            folder=folder.name,
            run_id=0,
            repository="",
            root_dir=root_dir,
            params=params,
        )
        path = Path(expand(attr, known).replace("\\", "/"))
        if path.is_file():
            files.append(paramfile.load(path))
        else:
            warnings.append(
                f"workflow parameter file {attr!r} (Parameter Filename) not found as {path}; ignored"
            )
    return files


def root_directory(options: RunOptions, state_dir: str | Path | None) -> Path:
    if options.root_dir:
        return Path(options.root_dir).resolve()
    return (Path(state_dir or DEFAULT_STATE_DIR) / "infa_shared").resolve()


def cli_parameters(params: Mapping[str, str]) -> dict[str, Param]:
    return {
        name.lower(): Param(name, value if value != "" else None, "--param") for name, value in params.items()
    }


@contextmanager
def _signals(runner: Runner, install: bool) -> Iterator[None]:
    """Ctrl-C / SIGTERM stop the run cleanly (a second one aborts)."""
    if not install or threading_main() is False:
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:  # noqa: ARG001
        runner.request_stop()

    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def run_workflow(
    export: Export,
    workflow: str | None,
    folder: str | None = None,
    *,
    param_files: Sequence[str | Path] = (),
    params: Mapping[str, str] | None = None,
    state_dir: str | Path | None = DEFAULT_STATE_DIR,
    options: RunOptions | None = None,
    session_executor: ExecutorSource = None,
    no_executor_reason: str = "none was given",
    progress: Progress | None = None,
    handle_signals: bool = False,
) -> RunResult:
    """Run ``workflow`` of ``export`` (``None``: its only workflow) with PowerCenter's semantics and record
    it in ``state_dir``.

    ``session_executor``: a :class:`~infaflow.runtime.executor.SessionExecutor` or a factory called on
    the first session; without one, sessions fail with "no session executor: <no_executor_reason>".
    Dry runs (``options.dry_run``) use an in-memory store and execute nothing.
    """
    options = options or RunOptions()
    f, wf = find_workflow(export, workflow, folder)
    if not wf.is_enabled:
        raise InputError(
            f"workflow {wf.name!r} is disabled (ISENABLED=NO)", wf.location.file, wf.location.line
        )
    the_plan = plan.build(wf, f, lenient=options.dry_run)
    if options.start_from:
        fromtask.find_node(
            the_plan, options.start_from
        )  # an unknown task is bad input, before the run exists
    cli = cli_parameters(params or {})
    warnings: list[str] = []
    files = workflow_param_files(wf, f, param_files, cli, root_directory(options, state_dir), warnings)
    warnings += [
        f"{p.file}:{p.line}: {p.message}"
        for pf in files
        for p in check_param_file(pf, export, (f.name, wf.name))
    ]
    store = RunStore(None if options.dry_run or state_dir is None else state_dir)
    started = dt.datetime.now()
    stored_options = {
        "param_files": [str(Path(p).resolve()) for p in param_files],
        "params": dict(params or {}),
        "max_workers": options.max_workers,
        "command_timeout": options.command_timeout,
        "retries": options.retries,
        "retry_backoff": options.retry_backoff,
        "dry_run": options.dry_run,
        "working_dir": str(Path(options.working_dir or os.getcwd()).resolve()),
        "root_dir": options.root_dir,
        "project_dir": options.project_dir,
        "start_from": options.start_from,
    }
    export_files = encode_export_paths([str(Path(p).resolve()) for p in export.paths])
    run_id = store.create_run(wf.name, f.name, export_files, stored_options, started)
    scratch = tempfile.TemporaryDirectory(prefix="infaflow-dry-") if store.state_dir is None else None
    run_dir = Path(scratch.name) if scratch is not None else store.state_dir / "runs" / str(run_id)  # type: ignore[operator]
    if scratch is not None and options.root_dir is None:
        options.root_dir = str(Path(scratch.name) / "infa_shared")
    try:
        runner = Runner(
            export=export,
            folder=f,
            workflow=wf,
            plan=the_plan,
            store=store,
            run_id=run_id,
            run_dir=run_dir,
            options=options,
            param_files=files,
            cli_params=cli,
            executor=session_executor,
            no_executor_reason=no_executor_reason,
            progress=progress,
            started=started,
            warnings=warnings,
        )
        return _execute(runner, store, handle_signals)
    except InputError as exc:
        store.finish_run(run_id, "FAILED", dt.datetime.now(), str(exc))
        raise
    finally:
        store.close()
        if scratch is not None:
            scratch.cleanup()


def _execute(runner: Runner, store: RunStore, handle_signals: bool) -> RunResult:
    try:
        with _signals(runner, handle_signals):
            status = runner.run()
    except BaseException as exc:
        store.finish_run(
            runner.run_id,
            "FAILED" if not isinstance(exc, KeyboardInterrupt) else "STOPPED",
            dt.datetime.now(),
            f"{type(exc).__name__}: {exc}",
        )
        raise
    store.finish_run(runner.run_id, status, dt.datetime.now(), getattr(runner, "_root_reason", ""))
    result = summary.build(store, runner.run_id, runner.plan)
    if runner.warnings:
        result["warnings"] = runner.warnings
    return RunResult(runner.run_id, status, result, runner.warnings)


_alive = processes.is_alive


def resume_run(
    run_id: int,
    *,
    state_dir: str | Path = DEFAULT_STATE_DIR,
    session_executor: ExecutorSource = None,
    no_executor_reason: str = "none was given",
    progress: Progress | None = None,
    options: RunOptions | None = None,
    handle_signals: bool = False,
    restart: str | None = None,
) -> RunResult:
    """Continue a run that failed, was suspended or stopped, or whose process died.

    Succeeded (and disabled) tasks never run again; failed ones run again; interrupted ones follow their
    recovery strategy (see :mod:`infaflow.runtime.recovery`). ``restart`` (a task path or name): that
    task and every task that follows it run again whatever they recorded ("Restart Workflow from Task",
    :mod:`infaflow.runtime.fromtask`); a run that SUCCEEDED can be restarted this way.
    """
    from infaflow.export import load_repository

    if not (Path(state_dir) / "runs.sqlite").is_file():
        raise InputError(f"no run store in {state_dir}", str(state_dir))
    store = RunStore(state_dir)
    try:
        record = store.run(run_id)
        if record is None:
            raise InputError(f"no run {run_id} in {state_dir}", str(state_dir))
        if record.status not in RESUMABLE_RUN_STATUSES and not (restart and record.status == SUCCEEDED):
            raise InputError(f"run {run_id} {record.status}: nothing to resume", str(state_dir))
        if record.status == STARTED and _alive(record.pid, record.host):
            raise InputError(f"run {run_id} is still running (process {record.pid})", str(state_dir))
        if record.options.get("dry_run"):
            raise InputError(f"run {run_id} was a dry run: nothing to resume", str(state_dir))
        for pgid in processes.orphans_of_run(run_id):
            processes.kill_group(pgid, signal.SIGKILL)
            store.add_event(run_id, "orphan-killed", "", f"process group {pgid}")
        export = load_repository(record.export_paths)
        f, wf = find_workflow(export, record.workflow, record.folder)
        the_plan = plan.build(wf, f)
        saved = record.options
        if options is None:
            options = RunOptions(
                max_workers=int(saved.get("max_workers") or 4),
                command_timeout=saved.get("command_timeout"),
                retries=saved.get("retries"),
                retry_backoff=float(saved.get("retry_backoff") or 1.0),
                working_dir=saved.get("working_dir"),
                root_dir=saved.get("root_dir"),
                start_from=saved.get("start_from"),
            )
        cli = cli_parameters(saved.get("params", {}))
        warnings: list[str] = []
        files = workflow_param_files(
            wf, f, saved.get("param_files", []), cli, root_directory(options, state_dir), warnings
        )
        rerun = fromtask.rerun_paths(the_plan, restart) if restart else set()
        resumption = Resumption(
            {t.path: t for t in store.tasks(run_id)}, store.variables(run_id), frozenset(rerun)
        )
        if not store.claim_run(
            run_id, record.status, record.pid, ATTEMPT_RESTART if restart else ATTEMPT_RESUME
        ):
            raise InputError(f"run {run_id} is being resumed by another process", str(state_dir))
        store.add_event(
            run_id, "resume", "", f"was {record.status}" + (f"; restart from {restart}" if restart else "")
        )
        store.reset_tasks(run_id, rerun)
        runner = Runner(
            export=export,
            folder=f,
            workflow=wf,
            plan=the_plan,
            store=store,
            run_id=run_id,
            run_dir=Path(state_dir) / "runs" / str(run_id),
            options=options,
            param_files=files,
            cli_params=cli,
            executor=session_executor,
            no_executor_reason=no_executor_reason,
            progress=progress,
            started=record.started,
            resumption=resumption,
            warnings=warnings,
        )
        return _execute(runner, store, handle_signals)
    finally:
        store.close()
