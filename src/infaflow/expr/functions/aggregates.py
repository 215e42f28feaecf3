"""Aggregate functions (Aggregator ports): SUM, AVG, COUNT, MIN, MAX, FIRST, LAST, MEDIAN, PERCENTILE,
STDDEV, VARIANCE. Each takes an optional trailing filter condition; NULLs are ignored; all-NULL gives NULL
(COUNT gives 0). The evaluator reads the group's rows from ``Environment.group()``; Spark forms are for
``groupBy(...).agg(...)``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from infaflow.expr.environment import Environment
from infaflow.expr.errors import ExprError, Unsupported
from infaflow.expr.functions.base import REGISTRY, Function, Lazy, SparkHandler, Thunk, arg_type, register
from infaflow.expr.nodes import Call, Literal, walk
from infaflow.expr.operators import compare
from infaflow.expr.sparkcode import Code, as_bool, as_number, as_value
from infaflow.expr.types import Value, to_number, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _values(args: list[Thunk], env: Environment, node: Call, value_args: int) -> list[Value]:
    """The non-NULL values of the first argument over the group's rows that pass the filter."""
    for inner in walk(node):
        if (
            inner is not node
            and isinstance(inner, Call)
            and REGISTRY.get(inner.name, None) is not None
            and REGISTRY[inner.name].aggregate
        ):
            raise ExprError(f"nested aggregate {inner.name} inside {node.name} is not supported")
    condition = args[value_args] if len(args) > value_args else None
    out: list[Value] = []
    for row in env.group():
        if condition is not None and not truthy(condition(row)):
            continue
        if node.star:
            out.append(1)
            continue
        value = args[0](row)
        if value is not None:
            out.append(value)
    return out


def _aggregate(reduce: Callable[[list[Value]], Value], value_args: int = 1, empty: Value = None) -> Lazy:
    def run(args: list[Thunk], env: Environment, node: Call) -> Value:
        values = _values(args, env, node, 0 if node.star else value_args)
        return reduce(values) if values else empty

    return run


def _numbers(values: list[Value]) -> list[int | Decimal | float]:
    numbers = [to_number(v) for v in values]
    if any(isinstance(n, float) for n in numbers):
        return [float(n) for n in numbers]  # type: ignore[arg-type]
    return numbers  # type: ignore[return-value]


def _sum(values: list[Value]) -> Value:
    return sum(_numbers(values))


def _avg(values: list[Value]) -> Value:
    numbers = _numbers(values)
    if all(isinstance(n, int) for n in numbers):
        return sum(numbers) / len(numbers)
    return sum(numbers) / len(numbers)


def percentile(values: list[Value], fraction: float) -> float:
    """Linear interpolation between the closest ranks at position (n - 1) * fraction (Spark's percentile)."""
    ordered = sorted(float(v) for v in _numbers(values))
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _percentile(args: list[Thunk], env: Environment, node: Call) -> Value:
    values = _values(args, env, node, 2)
    if not values:
        return None
    p = to_number(args[1](env))
    if p is None:
        return None
    return percentile(values, float(p) / 100)


def _sample(values: list[Value], variance: bool) -> Value:
    if len(values) < 2:
        return None
    numbers = [float(n) for n in _numbers(values)]
    return statistics.variance(numbers) if variance else statistics.stdev(numbers)


# ---------------------------------------------------------------- Spark


def _filtered(args: list[Code], value_args: int, value: Code) -> str:
    if len(args) > value_args:
        return f"F.when({as_bool(args[value_args])}, {value})"
    return value.text


def _spark_agg(name: str, kind: str = "", numeric: bool = True) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        _reject_nested(tr, node)
        if node.star:
            return Code(f"F.count({_filtered([Code('')] + args, 1, Code('F.lit(1)'))})", "integer")
        value = as_number(args[0]) if numeric else as_value(args[0])
        return Code(f"F.{name}({_filtered(args, 1, value)})", kind or value.type)

    return build


