"""``infaflow report EXPORT... -o report.html``: one self-contained HTML report of an export set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from infaflow.cli._exports import exports_options, load_exports
from infaflow.cli.inspect import NO_RECORDED_OPTION, STATE_DIR_OPTION, analyse_export, graph_errors
from infaflow.errors import InputError
from infaflow.graph import load_durations
from infaflow.report.summary import ExportReport, WorkflowReport

if TYPE_CHECKING:
    from infaflow.report.runview import RunView

EXIT_BAD_INPUT = 2


@click.command("report")
@exports_options
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write."
)
@click.option(
    "--durations",
    "durations_file",
    type=click.Path(dir_okay=False),
    help="Task durations in seconds (JSON {task: seconds} or CSV task,seconds) for the critical path.",
)
@click.option("--title", default="infaflow report", show_default=True)
@click.option("--lenient", is_flag=True, help="Load what can be read from exports that do not validate.")
@STATE_DIR_OPTION
@NO_RECORDED_OPTION
@click.option(
    "--run",
    "run_id",
    type=int,
    metavar="RUN_ID",
    help="Add a Gantt chart of this recorded run (see 'infaflow runs'; in --state-dir), with its actual "
    "critical path beside the planned one.",
)
def report_command(
    exports: tuple[str, ...],
    prefer: str | None,
    output: str,
    durations_file: str | None,
    title: str,
    lenient: bool,
    state_dir: str,
    no_recorded: bool,
    run_id: int | None,
) -> None:
    """Write one HTML file (no network needed to view it): every workflow and mapping of the exports
    (files and directories read as one repository) ranked by complexity, and per workflow its DAG drawn
    left to right beside its analysis. With --run, first a Gantt chart of that recorded run.

    \b
    Examples:
      infaflow report samples/orders -o orders.html
      infaflow report samples/orders --run 1 -o run1.html    # run 1, recorded by 'infaflow run'

    A file that cannot be read, or a workflow whose links are broken, does not stop the others: it is listed
    in the report and on stderr, and the command ends with exit code 2.
    """
    from infaflow.report.html import render_html

    durations = load_durations(durations_file) if durations_file else None
    reports: list[ExportReport] = []
    # One bad file never stops the others: it is skipped, listed in the report and on stderr.
    export = load_exports(exports, lenient=lenient, prefer=prefer, keep_going=True, quiet=True)
    for note in export.notes:
        click.echo(str(note), err=True)
    failures: list[str] = [str(n) for n in export.notes if n.severity == "error"]
    for conflict in (p for p in export.problems if p.severity == "error"):
        failures.append(str(conflict))
        click.echo(str(conflict), err=True)
    report = analyse_export(export, None, None, durations, None if no_recorded else state_dir)
    for problem in graph_errors(report):
        failures.append(str(problem))
        click.echo(str(problem), err=True)
    reports.append(report)
    run = load_run(run_id, state_dir, report) if run_id is not None else None
    try:
        Path(output).write_text(render_html(reports, title, failures, run), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", output) from None
    workflows = sum(len(r.workflows) for r in reports)
    mappings = sum(len(r.mappings) for r in reports)
    bad = f", {len(failures)} problem(s) in the input" if failures else ""
    files = len(export.files)
    click.echo(f"{output}: {files} export file(s), {workflows} workflow(s), {mappings} mapping(s){bad}")
    if failures:
        click.get_current_context().exit(EXIT_BAD_INPUT)


def load_run(run_id: int, state_dir: str, report: ExportReport) -> tuple[RunView, WorkflowReport]:
    """The view of recorded run ``run_id`` of ``state_dir`` and the report of its workflow (InputError when
    there is no such run, or the exports do not hold its workflow)."""
    from infaflow.report.runview import run_view
    from infaflow.runtime.store import DB_NAME, RunStore

    if not (Path(state_dir) / DB_NAME).is_file():
        raise InputError(f"no run store here (no {DB_NAME}; runs are recorded by 'infaflow run')", state_dir)
    store = RunStore(state_dir)
    try:
        record = store.run(run_id)
        if record is None:
            last = store.runs(limit=1)
            known = f"runs 1 to {last[0].run_id}" if last else "no runs yet"
            raise InputError(f"no run {run_id} in this run store ({known})", state_dir)
        tasks = store.tasks(run_id, with_vars=False)
        attempts = {t.path: store.attempts(run_id, t.path) for t in tasks if t.attempts > 1}
    finally:
        store.close()
    found = [
        w
        for w in report.workflows
        if w.workflow.name.lower() == record.workflow.lower()
        and w.folder.name.lower() == record.folder.lower()
    ]
    if not found:
        raise InputError(
            f"run {run_id} is of workflow {record.workflow} (folder {record.folder}), which these "
            "exports do not hold",
            report.export.path,
        )
    return run_view(record, tasks, found[0], attempts=attempts), found[0]


COMMANDS = [report_command]
