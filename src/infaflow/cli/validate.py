"""``infaflow validate FILE... [--lenient] [--format text|json]``: check exports before using them.

Each file is parsed safely, validated against our XSD of the export format, loaded into the model and its
workflows checked (links, Start tasks, cycles...). Every problem is one ``file:line: message`` line on
stderr; a bad file never stops the others. Exit code 0 when every file is valid (warnings allowed), 2 when
any file has an error, 1 when infaflow itself failed on a file (a bug to report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from infaflow.cli._exports import PREFER_OPTION
from infaflow.errors import InputError, Problem
from infaflow.export import xmlsource
from infaflow.export.builder import Builder
from infaflow.export.loader import find_export_files, set_label
from infaflow.export.merge import Merger, summarize_conflicts
from infaflow.export.missing import missing_problems, summarize_missing
from infaflow.export.resolve import resolve
from infaflow.export.structure import structure_problems
from infaflow.export.validate import validate_tree
from infaflow.export.xmlsource import NotAnExport
from infaflow.model import Export

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


@dataclass
class FileReport:
    """What validating one file found."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    internal_error: bool = False
    # Lines about the whole export set placed at this file (missing references, conflicts): never condensed.
    summaries: list[Problem] = field(default_factory=list)
    skipped: bool = False  # found in a directory and not a PowerCenter export

    @property
    def errors(self) -> list[Problem]:
        return [p for p in [*self.problems, *self.summaries] if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in [*self.problems, *self.summaries] if p.severity != "error"]

    @property
    def valid(self) -> bool:
        return not self.errors


def _as_warning(problem: Problem) -> Problem:
    return Problem("warning", problem.message, problem.file, problem.line)


def _read(report: FileReport, lenient: bool, named: bool = True) -> Export | None:
    """One file parsed, checked against the XSD and built into the model (unresolved); None when it has
    errors or, found in a directory (not ``named``), is no PowerCenter export at all (then ``skipped``).
    Never raises for a bad file."""
    path = report.file
    try:
        tree = xmlsource.parse(path)
        schema = validate_tree(tree, path)
        if schema and not lenient:
            report.problems = schema
            return None
        report.problems = [_as_warning(p) for p in schema]
        export = Builder(path, lenient=lenient).export(tree)
        structure = structure_problems(export)
        report.problems.extend([_as_warning(p) for p in structure] if lenient else structure)
        return export
    except NotAnExport as exc:
        report.skipped = not named
        report.problems.append(
            Problem(
                "warning" if report.skipped else "error",
                f"skipped: {exc.message}" if report.skipped else exc.message,
                exc.file or path,
                exc.line,
            )
        )
    except InputError as exc:
        report.problems.append(Problem("error", exc.message, exc.file or path, exc.line))
    except MemoryError:
        report.problems.append(Problem("error", "out of memory while reading this file", path))
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the batch
        report.internal_error = True
        report.problems.append(
            Problem(
                "error",
                f"internal error while loading this file ({type(exc).__name__}: {exc}); please report it",
                path,
            )
        )
    return None


def _repository_problems(
    exports: list[Export], label: str, prefer: str | None, verbose: bool
) -> tuple[list[Problem], list[Problem], Export]:
    """Problems of the files read as one export set: builder warnings and workflow checks, then the
    summaries of conflicts between files and of missing references (or every one with ``verbose``)."""
    from infaflow.graph.checks import check_export

    merger = Merger(label, prefer)
    for part in exports:
        merger.add(part)
    export = merger.result
    resolve(export)
    problems = [*export.notes, *export.problems, *check_export(export)]
    if verbose:
        return problems, missing_problems(export.missing), export
    summaries = summarize_conflicts(merger.conflicts) if prefer is None else []
    summarised = {c.problem for c in merger.conflicts} if summaries else set()
    problems = [p for p in problems if p not in summarised]
    return problems, [*summaries, *summarize_missing(export.missing)], export


def _param_file_report(path: str, export: Export | None) -> FileReport:
    """A parameter file checked against the export set: headings that apply to nothing, undeclared names."""
    from infaflow.runtime import paramfile
    from infaflow.runtime.paramcheck import check_param_file

    report = FileReport(path)
    try:
        pfile = paramfile.load(path)
    except InputError as exc:
        report.problems.append(Problem("error", exc.message, exc.file or path, exc.line))
        return report
    if export is not None:  # listed in full, never condensed: each line is a value PowerCenter ignores
        report.summaries = check_param_file(pfile, export)
    return report


def _condensed(problems: list[Problem], verbose: bool) -> list[Problem]:
    """A file's problems as printed among several files: its first problem (errors first), with how many
    more there are."""
    if verbose or len(problems) <= 1:
        return problems
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    first = ordered[0]
    more = f" (+{len(problems) - 1} more in this file; --verbose lists them)"
    return [Problem(first.severity, first.message + more, first.file, first.line)]


