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

from infaflow.errors import InputError, Problem
from infaflow.export import xmlsource
from infaflow.export.validate import validate_tree

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


@dataclass
class FileReport:
    """What validating one file found."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    internal_error: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def valid(self) -> bool:
        return not self.errors


def _as_warning(problem: Problem) -> Problem:
    return Problem("warning", problem.message, problem.file, problem.line)


def _load_and_check(path: str, lenient: bool) -> list[Problem]:
    """Problems found by building the model and checking its workflows."""
    from infaflow.export import load
    from infaflow.graph.checks import check_export

    export = load(path, lenient=lenient, validate=False)
    return [*export.problems, *check_export(export)]


def check_file(path: str, lenient: bool = False) -> FileReport:
    """Validate one export: safe parse, XSD, model, workflow checks. Never raises for a bad file.

    Without ``lenient`` the model is only built when the file follows the schema; with it, schema
    problems are warnings and whatever can be read is loaded and checked.
    """
    report = FileReport(path)
    try:
        tree = xmlsource.parse(path)
        schema = validate_tree(tree, path)
        del tree
        if schema and not lenient:
            report.problems = schema
            return report
        report.problems = [_as_warning(p) for p in schema]
        report.problems.extend(_load_and_check(path, lenient))
    except InputError as exc:
        report.problems.append(Problem("error", exc.message, exc.file or path, exc.line))
    except MemoryError:
        report.problems.append(Problem("error", "out of memory while reading this file", path))
    except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the batch
        report.internal_error = True
        report.problems.append(Problem(
            "error", f"internal error while loading this file ({type(exc).__name__}: {exc}); please report it",
            path))
    return report


def _json(reports: list[FileReport]) -> str:
    return json.dumps(
        [
            {
                "file": r.file,
                "valid": r.valid,
                "problems": [
                    {"severity": p.severity, "line": p.line, "message": p.message, "file": p.file or r.file}
                    for p in r.problems
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
    return (f"{len(reports)} {files}: {valid} valid, {len(reports) - valid} with errors "
            f"({errors} errors, {warnings} warnings)")


def exit_code(reports: list[FileReport]) -> int:
    """2 when any file has an input error, else 1 when infaflow failed on a file, else 0."""
    if any(r.errors and not r.internal_error for r in reports):
        return EXIT_BAD_INPUT
    if any(r.internal_error for r in reports):
        return EXIT_FAILED
    return EXIT_OK


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--lenient", is_flag=True,
              help="Report schema problems as warnings and load what can be read.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one 'file:line: message' per problem on stderr; json: a report on stdout.")
@click.pass_context
def validate_command(ctx: click.Context, files: tuple[Path, ...], lenient: bool, fmt: str) -> None:
    """Check PowerCenter exports against the export format and the workflow rules.

    Prints one 'file:line: message' line per problem. Exit code 0 when every file is valid, 2 when any
    file has an error.
    """
    reports: list[FileReport] = []
    for path in files:
        report = check_file(str(path), lenient)
        reports.append(report)
        if fmt == "text":
            for problem in report.problems:
                click.echo(str(problem if problem.file else Problem(problem.severity, problem.message,
                                                                     report.file, problem.line)), err=True)
    if fmt == "json":
        click.echo(_json(reports))
    else:
        click.echo(_summary(reports))
    ctx.exit(exit_code(reports))


COMMANDS = [validate_command]
