"""PowerCenter parameter files: sections, scopes and precedence.

Format (SPEC.md D): ``name=value`` lines under headings. The name is the text before the first ``=``
(spaces included, as PowerCenter reads it), the value the rest of the line as written (spaces count, no
quoting; an empty value is NULL). Lines that are neither headings nor contain ``=`` are comments. Headings:

========================================  ===============================================
``[Global]``                              every workflow, worklet and session
``[Service:svc]``, ``[Service:svc.ND:n]`` every workflow run by that service (we are every service)
``[F.WF:wf]``                             workflow ``wf`` of folder ``F``
``[F.WF:wf.WT:wl]`` (``.WT:`` repeated)   worklet instance ``wl`` (nested: ``.WT:a.WT:b``)
``[F.WF:wf.ST:s]``, ``[F.WF:wf.WT:wl.ST:s]``  session instance ``s`` in that workflow/worklet
``[F.ST:s]``                              session ``s`` of folder ``F`` in any workflow
``[s]``                                   session ``s`` anywhere
========================================  ===============================================

Precedence inside one file: the narrowest heading that names the object wins (session headings, then
the innermost worklet heading, then the workflow heading, then service, then global). A worklet's own
variables only see their worklet heading, service and global: the parent workflow's scope is invisible
inside a worklet (SPEC.md C, Worklet). Across files, see :func:`resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from infaflow.errors import InputError


@dataclass(frozen=True)
class Heading:
    """A parsed section heading."""

    kind: str  # global, service, workflow, session
    folder: str = ""
    workflow: str = ""
    worklets: tuple[str, ...] = ()
    session: str = ""
    text: str = ""


@dataclass
class Section:
    heading: Heading
    line: int
    values: dict[str, tuple[str | None, int]] = field(default_factory=dict)  # lower(name) -> (value, line)
    names: dict[str, str] = field(default_factory=dict)  # lower(name) -> name as written


@dataclass
class ParamFile:
    path: str
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """The object whose parameters are looked up: a workflow, a worklet instance path, or a session."""

    folder: str
    workflow: str
    worklets: tuple[str, ...] = ()  # worklet instance names from the workflow down
    session: str = ""  # session instance name, when looking up a session's parameters


_QUALIFIER = re.compile(r"\.(?=(?:WF|WT|ST|S|ND):)", re.IGNORECASE)


def parse_heading(text: str, file: str = "", line: int = 0) -> Heading:
    """The heading between the brackets of ``[...]``."""
    raw = text.strip()
    low = raw.lower()
    if low == "global":
        return Heading("global", text=raw)
    if low.startswith("service:"):
        return Heading("service", text=raw)
    parts = _QUALIFIER.split(raw)
    if len(parts) == 1:
        if ":" in raw:
            raise InputError(f"parameter file heading not understood: [{raw}]", file, line)
        return Heading("session", session=raw, text=raw)
    folder, rest = parts[0], parts[1:]
    workflow = ""
    worklets: list[str] = []
    session = ""
    for part in rest:
        key, _, name = part.partition(":")
        key = key.upper()
        if key == "WF" and not workflow and not worklets and not session:
            workflow = name
        elif key == "WT" and workflow and not session:
            worklets.append(name)
        elif key in ("ST", "S") and not session:
            session = name
        else:
            raise InputError(f"parameter file heading not understood: [{raw}]", file, line)
    if session:
        return Heading("session", folder, workflow, tuple(worklets), session, raw)
    return Heading("workflow", folder, workflow, tuple(worklets), text=raw)


def parse_text(text: str, path: str = "<text>") -> ParamFile:
    """Parse the content of a parameter file."""
    out = ParamFile(path)
    current: Section | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            current = Section(parse_heading(stripped[1:-1], path, number), number)
            out.sections.append(current)
            continue
        if "=" not in line or current is None:
            continue  # a comment (or a value before any heading, which applies to nothing)
        name, _, value = line.partition("=")
        if not name.strip():
            continue
        # Every character before the first '=' is the name, spaces included: "$$X = 1" names "$$X "
        # and sets nothing (Advanced Workflow Guide, "Parameter File Structure").
        value = value.rstrip("\r\n")
        current.values[name.lower()] = (value if value != "" else None, number)
        current.names[name.lower()] = name
    return out


def load(path: str | Path) -> ParamFile:
    """Read and parse a parameter file; an unreadable file is an :class:`InputError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read parameter file: {exc.strerror or exc}", str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return parse_text(text, str(path))


def _eq(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def rank(heading: Heading, scope: Scope) -> int | None:
    """How narrowly ``heading`` names ``scope`` (higher wins), or ``None`` if it does not apply."""
    if heading.kind == "global":
        return 0
    if heading.kind == "service":
        return 1
    in_workflow = _eq(heading.folder, scope.folder) and _eq(heading.workflow, scope.workflow)
    if heading.kind == "workflow":
        if not in_workflow:
            return None
        if scope.session:
            # a session sees the headings of its containers, innermost first
            n = len(heading.worklets)
            if n <= len(scope.worklets) and all(
                _eq(a, b) for a, b in zip(heading.worklets, scope.worklets, strict=False)
            ):
                return 10 + n
            return None
        if len(heading.worklets) == len(scope.worklets) and all(
            _eq(a, b) for a, b in zip(heading.worklets, scope.worklets, strict=True)
        ):
            return 10
        return None
    # session headings
    if not scope.session or not _eq(heading.session, scope.session):
        return None
    if heading.workflow:
        same_path = len(heading.worklets) == len(scope.worklets) and all(
            _eq(a, b) for a, b in zip(heading.worklets, scope.worklets, strict=True)
        )
        return 400 if in_workflow and same_path else None
    if heading.folder:
        return 300 if _eq(heading.folder, scope.folder) else None
    return 200


def values_for(pfile: ParamFile, scope: Scope) -> dict[str, tuple[str, str | None, str, int]]:
    """Every name ``pfile`` gives ``scope``: lower(name) -> (name, value, file, line), narrowest wins."""
    ranked = [(r, s) for s in pfile.sections if (r := rank(s.heading, scope)) is not None]
    ranked.sort(key=lambda rs: rs[0])
    out: dict[str, tuple[str, str | None, str, int]] = {}
    for _, section in ranked:  # wider first, narrower overwrite
        for key, (value, line) in section.values.items():
            out[key] = (section.names[key], value, pfile.path, line)
    return out


#: The lowest rank of a session heading (``[s]``, ``[F.ST:s]``, ``[F.WF:wf.ST:s]``...), see :func:`rank`.
SESSION_RANK = 200


def session_heading_names(files: list[ParamFile], scope: Scope) -> set[str]:
    """The lower-case names whose winning value for the session ``scope`` (by :func:`resolve`'s
    precedence) is written under a heading of the session itself, not of its workflow, worklet, service
    or ``[Global]``."""
    winner: dict[str, int] = {}
    for pfile in reversed(files):
        ranked = [(r, s) for s in pfile.sections if (r := rank(s.heading, scope)) is not None]
        ranked.sort(key=lambda rs: rs[0])
        given: dict[str, int] = {}
        for r, section in ranked:
            for key in section.values:
                given[key] = r
        winner.update(given)
    return {key for key, r in winner.items() if r >= SESSION_RANK}


def resolve(files: list[ParamFile], scope: Scope) -> dict[str, tuple[str, str | None, str, int]]:
    """Values for ``scope`` from several files, ``files`` ordered from highest to lowest precedence.

    A name given by a higher-precedence file wins even if a lower one has a narrower heading.
    """
    out: dict[str, tuple[str, str | None, str, int]] = {}
    for pfile in reversed(files):
        out.update(values_for(pfile, scope))
    return out
