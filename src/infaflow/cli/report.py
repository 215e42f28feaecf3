"""``infaflow report FILE... -o report.html``: one self-contained HTML report of several exports."""

from __future__ import annotations

from pathlib import Path

import click

from infaflow.cli.inspect import NO_RECORDED_OPTION, STATE_DIR_OPTION, analyse_file, graph_errors
from infaflow.errors import InputError
from infaflow.graph import load_durations
from infaflow.report.summary import ExportReport

EXIT_BAD_INPUT = 2


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--durations", "durations_file", type=click.Path(dir_okay=False),
              help="Task durations in seconds (JSON {task: seconds} or CSV task,seconds) for the critical path.")
@click.option("--title", default="infaflow report", show_default=True)
@click.option("--lenient", is_flag=True, help="Load what can be read from exports that do not validate.")
@STATE_DIR_OPTION
@NO_RECORDED_OPTION
def report_command(files: tuple[str, ...], output: str, durations_file: str | None, title: str,
                   lenient: bool, state_dir: str, no_recorded: bool) -> None:
    """Write one HTML file (no network needed to view it): every workflow and mapping of FILES ranked by
    complexity, and per workflow its DAG drawn left to right beside its analysis.

    A file that cannot be read, or a workflow whose links are broken, does not stop the others: it is listed
    in the report and on stderr, and the command ends with exit code 2.
    """
    from infaflow.report.html import render_html

    durations = load_durations(durations_file) if durations_file else None
    reports: list[ExportReport] = []
    failures: list[str] = []
    for file in files:  # one bad file never stops the others: it is listed in the report and on stderr
        try:
            report = analyse_file(file, None, None, durations, lenient, None if no_recorded else state_dir)
        except InputError as exc:
            failures.append(str(exc))
            click.echo(str(exc), err=True)
            continue
        for problem in graph_errors(report):
            failures.append(str(problem))
            click.echo(str(problem), err=True)
        reports.append(report)
    try:
        Path(output).write_text(render_html(reports, title, failures), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", output) from None
    workflows = sum(len(r.workflows) for r in reports)
    mappings = sum(len(r.mappings) for r in reports)
    bad = f", {len(failures)} problem(s) in the input" if failures else ""
    click.echo(f"{output}: {len(reports)} export(s), {workflows} workflow(s), {mappings} mapping(s){bad}")
    if failures:
        click.get_current_context().exit(EXIT_BAD_INPUT)


COMMANDS = [report_command]
