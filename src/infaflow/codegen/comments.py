"""Comments that carry a port's PowerCenter expression next to its translation, so a reader of the
generated job checks one against the other without opening the Designer."""

from __future__ import annotations

import textwrap

#: comment lines are wrapped to this width (the indentation included)
WIDTH = 108


def expression_comment(name: str, expression: str | None, indent: str = "") -> list[str]:
    """``# NAME = EXPRESSION`` lines (whitespace collapsed, wrapped at word boundaries), or none when the
    port only passes a port of the same name on."""
    text = " ".join((expression or "").split())
    if not text or text.lower() == name.lower():
        return []
    return textwrap.wrap(
        f"{name} = {text}",
        width=WIDTH - len(indent) - 2,
        break_long_words=False,
        break_on_hyphens=False,
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}#     ",
    )
