"""Transformation-language expressions as PySpark code, through :mod:`infaflow.expr`.

A step gives a function for its port names (the column code of a port, or ``None`` when the name is
not a port of the step) and optionally one for ``:LKP`` calls; anything the translator cannot render
exactly becomes a :class:`ConversionError` naming the port and the place in the export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infaflow import expr
from infaflow.codegen.naming import py_str
from infaflow.codegen.types import spark_type
from infaflow.expr.nodes import Binary, Call, Name, Unary, walk
from infaflow.expr.spark import to_pyspark_checked

AGGREGATE_FUNCTIONS = frozenset(
    {"SUM", "AVG", "COUNT", "MIN", "MAX", "FIRST", "LAST", "MEDIAN", "PERCENTILE", "STDDEV", "VARIANCE"}
)
_BOOLEAN_OPS = frozenset({"=", "<>", "!=", "^=", "<", "<=", ">", ">=", "AND", "OR"})


class ConversionError(Exception):
    """A construct that cannot be converted exactly; becomes a gap of the step."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


@dataclass
class Parsed:
    """A parsed expression with the text it came from."""

    text: str
    node: Any


def parse(text: str, file: str = "", line: int = 0) -> Parsed:
    """Parse ``text``; a syntax error becomes a :class:`ConversionError` at its line."""

    try:
        return Parsed(text, expr.parse(text, file=file, line=line))
    except expr.ExprError as exc:
        raise ConversionError(
            f"expression {text!r}: {exc.message}", exc.file or file, exc.line or line
        ) from None


def references(parsed: Parsed) -> set[str]:
    """Names the expression uses (ports, $$parameters...)."""

    return set(expr.references(parsed.node))


def calls(parsed: Parsed) -> set[str]:
    """Upper-case names of the built-in functions the expression calls."""

    return {n.name.upper() for n in walk(parsed.node) if isinstance(n, Call)}


def is_aggregate(parsed: Parsed) -> bool:
    return bool(calls(parsed) & AGGREGATE_FUNCTIONS)


def is_boolean(parsed: Parsed) -> bool:
    """True when the expression's value is a Spark boolean (a comparison or logical operator)."""

    node = parsed.node
    return (isinstance(node, Binary) and node.op.upper() in _BOOLEAN_OPS) or (
        isinstance(node, Unary) and node.op.upper() == "NOT"
    )


def expr_type(datatype: str) -> str:
    """The expression language's type for a port datatype: integer, decimal, double, string, date or ''."""

    kind = spark_type(datatype)
    if kind in ("int", "bigint"):
        return "integer"
    if kind.startswith("decimal"):
        return "decimal"
    return {"double": "double", "string": "string", "timestamp": "date"}.get(kind, "")


def to_code(
    parsed: Parsed,
    column: Callable[[str], str | None],
    lookup: Callable[[str, list[str]], str] | None = None,
    file: str = "",
    line: int = 0,
    *,
    types: Callable[[str], str] | None = None,
    parameter_types: Callable[[str], str] | None = None,
    lookup_types: Callable[[str], str] | None = None,
    as_condition: bool = False,
    date_format: str = "",
) -> str:
    """PySpark Column code for ``parsed``; ports resolve through ``column``; ``$`` names become
    ``job.param(...)``; ``:LKP`` calls go to ``lookup``. With ``as_condition`` the result is a Spark
    boolean (NULL and 0 are false), for filters and router groups. A row error fails the job.
    ``date_format``: the session's DateTime Format String ("" = PowerCenter's default)."""
    return _translate(
        parsed,
        column,
        lookup,
        file,
        line,
        types=types,
        parameter_types=parameter_types,
        lookup_types=lookup_types,
        as_condition=as_condition,
        checked=False,
        date_format=date_format,
    )[0]


