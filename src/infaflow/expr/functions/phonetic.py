"""SOUNDEX (Transformation Language Reference, confirmed rules and examples) and CHRCODE.

SOUNDEX: the first English letter of the string (upper case), then the codes of the following consonants
(B F P V = 1; C G J K Q S X Z = 2; D T = 3; L = 4; M N = 5; R = 6), three at most, padded with zeros.
Characters that are not English letters (digits, spaces, accented letters) are skipped; A E I O U H W (and
Y, which the code table leaves out) are skipped too but separate consonants, so that a run of consecutive
consonants with the same code counts once, the first letter included ('AbbpdMN' -> 'A135'). NULL when the
string has no English letter. [U: Y, and whether H and W separate like vowels.]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.functions.base import Function, register
from infaflow.expr.nodes import Call
from infaflow.expr.sparkcode import Code, let, py
from infaflow.expr.types import Value, to_string

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CODES = "01230120022455012623010202"  # the code of each letter; 0: skipped (vowels, H, W, Y)


def soundex(text: str) -> str | None:
    """The SOUNDEX code of ``text`` (None when it holds no English letter)."""
    letters = re.sub("[^A-Z]", "", text.upper())
    if not letters:
        return None
    codes = letters.translate(str.maketrans(_LETTERS, _CODES))
    collapsed = re.sub(r"(\d)\1+", r"\1", codes)
    digits = collapsed[1:].replace("0", "")
    return letters[0] + (digits[:3] + "000")[:3]


def _soundex(values: list[Value], env: Environment) -> Value:
    return soundex(to_string(values[0], env.date_format) or "")


_RUNS = py("([0-9])\\1+")  # a run of the same code


def _soundex_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    def build(letters: Code) -> Code:
        codes = f"F.translate({letters}, {py(_LETTERS)}, {py(_CODES)})"
        collapsed = f'F.regexp_replace({codes}, {_RUNS}, "$1")'
        digits = f'F.regexp_replace(F.substring({collapsed}, 2, 2147483647), "0", "")'
        return Code(
            f'F.when({letters} != "", F.concat(F.substring({letters}, 1, 1), '
            f'F.rpad(F.substring({digits}, 1, 3), 3, "0")))',
            "string",
        )

    return let(Code(f'F.regexp_replace(F.upper({tr.to_string(args[0])}), "[^A-Z]", "")', "string"), build)


def _chrcode(values: list[Value], env: Environment) -> Value:
    text = to_string(values[0], env.date_format) or ""
    return ord(text[0]) if text else 0


register(
    Function(
        "SOUNDEX",
        1,
        1,
        "string",
        evaluate=_soundex,
        spark=_soundex_spark,
        group="string",
        doc="Four-character SOUNDEX code; NULL when the string has no English letter.",
    ),
    Function(
        "CHRCODE",
        1,
        1,
        "integer",
        evaluate=_chrcode,
        spark=lambda tr, n, a: Code(f"F.ascii({tr.to_string(a[0])})", "integer"),
        group="string",
        doc="The Unicode code point of the first character (0 for '').",
    ),
)
