"""``load(path)``: parse an export safely, validate it against our XSD, build and resolve the model."""

from __future__ import annotations

from pathlib import Path

from infaflow.errors import InputError, Problem
from infaflow.export import xmlsource
from infaflow.export.builder import Builder
from infaflow.export.resolve import resolve
from infaflow.model import Export


def load(path: str | Path, *, lenient: bool = False, validate: bool = True) -> Export:
    """Load a PowerCenter export into the model.

    Raises :class:`InputError` (with file and line) when the file is not a valid export; with
    ``lenient=True`` schema problems and unknown task types become warnings in ``Export.problems``
    and whatever can be read is loaded. References to objects absent from the file are always warnings.
    """
    name = str(path)
    tree = xmlsource.parse(name)
    problems: list[Problem] = []
    if validate:
        problems = _schema_problems(tree, name, lenient)
    builder = Builder(name, lenient=lenient)
    export = builder.export(tree)
    # The builder's own report of a line (e.g. an unknown task type) says more than the schema's.
    reported = {p.line for p in export.problems}
    export.problems[:0] = [p for p in problems if p.line not in reported]
    resolve(export)
    return export


def _schema_problems(tree, name: str, lenient: bool) -> list[Problem]:  # noqa: ANN001 - lxml tree
    from infaflow.export.validate import validate_tree

    found = validate_tree(tree, name)
    errors = [p for p in found if p.severity == "error"]
    if errors and not lenient:
        first = errors[0]
        more = f" ({len(errors) - 1} more problems; run 'infaflow validate')" if len(errors) > 1 else ""
        raise InputError(first.message + more, first.file or name, first.line)
    return [Problem("warning", p.message, p.file or name, p.line) for p in found]
