"""PySpark translation: readable output for common shapes, Unsupported with positions, bounded size."""

from __future__ import annotations

import pytest

from infaflow.expr import SparkContext, Unsupported, parse, to_pyspark, to_pyspark_condition


class Ctx(SparkContext):
    types = {"NAME": "string", "QTY": "integer", "PRICE": "decimal", "D": "date", "X": "double"}

    def column_type(self, name: str) -> str:
        return self.types.get(name.upper(), "")

    def parameter(self, name: str) -> str:
        return f'F.lit(params["{name}"])'

    def lookup(self, name: str, arg_codes: list[str]) -> str:
        return f"lookup_{name}({', '.join(arg_codes)})"


def tr(text: str) -> str:
    return to_pyspark(parse(text), Ctx())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("QTY * PRICE", '(F.col("QTY") * F.col("PRICE"))'),
        (
            "IIF(ISNULL(NAME), 'n/a', UPPER(NAME))",
            'F.when(F.col("NAME").isNull(), F.lit("n/a")).otherwise(F.upper(F.col("NAME")))',
        ),
        (
            "IIF(QTY > 10, 'big', IIF(QTY > 5, 'mid', 'small'))",
            'F.when((F.col("QTY") > F.lit(10)), F.lit("big")).when((F.col("QTY") > F.lit(5)), F.lit("mid"))'
            '.otherwise(F.lit("small"))',
        ),
        ("IIF(QTY > 10, NAME)", 'F.when((F.col("QTY") > F.lit(10)), F.col("NAME")).otherwise(F.lit(""))'),
        ("IIF(QTY > 10, QTY)", 'F.when((F.col("QTY") > F.lit(10)), F.col("QTY")).otherwise(F.lit(0))'),
        ("IIF(QTY > 10, D)", 'F.when((F.col("QTY") > F.lit(10)), F.col("D"))'),
        ("NAME || '-' || QTY", 'F.concat_ws("", F.col("NAME"), F.lit("-"), F.col("QTY").cast("string"))'),
        ("TO_CHAR(D, 'MM/DD/YYYY')", 'F.date_format(F.col("D"), "MM/dd/yyyy")'),
        (
            "DECODE(QTY, 1, 'one', 2, 'two', 'many')",
            'F.when(F.col("QTY").eqNullSafe(F.lit(1)), F.lit("one")).when(F.col("QTY").eqNullSafe(F.lit(2)), '
            'F.lit("two")).otherwise(F.lit("many"))',
        ),
        ("ROUND(PRICE, 2)", 'F.round(F.col("PRICE"), 2)'),
        ("ADD_TO_DATE(D, 'MM', 1)", 'F.timestamp_add("MONTH", F.lit(1).cast("bigint"), F.col("D"))'),
        ("SUM(QTY, QTY > 0)", 'F.sum(F.when((F.col("QTY") > F.lit(0)), F.col("QTY")))'),
        ("COUNT(*)", "F.count(F.lit(1))"),
        ("$$RATE * X", '(F.lit(params["$$RATE"]) * F.col("X"))'),
        (":LKP.lkp_rate(NAME, 1)", 'lookup_lkp_rate(F.col("NAME"), F.lit(1))'),
        ("QTY = 1", '(F.col("QTY") == F.lit(1)).cast("int")'),
        (
            "NAME = 5",
            '(F.coalesce(F.nullif(F.regexp_extract(F.col("NAME"), \'^[ \\\\t\\\\n\\\\r\\\\f\\\\x0b]*([+-]?'
            '(?:[0-9]+\\\\.?[0-9]*|\\\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\', 1), F.lit("")), F.when(F.col("NAME")'
            '.isNotNull(), F.lit("0"))).cast("decimal(38,10)") == F.lit(5)).cast("int")',
        ),
    ],
)
def test_translation(text: str, code: str) -> None:
    assert tr(text) == code


