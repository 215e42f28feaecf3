"""How wide a line of text is drawn, so that boxes are sized to their names and names cut to their boxes.

The report draws in Helvetica / Arial (Liberation Sans on Linux has the same advance widths). The widths below
are the fonts' published advance widths of printable ASCII in 1/1000 em (Adobe's Helvetica and Helvetica-Bold
metrics); any other character counts as wide as the widest Latin capital, and a full-width one (CJK) as 1 em,
so a measured width is never less than the drawn one.
"""

from __future__ import annotations

import unicodedata

_FIRST = 32  # the widths below start at the space
_REGULAR = (
    278,
    278,
    355,
    556,
    556,
    889,
    667,
    191,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,  # space to /
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    278,
    278,
    584,
    584,
    584,
    556,  # 0 to ?
    1015,
    667,
    667,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    500,
    667,
    556,
    833,
    722,
    778,  # @ to O
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,
    278,
    278,
    278,
    469,
    556,  # P to _
    333,
    556,
    556,
    500,
    556,
    556,
    278,
    556,
    556,
    222,
    222,
    500,
    222,
    833,
    556,
    556,  # ` to o
    556,
    556,
    333,
    500,
    278,
    556,
    500,
    722,
    500,
    500,
    500,
    334,
    260,
    334,
    584,  # p to ~
)
_BOLD = (
    278,
    333,
    474,
    556,
    556,
    889,
    722,
    238,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    333,
    333,
    584,
    584,
    584,
    611,
    975,
    722,
    722,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    556,
    722,
    611,
    833,
    722,
    778,
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,
    333,
    278,
    333,
    584,
    556,
    333,
    556,
    611,
    556,
    611,
    556,
    333,
    611,
    611,
    278,
    278,
    556,
    278,
    889,
    611,
    611,
    611,
    611,
    389,
    556,
    333,
    611,
    556,
    778,
    556,
    556,
    500,
    389,
    280,
    389,
    584,
)
_OTHER = 1015  # the widest printable ASCII glyph
_FULL = 1000
SAFETY = (
    1.03  # fallback fonts differ by a few per cent; a name is cut rather than risk running out of its box
)


_WIDTHS = {
    False: {chr(_FIRST + i): w for i, w in enumerate(_REGULAR)},
    True: {chr(_FIRST + i): w for i, w in enumerate(_BOLD)},
}


def _other(char: str) -> int:
    return _FULL if unicodedata.east_asian_width(char) in ("W", "F") else _OTHER


def text_width(text: str, size: float, bold: bool = False, letter_spacing: float = 0.0) -> float:
    """The drawn width in px of ``text`` at font ``size`` px (an upper bound, see :data:`SAFETY`)."""
    widths = _WIDTHS[bold]
    ems = sum(widths[c] if c in widths else _other(c) for c in text) / 1000.0
    return (ems * size + letter_spacing * len(text)) * SAFETY


def fit_text(text: str, room: float, size: float, bold: bool = False, letter_spacing: float = 0.0) -> str:
    """``text``, or its longest beginning followed by an ellipsis, that is at most ``room`` px wide."""
    room += (
        1e-6  # a box sized to a name by text_width leaves exactly this room, give or take a rounding error
    )
    if text_width(text, size, bold, letter_spacing) <= room:
        return text
    cut = len(text)
    while cut > 1 and text_width(text[:cut] + "…", size, bold, letter_spacing) > room:
        cut -= 1
    return text[:cut] + "…"


__all__ = ["fit_text", "text_width"]
