"""Static types of expressions: what type a node produces given the types of its names.

Used where PowerCenter's result depends on a type even when the value is NULL (IIF without its third
argument) and by the Spark translator to choose conversions. ``boolean`` marks comparisons and logical
operators (integers 1/0 in PowerCenter); "" means unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from infaflow.expr.functions.base import REGISTRY
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary
from infaflow.expr.types import NUMERIC, type_name, wider

NameTypes = Callable[[str], str]

_LOGICAL = {"AND", "OR", "=", "<>", "!=", "^=", "<", "<=", ">", ">="}


def static_type(node: Node, name_type: NameTypes, high_precision: bool = False) -> str:
    """The type ``node`` evaluates to, or "" when it depends on something unknown."""
    if isinstance(node, Literal):
        if node.kind == "boolean":
            return "boolean"
        if isinstance(node.value, Decimal):
            return "decimal" if high_precision else "double"
        return type_name(node.value)
    if isinstance(node, Name):
        return name_type(node.name)
    if isinstance(node, Unary):
        if node.op == "NOT":
            return "boolean"
        inner = static_type(node.operand, name_type, high_precision)
        return "integer" if inner == "boolean" else ("decimal" if inner == "string" else inner)
    if isinstance(node, Binary):
        if node.op in _LOGICAL:
            return "boolean"
        if node.op == "||":
            return "string"
        left = static_type(node.left, name_type, high_precision)
        right = static_type(node.right, name_type, high_precision)
        left, right = (_arith_operand(t) for t in (left, right))
        if "" in (left, right):
            return ""
        if "null" in (left, right):
            return left if right == "null" else right
        if node.op == "/" and left == right == "integer":
            return "decimal" if high_precision else "double"
        return wider(left, right)
    if isinstance(node, Call):
        fn = REGISTRY.get(node.name)
        if fn is None:
            return ""
        return fn.result_type([static_type(a, name_type, high_precision) for a in node.args])
    if isinstance(node, RefCall):
        return ""
    return ""


def _arith_operand(kind: str) -> str:
    if kind == "boolean":
        return "integer"
    if kind == "string":
        return "decimal"
    return kind if kind in NUMERIC or kind in ("", "null") else ""
