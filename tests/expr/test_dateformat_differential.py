"""Date formats in Spark against the evaluator: every token, literal formats and formats held in a column,
on random dates (years 2 to 9998, with time parts) and on random strings near valid dates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.expr.differential import differ

pytestmark = pytest.mark.spark

#: each token at least once, separators, quoted text, the optional time part, case variants
FORMATS = [
    "MM/DD/YYYY HH24:MI:SS.US",
    "YYYYMMDDHH24MISS",
    "J",
    "SSSSS",
    "YYYY DDD SSSSS",
    "DD-MON-RR",
    "RR/MM/DD",
    "YY-MM-DD",
    "YYY DDD",
    "Y-MM-DD",
    "D DY DAY Q YYYY-MM-DD",
    "HH12:MI:SS AM MM/DD/YYYY",
    "MM/DD/YYYY HH:MI:SS P.M.",
    "MM/DD/YYYY HH12:MI A.M.",
    "MONTH DD, YYYY",
    "mon dd yyyy",
    'YYYY"T"HH24:MI:SS',
    '"day "DDD" of "YYYY',
    "DD.MM.YYYY HH24:MI:SS.MS",
    "MM/DD/YYYY HH24:MI:SS.NS",
    "Month-DD-YYYY",
]


def _dates(count: int, seed: int) -> list[datetime | None]:
    rng = random.Random(seed)
    out: list[datetime | None] = [
        None,
        datetime(2000, 2, 29),
        datetime(1999, 12, 31, 23, 59, 59, 999999),
        datetime(2, 1, 1),
        datetime(9998, 12, 31, 12, 0, 0),
        datetime(2049, 6, 1),
        datetime(2050, 6, 1, 0, 0, 1),
    ]
    start = datetime(2, 1, 1)  # PySpark cannot bring year 1 back to Python in every time zone
    while len(out) < count:
        day = start + timedelta(
            days=rng.randrange(3651000),
            seconds=rng.randrange(86400),
            microseconds=rng.choice([0, rng.randrange(1_000_000)]),
        )
        out.append(day)
    return out


def test_literal_formats_write_and_read_back(spark: object) -> None:
    columns = {"T": "date"}
    rows = [{"T": t} for t in _dates(150, 1)]
    expressions = []
    for fmt in FORMATS:
        expressions += [
            f"TO_CHAR(T, '{fmt}')",
            f"TO_DATE(TO_CHAR(T, '{fmt}'), '{fmt}')",
            f"IS_DATE(TO_CHAR(T, '{fmt}'), '{fmt}')",
        ]
    problems = differ(spark, columns, expressions, rows)
    assert not problems, "\n".join(problems[:20])


def test_formats_held_in_a_column(spark: object) -> None:
    """The format is a port: tokenized and turned into a regex at run time (invalid formats included)."""
    columns = {"T": "date", "F": "string"}
    rng = random.Random(2)
    formats: list[Any] = [
        *FORMATS,
        None,
        "",
        "YYYY-XX",
        "MM/DD/YYYY",
        '"unterminated',
        "hh24mi",
        "YYYY é",
        '"é" YYYY',
    ]
    rows = [{"T": t, "F": rng.choice(formats)} for t in _dates(400, 3)]
    problems = differ(
        spark,
        columns,
        [
            "TO_CHAR(T, F)",
            "TO_DATE(TO_CHAR(T, F), F)",
            "IS_DATE(TO_CHAR(T, F), F)",
            "IS_DATE(TO_CHAR(T, 'MM/DD/YYYY'), F)",
        ],
        rows,
    )
    assert not problems, "\n".join(problems[:20])


def _mangled(text: str, rng: random.Random) -> str:
    """A string near a valid date: a character dropped, doubled, changed or a digit bumped."""
    if not text:
        return text
    i = rng.randrange(len(text))
    choice = rng.randrange(5)
    if choice == 0:
        return text[:i] + text[i + 1 :]
    if choice == 1:
        return text[:i] + text[i] + text[i:]
    if choice == 2:
        return text[:i] + rng.choice("9x/ :0") + text[i + 1 :]
    if choice == 3:
        return text[:i] + "13" + text[i + 1 :]
    return text


def test_reading_strings_near_dates(spark: object) -> None:
    """IS_DATE and TO_DATE on strings that may or may not match (invalid days, months, hours, lengths)."""
    from infaflow.expr.dateformat import format_date

    rng = random.Random(4)
    columns = {"S": "string", "F": "string"}
    rows: list[dict[str, Any]] = [{"S": None, "F": "J"}, {"S": "2451544", "F": None}]
    for t in _dates(500, 5)[1:]:
        fmt = rng.choice(FORMATS)
        assert t is not None
        rows.append({"S": _mangled(format_date(t, fmt), rng), "F": fmt})
    literal = [
        "IS_DATE(S, 'MM/DD/YYYY HH24:MI:SS.US')",
        "IS_DATE(S, 'DD-MON-RR')",
        "IS_DATE(S, 'J')",
        "IS_DATE(S, 'HH12:MI:SS AM MM/DD/YYYY')",
        "IS_DATE(S, 'YYYY DDD SSSSS')",
    ]
    problems = differ(spark, columns, ["IS_DATE(S, F)", *literal], rows)
    assert not problems, "\n".join(problems[:20])
    matching = [r for r in rows if r["S"] is not None and r["F"] is not None]
    problems = differ(spark, columns, ["IIF(IS_DATE(S, F), TO_DATE(S, F))"], matching)
    assert not problems, "\n".join(problems[:20])


def test_date_parts_held_in_a_column(spark: object) -> None:
    """ADD_TO_DATE, DATE_DIFF, GET_DATE_PART and SET_DATE_PART with the part in a port (any name, any case,
    surrounding spaces; unknown names are row errors, left out by the comparison)."""
    from infaflow.expr.functions.dates import PARTS

    rng = random.Random(6)
    names: list[Any] = [*PARTS, "mm", " dd ", "Hh24", None]
    columns = {"T": "date", "P": "string", "N": "integer"}
    rows = [
        {"T": t, "P": rng.choice(names), "N": rng.choice([None, 0, 1, -3, 40, 1500])} for t in _dates(300, 7)
    ]
    problems = differ(
        spark,
        columns,
        [
            "ADD_TO_DATE(T, P, N)",
            "DATE_DIFF(T, ADD_TO_DATE(T, 'SS', N), P)",
            "GET_DATE_PART(T, P)",
            "ADD_TO_DATE(T, 'NS', N * 1000)",
        ],
        rows,
    )
    assert not problems, "\n".join(problems[:20])
    settable = [r for r in rows if str(r["P"]).strip().upper() not in ("NS", "NONE")]
    problems = differ(spark, columns, ["SET_DATE_PART(T, P, ABS(N) % 13 + 1)"], settable)
    assert not problems, "\n".join(problems[:20])
