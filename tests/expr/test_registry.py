"""The function registry: declared once, complete, and every function tested both ways."""

from __future__ import annotations

import re
from pathlib import Path

from infaflow.expr import REGISTRY

HERE = Path(__file__).parent
SPEC_FUNCTIONS = """IIF DECODE CHOOSE IN ISNULL IS_SPACES IS_NUMBER IS_DATE SUBSTR INSTR LPAD RPAD LTRIM RTRIM INITCAP
REPLACECHR REPLACESTR REVERSE CHR ASCII CONCAT REG_EXTRACT REG_MATCH REG_REPLACE MD5 LENGTH UPPER LOWER TO_CHAR
TO_DATE TO_INTEGER TO_BIGINT TO_DECIMAL TO_FLOAT ADD_TO_DATE DATE_DIFF DATE_COMPARE GET_DATE_PART SET_DATE_PART
LAST_DAY TRUNC ROUND SYSDATE SYSTIMESTAMP SESSSTARTTIME ABS CEIL FLOOR MOD POWER SQRT EXP LN LOG SIGN SUM AVG COUNT
MIN MAX FIRST LAST MEDIAN PERCENTILE STDDEV VARIANCE SETVARIABLE SETMAXVARIABLE SETMINVARIABLE SETCOUNTVARIABLE
ERROR ABORT CUME MOVINGSUM MOVINGAVG""".split()


def test_every_spec_function_is_declared() -> None:
    assert sorted(set(SPEC_FUNCTIONS) - set(REGISTRY)) == []


def test_every_function_has_a_spark_form_or_says_why_not() -> None:
    for fn in REGISTRY.values():
        assert (fn.evaluate is None) != (fn.lazy is None), fn.name
        assert fn.spark is not None or fn.no_spark, fn.name
        assert fn.max_args is None or fn.max_args >= fn.min_args, fn.name


def _called(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    called = {m.upper() for m in re.findall(r"\b([A-Za-z_][A-Za-z_0-9]*)\(", text)}
    return called | {w for w in ("SYSDATE", "SYSTIMESTAMP", "SESSSTARTTIME") if re.search(rf"\b{w}\b", text)}


def test_every_function_is_tested_by_the_evaluator_and_against_spark() -> None:
    evaluated = _called(HERE / "test_evaluator.py")
    differential = _called(HERE / "test_differential.py")
    no_spark = {fn.name for fn in REGISTRY.values() if fn.spark is None}
    # not comparable row by row (RAND: each engine has its own generator; test_spark checks its range)
    now = {"SYSDATE", "SYSTIMESTAMP", "SESSSTARTTIME", "ABORT", "ERROR", "RAND"}
    assert sorted(set(REGISTRY) - evaluated) == []
    assert sorted(set(REGISTRY) - differential - no_spark - now) == []


def test_every_reference_function_is_declared_or_said_why_not() -> None:
    from infaflow.expr.reference import EXTRA_NAMES, NOT_IMPLEMENTED, REFERENCE_FUNCTIONS

    assert sorted(set(REFERENCE_FUNCTIONS) - set(REGISTRY) - set(NOT_IMPLEMENTED)) == []
    assert sorted(set(REGISTRY) - set(REFERENCE_FUNCTIONS) - EXTRA_NAMES) == []
    assert not set(NOT_IMPLEMENTED) & set(REGISTRY)
    assert len(REFERENCE_FUNCTIONS) == len(set(REFERENCE_FUNCTIONS)) > 100


def test_the_function_table_of_the_docs_is_the_registry() -> None:
    from infaflow.expr.reference import function_table

    text = (HERE.parent.parent / "docs" / "expr.md").read_text(encoding="utf-8")
    start, end = "<!-- function-table:start -->\n", "<!-- function-table:end -->"
    documented = text[text.index(start) + len(start) : text.index(end)]
    assert documented == function_table()
    assert "| SOUNDEX | yes | yes |" in documented and "| COMPRESS | yes | no |" in documented
    assert "| METAPHONE | no | no |" in documented
