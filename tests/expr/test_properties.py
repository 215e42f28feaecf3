"""Properties over generated inputs: printing and re-parsing, date formats, string positions; and a seeded
random differential run against Spark for the position-heavy string functions."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infaflow.expr import parse, to_text
from infaflow.expr.dateformat import format_date, parse_date
from infaflow.expr.functions.strings import instr, pad, substr

names = st.sampled_from(["A", "b_2", "$$P", "$s1.Status", "PORT#1"])
literals = st.one_of(
    st.integers(0, 10**6).map(str),
    st.text("ab' x", max_size=5).map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.just("NULL"),
)
OPERATORS = ["+", "-", "*", "/", "%", "||", "<", "<=", ">", ">=", "=", "<>", "AND", "OR"]


def _expressions(leaves: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(
                st.sampled_from(["IIF", "DECODE", "CONCAT"]), st.lists(inner, min_size=2, max_size=4)
            ).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            inner.map(lambda e: f"NOT {e}"),
            inner.map(lambda e: f"-({e})"),
            inner.map(lambda e: f"- {e}"),
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(_expressions(st.one_of(names, literals)))
def test_printing_and_reparsing_is_stable(text: str) -> None:
    once = to_text(parse(text))
    assert to_text(parse(once)) == once


moments = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    moments,
    st.sampled_from(
        [
            "MM/DD/YYYY HH24:MI:SS.US",
            "YYYY-MM-DD HH24:MI:SS.US",
            "DD-MON-YYYY HH12:MI:SS.US AM",
            "YYYYMMDDHH24MISSUS",
            "MONTH DD YYYY HH24:MI:SS.US",
            "DDD YYYY HH24:MI:SS.US",
            "J HH24:MI:SS.US",
        ]
    ),
)
def test_dates_survive_writing_and_reading(moment: datetime, fmt: str) -> None:
    assert parse_date(format_date(moment, fmt), fmt) == moment


@given(st.text("ab,", max_size=12), st.integers(-15, 15), st.one_of(st.none(), st.integers(-3, 15)))
def test_substr_is_a_piece_of_the_string(text: str, start: int, length: int | None) -> None:
    piece = substr(text, start, length)
    assert piece in text
    assert length is None or len(piece) <= max(length, 0)
    if 1 <= start <= len(text) and length is None:
        assert piece == text[start - 1 :]


@given(
    st.text("ab,", max_size=12),
    st.text("ab,", min_size=1, max_size=3),
    st.integers(-15, 15),
    st.integers(1, 4),
)
def test_instr_finds_real_occurrences(text: str, search: str, start: int, occurrence: int) -> None:
    position = instr(text, search, start, occurrence)
    if position:
        assert text[position - 1 :].startswith(search)
        if start > 0:
            assert position >= start
    else:
        found = [i + 1 for i in range(len(text)) if text.startswith(search, i)]
        if start >= 0:
            assert len([p for p in found if p >= max(start, 1)]) < occurrence


@given(st.text("ab", max_size=8), st.integers(-2, 12), st.text("xy", max_size=3))
def test_pads(text: str, length: int, fill: str) -> None:
    left, right = pad(text, length, fill, True), pad(text, length, fill, False)
    if length <= 0:
        assert left == right == ""
    elif fill or len(text) >= length:
        assert len(left) == len(right) == length
        assert left.endswith(text[:length]) and right.startswith(text[:length])


@pytest.mark.spark
def test_random_strings_and_positions_agree_with_spark(spark: object) -> None:
    from tests.expr.differential import differ

    rng = random.Random(20240229)
    alphabet = "ab, A"
    rows = []
    for _ in range(400):
        text = None if rng.random() < 0.1 else "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        rows.append(
            {
                "S": text,
                "P": None if rng.random() < 0.1 else rng.randint(-10, 10),
                "L": None if rng.random() < 0.1 else rng.randint(-3, 10),
            }
        )
    columns = {"S": "string", "P": "integer", "L": "integer"}
    expressions = [
        "SUBSTR(S, P)",
        "SUBSTR(S, P, L)",
        "INSTR(S, 'a', P)",
        "INSTR(S, 'a', P, L)",
        "INSTR(S, 'ab', P, 2)",
        "INSTR(S, ',', -1)",
        "LPAD(S, L, 'xy')",
        "RPAD(S, L)",
        "REPLACESTR(0, S, 'a', ', ', '_')",
        "REPLACECHR(0, S, 'a,', '')",
        "LTRIM(S, 'a ')",
        "INITCAP(S)",
        "IS_SPACES(S)",
        "S || P || L",
        "INSTR(S, SUBSTR(S, 2, 2), P, L)",
    ]
    problems = differ(spark, columns, expressions, rows)
    assert not problems, "\n".join(problems[:20])
