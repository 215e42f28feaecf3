"""Merging the exports of several files into one export set (one repository of folders).

Folders of the same name are one folder. An object defined in several files (a mapping exported with its
workflow and again on its own) counts once when the definitions are equal; definitions that differ are a
conflict, reported with both places, unless the caller chose which one wins (``prefer``).
Objects are compared by content: locations and resolved references take no part in model equality.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infaflow.errors import Location, Problem
from infaflow.model import Export, ExportFile, Folder, Repository

#: Folder collections merged by object name, with the name a user reads in messages.
COLLECTIONS: dict[str, str] = {
    "sources": "source",
    "targets": "target",
    "transformations": "transformation",
    "mapplets": "mapplet",
    "mappings": "mapping",
    "sessions": "session",
    "tasks": "task",
    "worklets": "worklet",
    "workflows": "workflow",
    "configs": "session config",
    "schedulers": "scheduler",
    "shortcuts": "shortcut",
}

#: How a conflict between two different definitions is settled: None reports it as an error.
PREFERENCES = ("first", "last", "newest")


def _key(obj: Any) -> tuple[str, str]:
    # Sources of different databases (DBDNAME) may share a name within a folder.
    return obj.name.lower(), getattr(obj, "dbd_name", "").lower()


def creation_time(value: str) -> dt.datetime | None:
    """The POWERMART ``CREATION_DATE`` (``MM/DD/YYYY HH:MM:SS``), or None when absent or unreadable."""
    for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Conflict:
    """One object defined differently in two files."""

    what: str  # "mapping 'm_x' of folder 'F'"
    first: Location
    second: Location

    @property
    def problem(self) -> Problem:
        """The error reported at the second definition when nothing settles the conflict."""
        return Problem(
            "error",
            f"{self.what} is defined differently here and in {self.first} (choose one with "
            "--prefer first|last|newest, or remove one file)",
            self.second.file,
            self.second.line,
        )


@dataclass
class _Entry:
    obj: Any
    file: ExportFile


class Merger:
    """Adds exports one by one into a single :class:`Export`."""

    def __init__(self, label: str, prefer: str | None = None) -> None:
        if prefer is not None and prefer not in PREFERENCES:
            raise ValueError(f"prefer must be one of {PREFERENCES}, not {prefer!r}")
        self.prefer = prefer
        self.result = Export(path=label)
        self._repositories: dict[str, Repository] = {}
        self._folders: dict[str, Folder] = {}
        self._entries: dict[tuple[str, str, str, tuple[str, str]], _Entry] = {}
        self.duplicates = 0  # equal definitions counted once
        self.conflicts: list[Conflict] = []

    def add(self, export: Export) -> None:
        """Merge one file's export (built, not yet resolved)."""
        file = ExportFile(export.path, export.creation_date, export.repository_version, export.encoding)
        result = self.result
        if not result.files:
            result.creation_date = export.creation_date
            result.repository_version = export.repository_version
            result.encoding = export.encoding
        result.files.append(file)
        result.problems.extend(export.problems)
        for repository in export.repositories:
            for folder in repository.folders:
                self._add_folder(repository, folder, file)

    def _add_folder(self, repository: Repository, folder: Folder, file: ExportFile) -> None:
        existing = self._folders.get(folder.name.lower())
        if existing is None:
            into = self._repositories.get(repository.name.lower())
            if into is None:
                into = Repository(
                    repository.name,
                    repository.version,
                    repository.codepage,
                    repository.database_type,
                    [],
                    repository.location,
                )
                self._repositories[repository.name.lower()] = into
                self.result.repositories.append(into)
            existing = Folder(
                folder.name,
                folder.owner,
                folder.shared,
                folder.description,
                folder.uuid,
                location=folder.location,
            )
            self._folders[folder.name.lower()] = existing
            into.folders.append(existing)
        for collection in COLLECTIONS:
            for obj in getattr(folder, collection):
                self._add_object(existing, collection, obj, file)

    def _add_object(self, folder: Folder, collection: str, obj: Any, file: ExportFile) -> None:
        key = (folder.name.lower(), collection, type(obj).__name__, _key(obj))
        items: list[Any] = getattr(folder, collection)
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = _Entry(obj, file)
            items.append(obj)
            return
        if entry.obj == obj:
            self.duplicates += 1
            return
        keep_new = self._settle(folder, collection, entry, obj, file)
        if keep_new:
            items[next(i for i, item in enumerate(items) if item is entry.obj)] = obj
            self._entries[key] = _Entry(obj, file)

    def _settle(self, folder: Folder, collection: str, entry: _Entry, obj: Any, file: ExportFile) -> bool:
        """Report a conflict; True when the new definition replaces the one kept so far."""
        first: Location = entry.obj.location
        second: Location = obj.location
        what = f"{COLLECTIONS[collection]} {obj.name!r} of folder {folder.name!r}"
        conflict = Conflict(what, first, second)
        self.conflicts.append(conflict)
        if self.prefer is None:
            self.result.problems.append(conflict.problem)
            return False
        keep_new = _choose(self.prefer, entry.file, file)
        kept, dropped = (second, first) if keep_new else (first, second)
        self.result.notes.append(
            Problem(
                "warning",
                f"{what} is defined differently in {first} and {second}; using {kept} "
                f"(--prefer {self.prefer}), not {dropped}",
                kept.file,
                kept.line,
            )
        )
        return keep_new


_CHOOSERS: dict[str, Callable[[ExportFile, ExportFile], bool]] = {
    "first": lambda old, new: False,
    "last": lambda old, new: True,
    "newest": lambda old, new: (
        (creation_time(new.creation_date) or dt.datetime.min)
        > (creation_time(old.creation_date) or dt.datetime.min)
    ),
}


def _choose(prefer: str, old: ExportFile, new: ExportFile) -> bool:
    return _CHOOSERS[prefer](old, new)


def summarize_conflicts(conflicts: list[Conflict], limit: int = 3) -> list[Problem]:
    """All conflicts as one error at the first, naming the first few objects and their two places."""
    if not conflicts:
        return []
    shown = "; ".join(f"{c.what} ({c.second} and {c.first})" for c in conflicts[:limit])
    more = f"; and {len(conflicts) - limit} more (--verbose lists them)" if len(conflicts) > limit else ""
    first = conflicts[0].second
    return [
        Problem(
            "error",
            f"{len(conflicts)} object(s) are defined differently in two files: {shown}{more}. "
            "Choose with --prefer first|last|newest, or remove one file",
            first.file,
            first.line,
        )
    ]


def merge(exports: list[Export], label: str, prefer: str | None = None) -> Export:
    """One export set of ``exports`` (in order); conflicts become errors in ``problems`` unless
    ``prefer`` settles them (then a note says which definition was used)."""
    merger = Merger(label, prefer)
    for export in exports:
        merger.add(export)
    return merger.result
