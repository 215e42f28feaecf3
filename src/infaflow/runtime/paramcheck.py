"""Checks of a parameter file against an export set: typos that PowerCenter would silently ignore.

PowerCenter applies a section only when its heading names a folder, workflow, worklet instance or session
instance that exists, and a name only when the object in scope declares it; anything else is ignored and the
default is used. A misspelled heading (``[ORDERS.WF:wf_orders_dialy]``) or variable name therefore changes a
run without a word. :func:`check_param_file` reports both, with the closest known name when there is one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from infaflow.errors import Problem
from infaflow.model import Export, Folder, Session, Workflow
from infaflow.runtime.paramfile import Heading, ParamFile

#: Names PowerCenter defines itself (built-ins, process and service variables) or that name session
#: parameters by prefix ($DBConnection_X, $InputFile_X...): never reported.
BUILTIN_PREFIXES = (
    "$pm",
    "$dbconnection",
    "$inputfile",
    "$outputfile",
    "$badfile",
    "$lookupfile",
    "$param",
    "$appconnection",
    "$ftpconnection",
    "$queueconnection",
    "$loaderconnection",
    "$source",
    "$target",
)


def _declared(wf: Workflow) -> set[str]:
    return {v.name for v in wf.variables if v.user_defined}


def _mapping_names(session: Session) -> set[str]:
    mapping = session.mapping
    return {v.name for v in mapping.variables} if mapping is not None else set()


def _sessions(wf: Workflow, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str, Session]]:
    """(worklet instance path, session instance name, session) of a workflow, worklets included."""
    for inst in wf.instances:
        if isinstance(inst.task, Session):
            yield prefix, inst.name, inst.task
        elif isinstance(inst.task, Workflow):
            yield from _sessions(inst.task, (*prefix, inst.name))


def _worklet(wf: Workflow, path: tuple[str, ...]) -> Workflow | None:
    current: Workflow | None = wf
    for name in path:
        inst = current.instance(name) if current is not None else None
        current = inst.task if inst is not None and isinstance(inst.task, Workflow) else None
        if current is None:
            return None
    return current


def _close(name: str, options: list[str]) -> str:
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _scope_names(export: Export, heading: Heading) -> tuple[set[str] | None, str]:
    """The $$names (as declared) the object a heading names declares, or (None, why it names nothing)."""
    if heading.kind in ("global", "service"):
        declared: set[str] = set()
        for each in export.folders:
            for flow in [*each.workflows, *each.worklets]:
                declared |= _declared(flow)
            for m in [*each.mappings, *each.mapplets]:
                declared |= {v.name for v in m.variables}
        return declared, ""
    folders = export.folders
    if heading.kind == "session" and not heading.folder:  # [s]: a session instance anywhere
        found = [
            s
            for f in folders
            for wf in f.workflows
            for _p, name, s in _sessions(wf)
            if name.lower() == heading.session.lower()
        ]
        if not found:
            every = sorted({n for f in folders for wf in f.workflows for _p, n, _s in _sessions(wf)})
            return None, f"no session instance {heading.session!r}{_close(heading.session, every)}"
        return set().union(*(_mapping_names(s) for s in found)), ""
    folder: Folder | None = export.folder(heading.folder)
    if folder is None:
        return None, f"no folder {heading.folder!r}{_close(heading.folder, [f.name for f in folders])}"
    if not heading.workflow:  # [F.ST:s]
        found = [
            s
            for wf in folder.workflows
            for _p, name, s in _sessions(wf)
            if name.lower() == heading.session.lower()
        ]
        return (
            (set().union(*(_mapping_names(s) for s in found)), "")
            if found
            else (None, f"no session instance {heading.session!r} in folder {folder.name!r}")
        )
    wf = folder.workflow(heading.workflow)
    if wf is None:
        names = [w.name for w in folder.workflows]
        return (
            None,
            f"no workflow {heading.workflow!r} in folder {folder.name!r}{_close(heading.workflow, names)}",
        )
    inner = _worklet(wf, heading.worklets)
    if inner is None:
        return None, f"no worklet instance {'.'.join(heading.worklets)!r} in workflow {wf.name!r}"
    if heading.kind == "session":
        found = [
            s for path, name, s in _sessions(inner) if not path and name.lower() == heading.session.lower()
        ]
        if not found:
            names = [name for path, name, _s in _sessions(inner) if not path]
            return None, (
                f"no session instance {heading.session!r} in {inner.type.lower()} {inner.name!r}"
                f"{_close(heading.session, names)}"
            )
        return _mapping_names(found[0]), ""
    # A workflow or worklet heading also sets the mapping parameters of the sessions it runs.
    return _declared(inner) | set().union(*(_mapping_names(s) for _p, _n, s in _sessions(inner))), ""


def _about(heading: Heading, folder: str, workflow: str) -> bool:
    """Whether a heading is meant for ``workflow`` of ``folder``: it names them, or a close misspelling."""
    if heading.kind not in ("workflow", "session") or not heading.workflow:
        return False
    if heading.folder.lower() != folder.lower():
        return False
    name = heading.workflow.lower()
    return name == workflow.lower() or difflib.SequenceMatcher(None, name, workflow.lower()).ratio() >= 0.8


def check_param_file(pfile: ParamFile, export: Export, focus: tuple[str, str] | None = None) -> list[Problem]:
    """Warnings for headings that name nothing in ``export`` and ``$$names`` that the object in scope does
    not declare (PowerCenter would ignore both). With ``focus`` (folder, workflow), only the sections meant
    for that workflow are checked (a run loads a file written for many workflows)."""
    problems = []
    for section in pfile.sections:
        if focus is not None and not _about(section.heading, *focus):
            continue
        names, why = _scope_names(export, section.heading)
        if names is None:
            problems.append(
                Problem(
                    "warning",
                    f"heading [{section.heading.text}] applies to nothing: {why}; its values are ignored",
                    pfile.path,
                    section.line,
                )
            )
            continue
        for key, (_value, line) in section.values.items():
            written = section.names[key]
            if written != written.strip():
                problems.append(
                    Problem(
                        "warning",
                        f"{written!r} has spaces before the '=': PowerCenter reads them as part of the name, "
                        f"so this line sets nothing (write {written.strip()}=...)",
                        pfile.path,
                        line,
                    )
                )
                continue
            if not key.startswith("$$"):
                if not key.startswith(BUILTIN_PREFIXES) and key.startswith("$"):
                    problems.append(
                        Problem(
                            "warning",
                            f"{written} is not a PowerCenter built-in, process or "
                            "session parameter name; it is ignored",
                            pfile.path,
                            line,
                        )
                    )
                continue
            if key not in {n.lower() for n in names}:
                where = f"[{section.heading.text}]"
                problems.append(
                    Problem(
                        "warning",
                        f"{written} is not declared by anything {where} applies to"
                        f"{_close(written, sorted(names))}; it is ignored",
                        pfile.path,
                        line,
                    )
                )
    return problems
