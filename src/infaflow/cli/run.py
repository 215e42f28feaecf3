"""``infaflow run``, ``resume``, ``runs`` and ``show``: run workflows locally and look at recorded runs."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from infaflow.cli._exports import PREFER_OPTION, load_exports
from infaflow.cli._options import examples, folder_option, json_option, state_dir_option, workflow_option
from infaflow.cli._runstore import open_store
from infaflow.errors import InputError

if TYPE_CHECKING:
    from infaflow.runtime.progress import Progress

EXIT_OK = 0
EXIT_FAILED = 1


def _executor_source() -> tuple[Any, str]:
    """The Spark session executor class when the code generation layer provides it."""
    try:
        from infaflow.codegen.executor import SparkSessionExecutor
    except ImportError as exc:
        return None, f"the Spark session executor (infaflow.codegen.executor) is not available ({exc})"
    return SparkSessionExecutor, ""


def _is_project(paths: tuple[str, ...]) -> bool:
    """Whether the one path given is a project written by ``infaflow convert`` (not a directory of
    exports)."""
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


def _spark_options(command: Callable[..., Any]) -> Callable[..., Any]:
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
    if state is not None and target.origin == "warm engine":
        from dataclasses import replace

        from infaflow.codegen import engine_sessions
        from infaflow.codegen.engine import SESSION_CONF

        slot = engine_sessions.lease(state_dir, state.url, {**SESSION_CONF, **target.conf})
        if slot is not None:  # the engine's session kept from the last run: its code is compiled
            target = replace(target, remote=slot.url)
    if not target.is_default and not quiet:
        click.echo(f"sessions run on {target.describe()}", err=True)
    from infaflow.codegen.executor import prewarm

    prewarm(target)  # a Spark Connect session opens while the run starts
    return functools.partial(executor, target=target)


def _progress(quiet: bool) -> Progress:
    from infaflow.runtime.progress import Silent, for_stream

    return Silent() if quiet else for_stream(sys.stderr)


def write_summary(summary: dict[str, Any], path: str | None, as_json: bool) -> None:
    text = json.dumps(summary, indent=2, default=str)
    if path:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:  # the run is over and recorded: say where its summary still is
            run = summary.get("run_id")
            again = f"; 'infaflow show {run} --json' prints it" if run and not summary.get("dry_run") else ""
            raise InputError(f"cannot write the run summary: {exc.strerror or exc}{again}", path) from None
    if as_json:
        click.echo(text)


def print_outcome(summary: dict[str, Any], seconds: float | None = None) -> None:
    """The outcome lines and the closing ``Done.`` line (``seconds``: this command's time, else the run's)."""
    from infaflow.runtime.statusview import count_statuses, summary_line

    if seconds is None:
        ended, started = summary.get("ended"), summary.get("started")
        seconds = (
            (dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(started)).total_seconds()
            if ended and started
            else 0.0
        )

    counts = count_statuses(task["status"] for task in summary["tasks"].values())
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
    click.echo(summary_line(counts, seconds))


@click.command(
    "run",
    epilog=examples(
        "infaflow run exports/ -w wf_orders --param-file params.txt",
        "infaflow run exports/ -w wf_orders --from s_m_load_orders   # Start Workflow from Task",
        "infaflow run exports/ --dry-run                              # plan and evaluate links only",
        "infaflow run out/ --strict --summary-json run.json           # a converted project, for CI",
    ),
)
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...|PROJECT", type=click.Path())
@workflow_option("Workflow to run (may be left out when the exports hold only one).")
@folder_option()
@click.option(
    "--from",
    "start_from",
    default=None,
    metavar="TASK",
    help="Start the workflow from this task (path or name): it and the tasks after it run, no other "
    "(Workflow Monitor's Start Workflow from Task).",
)
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
@state_dir_option()
@click.option(
    "--max-workers",
    type=click.IntRange(1, 1024),
    default=None,
    help="Tasks running at once (default: CPUs, at least 4).",
)
@click.option(
    "--summary-json",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the run summary as JSON.",
)
@click.option(
    "--dry-run", is_flag=True, help="Plan and evaluate links; execute nothing; every task succeeds."
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Run from exports that do not validate: what can be read, each problem printed as a warning.",
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
@json_option("Print the run summary as JSON (no progress output).")
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
    start_from: str | None,
    param_files: tuple[str, ...],
    params: tuple[str, ...],
    state_dir: str,
    max_workers: int | None,
    summary_json: str | None,
    dry_run: bool,
    lenient: bool,
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
    began = time.monotonic()
    options = RunOptions(
        dry_run=dry_run,
        command_timeout=command_timeout,
        retries=retries,
        retry_backoff=retry_backoff,
        start_from=start_from,
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
    export = load_exports(paths, lenient=dry_run or lenient, prefer=prefer)
    if lenient and not as_json:
        for problem in export.problems:
            click.echo(str(problem), err=True)
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
    _finish(result, summary_json, as_json, time.monotonic() - began, strict)


@click.command(
    "resume",
    epilog=examples(
        "infaflow resume 12                       # rerun what failed, keep what succeeded",
        "infaflow resume 12 --restart s_m_orders  # Restart Workflow from Task",
    ),
)
@click.argument("run_id", type=int)
@click.option(
    "--restart",
    "restart",
    default=None,
    metavar="TASK",
    help="Run this task (path or name) and every task after it again, whatever they recorded "
    "(Workflow Monitor's Restart Workflow from Task); works on a run that SUCCEEDED too.",
)
@state_dir_option()
@click.option(
    "--summary-json",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the run summary as JSON.",
)
@json_option("Print the run summary as JSON (no progress output).")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@_spark_options
def resume_command(
    run_id: int,
    restart: str | None,
    state_dir: str,
    summary_json: str | None,
    as_json: bool,
    quiet: bool,
    spark_master: str | None,
    spark_remote: str | None,
    spark_conf: tuple[str, ...],
    submit: bool,
) -> None:
    """Continue a run that failed, was stopped or aborted, or whose process died (same run number)."""
    from infaflow.runtime.api import resume_run

    began = time.monotonic()
    executor, reason = _executor_source()
    executor = _with_target(
        executor, state_dir, spark_master, spark_remote, spark_conf, submit, quiet or as_json
    )
    store = open_store(state_dir)
    try:
        record = store.run(run_id)
    finally:
        store.close()
    project_dir = record.options.get("project_dir") if record is not None else None
    if (
        project_dir and record is not None
    ):  # a run of a converted project resumes with the project's (possibly edited) modules
        _, _, _, executor = _project_run(project_dir, record.workflow, record.folder, executor)
    result = resume_run(
        run_id,
        state_dir=state_dir,
        session_executor=executor,
        no_executor_reason=reason or "none",
        progress=_progress(quiet or as_json),
        handle_signals=True,
        restart=restart,
    )
    _finish(result, summary_json, as_json, time.monotonic() - began)


def _finish(
    result: Any, summary_json: str | None, as_json: bool, seconds: float, strict: bool = False
) -> None:
    """Write and print a run's summary; exit 0 when the workflow SUCCEEDED (with ``strict``: and no task
    failed, stopped or aborted), else 1."""
    write_summary(result.summary, summary_json, as_json)
    if not as_json:
        print_outcome(result.summary, seconds)
    failed = [
        p for p, t in result.summary["tasks"].items() if t["status"] in ("FAILED", "STOPPED", "ABORTED")
    ]
    if strict and failed and result.succeeded and not as_json:
        click.echo(
            f"--strict: {len(failed)} task(s) did not succeed ({', '.join(failed[:5])}): exit 1", err=True
        )
    sys.exit(EXIT_OK if result.succeeded and not (strict and failed) else EXIT_FAILED)


COMMANDS = [run_command, resume_command]
