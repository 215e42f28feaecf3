"""The transformation language's operators on values, with PowerCenter's conversions: a leaf module.

Arithmetic, comparison and concatenation as the evaluator computes them (NULL handling is the caller's:
the evaluator returns NULL before calling an arithmetic operator with a NULL operand), and the value IIF
gives when its third argument is omitted. Functions of the registry (MOD, CONCAT, GREATEST, DECODE...) use
the same operators, so they import this module rather than the evaluator, which imports the registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError
from infaflow.expr.infer import static_type
from infaflow.expr.nodes import Node
from infaflow.expr.types import Value, to_date, to_number, to_string


def _numbers(a: Value, b: Value, env: Environment) -> tuple[Any, Any]:
    x, y = to_number(a), to_number(b)
    if type(x) is type(y):
        return x, y
    if isinstance(x, float) or isinstance(y, float):
        return float(x), float(y)  # type: ignore[arg-type]
    return x, y  # int with Decimal: Python mixes them exactly


def _add(a: Value, b: Value, env: Environment) -> Value:
    x, y = _numbers(a, b, env)
    return x + y


def _sub(a: Value, b: Value, env: Environment) -> Value:
    x, y = _numbers(a, b, env)
    return x - y


def _mul(a: Value, b: Value, env: Environment) -> Value:
    x, y = _numbers(a, b, env)
    return x * y


def divide(a: Value, b: Value, env: Environment) -> Value:
    """``a / b``: integer operands give a double (Decimal with high precision); zero divisor: row error."""
    x, y = _numbers(a, b, env)
    if y == 0:
        raise RowError("divide by zero")
    if isinstance(x, int) and isinstance(y, int):
        return Decimal(x) / Decimal(y) if env.high_precision else x / y
    return x / y


def modulo(a: Value, b: Value, env: Environment) -> Value:
    """``a % b`` and MOD: the sign follows the dividend; zero divisor: row error."""
    x, y = _numbers(a, b, env)
    if y == 0:
        raise RowError("divide by zero")
    if isinstance(x, float):
        return math.fmod(x, y)
    if isinstance(x, int) and isinstance(y, int):
        r = abs(x) % abs(y)
        return -r if x < 0 else r
    return Decimal(x) % Decimal(y)


ARITHMETIC: dict[str, Callable[[Value, Value, Environment], Value]] = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": divide,
    "%": modulo,
}


def compare(a: Value, b: Value, env: Environment) -> int | None:
    """-1, 0 or 1 (None when either is NULL), after PowerCenter's implicit conversions."""
    if a is None or b is None:
        return None
    ta, tb = type(a), type(b)
    if ta is not tb:
        if ta is str and tb is datetime:
            a = to_date(a, env.date_format)
        elif tb is str and ta is datetime:
            b = to_date(b, env.date_format)
        elif ta is datetime or tb is datetime:
            raise RowError(f"cannot compare a date with {b if ta is datetime else a!r}")
        else:
            a, b = _numbers(a, b, env)
    return (a > b) - (a < b)  # type: ignore[operator]


COMPARISONS: dict[str, Callable[[int], bool]] = {
    "=": lambda c: c == 0,
    "<>": lambda c: c != 0,
    "!=": lambda c: c != 0,
    "^=": lambda c: c != 0,
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}


def concat(a: Value, b: Value, env: Environment) -> Value:
    """``a || b``: NULL operands are ignored; NULL only when both are NULL."""
    if a is None and b is None:
        return None
    return (to_string(a, env.date_format) or "") + (to_string(b, env.date_format) or "")


def default_for(node: Node, env: Environment) -> Value:
    """IIF's value when the third argument is omitted: 0 for numbers, '' for strings, NULL otherwise."""
    kind = static_type(node, env.type_of)
    if kind in ("integer", "boolean", "decimal", "double"):
        return 0
    if kind == "string":
        return ""
    return None
