"""Missing references summarised for people: one line per kind of object, with counts and first names.

An export of one workflow usually leaves out hundreds of mappings; listing each reference buries everything
else. ``validate --verbose`` and the JSON outputs still give every one.
"""

from __future__ import annotations

from collections.abc import Iterable

from infaflow.errors import Problem
from infaflow.model import MissingReference

#: Names shown per line before "and N more".
FIRST_NAMES = 3


def _plural(noun: str, count: int) -> str:
    return noun if count == 1 else f"{noun}s"


def _names(names: list[str], limit: int) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def summarize_missing(missing: Iterable[MissingReference], limit: int = FIRST_NAMES) -> list[Problem]:
    """One warning per kind of missing object, at the first referring element: how many objects are not
    loaded, the first few names, and how many objects need them (with the first few)."""
    by_kind: dict[str, list[MissingReference]] = {}
    for ref in missing:
        by_kind.setdefault(ref.kind, []).append(ref)
    out = []
    for kind, refs in by_kind.items():
        names = list(dict.fromkeys(r.name for r in refs))
        referrers = list(dict.fromkeys((r.referrer_kind, r.referrer) for r in refs))
        referrer_kinds = list(dict.fromkeys(k for k, _ in referrers))
        noun = referrer_kinds[0] if len(referrer_kinds) == 1 else "object"
        who = [name if len(referrer_kinds) == 1 else f"{k} {name}" for k, name in referrers]
        first = refs[0].location
        out.append(
            Problem(
                "warning",
                f"{len(names)} {_plural(kind, len(names))} not loaded: {_names(names, limit)}; "
                f"needed by {len(referrers)} {_plural(noun, len(referrers))} ({_names(who, limit)})",
                first.file,
                first.line,
            )
        )
    return out


def missing_problems(missing: Iterable[MissingReference]) -> list[Problem]:
    """Every missing reference as its own warning (``validate --verbose``)."""
    return [Problem("warning", ref.message, ref.location.file, ref.location.line) for ref in missing]
