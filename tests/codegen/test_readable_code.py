"""Pieces of generated code that exist for the reader: long literals cut clause by clause, expression
comments, Use Any Value as dropDuplicates."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv
from hypothesis import given
from hypothesis import strategies as st

from infaflow.codegen.comments import expression_comment
from infaflow.codegen.job import JobSource
from infaflow.codegen.naming import literal_pieces, sql_argument
from infaflow.expr.sparkcode import Code, operator_group
from infaflow.model import Transformation


@given(
    st.lists(
        st.sampled_from([*"ab \n,()'\"", "FROM ", "WHERE ", " AND ", "\r\n", "x" * 40]), max_size=60
    ).map("".join)
)
def test_literal_pieces_concatenate_to_the_text(text: str) -> None:
    pieces = literal_pieces(text, width=30)
    assert "".join(pieces) == text


def test_a_long_query_is_cut_before_its_clauses() -> None:
    sql = (
        "SELECT STORES.STORE_ID, STORES.STORE_NAME, STORES.CITY, REGIONS.REGION_NAME FROM STORES, REGIONS "
        "WHERE (STORES.REGION_ID = REGIONS.REGION_ID) AND (STORES.IS_ACTIVE = 'Y') ORDER BY STORES.STORE_ID"
    )
    pieces = literal_pieces(sql)
    assert pieces == [
        "SELECT STORES.STORE_ID, STORES.STORE_NAME, STORES.CITY, REGIONS.REGION_NAME",
        " FROM STORES, REGIONS WHERE (STORES.REGION_ID = REGIONS.REGION_ID)",
        " AND (STORES.IS_ACTIVE = 'Y') ORDER BY STORES.STORE_ID",
    ]
    lines = sql_argument("source_sql", sql)
    assert lines[0] == "    source_sql=(" and lines[-1] == "    ),"
    value = ast.literal_eval("(" + "".join(line.strip() + " " for line in lines[1:-1]) + ")")
    assert value == sql


def test_a_short_or_unbreakable_literal_stays_whole() -> None:
    assert literal_pieces("SELECT 1") == ["SELECT 1"]
    assert literal_pieces("x" * 200) == ["x" * 200]
    assert sql_argument("spark_sql", "SELECT 1") == ['    spark_sql="SELECT 1",']


@pytest.mark.parametrize(
    ("name", "expression", "expected"),
    [
        ("o_TOTAL", "A +\r\n   B", ["# o_TOTAL = A + B"]),
        ("NAME", "name", []),
        ("X", None, []),
        (
            "o_LONG",
            "IIF(" + ", ".join(f"COL_{i}" for i in range(30)) + ")",
            [
                "# o_LONG = IIF(COL_0, COL_1, COL_2, COL_3, COL_4, COL_5, COL_6, COL_7, COL_8, COL_9, COL_10, COL_11,",
                "#     COL_12, COL_13, COL_14, COL_15, COL_16, COL_17, COL_18, COL_19, COL_20, COL_21, COL_22, COL_23,",
                "#     COL_24, COL_25, COL_26, COL_27, COL_28, COL_29)",
            ],
        ),
    ],
)
def test_expression_comment(name: str, expression: str | None, expected: list[str]) -> None:
    assert expression_comment(name, expression) == expected


def _arith(depth: int) -> st.SearchStrategy:
    leaf = st.integers(1, 9).map(lambda v: (f"F({v})", f"F({v})"))
    if depth == 0:
        return leaf
    sub = _arith(depth - 1)
    node = st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub)
    return st.one_of(leaf, node.map(lambda t: _pair(*t)))


def _pair(left: tuple, op: str, right: tuple) -> tuple:
    """(fully parenthesised text, Code built by operator_group) of ``left op right``."""
    full = f"({left[0]} {op} {right[0]})"
    code = operator_group(_code(left[1]), op, _code(right[1]), "")
    return full, code


def _code(value: object) -> Code:
    return value if isinstance(value, Code) else Code(str(value))


def _logic(depth: int) -> st.SearchStrategy:
    comparison = st.tuples(_arith(2), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), _arith(2))
    leaf = comparison.map(lambda t: _pair(*t))
    if depth == 0:
        return leaf
    sub = _logic(depth - 1)
    return st.one_of(leaf, st.tuples(sub, st.sampled_from(["&", "|"]), sub).map(lambda t: _pair(*t)))


@given(st.one_of(_arith(3), _logic(2)))
def test_operator_groups_mean_what_the_fully_parenthesised_code_means(pair: tuple) -> None:
    """Dropped parentheses never change the value Python computes (Fractions stand for Columns: same
    operators, same precedence; a chained comparison would show as a different result)."""
    full, code = pair
    text = _code(code).text
    scope = {"F": Fraction}
    try:
        expected = eval(full, scope)  # noqa: S307 - test expressions built above
    except ZeroDivisionError:
        return
    assert eval(text, scope) == expected, (full, text)  # noqa: S307
    assert text.count("(") <= full.count("(")


def test_operator_groups_read_like_hand_written_code() -> None:
    a, b, c = Code('F.col("A")'), Code('F.col("B")'), Code('F.col("C")')
    product = operator_group(operator_group(a, "*", b, ""), "*", c, "")
    assert product.text == '(F.col("A") * F.col("B") * F.col("C"))'
    assert (
        operator_group(a, "-", operator_group(b, "-", c, ""), "").text
        == '(F.col("A") - (F.col("B") - F.col("C")))'
    )
    test = operator_group(operator_group(a, "+", b, ""), "==", c, "boolean")
    assert test.text == '(F.col("A") + F.col("B") == F.col("C"))'
    both = operator_group(test, "&", operator_group(a, ">", b, "boolean"), "boolean")
    assert both.text == '((F.col("A") + F.col("B") == F.col("C")) & (F.col("A") > F.col("B")))'


def _named_values_job() -> JobSource:
    """An Expression whose long subexpressions are used several times (DECODE's subject, a divisor)."""
    clean = "UPPER(LTRIM(RTRIM(REPLACESTR(1, NAME, '.', ''))))"
    b = MappingBuilder()
    b.flat_source("SRC", [("K", "integer"), ("NAME", "string"), ("AMT", "decimal")])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("K", "integer"),
                port("NAME", "string"),
                port("AMT", "decimal", precision=12, scale=2),
                port(
                    "v_KEY", "string", "LOCAL VARIABLE", f"DECODE({clean}, 'A', 'one', 'B', 'two', 'other')"
                ),
                port("o_KEY", "string", "OUTPUT", "v_KEY"),
                port("o_CODE", "integer", "OUTPUT", f"DECODE({clean}, 'A', 1, 'B', 2, 0)"),
                port(
                    "o_RATIO",
                    "decimal",
                    "OUTPUT",
                    "AMT / (K - LENGTH(LTRIM(RTRIM(REPLACESTR(1, NAME, '.', '')))))",
                    precision=12,
                    scale=2,
                ),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["K", "NAME", "AMT"])
    b.flat_target("T", [("K", "integer"), ("o_KEY", "string"), ("o_CODE", "string"), ("o_RATIO", "string")])
    b.connect("EXP", "T", ["K", "o_KEY", "o_CODE", "o_RATIO"])
    return b.render()