def to_checked_code(
    parsed: Parsed,
    column: Callable[[str], str | None],
    lookup: Callable[[str, list[str]], str] | None = None,
    file: str = "",
    line: int = 0,
    *,
    types: Callable[[str], str] | None = None,
    parameter_types: Callable[[str], str] | None = None,
    lookup_types: Callable[[str], str] | None = None,
    as_condition: bool = False,
    date_format: str = "",
) -> tuple[str, str]:
    """Like :func:`to_code` in row-error mode: the value code (NULL where a row error happens) and the code
    of the row-error message Column ("" when the expression cannot raise a row error)."""
    return _translate(
        parsed,
        column,
        lookup,
        file,
        line,
        types=types,
        parameter_types=parameter_types,
        lookup_types=lookup_types,
        as_condition=as_condition,
        checked=True,
        date_format=date_format,
    )


def _translate(
    parsed: Parsed,
    column: Callable[[str], str | None],
    lookup: Callable[[str, list[str]], str] | None,
    file: str,
    line: int,
    *,
    types: Callable[[str], str] | None,
    parameter_types: Callable[[str], str] | None,
    lookup_types: Callable[[str], str] | None,
    as_condition: bool,
    checked: bool,
    date_format: str = "",
) -> tuple[str, str]:
    class _Context(expr.SparkContext):
        def column(self, name: str) -> str:
            code = column(name)
            if code is None:
                why = (
                    ": the transformation language names a port without its transformation"
                    if "." in name.strip("$")
                    else ""
                )
                raise ConversionError(
                    f"{name} is not a port here{why} (expression {parsed.text!r})", file, line
                )
            return code

        def column_type(self, name: str) -> str:
            return types(name) if types else ""

        def parameter(self, name: str) -> str:
            return f"job.param({py_str(name)})"

        def parameter_type(self, name: str) -> str:
            return parameter_types(name) if parameter_types else ""

        def lookup(self, name: str, arg_codes: list[str]) -> str:
            if lookup is None:
                raise ConversionError(f":LKP.{name} is not allowed here", file, line)
            return lookup(name, arg_codes)

        def lookup_type(self, name: str) -> str:
            return lookup_types(name) if lookup_types else ""

        def stored_procedure(self, name: str, arg_codes: list[str | None]) -> str:
            call = getattr(lookup, "stored_procedure", None)  # the step's resolver of :LKP and :SP calls
            if call is None:
                raise ConversionError(f":SP.{name} is not allowed here", file, line)
            return call(name, arg_codes)

        def stored_procedure_type(self, name: str) -> str:
            typed = getattr(lookup, "stored_procedure_type", None)
            return typed(name) if typed is not None else ""

        def row_order(self) -> str | None:
            return 'F.col("_row_id")'

    ctx = _Context()
    if date_format:
        ctx.date_format = date_format  # the session's DateTime Format String
    translate = expr.to_pyspark_condition if as_condition else expr.to_pyspark
    try:
        if checked:
            result = to_pyspark_checked(parsed.node, ctx, condition=as_condition)
            return result.value, result.error
        return translate(parsed.node, ctx), ""
    except expr.Unsupported as exc:
        raise ConversionError(
            f"expression {parsed.text!r}: {exc.message}", exc.file or file, exc.line or line
        ) from None
    except expr.ExprError as exc:
        raise ConversionError(
            f"expression {parsed.text!r}: {exc.message}", exc.file or file, exc.line or line
        ) from None


def names_by_aggregation(parsed: Parsed) -> tuple[set[str], set[str]]:
    """Lower-case port names used inside aggregate functions, and those used outside any."""

    inside: set[str] = set()
    outside: set[str] = set()

    def visit(node: Any, aggregated: bool) -> None:
        if isinstance(node, Name):
            (inside if aggregated else outside).add(node.name.lower())
        agg = aggregated or (isinstance(node, Call) and node.name.upper() in AGGREGATE_FUNCTIONS)
        for child in node.children():
            visit(child, agg)

    visit(parsed.node, False)
    return inside, outside
