"""A SQL row condition (a WHERE clause written on a flat-file Source Qualifier of a look-alike export) as
a condition of PowerCenter's transformation language, for a Filter transformation.

Only what means the same in both languages is translated: AND, OR, NOT, parentheses, comparisons
(``=``, ``<>``/``!=``, ``<``, ``<=``, ``>``, ``>=``), ``IS [NOT] NULL`` (``ISNULL``), ``[NOT] IN (...)``
(the equalities OR-ed, as SQL defines IN; not the IN function, whose last integer argument can be a case
flag), ``BETWEEN`` (both bounds included), arithmetic, ``||``, string and number literals, and column
names that are ports of the qualifier. A row whose SQL condition is unknown (NULL) is not read, and a
Filter drops a row whose condition is NULL: the two agree. Anything else (LIKE, functions, subqueries...)
is not translated; the caller reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError


class NotTranslated(ValueError):
    """The condition uses SQL that has no exact equivalent here; the message names it."""


_COMPARISONS: dict[type, str] = {
    exp.EQ: "=",
    exp.NEQ: "!=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}
_ARITHMETIC: dict[type, str] = {
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.DPipe: "||",
}


def condition(sql: str, ports: list[str]) -> str:
    """The transformation-language condition for the SQL condition ``sql`` over ``ports`` (names as the
    qualifier spells them). Raises :class:`NotTranslated` naming what cannot be translated."""
    try:
        tree = cast(exp.Expression, sqlglot.parse_one(sql, into=exp.Condition))
    except SqlglotError as err:
        raise NotTranslated(f"not a SQL condition ({str(err).splitlines()[0]})") from err
    return _Translator({p.lower(): p for p in ports}).text(tree)


class _Translator:
    def __init__(self, ports: dict[str, str]) -> None:
        self.ports = ports

    def text(self, node: exp.Expression) -> str:
        kind = type(node)
        if kind in _COMPARISONS or kind in _ARITHMETIC:
            op = _COMPARISONS.get(kind) or _ARITHMETIC[kind]
            return f"{self.text(node.args['this'])} {op} {self.text(node.args['expression'])}"
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise NotTranslated(f"{node.sql()!r} has no transformation-language equivalent here")
        return handler(self, node)

    def and_(self, node: exp.Expression) -> str:
        return f"{self.text(node.args['this'])} AND {self.text(node.args['expression'])}"

    def or_(self, node: exp.Expression) -> str:
        return f"{self.text(node.args['this'])} OR {self.text(node.args['expression'])}"

    def not_(self, node: exp.Expression) -> str:
        inner = node.this
        if isinstance(inner, exp.In):
            return f"NOT {self.in_(inner)}"
        return f"NOT {self.text(inner)}"

    def paren(self, node: exp.Expression) -> str:
        return f"({self.text(node.this)})"

    def is_(self, node: exp.Expression) -> str:
        if not isinstance(node.expression, exp.Null):
            raise NotTranslated(f"{node.sql()!r}: only IS NULL and IS NOT NULL are translated")
        return f"ISNULL({self.text(node.this)})"

    def in_(self, node: exp.Expression) -> str:
        if node.args.get("query") is not None or not node.expressions:
            raise NotTranslated(f"{node.sql()!r}: only IN with a list of values is translated")
        value = self.text(node.this)
        return "(" + " OR ".join(f"{value} = {self.text(v)}" for v in node.expressions) + ")"

    def between(self, node: exp.Expression) -> str:
        value = self.text(node.this)
        low, high = self.text(node.args["low"]), self.text(node.args["high"])
        return f"({value} >= {low} AND {value} <= {high})"

    def neg(self, node: exp.Expression) -> str:
        return f"-{self.text(node.this)}"

    def column(self, node: exp.Expression) -> str:
        if node.args.get("table") is not None:
            raise NotTranslated(f"{node.sql()!r}: a column qualified by a table is not a port")
        port = self.ports.get(node.name.lower())
        if port is None:
            raise NotTranslated(f"column {node.name!r} is not a port of the qualifier")
        return port

    def literal(self, node: exp.Expression) -> str:
        if node.is_string:
            if "'" in node.this:
                raise NotTranslated(f"string literal {node.sql()!r} holds a quote")
            return f"'{node.this}'"
        return str(node.this)

    def boolean(self, node: exp.Expression) -> str:
        return "TRUE" if node.this else "FALSE"

    def null(self, node: exp.Expression) -> str:
        return "NULL"


_HANDLERS: dict[type, Callable[[_Translator, exp.Expression], str]] = {
    exp.And: _Translator.and_,
    exp.Or: _Translator.or_,
    exp.Not: _Translator.not_,
    exp.Paren: _Translator.paren,
    exp.Is: _Translator.is_,
    exp.In: _Translator.in_,
    exp.Between: _Translator.between,
    exp.Neg: _Translator.neg,
    exp.Column: _Translator.column,
    exp.Literal: _Translator.literal,
    exp.Boolean: _Translator.boolean,
    exp.Null: _Translator.null,
}
