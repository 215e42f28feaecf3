"""Differential tests of row errors: the evaluator and the row-error mode of the PySpark translation agree
on which rows raise a row error (ERROR(), bad dates, division by zero...) and on the values of the others.

In row-error mode (``to_pyspark_checked``) a row error is a message Column instead of a failed job, so the
whole grid runs in one DataFrame, error rows included.
"""

from __future__ import annotations

from typing import Any

import pytest

from infaflow.expr import DictEnvironment, RowError, evaluate, parse, to_pyspark
from infaflow.expr.spark import to_pyspark_checked
from tests.expr.differential import SPARK_TYPES, TypedContext, rows_for, same

pytestmark = pytest.mark.spark

GROUPS: dict[str, tuple[dict[str, str], list[str]]] = {
    "numbers": (
        {"N": "integer", "M": "integer"},
        [
            "N / (N - 7)",
            "N % (M - 1)",
            "MOD(N, M)",
            "SQRT(N - 5)",
            "LN(N)",
            "LOG(N, 10)",
            "POWER(N - 1, 0.5)",
            "IIF(N > 2, ERROR('big ' || N), N)",
            "IIF(N > 2, N, ERROR('small'))",
            "IIF(M < 0, ERROR('neg'))",
            "DECODE(TRUE, N > 5, 'hi', N < 0, ERROR('neg'), 'mid')",
            "DECODE(N, 1, M / 0, 2, 7)",
            "DECODE(N, 10 / M, 'a', 'b')",
            "N > 1 AND 10 / (N - 7) > 0",
            "N > 1 OR 10 / (N - 7) > 0",
            "N + 10 / M",
            "-(N / M)",
            "IN(N, 1, 10 / (M - 2))",
            "ISNULL(N / M)",
            "N / M || 'x'",
            "IIF(N / M > 1, 1, 0)",
            "TO_INTEGER(N * 1000000000)",
            "ERROR(N)",
            "N + 1",
        ],
    ),
    "strings": (
        {"S": "string", "N": "integer"},
        [
            "TO_DATE(S, 'MM/DD/YYYY')",
            "IIF(ISNULL(S), ERROR('no s'), S)",
            "IIF(IS_DATE(S, 'YYYY'), TO_DATE(S, 'YYYY'))",
            "IIF(LENGTH(S) > 3, TO_DATE(S, 'YYYY'), NULL)",
            "S || TO_DATE(S, 'MM/DD/YYYY')",
            "TO_INTEGER(S) + N",
            "DECODE(S, 'abc', ERROR('abc'), S)",
            "IIF(N > 5, ERROR(S), S)",
            "S > SYSDATE",
            # formats, parts and values held in columns; functions of the reference that raise row errors
            "TO_DATE(S, S)",
            "TO_DATE(TO_CHAR(N), S)",
            "TO_CHAR(TO_DATE('2024-02-29', 'YYYY-MM-DD'), S)",
            "TO_DATE(S, 'J')",
            "TO_DATE(S, 'DD-MON-RR')",
            "ADD_TO_DATE(TO_DATE('2024', 'YYYY'), S, N)",
            "GET_DATE_PART(TO_DATE('2024', 'YYYY'), S)",
            "CONVERT_BASE(S, 16, 10)",
            "DEC_BASE64(S)",
            "MAKE_DATE_TIME(2024, N, 31)",
            "FV(0.01, N, -100)",
            "NPER(0.01, N, -100)",
            "COSH(N * 100)",
        ],
    ),
    "dates": (
        {"T": "date", "N": "integer"},
        [
            "SET_DATE_PART(T, 'DD', N)",
            "SET_DATE_PART(T, 'MM', N)",
            "IIF(T > TO_DATE('2024', 'YYYY'), ERROR('late'), T)",
            "ADD_TO_DATE(T, 'DD', 10 / N)",
        ],
    ),
}


