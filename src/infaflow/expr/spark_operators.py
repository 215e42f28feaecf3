"""PySpark translation of the operators (arithmetic, ``||``, comparisons, AND/OR) with PowerCenter's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.expr.nodes import Binary, Node
from infaflow.expr.sparkcode import Code, as_bool, as_number, as_value
from infaflow.expr.types import NUMERIC

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

_SPARK_COMPARISON = {"=": "==", "<>": "!=", "!=": "!=", "^=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def translate_binary(tr: Translator, node: Binary) -> Code:
    """Code of a binary operator node."""
    op = node.op
    if op in ("AND", "OR"):
        left, right = as_bool(tr.translate(node.left)), as_bool(tr.translate(node.right))
        return Code(f"({left} {'&' if op == 'AND' else '|'} {right})", "boolean")
    if op == "||":
        return _concat(tr, node)
    if op in _SPARK_COMPARISON:
        left, right = _comparable(tr, tr.translate(node.left), tr.translate(node.right))
        return Code(f"({left} {_SPARK_COMPARISON[op]} {right})", "boolean")
    left, right = as_number(tr.translate(node.left)), as_number(tr.translate(node.right))
    result_type = tr.type_of(node)
    if op in ("/", "%"):
        if op == "/" and tr.ctx.high_precision and left.type == right.type == "integer":
            left = Code(f'{left}.cast("decimal(38,10)")', "decimal")
        division = f"({left} {op} {right})"
        return Code(f"F.when({right} == 0, {tr.row_error('divide by zero')}).otherwise{division}", result_type)
    return Code(f"({left} {op} {right})", result_type)


def _concat(tr: Translator, node: Binary) -> Code:
    parts: list[Node] = []

    def flatten(n: Node) -> None:
        if isinstance(n, Binary) and n.op == "||":
            flatten(n.left)
            flatten(n.right)
        else:
            parts.append(n)

    flatten(node)
    codes = [tr.to_string(tr.translate(p)) for p in parts]
    args = ", ".join(c.text for c in codes)
    return Code(f'F.when(F.coalesce({args}).isNull(), F.lit(None)).otherwise(F.concat_ws("", {args}))',
                "string")


def _comparable(tr: Translator, left: Code, right: Code) -> tuple[Code, Code]:
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
