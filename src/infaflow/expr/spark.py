"""Translation of the transformation language to PySpark Column expressions (native functions only).

``to_pyspark(node, ctx)`` returns Python source using ``F`` (``pyspark.sql.functions``);
``to_pyspark_condition`` returns a boolean Column for filters, router groups and join conditions. The
translation has the evaluator's semantics; anything that cannot be expressed exactly with native Spark
functions raises :class:`Unsupported` naming the construct and its position, never a Python UDF. Row errors
(ERROR(), a failed TO_DATE, a division by zero) become ``SparkContext.row_error`` (``F.raise_error`` by
default: the Spark job fails). In row-error mode (:func:`to_pyspark_checked`) a row error is a NULL value plus
a second Column with the error message, so that the generated job rejects the row as PowerCenter does (see
:mod:`infaflow.expr.spark_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from infaflow.expr.dateformat import DEFAULT_DATE_FORMAT
from infaflow.expr.errors import Unsupported
from infaflow.expr.functions import REGISTRY
from infaflow.expr.infer import static_type
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary, is_proc_result
from infaflow.expr.spark_errors import node_error
from infaflow.expr.spark_operators import translate_binary
from infaflow.expr.sparkcode import (
    Code,
    as_bool,
    as_number,
    as_string,
    as_value,
    lit,
    null,
    parse_date,
    py,
    tidy,
)


class SparkContext:
    """How names, parameters and lookups appear in generated code. Override the methods you need.

    ``date_format`` is the session's DateTime Format String; ``high_precision`` mirrors the session option.
    """

    date_format: str = DEFAULT_DATE_FORMAT
    high_precision: bool = False

    def column(self, name: str) -> str:
        """Code for a port (default ``F.col("name")``; a name with a dot is quoted with backticks)."""
        return f"F.col({py(f'`{name}`' if '.' in name else name)})"

    def column_type(self, name: str) -> str:
        """The type of a port (``integer``, ``decimal``, ``double``, ``string``, ``date``) or "" if
        unknown."""
        return ""

    def parameter(self, name: str) -> str:
        """Code for a ``$$parameter`` or ``$variable``. By default there is none: Unsupported."""
        raise Unsupported(f"no value for {name} in the generated job (SparkContext.parameter)")

    def parameter_type(self, name: str) -> str:
        """The type of a parameter, or "" if unknown."""
        return ""

    def lookup(self, name: str, arg_codes: list[str]) -> str:
        """Code for an unconnected lookup ``:LKP.name(args)``. By default: Unsupported."""
        raise Unsupported(f":LKP.{name} needs the lookup's data (SparkContext.lookup)")

    def lookup_type(self, name: str) -> str:
        """The type of the return port of lookup ``name``, or "" if unknown."""
        return ""

    def stored_procedure(self, name: str, arg_codes: list[str | None]) -> str:
        """Code for an unconnected stored procedure call ``:SP.name(args)``; ``None`` marks the argument
        ``PROC_RESULT`` (the output the call returns). By default: Unsupported (the code generator calls the
        procedure through the job's JDBC connection)."""
        raise Unsupported(f":SP.{name} cannot be translated to PySpark")

    def stored_procedure_type(self, name: str) -> str:
        """The type of the value ``:SP.name(...)`` returns, or "" if unknown."""
        return ""

    def now(self) -> str:
        """Code for SYSDATE / SYSTIMESTAMP / SESSSTARTTIME."""
        return "F.current_timestamp()"

    def row_order(self) -> str | None:
        """Code of a column giving the input order of rows (needed by FIRST and LAST), or None."""
        return None

    def row_error(self, message_code: str) -> str:
        """Code for a row error (ERROR(), a failed conversion). Default: fail the job with the message."""
        return f"F.raise_error({message_code})"


@dataclass(frozen=True)
class Checked:
    """A translation in row-error mode: the value Column, and the Column of the row-error message (NULL when
    the row has no error; ``error`` is "" when the expression can never raise one)."""

    value: str
    error: str


def to_pyspark_checked(node: Node, ctx: SparkContext | None = None, condition: bool = False) -> Checked:
    """Row-error mode: a row error yields NULL and its message in :attr:`Checked.error` instead of failing
    the job (``condition``: the value as a boolean Column, like :func:`to_pyspark_condition`)."""
    tr = Translator(ctx or SparkContext(), mark_errors=True)
    code = tr.translate(node)
    value = as_bool(code) if condition else as_value(code)
    error = tr.error_of(node)
    return Checked(tidy(value.text), tidy(error) if error else "")


def to_pyspark(node: Node, ctx: SparkContext | None = None) -> str:
    """Python source of a PySpark Column computing ``node`` (conditions as 1/0 like PowerCenter)."""
    return tidy(as_value(Translator(ctx or SparkContext()).translate(node)).text)


def to_pyspark_condition(node: Node, ctx: SparkContext | None = None) -> str:
    """Python source of a boolean PySpark Column for a filter, router group or join condition
    (NULL counts as false in ``filter`` and ``when``, as in PowerCenter)."""
    return tidy(as_bool(Translator(ctx or SparkContext()).translate(node)).text)


class Translator:
    """Walks an AST and builds :class:`Code`; function calls dispatch to the registry's Spark handlers."""

    def __init__(self, ctx: SparkContext, mark_errors: bool = False) -> None:
        self.ctx = ctx
        self.mark_errors = mark_errors  # row-error mode: row errors become messages (spark_errors)
        self._names = count(1)
        self._memo: dict[int, Code] = {}
        self._errors: dict[int, str] = {}
        self._raised: list[str] = []  # row errors asked for by the handler running now (row-error mode)
        self._handlers: dict[type, Callable[[Any], Code]] = {  # each handler takes its node class
            Literal: self._literal,
            Name: self._name,
            Unary: self._unary,
            Binary: self._binary,
            Call: self._call,
            RefCall: self._ref_call,
        }

    # ------------------------------------------------------------ helpers for function handlers

    def translate(self, node: Node) -> Code:
        """The code of a sub-expression (memoised: handlers may look at a sub-expression again)."""
        key = id(node)
        found = self._memo.get(key)
        if found is None:
            if not self.mark_errors:
                found = self._handlers[type(node)](node)
                self._memo[key] = found
                return found
            outer, self._raised = self._raised, []
            try:
                found = self._handlers[type(node)](node)
                self._memo[key] = found
                raised, self._raised = self._raised, []
                self._errors[key] = node_error(self, node, found, raised)
            finally:
                self._raised = outer
        return found

    def error_of(self, node: Node) -> str:
        """Row-error mode: the Column of the row-error message of a sub-expression ("" if it cannot raise)."""
        if id(node) not in self._errors:
            self.translate(node)
        return self._errors.get(id(node), "")

    def unsupported(self, node: Node, message: str) -> Unsupported:
        """An Unsupported error located at ``node``."""
        src = node.source
        return Unsupported(
            f"{message} (at {src.where(node.pos)})", node.pos, src.file, src.file_line(node.pos)
        )

    def fresh(self, prefix: str) -> str:
        """A new variable name for a lambda in generated code."""
        return f"{prefix}{next(self._names)}"

    def type_of(self, node: Node) -> str:
        """Static type of a sub-expression in this context."""
        return static_type(node, self._name_type, self.ctx.high_precision)

    def row_error(self, message: str) -> str:
        """Code raising a row error with a fixed message."""
        return self.row_error_code(f"F.lit({py(message)})")

    def row_error_code(self, message_code: str) -> str:
        """Code raising a row error whose message is a Column: ``ctx.row_error``, or in row-error mode a
        NULL value, the message being recorded for :mod:`infaflow.expr.spark_errors`."""
        if self.mark_errors:
            self._raised.append(message_code)
            return "F.lit(None)"
        return self.ctx.row_error(message_code)

    def to_string(self, code: Code) -> Code:
        return as_string(code, self.ctx.date_format)

    def to_date(self, code: Code) -> Code:
        if code.type in ("date", "null"):
            return code
        if code.type == "string":
            return parse_date(
                code, self.ctx.date_format, self.row_error("string is not a date in the session date format")
            )
        if code.type == "":
            return code
        raise Unsupported("a number cannot be used as a date")

    def _name_type(self, name: str) -> str:
        if name.startswith("$"):
            return self.ctx.parameter_type(name)
        return self.ctx.column_type(name)

    # ------------------------------------------------------------ node handlers

    def _literal(self, node: Literal) -> Code:
        code = lit(node.value, self.ctx.high_precision)
        if node.kind == "boolean":
            return Code(f"F.lit({'True' if node.value else 'False'})", "boolean")
        return code

    def _name(self, node: Name) -> Code:
        try:
            if node.name.startswith("$"):
                return Code(self.ctx.parameter(node.name), self.ctx.parameter_type(node.name))
            return Code(self.ctx.column(node.name), self.ctx.column_type(node.name))
        except Unsupported as exc:
            raise self.unsupported(node, exc.message) from None

    def _unary(self, node: Unary) -> Code:
        inner = self.translate(node.operand)
        if node.op == "NOT":
            return Code(f"(~{as_bool(inner)})", "boolean")
        number = as_number(inner)
        if node.op == "+":
            return number
        return Code(f"(-{number})", number.type)

    def _binary(self, node: Binary) -> Code:
        return translate_binary(self, node)

    def _call(self, node: Call) -> Code:
        fn = REGISTRY.get(node.name)
        if fn is None:
            raise self.unsupported(node, f"unknown function {node.name}")
        problem = fn.check_arity(len(node.args) + (1 if node.star else 0))
        if problem:
            raise self.unsupported(node, problem)
        if fn.spark is None:
            raise self.unsupported(
                node,
                f"{node.name} has no exact PySpark equivalent" + (f": {fn.no_spark}" if fn.no_spark else ""),
            )
        args = [self.translate(a) for a in node.args]
        try:
            return fn.spark(self, node, args)
        except Unsupported as exc:
            if exc.file or "(at " in exc.message:
                raise
            raise self.unsupported(node, f"{node.name}: {exc.message}") from None

    def _ref_call(self, node: RefCall) -> Code:
        if node.kind == "SP":
            return self._procedure_call(node)
        if node.kind != "LKP":
            raise self.unsupported(node, f":{node.kind}.{node.name} cannot be translated to PySpark")
        args = [as_value(self.translate(a)).text for a in node.args]
        try:
            return Code(self.ctx.lookup(node.name, args), self.ctx.lookup_type(node.name))
        except Unsupported as exc:
            raise self.unsupported(node, exc.message) from None

    def _procedure_call(self, node: RefCall) -> Code:
        args = [None if is_proc_result(a) else as_value(self.translate(a)).text for a in node.args]
        try:
            return Code(self.ctx.stored_procedure(node.name, args), self.ctx.stored_procedure_type(node.name))
        except Unsupported as exc:
            raise self.unsupported(node, exc.message) from None


__all__ = [
    "Checked",
    "SparkContext",
    "Translator",
    "to_pyspark",
    "to_pyspark_checked",
    "to_pyspark_condition",
    "null",
]
