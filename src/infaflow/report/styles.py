"""How each task type is drawn (one table shared by the SVG, DOT and Mermaid renderers) and how link
conditions are labelled."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskStyle:
    fill: str
    stroke: str
    shape: str  # svg shape: rect, pill, diamond, hexagon, parallelogram, double, note
    dot_shape: str
    mermaid: tuple[str, str]  # opening and closing brackets of a Mermaid node
    tag: str  # short type tag printed in the node


TASK_STYLES: dict[str, TaskStyle] = {
    "Start": TaskStyle("#d9f2d9", "#2e7d32", "pill", "oval", ("([", "])"), "START"),
    "Session": TaskStyle("#dbe9fb", "#1f5fa8", "rect", "box", ("[", "]"), "SESSION"),
    "Command": TaskStyle("#eeeeee", "#555555", "rect", "box", ("[/", "/]"), "COMMAND"),
    "Decision": TaskStyle("#fff1c2", "#b28900", "diamond", "diamond", ("{", "}"), "DECISION"),
    "Assignment": TaskStyle("#eadcf8", "#6a3fa0", "rect", "box", ("[\\", "\\]"), "ASSIGN"),
    "Timer": TaskStyle("#d7f1f3", "#00838f", "hexagon", "hexagon", ("{{", "}}"), "TIMER"),
    "Email": TaskStyle("#fde2cf", "#c25e00", "note", "note", ("[", "]"), "EMAIL"),
    "Control": TaskStyle("#fbd5d5", "#b71c1c", "hexagon", "octagon", ("{{", "}}"), "CONTROL"),
    "Event Wait": TaskStyle(
        "#e0f2e9", "#00695c", "parallelogram", "parallelogram", ("[/", "\\]"), "EVENT WAIT"
    ),
    "Event Raise": TaskStyle(
        "#e0f2e9", "#00695c", "parallelogram", "parallelogram", ("[\\", "/]"), "EVENT RAISE"
    ),
    "Worklet": TaskStyle("#f3e5d0", "#795548", "double", "box3d", ("[[", "]]"), "WORKLET"),
}
UNKNOWN_STYLE = TaskStyle("#ffffff", "#888888", "rect", "box", ("[", "]"), "TASK")
CRITICAL = "#ef6c00"
SUCCESS_LINK = "#2e7d32"
FAILURE_LINK = "#c62828"
DECISION_LINK = "#8d6e00"


def style(task_type: str) -> TaskStyle:
    """The drawing style of a task type."""
    return TASK_STYLES.get(task_type, UNKNOWN_STYLE)


_SHORT: tuple[tuple[str, str, str], ...] = (
    # (regex on the condition with the source task written as {t}, label, kind)
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*succeeded", "succeeded", "success"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*failed", "failed", "failure"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*aborted", "aborted", "failure"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*stopped", "stopped", "failure"),
)

# A Decision's branches test its result, ``$Dec.Condition``: the value is TRUE/FALSE (1/0), compared with = or
# <> / != in either order, or the bare variable, possibly negated with NOT. Which branch is the "normal" one
# is the designer's choice, so both are drawn alike: plain conditional links labelled true / false.
_TRUTH = {"true": True, "1": True, "false": False, "0": False}
_DECISION = (
    r"\$({t})\.condition(?:\s*(?P<op>=|<>|!=)\s*(?P<value>true|false|1|0))?",
    r"(?P<value>true|false|1|0)\s*(?P<op>=|<>|!=)\s*\$({t})\.condition",
)


def _unwrap(text: str) -> str:
    """``text`` without parentheses around the whole of it."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, char in enumerate(text):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and i < len(text) - 1:
                return text  # "(a) AND (b)": the first parenthesis closes early
        text = text[1:-1].strip()
    return text


def _decision_branch(text: str, own: str) -> str | None:
    """``true`` or ``false`` when ``text`` tests only the Condition of the Decision ``own``, else None."""
    text = _unwrap(text)
    negated = re.match(r"not\b\s*", text, flags=re.IGNORECASE)
    if negated:
        inner = _decision_branch(text[negated.end() :], own)
        return None if inner is None else {"true": "false", "false": "true"}[inner]
    for pattern in _DECISION:
        found = re.fullmatch(pattern.format(t=own), text, flags=re.IGNORECASE)
        if found is None:
            continue
        value = _TRUTH[(found.group("value") or "true").lower()]
        if found.group("op") in ("<>", "!="):
            value = not value
        return "true" if value else "false"
    return None


def link_label(condition: str, from_task: str, limit: int = 30) -> tuple[str, str]:
    """A short label for a link condition and its kind (``success``, ``failure``, ``decision``, ``other``,
    ``always``).

    ``$s1.Status = SUCCEEDED`` on a link leaving ``s1`` reads ``succeeded``; ``$Dec.Condition = TRUE`` (or
    ``FALSE``, ``<> TRUE``, ``NOT $Dec.Condition``...) on a link leaving ``Dec`` reads ``true`` / ``false`` of
    kind ``decision`` (a plain conditional link, never an error path; only Decision tasks have a ``Condition``
    variable, so the same test of another Decision keeps that kind, written out); anything else is shown as
    written, cut at ``limit`` characters (the full text goes in a tooltip).
    """
    text = " ".join(condition.split())
    if not text:
        return "", "always"
    own = re.escape(from_task.rsplit("/", 1)[-1])
    for pattern, label, kind in _SHORT:
        if re.fullmatch(pattern.format(t=own), text, flags=re.IGNORECASE):
            return label, kind
    branch = _decision_branch(text, own)
    if branch is not None:
        return branch, "decision"
    kind = "decision" if _decision_branch(text, r"[^\s.$()]+") is not None else "other"  # another Decision's
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text, kind


__all__ = ["CRITICAL", "TASK_STYLES", "TaskStyle", "link_label", "style"]
