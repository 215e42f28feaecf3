"""Typed fragments of generated PySpark source: the leaf under the Spark translation's modules.

A :class:`Code` is the Python source of a Column expression and the transformation-language type it
produces; :func:`let` binds a fragment used several times; :func:`py` writes a Python literal. The
translator's conversions (:mod:`infaflow.expr.sparkcode`) and the date formats beyond Spark's patterns
(:mod:`infaflow.expr.spark_dateformat`) both build on these, so neither imports the other's internals.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """Source text of a PySpark Column expression and its type."""

    text: str
    type: str = ""

    def __str__(self) -> str:
        return self.text


#: code longer than this is bound once (``let``) instead of being repeated in the generated source
INLINE_LIMIT = 60


def let(code: Code, body: Callable[[Code], Code]) -> Code:
    """``body`` applied to ``code``, which ``body`` may use several times. Short code is repeated; longer
    code is computed once and bound to a lambda variable, so nested constructs never blow up the source:
    ``F.element_at(F.transform(F.array(code), lambda v: body(v)), 1)``."""
    if len(code.text) <= INLINE_LIMIT or code.text.isidentifier():
        return body(code)
    name = "v_" + hashlib.sha1(code.text.encode("utf-8")).hexdigest()[:6]
    inner = body(Code(name, code.type))
    return Code(f"F.element_at(F.transform(F.array({code}), lambda {name}: {inner}), 1)", inner.type)


def let_all(codes: list[Code], body: Callable[[list[Code]], Code]) -> Code:
    """``let`` for several codes."""
    if not codes:
        return body([])
    first, rest = codes[0], codes[1:]
    return let(first, lambda bound: let_all(rest, lambda others: body([bound, *others])))


def py(value: object) -> str:
    """A Python literal for generated code (strings with double quotes when possible)."""
    if isinstance(value, str):
        if '"' not in value and "\\" not in value and "\n" not in value and "\r" not in value:
            return f'"{value}"'
        return repr(value)
    return repr(value)
