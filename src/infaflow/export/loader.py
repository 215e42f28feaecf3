"""Loading exports: one file with :func:`load`, any number of files and directories as one export set
with :func:`load_repository`. Each file is parsed safely, validated against our XSD and built into the
model; the files are merged (folders of the same name are one folder) and every reference is resolved
across them."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.errors import InputError, Problem
from infaflow.export import xmlsource
from infaflow.export.builder import Builder
from infaflow.export.merge import merge
from infaflow.export.resolve import resolve
from infaflow.export.xmlsource import NotAnExport
from infaflow.model import Export, ExportFile


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model is built: building allocates hundreds of thousands
    of small objects and no reference cycles, so the collector's passes over the growing heap only cost
    time (about a quarter of loading the corpus). The previous state is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: str | Path, *, lenient: bool = False, validate: bool = True) -> Export:
    """Load one PowerCenter export file into the model.

    Raises :class:`InputError` (with file and line) when the file is not a valid export; with
    ``lenient=True`` schema problems and unknown task types become warnings in ``Export.problems``
    and whatever can be read is loaded. References to objects absent from the file are recorded in
    ``Export.missing``.
    """
    with _gc_paused():
        export = read_file(str(path), lenient=lenient, validate=validate)
        export.files = [
            ExportFile(export.path, export.creation_date, export.repository_version, export.encoding)
        ]
        resolve(export)
    return export


def read_file(name: str, *, lenient: bool = False, validate: bool = True) -> Export:
    """One file parsed, validated and built into the model, references not yet resolved."""
    tree = xmlsource.parse(name)
    problems: list[Problem] = []
    if validate:
        problems = _schema_problems(tree, name, lenient)
    export = Builder(name, lenient=lenient).export(tree)
    if validate:
        problems.extend(_structure_problems(export, lenient))
    # The builder's own report of a line (e.g. an unknown task type) says more than the schema's.
    reported = {p.line for p in export.problems}
    export.problems[:0] = [p for p in problems if p.line not in reported]
    return export


def _more(errors: int) -> str:
    """What follows the first error of a file that stops the load: how many more, and the way on."""
    more = f"{errors - 1} more problems; " if errors > 1 else ""
    return f" ({more}'infaflow validate' lists them; --lenient reads what it can)"


def _schema_problems(tree: Any, name: str, lenient: bool) -> list[Problem]:  # tree: an lxml tree
    from infaflow.export.validate import validate_tree

    found = validate_tree(tree, name)
    errors = [p for p in found if p.severity == "error"]
    if errors and not lenient:
        first = errors[0]
        raise InputError(first.message + _more(len(errors)), first.file or name, first.line)
    return [Problem("warning", p.message, p.file or name, p.line) for p in found]


def _structure_problems(export: Export, lenient: bool) -> list[Problem]:
    """Duplicate names, connectors to unknown instances or ports, mapping cycles (see export/structure.py):
    the first error stops the load unless ``lenient`` (then all are warnings)."""
    from infaflow.export.structure import structure_problems

    found = structure_problems(export)
    if found and not lenient:
        first = found[0]
        raise InputError(first.message + _more(len(found)), first.file, first.line)
    return [Problem("warning", p.message, p.file, p.line) for p in found]


# --------------------------------------------------------------------------------------------------
# Export sets


@dataclass
class ExportFiles:
    """The files an export set is read from: those named, and the ``*.xml`` files found in directories."""

    files: list[str] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # files named directly (never skipped silently)
    notes: list[Problem] = field(default_factory=list)  # files found in directories and skipped


def is_xml_name(path: Path) -> bool:
    return path.suffix.lower() == ".xml"


def find_export_files(paths: Iterable[str | Path]) -> ExportFiles:
    """The export files named by ``paths``: files as given, directories searched recursively for ``*.xml``
    (any case) in name order. A path that does not exist is an :class:`InputError`. No file is listed
    twice. Nothing is read here: a file found in a directory that turns out not to be a PowerCenter export
    is skipped when it is parsed (:func:`load_repository`)."""
    found = ExportFiles()
    seen: set[Path] = set()

    def add(file: Path, named: bool) -> None:
        real = file.resolve()
        if real in seen:
            return
        seen.add(real)
        found.files.append(str(file))
        if named:
            found.named.add(str(file))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = sorted((p for p in path.rglob("*") if p.is_file() and is_xml_name(p)), key=str)
            if not candidates:
                found.notes.append(Problem("warning", "no *.xml files in this directory", str(path)))
            for file in candidates:
                add(file, named=False)
        elif path.is_file():
            add(path, named=True)
        else:
            raise InputError("no such file or directory", str(path))
    return found


def set_label(paths: Iterable[str | Path]) -> str:
    """How messages name an export set: its one path, or the paths as given."""
    names = [str(p) for p in paths]
    return names[0] if len(names) == 1 else " ".join(names)


def load_repository(
    paths: Iterable[str | Path],
    *,
    lenient: bool = False,
    validate: bool = True,
    prefer: str | None = None,
    keep_going: bool = False,
) -> Export:
    """Load any number of export files and directories as one export set (see :func:`_load_repository`)."""
    with _gc_paused():
        return _load_repository(
            paths, lenient=lenient, validate=validate, prefer=prefer, keep_going=keep_going
        )


def _load_repository(
    paths: Iterable[str | Path], *, lenient: bool, validate: bool, prefer: str | None, keep_going: bool
) -> Export:
    """Load any number of export files and directories as one export set.

    Folders of the same name merge; every reference resolves across files. An object defined in two
    files counts once when both definitions are equal; different definitions raise an :class:`InputError`
    naming both places, unless ``prefer`` (``first``, ``last`` or ``newest`` by the files' CREATION_DATE)
    settles them. With ``lenient`` schema problems are warnings. With ``lenient`` or ``keep_going`` a file
    that cannot be read is skipped with an error in ``notes``, and a conflict stays an error in
    ``problems`` (the first definition is used), instead of stopping the load.
    """
    paths = list(paths)
    found = find_export_files(paths)
    if not found.files:
        where = set_label(paths)
        raise InputError("no PowerCenter export files (*.xml) found", where)
    exports: list[Export] = []
    notes = list(found.notes)
    for name in found.files:
        try:
            exports.append(read_file(name, lenient=lenient, validate=validate))
        except NotAnExport as exc:
            named = name in found.named
            if named and not (lenient or keep_going):
                raise
            # Named on the command line it is an error; found in a directory, just not an export.
            message = exc.message if named else f"skipped: {exc.message}"
            notes.append(Problem("error" if named else "warning", message, exc.file or name, exc.line))
        except InputError as exc:
            if not (lenient or keep_going):
                raise
            notes.append(Problem("error", f"skipped: {exc.message}", exc.file or name, exc.line))
    if not exports:
        first = notes[-1] if notes else Problem("error", "", set_label(paths))
        raise InputError(
            f"no file could be read as a PowerCenter export ({first.message})", first.file, first.line
        )
    export = merge(exports, set_label(paths), prefer)
    export.notes[:0] = notes
    conflicts = [p for p in export.problems if p.severity == "error"]
    if conflicts and not (lenient or keep_going):
        first = conflicts[0]
        more = f" ({len(conflicts) - 1} more conflicts)" if len(conflicts) > 1 else ""
        raise InputError(first.message + more, first.file, first.line)
    resolve(export)
    return export
