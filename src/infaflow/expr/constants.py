"""Named constants of the transformation language: TRUE/FALSE, DD_* row types and task statuses."""

from __future__ import annotations

#: Task status names -> the integer the language compares against (``$s1.Status = SUCCEEDED``). The numbers
#: follow the repository's run status codes (1 Succeeded, 2 Disabled, 3 Failed, 4 Stopped, 5 Aborted,
#: 6 Running); NOTSTARTED is 0. Only equality between them matters to a condition.
STATUS: dict[str, int] = {
    "NOTSTARTED": 0,
    "SUCCEEDED": 1,
    "DISABLED": 2,
    "FAILED": 3,
    "STOPPED": 4,
    "ABORTED": 5,
    "STARTED": 6,
}

#: Update Strategy row types.
DD: dict[str, int] = {"DD_INSERT": 0, "DD_UPDATE": 1, "DD_DELETE": 2, "DD_REJECT": 3}

BOOLEANS: dict[str, int] = {"TRUE": 1, "FALSE": 0}


def constant(word: str) -> tuple[int, str] | None:
    """The value and kind (``boolean``, ``dd``, ``status``) of a constant keyword, or None."""
    upper = word.upper()
    if upper in BOOLEANS:
        return BOOLEANS[upper], "boolean"
    if upper in DD:
        return DD[upper], "dd"
    if upper in STATUS:
        return STATUS[upper], "status"
    return None
