"""Resolving references between model objects: shortcuts, task instances, session mappings and configs,
mapping instances, session components.

A reference to an object that no loaded file defines is recorded in ``Export.missing`` (a
:class:`MissingReference` with the referring element's file and line), never a crash: exports of a single
workflow often leave out the reusable objects they use. :func:`summarize_missing` groups them for people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from infaflow.errors import Location, Problem
from infaflow.model import (
    Export,
    Folder,
    Mapping,
    MissingReference,
    Session,
    SessionComponent,
    Shortcut,
    Workflow,
)

# Shortcut OBJECTTYPE / reference kind -> Folder collection holding such objects
_KIND_COLLECTION: dict[str, str] = {
    "SOURCE": "sources",
    "TARGET": "targets",
    "TRANSFORMATION": "transformations",
    "MAPPLET": "mapplets",
    "MAPPING": "mappings",
    "SESSION": "sessions",
    "TASK": "tasks",
    "WORKLET": "worklets",
    "WORKFLOW": "workflows",
    "CONFIG": "configs",
}

_MAX_SHORTCUT_HOPS = 8


def _by_name(items: list[Any], name: str, dbd_name: str = "") -> Any:
    matches = [i for i in items if i.name == name] or [i for i in items if i.name.lower() == name.lower()]
    if dbd_name and len(matches) > 1:
        matches = [i for i in matches if getattr(i, "dbd_name", "") == dbd_name] or matches
    return matches[0] if matches else None


class Resolver:
    """Looks objects up by kind and name in a folder, following shortcuts across the export's folders."""

    def __init__(self, export: Export, report: Callable[[Problem], None]) -> None:
        self.export = export
        self.report = report

    def folder(self, name: str) -> Folder | None:
        return _by_name(self.export.folders, name)

    def lookup(self, folder: Folder, kind: str, name: str, dbd_name: str = "", hops: int = 0) -> Any:
        """The object of ``kind`` called ``name`` in ``folder``, directly or through a shortcut."""
        found = _by_name(getattr(folder, _KIND_COLLECTION[kind]), name, dbd_name)
        if found is not None:
            return found
        shortcut = _by_name([s for s in folder.shortcuts if s.object_type in ("", kind)], name)
        if shortcut is None:
            return None
        return self.follow(shortcut, hops)

    def follow(self, shortcut: Shortcut, hops: int = 0) -> Any:
        if shortcut.target is not None:
            return shortcut.target
        if hops >= _MAX_SHORTCUT_HOPS:
            return None
        folder = self.folder(shortcut.folder_name)
        kind = shortcut.object_type if shortcut.object_type in _KIND_COLLECTION else ""
        if folder is None or not kind:
            return None
        shortcut.target = self.lookup(folder, kind, shortcut.ref_object_name, shortcut.dbd_name, hops + 1)
        return shortcut.target

    def warn(self, message: str, where: Location) -> None:
        self.report(Problem("warning", message, where.file or self.export.path, where.line))

    def missing(
        self,
        kind: str,
        name: str,
        referrer_kind: str,
        referrer: str,
        folder: Folder,
        where: Location,
        context: str = "",
    ) -> None:
        """Record a reference that no loaded file resolves (once: a reference through a shortcut whose
        target is absent is already recorded at the shortcut)."""
        collection = _KIND_COLLECTION.get(kind.upper(), "")
        if any(
            s.name.lower() == name.lower() and s.object_type in ("", kind.upper()) for s in folder.shortcuts
        ) and not any(
            getattr(o, "name", "").lower() == name.lower() for o in getattr(folder, collection, [])
        ):
            return
        self.export.missing.append(
            MissingReference(kind, name, referrer_kind, referrer, context, folder.name, where)
        )


def _all_mappings(folder: Folder) -> Iterator[Mapping]:
    yield from folder.mappings
    yield from folder.mapplets


def _all_workflows(wfs: list[Workflow]) -> Iterator[Workflow]:
    for wf in wfs:
        yield wf
        yield from _all_workflows(wf.worklets)


# Task instance TASKTYPE -> (workflow collection, folder kind)
_INSTANCE_TARGETS: dict[str, tuple[str, str]] = {
    "Session": ("sessions", "SESSION"),
    "Worklet": ("worklets", "WORKLET"),
}