def check_exports(
    paths: list[str],
    lenient: bool = False,
    prefer: str | None = None,
    verbose: bool = False,
    param_files: tuple[str, ...] = (),
) -> tuple[list[FileReport], list[Problem]]:
    """Validate files and directories as one export set: per file safe parse, XSD and model; then, over
    every valid file together, conflicts, workflow checks and references. Returns one report per file and
    the notes on files that were skipped (not PowerCenter exports)."""
    absent = [
        FileReport(p, [Problem("error", "no such file or directory", p)])
        for p in paths
        if not Path(p).exists()
    ]
    found = find_export_files([p for p in paths if Path(p).exists()])
    readable = [FileReport(f) for f in found.files]
    exports = [e for e in (_read(r, lenient, r.file in found.named) for r in readable) if e is not None]
    notes = [*found.notes, *(p for r in readable if r.skipped for p in r.problems)]
    reports = [*absent, *(r for r in readable if not r.skipped)]
    export = None
    if exports:
        by_file = {r.file: r for r in reports}
        problems, summaries, export = _repository_problems(exports, set_label(paths), prefer, verbose)
        for problem in problems:
            owner = by_file.get(problem.file) or next(r for r in reports if r.valid)
            owner.problems.append(problem)
        for problem in summaries:
            owner = by_file.get(problem.file) or next(r for r in reports if r.valid)
            owner.summaries.append(problem)
    reports += [_param_file_report(p, export) for p in param_files]
    return reports, notes


def check_file(path: str, lenient: bool = False) -> FileReport:
    """Validate one export: safe parse, XSD, model, workflow checks. Never raises for a bad file.

    Without ``lenient`` the model is only built when the file follows the schema; with it, schema
    problems are warnings and whatever can be read is loaded and checked.
    """
    reports, _notes = check_exports([path], lenient)
    return reports[0]


def _json(reports: list[FileReport]) -> str:
    return json.dumps(
        [
            {
                "file": r.file,
                "valid": r.valid,
                "problems": [
                    {"severity": p.severity, "line": p.line, "message": p.message, "file": p.file or r.file}
                    for p in [*r.problems, *r.summaries]
                ],
            }
            for r in reports
        ],
        indent=2,
        ensure_ascii=False,
    )


def _summary(reports: list[FileReport]) -> str:
    valid = sum(r.valid for r in reports)
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    files = "file" if len(reports) == 1 else "files"
    return (
        f"{len(reports)} {files}: {valid} valid, {len(reports) - valid} with errors "
        f"({errors} errors, {warnings} warnings)"
    )


def exit_code(reports: list[FileReport]) -> int:
    """2 when any file has an input error, else 1 when infaflow failed on a file, else 0."""
    if any(r.errors and not r.internal_error for r in reports):
        return EXIT_BAD_INPUT
    if any(r.internal_error for r in reports):
        return EXIT_FAILED
    return EXIT_OK


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="EXPORT...")
@click.option("--lenient", is_flag=True, help="Report schema problems as warnings and load what can be read.")
@click.option(
    "--param-file",
    "param_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Also check a parameter file against the exports: headings that apply to nothing, names "
    "nothing declares (PowerCenter ignores both silently). Repeatable.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List every reference to an object no file defines (default: one line per kind).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@PREFER_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one 'file:line: message' per problem on stderr; json: a report on stdout.",
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    lenient: bool,
    param_files: tuple[str, ...],
    verbose: bool,
    as_json: bool,
    prefer: str | None,
    fmt: str,
) -> None:
    """Check PowerCenter exports (files, and directories searched for *.xml) against the export format and
    the workflow rules, read together as one repository.

    Prints one 'file:line: message' line per problem; references to objects that no file defines are
    summarised one line per kind (--verbose lists each). Exit code 0 when every file is valid, 2 when any
    file has an error (a conflict between two files' definitions is an error).
    """
    fmt = "json" if as_json else fmt
    reports, notes = check_exports([str(f) for f in files], lenient, prefer, verbose, param_files)
    if fmt == "text":
        for note in notes:
            click.echo(str(note), err=True)
        for report in reports:
            for problem in [*_condensed(report.problems, verbose or len(reports) == 1), *report.summaries]:
                click.echo(
                    str(
                        problem
                        if problem.file
                        else Problem(problem.severity, problem.message, report.file, problem.line)
                    ),
                    err=True,
                )
    if fmt == "json":
        click.echo(_json(reports))
    else:
        skipped = f", {len(notes)} skipped" if notes else ""
        click.echo(_summary(reports) + skipped)
    if not any(r.file not in param_files for r in reports):
        # Every path was a directory without exports, or held only files that are not exports: nothing
        # was checked, which must not read as success (the other commands stop here too).
        click.echo(f"{set_label(files)}: no PowerCenter export found: nothing was validated", err=True)
        ctx.exit(EXIT_BAD_INPUT)
    ctx.exit(exit_code(reports))


COMMANDS = [validate_command]