def test_a_value_used_several_times_is_a_named_column() -> None:
    job = _named_values_job()
    assert job.complete, job.gaps
    code = job.code
    assert "F.transform(F.array(" not in code
    clean = 'F.upper(F.ltrim(F.rtrim(F.regexp_replace(F.col("NAME"), \'\\\\.\', ""))))'
    # named after the port that needs it first, computed once, reused by the port that needs it again
    assert f'exp = exp.withColumn("_v_KEY_1", {clean})\n' in code
    assert code.count(clean) == 1
    assert '"o_CODE": F.when(F.col("_v_KEY_1").eqNullSafe(F.lit("A")), F.lit(1))' in code
    assert 'exp = exp.withColumn("_o_RATIO_1", (F.col("K") - F.length(' in code
    assert '}).drop("v_KEY", "_v_KEY_1", "_o_RATIO_1")' in code


@pytest.mark.spark
def test_named_values_compute_what_powercenter_computes(spark, tmp_path: Path) -> None:
    job = _named_values_job()
    write_csv(
        tmp_path / "src" / "src.dat",
        ["K", "NAME", "AMT"],
        [[3, "a.", 10], [2, "b", 20], [3, "x.y", 30], [4, " a ", 8], [1, "b.", 10]],
    )
    result = run_job(job, spark, tmp_path)
    # K=1, "b.": 1 - LENGTH('b') = 0, a divide by zero: the row is rejected as a transformation error
    assert read_csv(tmp_path / "tgt" / "t.out") == [
        ["3", "one", "1", "5.00"],
        ["2", "two", "2", "20.00"],
        ["3", "other", "0", "30.00"],
        ["4", "one", "1", "2.67"],
    ]
    assert result.trans_errors == 1
