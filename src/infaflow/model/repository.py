"""Folders, repositories and the export set: the files that were read and what they hold."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from infaflow.errors import Location, Problem
from infaflow.model.mapping import Mapping, Mapplet, Source, Target, Transformation
from infaflow.model.workflow import Config, Scheduler, Session, Task, Workflow


@dataclass
class Shortcut:
    """A SHORTCUT to an object of another (or the same) folder; ``target`` once resolved."""

    name: str
    ref_object_name: str
    folder_name: str = ""
    repository_name: str = ""
    reference_type: str = ""  # LOCAL, GLOBAL
    object_type: str = ""  # SOURCE, TARGET, MAPPING, TRANSFORMATION, MAPPLET, SESSION, ...
    object_subtype: str = ""
    dbd_name: str = ""
    location: Location = field(default_factory=Location, compare=False)
    target: Any = field(default=None, repr=False, compare=False)


@dataclass
class Folder:
    """A FOLDER of a repository."""

    name: str
    owner: str = ""
    shared: bool = False
    description: str = ""
    uuid: str = ""
    sources: list[Source] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    transformations: list[Transformation] = field(default_factory=list)  # reusable ones
    mapplets: list[Mapplet] = field(default_factory=list)
    mappings: list[Mapping] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)  # reusable sessions
    tasks: list[Task] = field(default_factory=list)  # reusable tasks
    worklets: list[Workflow] = field(default_factory=list)  # reusable worklets
    workflows: list[Workflow] = field(default_factory=list)
    configs: list[Config] = field(default_factory=list)
    schedulers: list[Scheduler] = field(default_factory=list)
    shortcuts: list[Shortcut] = field(default_factory=list)
    location: Location = field(default_factory=Location, compare=False)

    def workflow(self, name: str) -> Workflow | None:
        return _find(self.workflows, name)

    def mapping(self, name: str) -> Mapping | None:
        return _find(self.mappings, name)

    def all_sessions(self) -> Iterator[Session]:
        """Every session of the folder: reusable ones, then those defined inside workflows and worklets."""
        yield from self.sessions
        for wf in [*self.workflows, *self.worklets]:
            yield from _nested_sessions(wf)


def _nested_sessions(wf: Workflow) -> Iterator[Session]:
    yield from wf.sessions
    for inner in wf.worklets:
        yield from _nested_sessions(inner)


def _find(items: list[Any], name: str) -> Any:
    found = next((i for i in items if i.name == name), None)
    if found is None:
        wanted = name.lower()
        found = next((i for i in items if i.name.lower() == wanted), None)
    return found


@dataclass
class Repository:
    name: str
    version: str = ""
    codepage: str = ""
    database_type: str = ""
    folders: list[Folder] = field(default_factory=list)
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class ExportFile:
    """One file that was read into an export set, with what its POWERMART element says."""

    path: str
    creation_date: str = ""
    repository_version: str = ""
    encoding: str = ""


@dataclass(frozen=True)
class MissingReference:
    """A reference to an object that none of the loaded files defines.

    ``kind`` is the kind of object looked for (``mapping``, ``source``, ``task``...), ``referrer`` says who
    refers to it (``session s_load``); the location is the referring element's.
    """

    kind: str  # mapping, source, target, transformation, mapplet, session, worklet, task, session config...
    name: str
    referrer_kind: str  # session, task instance, mapping instance, shortcut, session component
    referrer: str
    context: str = ""  # the object holding the referrer: "workflow 'wf_x'", "mapping 'm_y'"
    folder: str = ""
    location: Location = field(default_factory=Location)

    @property
    def message(self) -> str:
        of = f" of {self.context}" if self.context else ""
        where = f" in folder {self.folder!r}" if self.folder else ""
        return (
            f"{self.referrer_kind} {self.referrer!r}{of} refers to {self.kind} {self.name!r}{where}, "
            "which is not loaded"
        )


@dataclass
class Export:
    """An export set: the repositories, folders and objects of one or more export files read as one.

    One file is the smallest export set. Folders of the same name in several files are one folder;
    every object keeps the file and line it came from in its ``location``. ``problems`` are load warnings
    and errors, ``missing`` the references that no loaded file resolves, ``notes`` what was skipped
    (files that are not PowerCenter exports, duplicate definitions counted once).
    """

    path: str  # what to call the set in messages: the one file, or the paths as given
    creation_date: str = ""
    repository_version: str = ""
    encoding: str = ""
    repositories: list[Repository] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[ExportFile] = field(default_factory=list)
    missing: list[MissingReference] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        """The files read, in the order they were merged."""
        return [f.path for f in self.files] or [self.path]

    @property
    def folders(self) -> list[Folder]:
        return [f for r in self.repositories for f in r.folders]

    def folder(self, name: str) -> Folder | None:
        return _find(self.folders, name)

    def workflows(self) -> Iterator[tuple[Folder, Workflow]]:
        for folder in self.folders:
            for wf in folder.workflows:
                yield folder, wf

    def find_workflow(self, name: str, folder: str | None = None) -> tuple[Folder, Workflow] | None:
        """The workflow (or reusable worklet) called ``name``, optionally in ``folder``."""
        for f in self.folders:
            if folder is not None and f.name.lower() != folder.lower():
                continue
            wf = f.workflow(name) or _find(f.worklets, name)
            if wf is not None:
                return f, wf
        return None

    def workflows_named(self, name: str) -> list[tuple[Folder, Workflow]]:
        """Every workflow called ``name`` (case-insensitively), in any folder."""
        wanted = name.lower()
        return [(f, w) for f, w in self.workflows() if w.name.lower() == wanted]
