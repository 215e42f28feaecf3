"""Informatica date formats: each token written and read, the Spark patterns they become."""

from __future__ import annotations

from datetime import datetime

import pytest

from infaflow.expr.dateformat import (
    DEFAULT_DATE_FORMAT,
    format_date,
    parse_date,
    spark_format_pattern,
    spark_parse_patterns,
    tokenize_format,
)

MOMENT = datetime(2024, 2, 29, 13, 5, 7, 123456)  # a Thursday in a leap year


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("YYYY", "2024"),
        ("YYY", "024"),
        ("YY", "24"),
        ("Y", "4"),
        ("RR", "24"),
        ("MM", "02"),
        ("MON", "Feb"),
        ("MONTH", "February"),
        ("DD", "29"),
        ("DDD", "060"),
        ("D", "5"),
        ("DY", "Thu"),
        ("DAY", "Thursday"),
        ("HH", "01"),
        ("HH12", "01"),
        ("HH24", "13"),
        ("MI", "05"),
        ("SS", "07"),
        ("SSSSS", "47107"),
        ("MS", "123"),
        ("US", "123456"),
        ("NS", "123456000"),
        ("AM", "PM"),
        ("PM", "PM"),
        ("J", "2460370"),
        ("Q", "1"),
        ("mm/dd/yyyy", "02/29/2024"),
        ('YYYY"T"HH24', "2024T13"),
        (DEFAULT_DATE_FORMAT, "02/29/2024 13:05:07.123456"),
    ],
)
def test_each_token_is_written(fmt: str, text: str) -> None:
    assert format_date(MOMENT, fmt) == text


def test_midnight_and_noon_on_12_hour_clock() -> None:
    assert format_date(datetime(2024, 1, 1, 0, 0), "HH12 AM") == "12 AM"
    assert format_date(datetime(2024, 1, 1, 12, 0), "HH12 AM") == "12 PM"


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2024", "YYYY", datetime(2024, 1, 1)),
        ("24", "YY", datetime(2024, 1, 1)),
        ("49", "RR", datetime(2049, 1, 1)),
        ("50", "RR", datetime(1950, 1, 1)),
        ("02/29/2024", "MM/DD/YYYY", datetime(2024, 2, 29)),
        ("2/9/2024", "MM/DD/YYYY", datetime(2024, 2, 9)),
        ("feb 29 2024", "MON DD YYYY", datetime(2024, 2, 29)),
        ("FEBRUARY-29-2024", "MONTH-DD-YYYY", datetime(2024, 2, 29)),
        ("060 2024", "DDD YYYY", datetime(2024, 2, 29)),
        ("01:05:07 PM 02/29/2024", "HH12:MI:SS AM MM/DD/YYYY", datetime(2024, 2, 29, 13, 5, 7)),
        ("12:00 AM 01/01/2024", "HH:MI AM MM/DD/YYYY", datetime(2024, 1, 1, 0, 0)),
        ("20240229130507", "YYYYMMDDHH24MISS", datetime(2024, 2, 29, 13, 5, 7)),
        ("2024-02-29 13:05:07.123", "YYYY-MM-DD HH24:MI:SS.MS", datetime(2024, 2, 29, 13, 5, 7, 123000)),
        ("02/29/2024 13:05:07.123456", DEFAULT_DATE_FORMAT, MOMENT),
        ("02/29/2024 13:05:07", DEFAULT_DATE_FORMAT, datetime(2024, 2, 29, 13, 5, 7)),
        ("02/29/2024", DEFAULT_DATE_FORMAT, datetime(2024, 2, 29)),
        ("47107 2024", "SSSSS YYYY", datetime(2024, 1, 1, 13, 5, 7)),
        ("2460370", "J", datetime(2024, 2, 29)),
    ],
)
def test_reading(text: str, fmt: str, expected: datetime) -> None:
    assert parse_date(text, fmt) == expected


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("02/30/2024", "MM/DD/YYYY"),  # no such day
        ("02/29/2023", "MM/DD/YYYY"),  # not a leap year
        ("2024-02-29", "MM/DD/YYYY"),  # separators must match
        ("02/29/2024 13", "MM/DD/YYYY"),  # trailing text
        ("13/01/2024", "MM/DD/YYYY"),
        ("Foo 01 2024", "MON DD YYYY"),
        ("02/29/2024 25:00:00", "MM/DD/YYYY HH24:MI:SS"),
        ("", "YYYY"),
    ],
)
def test_reading_rejects(text: str, fmt: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text, fmt)


def test_round_trip_of_every_day_of_a_leap_year() -> None:
    day = datetime(2024, 1, 1, 23, 59, 58)
    for _ in range(366):
        assert parse_date(format_date(day, DEFAULT_DATE_FORMAT), DEFAULT_DATE_FORMAT) == day
        day = datetime.fromordinal(day.toordinal() + 1).replace(hour=23, minute=59, second=58)


def test_invalid_format_token() -> None:
    with pytest.raises(ValueError, match="invalid date format token"):
        tokenize_format("YYYY-XX")


def test_spark_patterns() -> None:
    assert spark_format_pattern(DEFAULT_DATE_FORMAT) == "MM/dd/yyyy HH:mm:ss.SSSSSS"
    assert spark_format_pattern("DD-MON-YYYY HH12:MI AM") == "dd-MMM-yyyy hh:mm a"
    assert spark_format_pattern('YYYY"T"MM') == "yyyy'T'MM"
    assert spark_parse_patterns("MM/DD/YYYY") == ["M/d/y"]
    assert spark_parse_patterns("YYYYMMDD") == ["yyyyMMdd"]
    assert spark_parse_patterns(DEFAULT_DATE_FORMAT) == [
        "M/d/y H:m:s.SSSSSS",
        "M/d/y H:m:s",
        "M/d/y H:m",
        "M/d/y H",
        "M/d/y",
    ]
    for fmt in ("J", "SSSSS", "D", "YYY"):
        with pytest.raises(ValueError):
            spark_format_pattern(fmt)
    for fmt in ("RR", "D", "DY"):
        with pytest.raises(ValueError):
            spark_parse_patterns(fmt)
