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


def style(task_type: str) -> TaskStyle:
    """The drawing style of a task type."""
    return TASK_STYLES.get(task_type, UNKNOWN_STYLE)


_SHORT: tuple[tuple[str, str, str], ...] = (
    # (regex on the condition with the source task written as {t}, label, kind)
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*succeeded", "succeeded", "success"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*failed", "failed", "failure"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*aborted", "aborted", "failure"),
    (r"\$({t})\.(prevtaskstatus|status)\s*=\s*stopped", "stopped", "failure"),
    (r"\$({t})\.condition\s*=\s*(true|1)", "true", "success"),
    (r"\$({t})\.condition\s*=\s*(false|0)", "false", "failure"),
)


def link_label(condition: str, from_task: str, limit: int = 30) -> tuple[str, str]:
    """A short label for a link condition and its kind (``success``, ``failure``, ``other``, ``always``).

    ``$s1.Status = SUCCEEDED`` on a link leaving ``s1`` reads ``succeeded``; ``$Dec.Condition = TRUE`` reads
    ``true``; anything else is shown as written, cut at ``limit`` characters (the full text goes in a tooltip).
    """
    text = " ".join(condition.split())
    if not text:
        return "", "always"
    own = re.escape(from_task.rsplit("/", 1)[-1])
    for pattern, label, kind in _SHORT:
        if re.fullmatch(pattern.format(t=own), text, flags=re.IGNORECASE):
            return label, kind
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text, "other"


__all__ = ["CRITICAL", "TASK_STYLES", "TaskStyle", "link_label", "style"]
