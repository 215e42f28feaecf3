"""``infaflow report FILE... -o report.html``: one self-contained HTML report of several exports."""

from __future__ import annotations

from pathlib import Path

import click

from infaflow.cli.inspect import load_report
from infaflow.errors import InputError


@click.command("report")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@click.option("--durations", "durations_file", type=click.Path(dir_okay=False),
              help="Task durations in seconds (JSON {task: seconds} or CSV task,seconds) for the critical path.")
@click.option("--title", default="infaflow report", show_default=True)
@click.option("--lenient", is_flag=True, help="Load what can be read from exports that do not validate.")
def report_command(files: tuple[str, ...], output: str, durations_file: str | None, title: str,
                   lenient: bool) -> None:
    """Write one HTML file (no network needed to view it): every workflow and mapping of FILES ranked by
    complexity, and per workflow its DAG drawn left to right beside its analysis."""
    from infaflow.report.html import render_html

    reports = [load_report(f, None, None, durations_file, lenient) for f in files]
    try:
        Path(output).write_text(render_html(reports, title), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", output) from None
    workflows = sum(len(r.workflows) for r in reports)
    mappings = sum(len(r.mappings) for r in reports)
    click.echo(f"{output}: {len(reports)} export(s), {workflows} workflow(s), {mappings} mapping(s)")


COMMANDS = [report_command]