def _evaluate(text: str, row: dict[str, Any], types: dict[str, str]) -> tuple[Any, bool]:
    try:
        return evaluate(parse(text), DictEnvironment(row, types=types)), False
    except RowError:
        return None, True


def _disagreements(spark: Any, columns: dict[str, str], expressions: list[str]) -> list[str]:
    from pyspark.sql import functions as F  # noqa: N812

    rows = rows_for(columns)
    ctx = TypedContext(columns)
    checked = [to_pyspark_checked(parse(e), ctx) for e in expressions]
    schema = ", ".join(f"`{n}` {SPARK_TYPES[t]}" for n, t in columns.items())
    frame = spark.createDataFrame([tuple(r[n] for n in columns) for r in rows], schema=schema)
    frame = frame.withColumn("__row", F.monotonically_increasing_id())
    selected = []
    for i, c in enumerate(checked):
        # Generated code is Python source by design; it is our own output (see differential.py).
        selected.append(eval(c.value, {"F": F}).alias(f"v{i}"))  # noqa: S307
        error = eval(c.error, {"F": F}) if c.error else F.lit(None).cast("string")  # noqa: S307
        selected.append(error.alias(f"e{i}"))
    got = frame.select("__row", *selected).orderBy("__row").collect()
    problems = []
    for row, result in zip(rows, got, strict=True):
        for i, text in enumerate(expressions):
            want, failed = _evaluate(text, row, columns)
            value, message = result[f"v{i}"], result[f"e{i}"]
            if failed != (message is not None):
                problems.append(
                    f"{text} with {row}: evaluator {'raises' if failed else repr(want)}, "
                    f"spark error {message!r}"
                )
            elif not failed and not same(want, value):
                problems.append(f"{text} with {row}: evaluator {want!r}, spark {value!r}")
    return problems


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_row_errors_agree(spark: object, group: str) -> None:
    columns, expressions = GROUPS[group]
    problems = _disagreements(spark, columns, expressions)
    assert not problems, "\n".join(problems[:20])


def test_every_group_has_rows_with_and_without_errors() -> None:
    for columns, expressions in GROUPS.values():
        outcomes = {_evaluate(e, r, columns)[1] for e in expressions for r in rows_for(columns)}
        assert outcomes == {True, False}


def test_the_comparison_detects_a_lost_error(spark: object) -> None:
    """A translation that forgets an error (IIF's error branch) is caught."""
    from infaflow.expr import spark_errors

    original = spark_errors._LAZY_RULES["IIF"]
    spark_errors._LAZY_RULES["IIF"] = lambda tr, node: ""
    try:
        problems = _disagreements(spark, {"N": "integer"}, ["IIF(N > 2, ERROR('big'), N)"])
    finally:
        spark_errors._LAZY_RULES["IIF"] = original
    assert len(problems) >= 3


@pytest.mark.parametrize("text", ["ERROR('x')", "N / 0", "TO_DATE('x', 'YYYY')"])
def test_row_error_mode_needs_no_raise_error(text: str) -> None:
    """In row-error mode no row error fails the job; the default mode still raises."""
    checked = to_pyspark_checked(parse(text), TypedContext({"N": "integer"}))
    assert "raise_error" not in checked.value + checked.error and checked.error
    assert "raise_error" in to_pyspark(parse(text), TypedContext({"N": "integer"}))


def test_abort_still_fails_in_row_error_mode() -> None:
    checked = to_pyspark_checked(parse("IIF(N > 1, ABORT('stop'), N)"), TypedContext({"N": "integer"}))
    assert "F.raise_error" in checked.value and not checked.error


def test_expressions_without_row_errors_have_no_error_column() -> None:
    checked = to_pyspark_checked(parse("IIF(N > 1, N * 2, -N) || 'x'"), TypedContext({"N": "integer"}))
    assert checked.error == ""
    assert checked.value == to_pyspark(parse("IIF(N > 1, N * 2, -N) || 'x'"), TypedContext({"N": "integer"}))
