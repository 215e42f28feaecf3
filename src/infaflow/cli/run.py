"""``infaflow run``, ``resume``, ``runs`` and ``show``: run workflows locally and look at recorded runs."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import click

from infaflow.cli._exports import PREFER_OPTION, load_exports
from infaflow.errors import InputError

EXIT_OK = 0
EXIT_FAILED = 1


def _executor_source() -> tuple[Any, str]:
    """The Spark session executor class when the code generation layer provides it."""
    try:
        from infaflow.codegen.executor import SparkSessionExecutor  # type: ignore[import-not-found]
    except ImportError as exc:
        return None, f"the Spark session executor (infaflow.codegen.executor) is not available ({exc})"
    return SparkSessionExecutor, ""


def _is_project(paths: tuple[str, ...]) -> bool:
    """Whether the one path given is a project written by ``infaflow convert`` (not a directory of exports)."""
    from infaflow.codegen.project import is_project

    return len(paths) == 1 and is_project(paths[0])


def _project_run(
    path: str, workflow: str | None, folder: str | None, executor: Any
) -> tuple[list[str], str, str | None, Any]:
    """For ``infaflow run DIR`` (a project written by ``infaflow convert``): the export files the project
    was converted from, the workflow and its folder, and an executor factory running the project's own
    modules."""
    from infaflow.codegen.project import open_project

    project = open_project(path)
    manifest = project.manifest(workflow)
    exports = project.export_paths
    for export in exports:
        if not export.is_file():
            raise InputError(
                f"an export the project was converted from is missing: {export}", str(Path(path))
            )
    if executor is not None:
        executor = functools.partial(executor, modules=project.modules(manifest["workflow"]))
    return [str(e) for e in exports], manifest["workflow"], folder or manifest["folder"], executor


def _spark_options(command):  # noqa: ANN001, ANN202
    """The options choosing where sessions run (``run`` and ``resume``)."""
    options = [
        click.option(
            "--spark-master",
            default=None,
            metavar="URL",
            help="Run sessions on this Spark master: local[N], spark://HOST:PORT, yarn, k8s://URL.",
        ),
        click.option(
            "--spark-remote",
            default=None,
            metavar="sc://HOST:PORT",
            help="Run sessions on a Spark Connect server (default: $SPARK_REMOTE, then the warm engine).",
        ),
        click.option(
            "--spark-conf",
            "spark_conf",
            multiple=True,
            metavar="KEY=VALUE",
            help="A Spark setting for the sessions (repeatable).",
        ),
        click.option(
            "--submit",
            is_flag=True,
            help="Run each session as its own spark-submit application (of --spark-master).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _with_target(
    executor: Any,
    state_dir: str,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    submit: bool,
    quiet: bool,
) -> Any:
    """The executor factory bound to where sessions run (options, SPARK_REMOTE, infaflow.toml, the warm
    engine of ``state_dir``, else a local SparkSession)."""
    if executor is None:
        return None
    from infaflow.codegen import engine
    from infaflow.codegen.spark_target import resolve_target

    state = engine.running(state_dir)
    target = resolve_target(
        master=master, remote=remote, conf=conf, submit=submit, engine_url=state.url if state else None
    )
    if not target.is_default and not quiet:
        click.echo(f"sessions run on {target.describe()}", err=True)
    return functools.partial(executor, target=target)


def _progress(quiet: bool):  # noqa: ANN202
    from infaflow.runtime.progress import Silent, for_stream

    return Silent() if quiet else for_stream(sys.stderr)


def _write_summary(summary: dict[str, Any], path: str | None, as_json: bool) -> None:
    text = json.dumps(summary, indent=2, default=str)
    if path:
        Path(path).write_text(text + "\n", encoding="utf-8")
    if as_json:
        click.echo(text)


def _print_outcome(summary: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for task in summary["tasks"].values():
        counts[task["status"]] = counts.get(task["status"], 0) + 1
    detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    # A dry run is not recorded: its number would mean nothing.
    title = "dry run" if summary.get("dry_run") else f"run {summary['run_id']}"
    click.echo(f"{title}: workflow {summary['workflow']} {summary['status']} ({detail})")
    if summary.get("error"):
        click.echo(f"  {summary['error']}")
    for path, task in summary["tasks"].items():
        if task["status"] in ("FAILED", "ABORTED", "STOPPED") and task["error"]:
            click.echo(f"  {task['status']} {path}: {task['error']}")
    for warning in summary.get("warnings", []):
        click.echo(f"  warning: {warning}", err=True)


@click.command("run")
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...|PROJECT", type=click.Path())
@click.option(
    "--workflow", "-w", default=None, help="Workflow to run (may be left out when the exports hold only one)."
)
@click.option("--folder", "-f", default=None, help="Folder of the workflow (when several have it).")
@click.option(
    "--param-file",
    "param_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="PowerCenter parameter file (repeatable; earlier ones win).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter or variable value; beats parameter files.",
)
@click.option(
    "--state-dir",
    default=".infaflow",
    show_default=True,
    envvar="INFAFLOW_STATE_DIR",
    help="Run store, logs and outbox.",
)
@click.option(
    "--max-workers",
    type=click.IntRange(1, 1024),
    default=None,
    help="Tasks running at once (default: CPUs, at least 4).",
)
@click.option(
    "--summary-json", type=click.Path(dir_okay=False), default=None, help="Write the run summary as JSON."
)
@click.option(
    "--dry-run", is_flag=True, help="Plan and evaluate links; execute nothing; every task succeeds."
)
@click.option("--command-timeout", type=float, default=None, help="Seconds before a command is killed.")
@click.option(
    "--retries",
    type=click.IntRange(0, 100),
    default=None,
    help="Retries of tasks whose recovery strategy is Restart task.",
)
@click.option(
    "--retry-backoff",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds before the first retry (doubles, capped at 60).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when any task failed, stopped or aborted, even if the workflow SUCCEEDED (for CI).",
)
@PREFER_OPTION
@_spark_options
def run_command(
    exports: tuple[str, ...],
    workflow: str | None,
    folder: str | None,
    param_files: tuple[str, ...],
    params: tuple[str, ...],
    state_dir: str,
    max_workers: int | None,
    summary_json: str | None,
    dry_run: bool,
    command_timeout: float | None,
    retries: int | None,
    retry_backoff: float,
    as_json: bool,
    quiet: bool,
    strict: bool,
    prefer: str | None,
    spark_master: str | None,
    spark_remote: str | None,
    spark_conf: tuple[str, ...],
    submit: bool,
) -> None:
    """Run a workflow locally with PowerCenter's semantics (exit 0 when it SUCCEEDED, 1 when not).

    EXPORT...: export files and directories (searched for *.xml), read together as one repository.
    PROJECT: a project written by ``infaflow convert``; its session modules run (edits included)."""
    from infaflow.runtime.api import parse_param, run_workflow
    from infaflow.runtime.scheduler import RunOptions

    values = dict(parse_param(p) for p in params)
    options = RunOptions(
        dry_run=dry_run, command_timeout=command_timeout, retries=retries, retry_backoff=retry_backoff
    )
    if max_workers is not None:
        options.max_workers = max_workers
    executor, reason = _executor_source()
    if not dry_run:
        executor = _with_target(
            executor, state_dir, spark_master, spark_remote, spark_conf, submit, quiet or as_json
        )
    paths: list[str] = list(exports)
    if _is_project(exports):
        options.project_dir = str(Path(exports[0]).resolve())
        paths, workflow, folder, executor = _project_run(exports[0], workflow, folder, executor)
    export = load_exports(paths, lenient=dry_run, prefer=prefer)
    result = run_workflow(
        export,
        workflow,
        folder,
        param_files=param_files,
        params=values,
        state_dir=state_dir,
        options=options,
        session_executor=executor,
        no_executor_reason=reason or "none",
        progress=_progress(quiet or as_json),
        handle_signals=True,
    )
    _finish(result, summary_json, as_json, strict)


@click.command("resume")
@click.argument("run_id", type=int)
@click.option("--state-dir", default=".infaflow", show_default=True, envvar="INFAFLOW_STATE_DIR")
@click.option("--summary-json", type=click.Path(dir_okay=False), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True)
@_spark_options
def resume_command(
    run_id: int,
    state_dir: str,
    summary_json: str | None,
    as_json: bool,
    quiet: bool,
    spark_master: str | None,
    spark_remote: str | None,
    spark_conf: tuple[str, ...],
    submit: bool,
) -> None:
    """Continue a run that failed, was suspended or stopped, or whose process died."""
    from infaflow.runtime.api import resume_run

    executor, reason = _executor_source()
    executor = _with_target(
        executor, state_dir, spark_master, spark_remote, spark_conf, submit, quiet or as_json
    )
    store = _open_store(state_dir)
    try:
        record = store.run(run_id)
    finally:
        store.close()
    project_dir = record.options.get("project_dir") if record is not None else None
    if project_dir:  # a run of a converted project resumes with the project's (possibly edited) modules
        _, _, _, executor = _project_run(project_dir, record.workflow, record.folder, executor)
    result = resume_run(
        run_id,
        state_dir=state_dir,
        session_executor=executor,
        no_executor_reason=reason or "none",
        progress=_progress(quiet or as_json),
        handle_signals=True,
    )
    _finish(result, summary_json, as_json)


def _finish(result: Any, summary_json: str | None, as_json: bool, strict: bool = False) -> None:
    """Write and print a run's summary; exit 0 when the workflow SUCCEEDED (with ``strict``: and no task
    failed, stopped or aborted), else 1."""
    _write_summary(result.summary, summary_json, as_json)
    if not as_json:
        _print_outcome(result.summary)
    failed = [
        p for p, t in result.summary["tasks"].items() if t["status"] in ("FAILED", "STOPPED", "ABORTED")
    ]
    if strict and failed and result.succeeded and not as_json:
        click.echo(
            f"--strict: {len(failed)} task(s) did not succeed ({', '.join(failed[:5])}): exit 1", err=True
        )
    sys.exit(EXIT_OK if result.succeeded and not (strict and failed) else EXIT_FAILED)


def _open_store(state_dir: str):  # noqa: ANN202
    from infaflow.runtime.store import DB_NAME, RunStore

    if not (Path(state_dir) / DB_NAME).is_file():
        raise InputError(
            f"no run store in {state_dir} (run a workflow first, or pass --state-dir)", state_dir
        )
    return RunStore(state_dir)


def _duration(started: Any, ended: Any) -> str:
    if started is None or ended is None:
        return ""
    seconds = (ended - started).total_seconds()
    return f"{seconds:.3f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


@click.command("runs")
@click.option("--state-dir", default=".infaflow", show_default=True, envvar="INFAFLOW_STATE_DIR")
@click.option("--limit", type=click.IntRange(1, 100000), default=20, show_default=True)
@click.option("--workflow", "-w", default=None, help="Only runs of this workflow.")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--durations",
    "durations",
    is_flag=True,
    help="Print the recorded task durations of --workflow as JSON {task path: seconds} (mean of its last 5 "
    "successful runs), the format of 'infaflow inspect --durations'.",
)
def runs_command(state_dir: str, limit: int, workflow: str | None, as_json: bool, durations: bool) -> None:
    """List recent runs, newest first."""
    store = _open_store(state_dir)
    try:
        if durations:
            if not workflow:
                raise InputError("--durations needs --workflow")
            click.echo(
                json.dumps({"durations": store.recorded_durations(workflow)}, indent=2, sort_keys=True)
            )
            return
        records = store.runs(limit, workflow)
    finally:
        store.close()
    rows = [
        {
            "run_id": r.run_id,
            "workflow": r.workflow,
            "folder": r.folder,
            "status": r.status,
            "started": r.started.isoformat(),
            "ended": r.ended.isoformat() if r.ended else None,
            "duration": _duration(r.started, r.ended),
            "dry_run": bool(r.options.get("dry_run")),
        }
        for r in records
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("run", "workflow", "folder", "status", "started", "duration")
    for row in rows:
        table.add_row(
            str(row["run_id"]),
            row["workflow"],
            row["folder"],
            row["status"],
            row["started"][:19],
            row["duration"],
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@click.command("show")
@click.argument("run_id", type=int)
@click.option("--state-dir", default=".infaflow", show_default=True, envvar="INFAFLOW_STATE_DIR")
@click.option("--json", "as_json", is_flag=True)
def show_command(run_id: int, state_dir: str, as_json: bool) -> None:
    """Print a run's task table: status, duration, attempts and errors; then the values the sessions saved
    of their mapping variables."""
    from infaflow.runtime import summary as S

    store = _open_store(state_dir)
    try:
        record = store.run(run_id)
        if record is None:
            raise InputError(f"no run {run_id} in {state_dir}", state_dir)
        plan = _plan_of(record)
        data = S.build(store, run_id, plan)
        tasks = {t.path: t for t in store.tasks(run_id)}
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200 if not sys.stdout.isatty() else None)
    console.print(
        f"run {record.run_id} · {record.folder}/{record.workflow} · {record.status} · "
        f"started {record.started.isoformat(sep=' ', timespec='seconds')} · {_duration(record.started, record.ended)}"
        + (f" · {record.error}" if record.error else "")
    )
    table = Table("task", "type", "status", "started", "duration", "attempts", "error")
    for path, entry in data["tasks"].items():
        rec = tasks.get(path)
        table.add_row(
            path,
            rec.task_type if rec else "",
            entry["status"],
            rec.started.strftime("%H:%M:%S.%f")[:-3] if rec and rec.started else "",
            _duration(rec.started, rec.ended) if rec else "",
            str(entry["attempts"]),
            entry["error"],
        )
    console.print(table)
    if data.get("mapping_variables"):
        saved = Table("session", "mapping variable", "value saved")
        for path, values in data["mapping_variables"].items():
            for name, value in values.items():
                saved.add_row(path, name, "NULL" if value is None else str(value))
        console.print(saved)


def _plan_of(record: Any):  # noqa: ANN202, ANN401
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


COMMANDS = [run_command, resume_command, runs_command, show_command]
