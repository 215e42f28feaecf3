"""``infaflow convert``: mappings and sessions of an export as a project of PySpark jobs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from infaflow.cli._exports import exports_options, load_exports
from infaflow.errors import InputError

EXIT_OK, EXIT_FAILED = 0, 1


@click.command("convert")
@exports_options
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Project folder (default: generated/<export name>/).",
)
@click.option("--folder", "-f", default=None, help="Convert only this repository folder.")
@click.option("--workflow", "-w", default=None, help="Convert only the sessions of this workflow.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Write the jobs even when some logic could not be converted (it raises NotConverted).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the conversion report as JSON.")
@click.option("--airflow", is_flag=True, help="Also write dags/<workflow>.py: an Airflow 3 DAG per workflow.")
@click.option(
    "--lenient",
    is_flag=True,
    help="Load what can be read from exports that do not validate (hand- or tool-written look-alikes); "
    "each departure from the export format is printed as a warning.",
)
@click.pass_context
def convert(
    ctx: click.Context,
    exports: tuple[str, ...],
    prefer: str | None,
    out_dir: str | None,
    folder: str | None,
    workflow: str | None,
    allow_partial: bool,
    as_json: bool,
    airflow: bool = False,
    lenient: bool = False,
) -> None:
    """Convert every session's mapping of the exports into a readable PySpark job.

    EXPORT...: export files and directories (searched for *.xml), read together as one repository, so a
    session's mapping may come from another file. Exit status 1 when anything could not be converted
    (every gap is listed with its file and line).
    """
    from infaflow.codegen.project import convert_export, write_project

    export = load_exports(exports, prefer=prefer, lenient=lenient)
    if lenient and not as_json:
        for problem in export.problems:
            click.echo(str(problem), err=True)
    name = Path(exports[0]).stem if len(exports) == 1 else "project"
    if folder is not None and export.folder(folder) is None:
        raise InputError(f"no folder {folder!r} in the export", export.path)
    if workflow is not None and export.find_workflow(workflow, folder) is None:
        raise InputError(f"no workflow {workflow!r} in the export", export.path)
    conv = convert_export(export, name, folder, workflow)
    target = Path(out_dir) if out_dir else Path("generated") / name
    _refuse_foreign_modules(target)
    jobs_written = conv.complete or allow_partial
    kept = not jobs_written and _holds_jobs(target)
    if not kept:
        write_project(conv, target, include_jobs=jobs_written)
    report = conv.report(export.path)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        s = report["summary"]
        click.echo(
            f"{target}: {s['jobs']} jobs, {s['jobs_complete']} converted completely; "
            f"{s['mappings_complete']}/{s['mappings']} mappings complete"
        )
        for g in conv.gaps:
            click.echo(f"{g}", err=True)
        if kept:
            click.echo(
                f"nothing written: {target} keeps the jobs converted before (--allow-partial replaces "
                "them with jobs whose gaps raise NotConverted)",
                err=True,
            )
        elif not conv.complete and not allow_partial:
            click.echo(
                "no job written: use --allow-partial to write them with the gaps raising NotConverted",
                err=True,
            )
    dags_ok = _write_dags(conv, target, conv.complete or allow_partial) if airflow else True
    ctx.exit(EXIT_OK if conv.complete and dags_ok else EXIT_FAILED)


#: The line every job module infaflow writes has near its top (codegen/templates/job.py.j2).
_JOB_MARK = b"Converted by infaflow"


def _refuse_foreign_modules(target: Path) -> None:
    """Writing a project replaces every ``*.py`` of ``target``: stop before it when one of them is not a
    module infaflow wrote (``-o .`` in a folder of scripts would delete them)."""
    from infaflow.codegen.project import SUPPORT_MODULE

    if not target.is_dir():
        return
    for path in sorted(target.glob("*.py")):
        if path.name == SUPPORT_MODULE or not path.is_file():
            continue
        with path.open("rb") as fh:
            if _JOB_MARK not in fh.read(2048):
                raise InputError(
                    "not a module infaflow wrote, and converting into this folder replaces every *.py "
                    "file in it: move it, or choose another --output folder",
                    str(path),
                )


def _holds_jobs(target: Path) -> bool:
    """Whether ``target`` holds a project converted before: a failed conversion must not remove its jobs
    (writing the project replaces every ``*.py`` and workflow manifest there)."""
    return target.is_dir() and any(
        p.is_file() for pattern in ("*.py", "workflow_*.json") for p in target.glob(pattern)
    )


def _write_dags(conv: object, target: Path, jobs_written: bool) -> bool:
    """``--airflow``: the DAG files (they run the project's modules, so only beside written jobs)."""
    from infaflow.codegen.project import write_airflow_dags

    if not jobs_written:
        click.echo("no Airflow DAG written: the project has no jobs", err=True)
        return False
    written, problems = write_airflow_dags(conv, target)  # type: ignore[arg-type]
    click.echo(f"{target / 'dags'}: {len(written)} Airflow DAGs", err=True)
    for problem in problems:
        click.echo(problem, err=True)
    return not problems


COMMANDS = [convert]