def test_condition_form() -> None:
    assert (
        to_pyspark_condition(parse("QTY > 1 AND NOT ISNULL(NAME)"), Ctx())
        == '((F.col("QTY") > F.lit(1)) & (~F.col("NAME").isNull()))'
    )
    assert to_pyspark_condition(parse("QTY"), Ctx()) == '(F.col("QTY") != 0)'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (":SP.proc(QTY)", ":SP.proc cannot be translated to PySpark (at 1:1)"),
        ("QTY + FOO(1)", "unknown function FOO (at 1:7)"),
        ("SETVARIABLE($$V, QTY)", "SETVARIABLE has no exact PySpark equivalent"),
        (
            "IIF(QTY > 1, UNKNOWN_PORT)",
            "IIF: IIF without a third argument needs the type of its second argument",
        ),
        ("TRUNC(UNKNOWN_PORT)", "TRUNC: the type of the first argument is unknown"),
        ("ROUND(X, QTY)", "ROUND: the precision must be an integer literal (at 1:1)"),
        ("TO_CHAR(D, 'YYYY-XX')", "TO_CHAR: invalid date format token at 'XX'"),
        ("TO_DATE(NAME, 'YYYY-XX')", "TO_DATE: invalid date format token at 'XX'"),
        ("CONVERT_BASE(NAME, QTY, 10)", "CONVERT_BASE: the bases must be integer literals between 2 and 36"),
        ("COMPRESS(NAME)", "COMPRESS has no exact PySpark equivalent: Spark has no zlib function"),
        ("FIRST(QTY)", "FIRST: needs the input order of rows"),
        ("CUME(QTY)", "CUME: needs the input order of rows"),
        ("MOVINGAVG(QTY, QTY)", "MOVINGAVG: the number of rows must be a positive integer literal"),
        ("MAX(COUNT(QTY))", "MAX: nested aggregate COUNT"),
        ("REG_REPLACE(NAME, 'a', 'b', 2)", "REG_REPLACE: a replacement count other than 0"),
        ("SET_DATE_PART(D, 'NS', 1)", "SET_DATE_PART: nanoseconds are below Spark's precision"),
        ("SUBSTR(NAME)", "SUBSTR takes 2 to 3 arguments, got 1"),
    ],
)
def test_unsupported_names_function_and_position(text: str, message: str) -> None:
    with pytest.raises(Unsupported) as info:
        to_pyspark(parse(text, file="m.xml", line=4), Ctx())
    assert message in info.value.message
    assert info.value.file == "m.xml" and info.value.line == 4


def test_default_context_refuses_parameters_and_lookups() -> None:
    with pytest.raises(Unsupported, match=r"no value for \$\$P"):
        to_pyspark(parse("$$P + 1"))
    with pytest.raises(Unsupported, match=":LKP.l needs the lookup's data"):
        to_pyspark(parse(":LKP.l(1)"))
    assert to_pyspark(parse("A.B + 1")) == '(F.col("`A.B`") + F.lit(1))'


def test_generated_code_stays_linear_in_nesting() -> None:
    """Constructs that use an argument several times bind it once instead of repeating it."""
    text = "NAME"
    sizes = []
    for _ in range(12):
        text = f"INSTR(LPAD(TO_CHAR(TO_INTEGER({text}) + 1), 5), 'a', 2, 2) || CONCAT(NAME, NAME)"
        sizes.append(len(tr(text)))
    growth = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert max(growth) < 3 * min(growth)  # linear, not exponential
    assert "F.element_at(F.transform(F.array(" in tr(text)


def test_tidy_drops_only_sole_argument_parentheses() -> None:
    from infaflow.expr.sparkcode import tidy

    assert tidy('F.abs((F.col("A") + F.lit(1)))') == 'F.abs(F.col("A") + F.lit(1))'
    assert tidy('(F.col("A") + F.lit(1)).cast("int")') == '(F.col("A") + F.lit(1)).cast("int")'
    assert tidy('F.when((F.col("A") > 1), F.lit("((x))"))') == 'F.when((F.col("A") > 1), F.lit("((x))"))'
    assert tidy("F.f(((a)))") == "F.f(a)"


@pytest.mark.spark
def test_rand_is_a_uniform_double_in_spark(spark: object) -> None:
    """RAND cannot be compared row by row (each engine has its own generator): its range and seed."""
    from pyspark.sql import functions as F  # noqa: N812

    code = to_pyspark(parse("RAND(7)"), Ctx())
    assert code == "F.rand(7)" and to_pyspark(parse("RAND()"), Ctx()) == "F.rand()"
    frame = spark.range(200)  # type: ignore[attr-defined]
    values = [r[0] for r in frame.select(eval(code, {"F": F})).collect()]  # noqa: S307 - generated code
    assert all(0 <= v < 1 for v in values) and len(set(values)) > 190
    assert values == [r[0] for r in frame.select(eval(code, {"F": F})).collect()]  # noqa: S307
