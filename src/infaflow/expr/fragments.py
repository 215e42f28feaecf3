"""Typed fragments of generated PySpark source: the leaf under the Spark translation's modules.

A :class:`Code` is the Python source of a Column expression and the transformation-language type it
produces; :func:`let` binds a fragment used several times; :func:`py` writes a Python literal. The
translator's conversions (:mod:`infaflow.expr.sparkcode`) and the date formats beyond Spark's patterns
(:mod:`infaflow.expr.spark_dateformat`) both build on these, so neither imports the other's internals.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """Source text of a PySpark Column expression and its type."""

    text: str
    type: str = ""
    #: the Python operator of a text that is one ``(<left> <op> <right>)`` group, else ""
    op: str = ""

    def __str__(self) -> str:
        return self.text


#: Python's binding strength of the operators generated code uses (higher binds tighter)
_PRECEDENCE = {
    "==": 1,
    "!=": 1,
    "<": 1,
    "<=": 1,
    ">": 1,
    ">=": 1,
    "|": 2,
    "&": 4,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
    "%": 7,
}


def operator_group(left: Code, op: str, right: Code, type_: str) -> Code:
    """``(left op right)`` without the parentheses of an operand that Python's precedence makes
    redundant: ``((a * b) * c)`` is written ``(a * b * c)``. An operand of the same strength keeps them on
    the right (``a - (b - c)``; decimal results also depend on the grouping), comparisons keep them
    (Python would chain ``a == b == c``), and ``&`` inside ``|`` keeps them for the reader."""
    return Code(f"({_operand(left, op, 'left')} {op} {_operand(right, op, 'right')})", type_, op)


def _operand(code: Code, parent: str, side: str) -> str:
    if not code.op or code.op not in _PRECEDENCE or parent not in _PRECEDENCE:
        return code.text
    child, outer = _PRECEDENCE[code.op], _PRECEDENCE[parent]
    if outer == 1 or (outer in (2, 4) and code.op != parent):
        return code.text if child <= 4 else code.text[1:-1]
    if child > outer or (child == outer and side == "left"):
        return code.text[1:-1]
    return code.text


#: code longer than this is bound once (``let``) instead of being repeated in the generated source
INLINE_LIMIT = 60


class Hoister:
    """Named intermediate columns for the values that ``let`` binds, collected while a row-level
    expression is translated: the step adds them (in this order, each may use the earlier ones) before the
    statement that uses them and drops them after, as a Spark engineer names a subexpression."""

    def __init__(self, prefix: str, taken: set[str] | None = None) -> None:
        self.prefix = prefix
        self.columns: dict[str, str] = {}  # column name -> code
        self._taken = {t.lower() for t in taken or ()}

    def add(self, code: Code) -> str:
        for name, text in self.columns.items():
            if text == code.text:
                return name
        n = 1
        while f"{self.prefix}_{n}".lower() in self._taken:
            n += 1
        name = f"{self.prefix}_{n}"
        self._taken.add(name.lower())
        self.columns[name] = code.text
        return name


_HOISTER: ContextVar[Hoister | None] = ContextVar("infaflow_hoister", default=None)


@contextmanager
def hoisting(hoister: Hoister | None) -> Iterator[Hoister | None]:
    """Within the block, ``let`` binds long row-level values to columns of ``hoister`` (None: lambdas)."""
    token = _HOISTER.set(hoister)
    try:
        yield hoister
    finally:
        _HOISTER.reset(token)


#: names generated code may use in a row-level value besides columns (anything else is a lambda's variable)
_MODULE_NAMES = frozenset({"F", "job", "Window", "None", "True", "False"})


def _row_level(code: Code) -> bool:
    """``code`` names no lambda variable and no window or aggregate, so it can become a column."""
    try:
        tree = ast.parse(code.text, mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _MODULE_NAMES:
            return False
        if isinstance(node, ast.Lambda) or (isinstance(node, ast.Attribute) and node.attr == "over"):
            return False
    return True


def let(code: Code, body: Callable[[Code], Code]) -> Code:
    """``body`` applied to ``code``, which ``body`` may use several times. Short code is repeated; longer
    code is computed once: as a named column when the step collects them (:func:`hoisting`), else bound
    to a lambda variable, so nested constructs never blow up the source:
    ``F.element_at(F.transform(F.array(code), lambda v: body(v)), 1)``."""
    if len(code.text) <= INLINE_LIMIT or code.text.isidentifier():
        return body(code)
    hoister = _HOISTER.get()
    if hoister is not None and _row_level(code):
        return body(Code(f'F.col("{hoister.add(code)}")', code.type))
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
