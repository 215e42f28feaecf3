"""Differential tests: the evaluator and the PySpark translation agree on every function and operator.

Each group runs as one DataFrame (all expressions of the group in one select) over a grid of inputs with
NULLs, empty strings, zero and negative positions, month ends and leap days (see differential.GRID).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.expr.differential import differ, rows_for, same

pytestmark = pytest.mark.spark

GROUPS: dict[str, tuple[dict[str, str], list[str]]] = {
    "operators": (
        {"N": "integer", "M": "integer", "X": "double"},
        [
            "N + M",
            "N - M",
            "N * M",
            "N / IIF(M = 0, 1, M)",
            "N % IIF(M = 0, 1, M)",
            "-N",
            "+X",
            "X * N - M",
            "N = M",
            "N <> M",
            "N != M",
            "N ^= M",
            "N < M",
            "N <= M",
            "N > M",
            "N >= M",
            "X > N",
            "N > 0 AND M > 0",
            "N > 0 OR M > 0",
            "NOT N",
            "NOT (N > M)",
            "N || M",
            "X || N",
            "N AND M",
            "N OR X",
            "TRUE + N",
            "IIF(N, 1, 2)",
            "N = X",
            "DD_UPDATE + N",
        ],
    ),
    "strings": (
        {"S": "string", "N": "integer"},
        [
            "S || 'x' || N",
            "S || N",
            "CONCAT(S, S)",
            "CONCAT(CONCAT(S, '-'), N)",
            "LENGTH(S)",
            "UPPER(S)",
            "LOWER(S)",
            "INITCAP(S)",
            "LTRIM(S)",
            "RTRIM(S)",
            "LTRIM(S, ' a')",
            "RTRIM(S, 'c ')",
            "LPAD(S, N)",
            "LPAD(S, N, '*-')",
            "RPAD(S, N, 'xy')",
            "SUBSTR(S, N)",
            "SUBSTR(S, N, 2)",
            "SUBSTR(S, 2, N)",
            "INSTR(S, 'a')",
            "INSTR(S, ',')",
            "INSTR(S, 'b', N)",
            "INSTR(S, 'a', N, 2)",
            "INSTR(S, ' ', -1, N)",
            "INSTR(S, S)",
            "CHR(MOD(ABS(N), 200) + 32)",
            "ASCII(S)",
            "REVERSE(S)",
            "REPLACECHR(0, S, 'ab', 'X')",
            "REPLACECHR(1, S, 'a ', '')",
            "REPLACESTR(1, S, 'a', 'bc', '$')",
            "REPLACESTR(0, S, 'ABC', 'l', '\\\\')",
            "REG_EXTRACT(S, '([a-z])([a-z])', 2)",
            "REG_MATCH(S, '[a-z]+')",
            "REG_REPLACE(S, '[aeiou]', '#')",
            "MD5(S)",
            "S = 'abc'",
            "S > 'b'",
            "S = N",
            "S < N",
            "IS_SPACES(S)",
            "IS_NUMBER(S)",
            "ISNULL(S)",
            "TO_INTEGER(S)",
            "TO_INTEGER(S, TRUE)",
            "TO_BIGINT(S)",
            "TO_DECIMAL(S, 2)",
            "TO_FLOAT(S)",
            "S + N",
            "IIF(S > 'b', N)",
            "IIF(N > 0, S)",
            "DECODE(S, 'abc', 1, NULL, 2, 3)",
            "DECODE(N, 1, S, 2, 'two')",
            "IN(S, 'abc', 'ABCABC', 0)",
            "IN(S, 'abc', '')",
            "IN(N, 1, 2, 7)",
            "CHOOSE(N, S, 'b')",
            "GREATEST(S, 'b')",
            "LEAST(N, 3)",
            # long arguments are bound once in the generated code (let): the same results
            "INSTR(UPPER(S) || LOWER(S) || 'xyz', 'A', N, 1)",
            "TO_INTEGER(SUBSTR(S || '123', 2, 3)) + N",
            "DECODE(UPPER(SUBSTR(S, 1, 3)), 'ABC', 1, NULL, -1, 0)",
            "INITCAP(REPLACESTR(1, S, 'a', 'b c') || S)",
            "IN(LOWER(SUBSTR(S, 1, 3)) || 'zz', 'abczz', 'zz')",
        ],
    ),
    "numbers": (
        {"X": "double", "D": "decimal", "N": "integer"},
        [
            "ROUND(X, 2)",
            "ROUND(X)",
            "ROUND(D, 1)",
            "ROUND(N, -1)",
            "TRUNC(X, 1)",
            "TRUNC(X)",
            "TRUNC(D, 1)",
            "TRUNC(N, -1)",
            "TO_INTEGER(X)",
            "TO_INTEGER(X, TRUE)",
            "TO_INTEGER(D)",
            "TO_BIGINT(X)",
            "TO_DECIMAL(X, 1)",
            "TO_FLOAT(D)",
            "TO_CHAR(X)",
            "TO_CHAR(N)",
            "TO_CHAR(D)",
            "X + D",
            "X * N",
            "D * N",
            "D / IIF(N = 0, 2, N)",
            "ABS(X)",
            "ABS(D)",
            "CEIL(X)",
            "CEIL(D)",
            "FLOOR(X)",
            "FLOOR(D)",
            "SIGN(X)",
            "SIGN(D)",
            "MOD(N, 3)",
            "MOD(X, 2)",
            "MOD(D, 2)",
            "POWER(X, 2)",
            "POWER(N, 3)",
            "SQRT(ABS(X))",
            "EXP(N / 1000)",
            "LN(ABS(X) + 1)",
            "LOG(10, ABS(X) + 1)",
            "IIF(X > 1, X)",
            "IIF(D > 1, D)",
            "X > N",
            "X = D",
            "GREATEST(X, N)",
            "IS_NUMBER(X)",
            "X || ''",
        ],
    ),
    "dates": (
        {"T": "date", "N": "integer"},
        [
            "ADD_TO_DATE(T, 'MM', N)",
            "ADD_TO_DATE(T, 'MON', -N)",
            "ADD_TO_DATE(T, 'YYYY', N)",
            "ADD_TO_DATE(T, 'DD', N)",
            "ADD_TO_DATE(T, 'HH', N)",
            "ADD_TO_DATE(T, 'MI', N)",
            "ADD_TO_DATE(T, 'SS', N)",
            "ADD_TO_DATE(T, 'MS', N)",
            "DATE_DIFF(T, TO_DATE('2024-02-29', 'YYYY-MM-DD'), 'DD')",
            "DATE_DIFF(T, TO_DATE('2024-02-29', 'YYYY-MM-DD'), 'MM')",
            "DATE_DIFF(T, TO_DATE('2023-03-31', 'YYYY-MM-DD'), 'MON')",
            "DATE_DIFF(T, TO_DATE('2020-03-15', 'YYYY-MM-DD'), 'YY')",
            "DATE_DIFF(T, TO_DATE('2020-03-15', 'YYYY-MM-DD'), 'HH')",
            "DATE_DIFF(T, ADD_TO_DATE(T, 'SS', N), 'MI')",
            "DATE_DIFF(T, ADD_TO_DATE(T, 'MS', N), 'SS')",
            "DATE_COMPARE(T, TO_DATE('2024-01-31', 'YYYY-MM-DD'))",
            "GET_DATE_PART(T, 'YYYY')",
            "GET_DATE_PART(T, 'MM')",
            "GET_DATE_PART(T, 'DD')",
            "GET_DATE_PART(T, 'HH24')",
            "GET_DATE_PART(T, 'MI')",
            "GET_DATE_PART(T, 'SS')",
            "GET_DATE_PART(T, 'MS')",
            "SET_DATE_PART(T, 'MM', 3)",
            "SET_DATE_PART(T, 'DD', 28)",
            "SET_DATE_PART(T, 'YYYY', 2020)",
            "SET_DATE_PART(T, 'HH', 5)",
            "SET_DATE_PART(T, 'MI', 59)",
            "SET_DATE_PART(T, 'SS', 1)",
            "SET_DATE_PART(T, 'MS', 5)",
            "LAST_DAY(T)",
            "TRUNC(T)",
            "TRUNC(T, 'MM')",
            "TRUNC(T, 'YY')",
            "TRUNC(T, 'HH')",
            "TRUNC(T, 'MI')",
            "ROUND(T)",
            "ROUND(T, 'MM')",
            "ROUND(T, 'YYYY')",
            "ROUND(T, 'HH')",
            "ROUND(T, 'MI')",
            "T > '01/01/2024 00:00:00'",
            "T = T",
            "IIF(N > 0, T)",
            "DECODE(T, NULL, 'none', 'some')",
            "GREATEST(T, TO_DATE('2024', 'YYYY'))",
        ],
    ),
    "date formats": (
        {"T": "date", "N": "integer"},
        [
            "TO_CHAR(T)",
            "TO_CHAR(T, 'DD-MON-YYYY HH12:MI:SS AM')",
            "TO_CHAR(T, 'YYYYMMDD')",
            "TO_CHAR(T, 'MONTH DY DAY DDD MS US')",
            "TO_CHAR(T, 'YY Q \"week\" HH24')",
            "TO_DATE(TO_CHAR(T, 'MM/DD/YYYY'), 'MM/DD/YYYY')",
            "TO_DATE(TO_CHAR(T))",
            "TO_DATE(TO_CHAR(T, 'YYYYMMDDHH24MISS'), 'YYYYMMDDHH24MISS')",
            "TO_DATE(TO_CHAR(T, 'DD-MON-YY'), 'DD-MON-YY')",
            "TO_DATE(TO_CHAR(T, 'MM/DD/YYYY HH24:MI'))",
            "TO_DATE(TO_CHAR(T, 'DD-MON-YYYY HH12:MI:SS AM'), 'DD-MON-YYYY HH12:MI:SS AM')",
            "TO_DATE(TO_CHAR(T, 'MONTH DD, YYYY'), 'MONTH DD, YYYY')",
            "TO_DATE(UPPER(TO_CHAR(T, 'DD-MON-YYYY')), 'DD-MON-YYYY')",
            "TO_DATE(LOWER(TO_CHAR(T, 'DD-MON-YYYY hh12 am')), 'DD-MON-YYYY HH12 AM')",
            "TO_DATE(TO_CHAR(T, 'YYYY-MM-DD HH24:MI:SS.MS'), 'YYYY-MM-DD HH24:MI:SS.MS')",
            "IS_DATE(TO_CHAR(T, 'MM/DD/YYYY') || ' 25:00', 'MM/DD/YYYY HH24:MI')",
            "IS_DATE('02/29/2023', 'MM/DD/YYYY')",
            "IS_DATE('13/01/2024', 'MM/DD/YYYY')",
            "IS_DATE(TO_CHAR(T, 'MM/DD/YYYY HH24:MI'))",
            "IS_DATE(TO_CHAR(T, 'MM/DD/YYYY HH24:MI'), 'MM/DD/YYYY')",
            "IS_DATE(GET_DATE_PART(T, 'MM') || TO_CHAR(T, '/DD/YYYY'), 'MM/DD/YYYY')",
            "TO_DATE(GET_DATE_PART(T, 'MM') || '/' || GET_DATE_PART(T, 'DD') || TO_CHAR(T, '/YYYY'), 'MM/DD/YYYY')",
            "T || 'x'",
            # tokens Spark's patterns lack, written and read back (more in test_dateformat_differential.py)
            "TO_CHAR(T, 'J SSSSS YYY Y D A.M. Q')",
            "TO_CHAR(T, 'dy DAY month mon')",
            "TO_DATE(TO_CHAR(T, 'J'), 'J')",
            "TO_DATE(TO_CHAR(T, 'DD-MON-RR'), 'DD-MON-RR')",
            "TO_DATE(TO_CHAR(T, 'YYYY DDD SSSSS'), 'YYYY DDD SSSSS')",
            "IS_DATE(TO_CHAR(T, 'RR/MM/DD'), 'RR/MM/DD')",
            "TO_DATE(TO_CHAR(T, 'MM/DD/YYYY HH12:MI:SS P.M.'), 'MM/DD/YYYY HH12:MI:SS P.M.')",
            "TO_DATE(TO_CHAR(T, 'DY DD MONTH YYYY HH24:MI:SS.NS'), 'DY DD MONTH YYYY HH24:MI:SS.NS')",
        ],
    ),
    "reference functions": (
        {"S": "string", "N": "integer", "X": "double"},
        [
            "CHRCODE(S)",
            "SOUNDEX(S)",
            "ENC_BASE64(S)",
            "DEC_BASE64(ENC_BASE64(S))",
            "CRC32(S)",
            "INDEXOF(S, 'abc', 'ABCabc', 'Hello World')",
            "INDEXOF(S, 'ABC', 'hello world', 0)",
            "INDEXOF(N, 1, 2, 7)",
            "INDEXOF(S, NULL, S)",
            "CONVERT_BASE(TO_CHAR(ABS(N)), 10, 16)",
            "CONVERT_BASE(S, 16, 2)",
            "SIN(X)",
            "COS(X)",
            "TAN(X)",
            "SINH(N)",
            "COSH(X)",
            "TANH(X)",
            "SINH(X * 1000)",
            "MAKE_DATE_TIME(2024, 2, N)",
            "MAKE_DATE_TIME(2000 + N, ABS(N), 28, 23, 59, 59, 123456789)",
            "MAKE_DATE_TIME(2023, 12, 31, N, N, N)",
            "FV(X, N, -250)",
            "FV(X / 100, N, -250, -2000, TRUE)",
            "PV(X / 100, N, -500, 20000, N)",
            "PMT(X, N, 20000)",
            "PMT(0, N, 20000, 100)",
            "NPER(X / 100, -500, -2000, 20000, N)",
            "NPER(X, N * 100, -2000)",
            "NPER(0, N, -10, 5)",
            "RATE(N, -500, 20000)",
            "RATE(ABS(N) + 1, X * -100, 20000, 0, N)",
            "RATE(12, -250, -2000, X * 1000, TRUE)",
            "REPLACECHR(N, S, S, 'x')",
            "REPLACECHR(0, S, 'A' || S, S)",
            "REPLACESTR(N, S, S, 'l', S)",
            "REPLACESTR(0, S, 'A', S, '$1\\')",
            "REG_MATCH(S, S)",
            "REG_EXTRACT(S, '(' || LOWER(S) || ')')",
            "TO_CHAR(TO_DATE('2024-02-29', 'YYYY-MM-DD'), S)",
            "IS_DATE(S, S)",
        ],
    ),
}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_evaluator_and_spark_agree(spark: object, group: str) -> None:
    columns, expressions = GROUPS[group]
    problems = differ(spark, columns, expressions)
    assert not problems, "\n".join(problems[:20])


def test_grid_covers_nulls_and_edges() -> None:
    rows = rows_for({"S": "string", "N": "integer"})
    assert any(r["S"] is None for r in rows) and any(r["N"] is None for r in rows)
    assert (
        any(r["S"] == "" for r in rows) and any(r["N"] == 0 for r in rows) and any(r["N"] == -3 for r in rows)
    )
    dates = rows_for({"T": "date"})
    assert any(r["T"] == datetime(2024, 2, 29, 13, 5, 7, 123456) for r in dates)


def test_the_comparison_detects_disagreements(spark: object) -> None:
    from tests.expr import differential

    original = differential.to_pyspark
    differential.to_pyspark = lambda node, ctx: "F.lit(1)"  # a translation that is wrong for most rows
    try:
        problems = differ(spark, {"N": "integer"}, ["N + 1"])
    finally:
        differential.to_pyspark = original
    assert len(problems) >= 5
    assert same(1, 1.0) and same(None, None) and not same(None, 0) and not same("1", 1)
    assert same(0.1 + 0.2, 0.3) and not same(1.0, 1.001)


@pytest.mark.parametrize(
    "text", ["N / (N - N)", "MOD(N, 0)", "TO_DATE(S, 'MM/DD/YYYY')", "ERROR('x')", "SQRT(N - 100)"]
)
def test_row_errors_fail_in_both(spark: object, text: str) -> None:
    from pyspark.errors import PySparkException
    from pyspark.sql import functions as F  # noqa: N812

    from infaflow.expr import DictEnvironment, RowError, evaluate, parse, to_pyspark
    from tests.expr.differential import TypedContext

    columns = {"N": "integer", "S": "string"}
    row = {"N": 7, "S": "2024-01-01"}
    with pytest.raises(RowError):
        evaluate(parse(text), DictEnvironment(row))
    code = to_pyspark(parse(text), TypedContext(columns))
    frame = spark.createDataFrame([(7, "2024-01-01")], "N bigint, S string")  # type: ignore[attr-defined]
    with pytest.raises(PySparkException):
        frame.select(eval(code, {"F": F})).collect()  # noqa: S307 - generated code, see differential.py


def test_aggregates_agree(spark: object) -> None:
    """SUM & co. inside groupBy().agg() against the evaluator over each group's rows."""
    from pyspark.sql import functions as F  # noqa: N812

    from infaflow.expr import DictEnvironment, evaluate, parse, to_pyspark
    from tests.expr.differential import TypedContext

    class Ordered(TypedContext):
        def row_order(self) -> str:
            return 'F.col("__row")'

    rows = [
        ("a", 1, 1.5, "x"),
        ("a", None, 2.5, "y"),
        ("a", 3, None, None),
        ("b", None, None, "z"),
        ("b", 5, -1.0, "z"),
        ("c", None, None, None),
        ("d", 2, 0.5, "x"),
        ("d", 2, 0.25, "w"),
        ("d", 9, 4.0, "x"),
    ]
    columns = {"G": "string", "N": "integer", "X": "double", "S": "string"}
    expressions = [
        "SUM(N)",
        "SUM(N, S = 'x')",
        "SUM(X)",
        "AVG(N)",
        "AVG(X, N > 1)",
        "COUNT(N)",
        "COUNT(*)",
        "COUNT(*, S = 'x')",
        "COUNT(S, N > 1)",
        "MIN(N)",
        "MAX(X)",
        "MIN(S)",
        "MAX(S, N < 9)",
        "FIRST(S)",
        "LAST(N)",
        "FIRST(X, N > 1)",
        "MEDIAN(X)",
        "MEDIAN(N)",
        "PERCENTILE(N, 25)",
        "PERCENTILE(X, 90, N > 0)",
        "STDDEV(X)",
        "VARIANCE(N)",
        "SUM(N) + MAX(X)",
    ]
    ctx = Ordered(columns)
    frame = spark.createDataFrame(rows, "G string, N bigint, X double, S string")  # type: ignore[attr-defined]
    frame = frame.withColumn("__row", F.monotonically_increasing_id())
    aggs = [
        eval(to_pyspark(parse(e), ctx), {"F": F}).alias(f"e{i}")  # noqa: S307 - see differential.py
        for i, e in enumerate(expressions)
    ]
    result = {r["G"]: r for r in frame.groupBy("G").agg(*aggs).collect()}
    problems = []
    for group in sorted(result):
        members = [dict(zip(columns, r, strict=True)) for r in rows if r[0] == group]
        env = DictEnvironment(members[-1], group=members)
        for i, text in enumerate(expressions):
            want, got = evaluate(parse(text), env), result[group][f"e{i}"]
            if not same(want, got):
                problems.append(f"{text} group {group}: evaluator {want!r}, spark {got!r}")
    assert not problems, "\n".join(problems)