def resolve(export: Export) -> None:
    """Resolve every reference of ``export`` in place, recording each one that points at an object no
    loaded file defines in ``export.missing``."""
    r = Resolver(export, export.problems.append)
    for folder in export.folders:
        _resolve_shortcuts(r, folder)
    for folder in export.folders:
        for mapping in _all_mappings(folder):
            _resolve_mapping(r, folder, mapping)
        for session in folder.sessions:
            _resolve_session(r, folder, session)
        for wf in _all_workflows([*folder.workflows, *folder.worklets]):
            _resolve_workflow(r, folder, wf)


def _resolve_shortcuts(r: Resolver, folder: Folder) -> None:
    for shortcut in folder.shortcuts:
        if r.follow(shortcut) is None:
            target = r.folder(shortcut.folder_name) or Folder(shortcut.folder_name)
            r.missing(
                shortcut.object_type.lower() or "object",
                shortcut.ref_object_name,
                "shortcut",
                shortcut.name,
                target,
                shortcut.location,
            )


_INSTANCE_KIND = {
    "SOURCE": "SOURCE",
    "TARGET": "TARGET",
    "MAPPLET": "MAPPLET",
    "TRANSFORMATION": "TRANSFORMATION",
}


def _resolve_mapping(r: Resolver, folder: Folder, mapping: Mapping) -> None:
    for inst in mapping.instances:
        kind = _INSTANCE_KIND.get(inst.type)
        if kind is None:
            r.warn(
                f"instance {inst.name!r} in {mapping.name!r} has unknown TYPE {inst.type!r}", inst.location
            )
            continue
        name = inst.transformation_name or inst.name
        found = None
        if kind == "TRANSFORMATION" and not inst.reusable:
            found = mapping.transformation(name)
        if found is None:
            found = r.lookup(folder, kind, name, inst.dbd_name)
        if found is None and kind == "TRANSFORMATION":
            found = mapping.transformation(name)
        inst.definition = found
        if found is None:
            holder = "mapplet" if mapping.is_mapplet else "mapping"
            r.missing(
                kind.lower(),
                name,
                f"{holder} instance",
                inst.name,
                folder,
                inst.location,
                f"{holder} {mapping.name!r}",
            )


def _resolve_components(
    r: Resolver, folder: Folder, components: list[SessionComponent], context: str
) -> None:
    for comp in components:
        if comp.task is None and comp.ref_object_name and not comp.is_none:
            comp.task = r.lookup(folder, "TASK", comp.ref_object_name)
            if comp.task is None:
                r.missing(
                    "task",
                    comp.ref_object_name,
                    "session component",
                    comp.type,
                    folder,
                    comp.location,
                    context,
                )


def _resolve_session(r: Resolver, folder: Folder, session: Session) -> None:
    session.mapping = r.lookup(folder, "MAPPING", session.mapping_name)
    if session.mapping is None:
        r.missing("mapping", session.mapping_name, "session", session.name, folder, session.location)
    ref = session.config_reference
    if ref is not None and ref.ref_object_name:
        session.config = r.lookup(folder, "CONFIG", ref.ref_object_name)
        if session.config is None:
            r.missing(
                "session config",
                ref.ref_object_name,
                "session",
                session.name,
                folder,
                ref.location if ref.location.line else session.location,
            )
    _resolve_components(r, folder, session.components, f"session {session.name!r}")


def _resolve_workflow(r: Resolver, folder: Folder, wf: Workflow) -> None:
    for session in wf.sessions:
        _resolve_session(r, folder, session)
    for inst in wf.instances:
        collection, kind = _INSTANCE_TARGETS.get(inst.task_type, ("tasks", "TASK"))
        local = _by_name(getattr(wf, collection), inst.task_name)
        shared = r.lookup(folder, kind, inst.task_name)
        inst.task = (shared or local) if inst.reusable else (local or shared)
        _resolve_components(r, folder, inst.components, f"task instance {inst.name!r}")
        if inst.task is None and inst.task_type != "Start":
            r.missing(
                inst.task_type.lower(),
                inst.task_name,
                "task instance",
                inst.name,
                folder,
                inst.location,
                f"{wf.type.lower()} {wf.name!r}",
            )
        elif inst.task is not None and inst.task.type != inst.task_type:
            r.warn(
                f"task instance {inst.name!r} has TASKTYPE {inst.task_type!r} but {inst.task_name!r} "
                f"is a {inst.task.type}",
                inst.location,
            )
