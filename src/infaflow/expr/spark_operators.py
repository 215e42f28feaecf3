"""PySpark translation of the operators (arithmetic, ``||``, comparisons, AND/OR) with PowerCenter's rules."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from infaflow.expr.nodes import Binary, Call, Literal, Node
from infaflow.expr.sparkcode import Code, as_bool, as_number, as_value, let, let_all, operator_group
from infaflow.expr.types import NUMERIC

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

_SPARK_COMPARISON = {
    "=": "==",
    "<>": "!=",
    "!=": "!=",
    "^=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}


def translate_binary(tr: Translator, node: Binary) -> Code:
    """Code of a binary operator node."""
    op = node.op
    if op in ("AND", "OR"):
        left, right = as_bool(tr.translate(node.left)), as_bool(tr.translate(node.right))
        return operator_group(left, "&" if op == "AND" else "|", right, "boolean")
    if op == "||":
        return _concat(tr, node)
    if op in _SPARK_COMPARISON:
        left, right = comparable(tr, tr.translate(node.left), tr.translate(node.right))
        return operator_group(left, _SPARK_COMPARISON[op], right, "boolean")
    left, right = as_number(tr.translate(node.left)), as_number(tr.translate(node.right))
    result_type = tr.type_of(node)
    if op in ("/", "%"):
        if op == "/" and tr.ctx.high_precision and left.type == right.type == "integer":
            left = Code(f'{left}.cast("decimal(38,10)")', "decimal")
        divisor = node.right
        if (
            isinstance(divisor, Literal)
            and isinstance(divisor.value, (int, float, Decimal))
            and divisor.value != 0
        ):
            return operator_group(left, op, right, result_type)  # a constant divisor other than zero
        error = tr.row_error("divide by zero")
        return let(
            right, lambda r: Code(f"F.when({r} == 0, {error}).otherwise({left} {op} {r})", result_type)
        )
    return operator_group(left, op, right, result_type)


def _concat(tr: Translator, node: Node) -> Code:
    """``a || b || ...`` and nested CONCATs as one ``concat_ws``: NULL operands are skipped; the result is
    NULL only when every operand is (never when one is a string literal)."""
    parts: list[Node] = []

    def flatten(n: Node) -> None:
        if (isinstance(n, Binary) and n.op == "||") or (
            isinstance(n, Call) and n.name == "CONCAT" and len(n.args) == 2
        ):
            for child in n.children():
                flatten(child)
        else:
            parts.append(n)

    flatten(node)
    codes = [tr.to_string(tr.translate(p)) for p in parts]
    codes = [c for c in codes if c.type != "null"]
    if not codes:
        return Code('F.lit(None).cast("string")', "string")
    if any(isinstance(p, Literal) and isinstance(p.value, str) for p in parts):
        return Code(f'F.concat_ws("", {", ".join(c.text for c in codes)})', "string")

    def build(bound: list[Code]) -> Code:
        args = ", ".join(c.text for c in bound)
        return Code(
            f'F.when(F.coalesce({args}).isNull(), F.lit(None)).otherwise(F.concat_ws("", {args}))', "string"
        )

    return let_all(codes, build)


concat = _concat


def comparable(tr: Translator, left: Code, right: Code) -> tuple[Code, Code]:
    """Operands converted the way PowerCenter compares them (strings meet numbers by value, dates by the
    session format)."""
    numeric = NUMERIC + ("boolean",)
    lt, rt = left.type, right.type
    if lt in numeric and rt in numeric:
        if lt == rt == "boolean":
            return left, right
        return as_value(left), as_value(right)
    if lt == "string" and rt in numeric:
        return as_number(left), as_value(right)
    if rt == "string" and lt in numeric:
        return as_value(left), as_number(right)
    if lt == "string" and rt == "date":
        return tr.to_date(left), right
    if rt == "string" and lt == "date":
        return left, tr.to_date(right)
    return as_value(left), as_value(right)
