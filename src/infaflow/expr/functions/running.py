"""Order-dependent numeric functions: CUME, MOVINGSUM, MOVINGAVG.

They read the rows of a session in order: the evaluator keeps their state in ``Environment.state``; the Spark
form is a window over the input order (``SparkContext.row_order``), so generated code needs
``from pyspark.sql import Window``. NULL values are skipped; MOVINGSUM/MOVINGAVG over ``n`` rows are NULL for
the first ``n - 1`` rows, and NULL when every value of the window is NULL.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import ExprError, Unsupported
from infaflow.expr.functions.base import Function, Lazy, SparkHandler, Thunk, register
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.sparkcode import Code, as_bool, as_number
from infaflow.expr.types import Value, to_number, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _value(args: list[Thunk], env: Environment, filter_index: int) -> Value:
    value = args[0](env)
    if len(args) > filter_index and not truthy(args[filter_index](env)):
        return None
    return None if value is None else to_number(value)


def _cume(args: list[Thunk], env: Environment, node: Call) -> Value:
    state = env.state(id(node))
    value = _value(args, env, 1)
    if value is not None:
        total = state.get("total")
        state["total"] = value if total is None else _add(total, value)
    return state.get("total")  # type: ignore[return-value]


def _add(a: object, b: object) -> object:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) + float(b)  # type: ignore[arg-type]
    return a + b  # type: ignore[operator]


def _window_size(node: Call) -> int:
    arg = node.args[1]
    if isinstance(arg, Literal) and isinstance(arg.value, int) and arg.value > 0:
        return arg.value
    raise ExprError(f"{node.name}: the number of rows must be a positive integer literal")


def _moving(average: bool) -> Lazy:
    def run(args: list[Thunk], env: Environment, node: Call) -> Value:
        size = _window_size(node)
        state = env.state(id(node))
        window: deque[Value] = state.setdefault("rows", deque(maxlen=size))  # type: ignore[assignment]
        window.append(_value(args, env, 2))
        if len(window) < size:
            return None
        values = [v for v in window if v is not None]
        if not values:
            return None
        total = values[0]
        for v in values[1:]:
            total = _add(total, v)  # type: ignore[assignment]
        if not average:
            return total
        if isinstance(total, float):
            return total / len(values)
        return float(Decimal(total) / len(values))  # type: ignore[arg-type]

    return run


def _order(tr: Translator) -> str:
    order = tr.ctx.row_order()
    if order is None:
        raise Unsupported("needs the input order of rows (SparkContext.row_order)")
    return order


def _filtered(args: list[Code], index: int) -> str:
    value = as_number(args[0])
    if len(args) > index:
        return f"F.when({as_bool(args[index])}, {value})"
    return value.text


def _cume_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    window = f"Window.orderBy({_order(tr)}).rowsBetween(Window.unboundedPreceding, 0)"
    return Code(f"F.sum({_filtered(args, 1)}).over({window})", as_number(args[0]).type)


def _moving_spark(average: bool) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        try:
            size = _window_size(node)
        except ExprError as exc:
            raise Unsupported(exc.message.split(": ", 1)[1]) from None
        window = f"Window.orderBy({_order(tr)}).rowsBetween({1 - size}, 0)"
        value = _filtered(args, 2)
        total = f"F.avg({value}).over({window})" if average else f"F.sum({value}).over({window})"
        return Code(
            f"F.when(F.count(F.lit(1)).over({window}) >= {size}, {total})",
            "double" if average else as_number(args[0]).type,
        )

    return build


register(
    Function(
        "CUME",
        1,
        2,
        lambda t: "decimal" if t and t[0] == "string" else (t[0] if t else ""),
        lazy=_cume,
        spark=_cume_spark,
        null_in_null_out=False,
        group="numeric",
        doc="Running total in input order (NULLs skipped).",
    ),
    Function(
        "MOVINGSUM",
        2,
        3,
        lambda t: t[0] if t else "",
        lazy=_moving(False),
        spark=_moving_spark(False),
        null_in_null_out=False,
        group="numeric",
        doc="Sum over the last n rows; NULL for the first n-1.",
    ),
    Function(
        "MOVINGAVG",
        2,
        3,
        "double",
        lazy=_moving(True),
        spark=_moving_spark(True),
        null_in_null_out=False,
        group="numeric",
        doc="Average over the last n rows; NULL for the first n-1.",
    ),
)