def test_running_functions_agree(spark: object) -> None:
    """CUME, MOVINGSUM and MOVINGAVG in input order: one environment carried from row to row against
    windows over the row order."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812

    from infaflow.expr import DictEnvironment, evaluate, parse, to_pyspark
    from tests.expr.differential import TypedContext

    class Ordered(TypedContext):
        def row_order(self) -> str:
            return 'F.col("__row")'

    values = [3, None, 4, -1, None, None, None, 7, 2, 0, 5, None, 8]
    doubles = [None if v is None else v / 4 for v in values]
    expressions = [
        "CUME(N)",
        "CUME(X)",
        "CUME(N, N > 0)",
        "MOVINGSUM(N, 3)",
        "MOVINGSUM(X, 2)",
        "MOVINGAVG(N, 3)",
        "MOVINGAVG(X, 4, X > 0)",
        "MOVINGSUM(N, 1)",
    ]
    columns = {"N": "integer", "X": "double"}
    ctx = Ordered(columns)
    env = DictEnvironment({"N": None, "X": None})
    nodes = [parse(e) for e in expressions]
    expected = []
    for n, x in zip(values, doubles, strict=True):
        env.values.update({"n": n, "x": x})
        expected.append([evaluate(node, env) for node in nodes])
    frame = spark.createDataFrame(
        list(zip(range(len(values)), values, doubles, strict=True)),  # type: ignore
        "__row bigint, N bigint, X double",
    )
    selected = [
        eval(to_pyspark(node, ctx), {"F": F, "Window": Window}).alias(f"e{i}")  # noqa: S307
        for i, node in enumerate(nodes)
    ]
    actual = [tuple(r[1:]) for r in frame.select("__row", *selected).orderBy("__row").collect()]
    problems = [
        f"{text} row {i}: evaluator {w!r}, spark {g!r}"
        for i, (want, got) in enumerate(zip(expected, actual, strict=True))
        for text, w, g in zip(expressions, want, got, strict=True)
        if not same(w, g)
    ]
    assert not problems, "\n".join(problems)
