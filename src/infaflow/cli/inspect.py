"""``infaflow inspect EXPORT...``: what an export set holds; for one workflow its tasks, links, levels,
critical path and complexity, as text, JSON, DOT or Mermaid."""

from __future__ import annotations

import click

from infaflow.cli._exports import exports_options, load_exports
from infaflow.errors import InputError, Problem
from infaflow.graph import load_durations
from infaflow.model import Export
from infaflow.report.summary import ExportReport, RecordedDurations, WorkflowReport, inspect_export

FORMATS = ("text", "json", "dot", "mermaid")


def recorded_durations_from(state_dir: str | None) -> RecordedDurations | None:
    """Recorded task durations of each workflow in the run store of ``state_dir`` (None: don't use any)."""
    if not state_dir:
        return None
    from infaflow.runtime.store import recorded_durations

    return lambda folder, wf: recorded_durations(state_dir, wf.name, folder.name)


def analyse_export(
    export: Export,
    folder: str | None,
    workflow: str | None,
    durations: dict[str, float] | None,
    state_dir: str | None = None,
) -> ExportReport:
    """Analyse a loaded export set; workflows with broken links are kept, with their problems. Task
    durations recorded by ``infaflow run`` in ``state_dir`` override ``durations``."""
    report = inspect_export(
        export, durations, folder=folder, workflow=workflow, recorded=recorded_durations_from(state_dir)
    )
    if durations:
        _warn_unmatched(report, durations)
    return report


def graph_errors(report: ExportReport) -> list[Problem]:
    """The errors (cycles, links to unknown tasks...) that keep workflows of ``report`` from being
    analysed."""
    return [p for w in report.workflows for p in w.errors]


def load_report(
    paths: tuple[str, ...],
    folder: str | None,
    workflow: str | None,
    durations_file: str | None,
    lenient: bool,
    state_dir: str | None = None,
    prefer: str | None = None,
) -> ExportReport:
    """Load the export set of ``paths``, analyse it, and stop with exit 2 (every error printed) if a
    workflow's links are broken."""
    durations = load_durations(durations_file) if durations_file else None
    export = load_exports(paths, lenient=lenient, prefer=prefer)
    report = analyse_export(export, folder, workflow, durations, state_dir)
    errors = graph_errors(report)
    if errors:
        for p in errors[:-1]:
            click.echo(str(p), err=True)
        last = errors[-1]
        raise InputError(last.message, last.file or export.path, last.line)
    return report


def _warn_unmatched(report: ExportReport, durations: dict[str, float]) -> None:
    """Warn on stderr about durations naming no task of the analysed workflows (likely typos)."""
    known: set[str] = set()
    for w in report.workflows:
        for path, data in w.flat.nodes(data=True):
            known |= {path.lower(), path.rsplit("/", 1)[-1].lower(), data["instance"].task_name.lower()}
    unmatched = sorted(k for k in durations if k.strip().lower() not in known)
    if unmatched:
        click.echo(
            f"warning: durations given for tasks not in {report.export.path}: {', '.join(unmatched)}",
            err=True,
        )


STATE_DIR_OPTION = click.option(
    "--state-dir",
    default=".infaflow",
    show_default=True,
    envvar="INFAFLOW_STATE_DIR",
    type=click.Path(file_okay=False),
    help="Run store of 'infaflow run': the mean durations of recent successful runs of each task override "
    "the defaults and --durations for the critical path.",
)
NO_RECORDED_OPTION = click.option(
    "--no-recorded", is_flag=True, help="Ignore recorded run durations (use --durations and the defaults)."
)


def _one_workflow(report: ExportReport, fmt: str) -> WorkflowReport:
    if len(report.workflows) == 1:
        return report.workflows[0]
    if not report.workflows:
        raise InputError(f"--format {fmt} draws a workflow, and this export has none", report.export.path)
    names = ", ".join(w.workflow.name for w in report.workflows)
    raise InputError(
        f"--format {fmt} draws one workflow; choose one with --workflow ({names})", report.export.path
    )


@click.command("inspect")
@exports_options
@click.option("--folder", "-f", help="Only this folder.")
@click.option("--workflow", "-w", help="Show this workflow in detail (tasks, links, levels, critical path).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--durations",
    "durations_file",
    type=click.Path(dir_okay=False),
    help="Task durations in seconds (JSON {task: seconds} or CSV task,seconds) for the critical path.",
)
@click.option("--lenient", is_flag=True, help="Load what can be read from an export that does not validate.")
@STATE_DIR_OPTION
@NO_RECORDED_OPTION
def inspect_command(
    exports: tuple[str, ...],
    prefer: str | None,
    folder: str | None,
    workflow: str | None,
    fmt: str,
    as_json: bool,
    durations_file: str | None,
    lenient: bool,
    state_dir: str,
    no_recorded: bool,
) -> None:
    """Show the folders, workflows, sessions and mappings of PowerCenter exports: files and directories
    (searched for *.xml) read as one repository.

    With --workflow (or when the exports hold a single workflow) also its tasks, links with conditions,
    parallel levels, critical path and its length, and complexity. References to objects that no file
    defines are summarised, one line per kind.
    """
    report = load_report(
        exports, folder, workflow, durations_file, lenient, None if no_recorded else state_dir, prefer
    )
    fmt = "json" if as_json else fmt
    if fmt == "json":
        from infaflow.report.jsonout import render_json

        click.echo(render_json(report))
    elif fmt == "dot":
        from infaflow.report.dot import render_dot

        click.echo(render_dot(_one_workflow(report, fmt)), nl=False)
    elif fmt == "mermaid":
        from infaflow.report.mermaid import render_mermaid

        click.echo(render_mermaid(_one_workflow(report, fmt)), nl=False)
    else:
        from infaflow.report.text import echo_text

        detail = report.workflows if (workflow is not None or len(report.workflows) == 1) else []
        echo_text(report, detail)


COMMANDS = [inspect_command]