def _reject_nested(tr: Translator, node: Call) -> None:
    for inner in walk(node):
        if (
            inner is not node
            and isinstance(inner, Call)
            and REGISTRY.get(inner.name) is not None
            and REGISTRY[inner.name].aggregate
        ):
            raise Unsupported(f"nested aggregate {inner.name}")


def _spark_first_last(name: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        _reject_nested(tr, node)
        order = tr.ctx.row_order()
        if order is None:
            raise Unsupported("needs the input order of rows (SparkContext.row_order)")
        value = as_value(args[0])
        keep = f"{value}.isNotNull()"
        if len(args) > 1:
            keep = f"{keep} & {as_bool(args[1])}"
        return Code(f"F.{name}({value}, F.when({keep}, {order}))", value.type)

    return build


def _spark_percentile(tr: Translator, node: Call, args: list[Code]) -> Code:
    _reject_nested(tr, node)
    p = node.args[1]
    if not (isinstance(p, Literal) and isinstance(p.value, (int, Decimal)) and not p.kind):
        raise Unsupported("the percentile must be a numeric literal")
    value = as_number(args[0])
    return Code(f"F.percentile({_filtered(args, 2, value)}, {float(p.value) / 100!r})", "double")


def _min_max(pick_max: bool) -> Callable[[list[Value]], Value]:
    def reduce(values: list[Value]) -> Value:
        env = Environment()
        best = values[0]
        for v in values[1:]:
            c = compare(v, best, env)
            if (c > 0) if pick_max else (c < 0):  # type: ignore[operator]
                best = v
        return best

    return reduce


_AGG: dict[str, Any] = dict(aggregate=True, null_in_null_out=False, group="aggregate")

register(
    Function("SUM", 1, 2, arg_type(0), lazy=_aggregate(_sum), spark=_spark_agg("sum"), **_AGG),
    Function("AVG", 1, 2, "double", lazy=_aggregate(_avg), spark=_spark_agg("avg"), **_AGG),
    Function(
        "COUNT",
        1,
        2,
        "integer",
        lazy=_aggregate(len, empty=0),
        spark=_spark_agg("count", "integer", numeric=False),
        **_AGG,
        doc="COUNT(x[, filter]) counts non-NULL values; COUNT(*[, filter]) counts rows.",
    ),
    Function(
        "MIN",
        1,
        2,
        arg_type(0),
        lazy=_aggregate(_min_max(False)),
        spark=_spark_agg("min", numeric=False),
        **_AGG,
    ),
    Function(
        "MAX",
        1,
        2,
        arg_type(0),
        lazy=_aggregate(_min_max(True)),
        spark=_spark_agg("max", numeric=False),
        **_AGG,
    ),
    Function(
        "FIRST",
        1,
        2,
        arg_type(0),
        lazy=_aggregate(lambda v: v[0]),
        spark=_spark_first_last("min_by"),
        **_AGG,
        doc="First non-NULL value in input order.",
    ),
    Function(
        "LAST",
        1,
        2,
        arg_type(0),
        lazy=_aggregate(lambda v: v[-1]),
        spark=_spark_first_last("max_by"),
        **_AGG,
        doc="Last non-NULL value in input order.",
    ),
    Function(
        "MEDIAN",
        1,
        2,
        "double",
        lazy=_aggregate(lambda v: percentile(v, 0.5)),
        spark=_spark_agg("median", "double"),
        **_AGG,
    ),
    Function(
        "PERCENTILE",
        2,
        3,
        "double",
        lazy=_percentile,
        spark=_spark_percentile,
        **_AGG,
        doc="PERCENTILE(value, p) with p in 0..100, linear interpolation [U].",
    ),
    Function(
        "STDDEV",
        1,
        2,
        "double",
        lazy=_aggregate(lambda v: _sample(v, False)),
        spark=_spark_agg("stddev", "double"),
        **_AGG,
        doc="Sample standard deviation; one row: NULL [U].",
    ),
    Function(
        "VARIANCE",
        1,
        2,
        "double",
        lazy=_aggregate(lambda v: _sample(v, True)),
        spark=_spark_agg("variance", "double"),
        **_AGG,
        doc="Sample variance; one row: NULL [U].",
    ),
)
