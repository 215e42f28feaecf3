"""Running an expression both ways: the evaluator row by row and the PySpark translation on a DataFrame."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from itertools import product
from typing import Any

from infaflow.expr import DictEnvironment, ExprError, SparkContext, evaluate, parse, to_pyspark

SPARK_TYPES = {
    "string": "string",
    "integer": "bigint",
    "double": "double",
    "decimal": "decimal(18,4)",
    "date": "timestamp",
}

GRID: dict[str, list[Any]] = {
    "string": [
        None,
        "",
        " ",
        "abc",
        "Hello World",
        "  pad  ",
        "a,b,,c",
        "123abc",
        "-4.5e2x",
        "ÄÖü",
        "o'hara-x y",
        "ABCabc",
    ],
    "integer": [None, 0, 1, -1, 2, 7, -3, 100, 12345],
    "double": [
        None,
        0.0,
        1.5,
        -2.5,
        2.675,
        0.125,
        123456.789,
        -0.5,
        1e-3,
        7.0,
        1.5e-5,
        12345678.5,
        2.5e16,
        -0.0,
    ],
    "decimal": [
        None,
        Decimal("0.0000"),
        Decimal("1.5000"),
        Decimal("-2.5000"),
        Decimal("2.6750"),
        Decimal("123.4560"),
    ],
    "date": [
        None,
        datetime(2024, 1, 31),
        datetime(2024, 2, 29, 13, 5, 7, 123456),
        datetime(2023, 12, 31, 23, 59, 59),
        datetime(1999, 6, 16, 12, 30, 30),
        datetime(2000, 1, 1),
        datetime(2023, 2, 28, 6, 0, 0),
        datetime(2024, 7, 15, 11, 29, 31),
    ],
}


class TypedContext(SparkContext):
    """Ports are columns with known types."""

    def __init__(self, types: dict[str, str]) -> None:
        self.types = {k.upper(): v for k, v in types.items()}

    def column_type(self, name: str) -> str:
        return self.types.get(name.upper(), "")


def rows_for(columns: dict[str, str], limit: int = 2000) -> list[dict[str, Any]]:
    """Every combination of the grid values of the columns' types (capped)."""
    names = list(columns)
    combos = product(*(GRID[columns[n]] for n in names))
    out = []
    for i, combo in enumerate(combos):
        if i >= limit:
            break
        out.append(dict(zip(names, combo, strict=True)))
    return out


def spark_results(
    spark: Any, columns: dict[str, str], rows: list[dict[str, Any]], codes: list[str]
) -> list[tuple[Any, ...]]:
    """Evaluate generated Column sources on a DataFrame of ``rows`` (one select for all expressions)."""
    from pyspark.sql import functions as F  # noqa: N812

    schema = ", ".join(f"`{n}` {SPARK_TYPES[t]}" for n, t in columns.items())
    frame = spark.createDataFrame([tuple(r[n] for n in columns) for r in rows], schema=schema)
    frame = frame.withColumn("__row", F.monotonically_increasing_id())
    # The generated code is Python source by design (the converter writes it into jobs); compiling it here is
    # how a generated job runs it. It is our own output, never user input.
    selected = [eval(code, {"F": F}).alias(f"e{i}") for i, code in enumerate(codes)]  # noqa: S307
    result = frame.select("__row", *selected).orderBy("__row").collect()
    return [tuple(r[1:]) for r in result]


def same(a: Any, b: Any) -> bool:
    """Equal values, numbers to 1e-9 relative."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    numeric = (int, float, Decimal)
    if isinstance(a, numeric) and isinstance(b, numeric):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return type(a) is type(b) and a == b


def differ(
    spark: Any, columns: dict[str, str], expressions: list[str], rows: list[dict[str, Any]] | None = None
) -> list[str]:
    """Mismatches between the evaluator and Spark for each expression over the grid rows.

    Rows where the evaluator raises a row error are left out of the Spark run (they would fail the job)."""
    rows = rows if rows is not None else rows_for(columns)
    ctx = TypedContext(columns)
    problems: list[str] = []
    nodes = [parse(e) for e in expressions]
    codes = [to_pyspark(n, ctx) for n in nodes]
    expected: list[list[Any]] = []
    good_rows = []
    for row in rows:
        env = DictEnvironment(row, types=columns)
        try:
            values = [evaluate(n, env) for n in nodes]
        except ExprError:
            continue
        expected.append(values)
        good_rows.append(row)
    actual = spark_results(spark, columns, good_rows, codes)
    for row, want, got in zip(good_rows, expected, actual, strict=True):
        for text, w, g in zip(expressions, want, got, strict=True):
            if not same(w, g):
                problems.append(f"{text} with {row}: evaluator {w!r}, spark {g!r}")
    return problems
