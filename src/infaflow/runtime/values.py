"""Typed values of workflow variables: datatypes, defaults, parsing and storage encoding."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from infaflow.expr.dateformat import two_digit_year
from infaflow.expr.types import number_prefix

Value = None | int | float | Decimal | str | dt.datetime

#: PowerCenter's default date for a date/time variable without a value (SPEC.md D).
DEFAULT_DATE = dt.datetime(1753, 1, 1)

#: ISO forms also accepted (an infaflow extension: PowerCenter only documents the month-first forms).
_ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)

#: Advanced Workflow Guide, "Creating User-Defined Workflow Variables": MM/DD/RR or MM/DD/YYYY, optionally
#: followed by HH24:MI, HH24:MI:SS or HH24:MI:SS with .MS/.US/.NS; separators dash, slash, backslash, colon,
#: period or space, extra spaces ignored; no one- or three-digit years, no HH12.
_SEP = r"\s*[-/\\:.\s]\s*"
_MONTH_FIRST = re.compile(
    rf"\s*(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})"
    rf"(?:{_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,9}}))?)?)?\s*\Z"
)


def parse_datetime(text: str, today: dt.date | None = None) -> dt.datetime:
    """A date/time written as in parameter files, default values and ``--param`` (the documented
    month-first forms, two-digit years read as RR against ``today``'s year) or ISO."""
    m = _MONTH_FIRST.match(text)
    if m is not None:
        month, day, year, hour, minute, second, fraction = m.groups()
        if len(year) == 2:
            year = str(two_digit_year(int(year), (today or dt.date.today()).year, rr=True))
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        try:
            return dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
            )
        except ValueError:
            pass
    else:
        for fmt in _ISO_FORMATS:
            try:
                return dt.datetime.strptime(text.strip(), fmt)
            except ValueError:
                continue
    raise ValueError(f"not a date/time: {text!r} (expected MM/DD/YYYY HH24:MI:SS)")


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None


def _to_int(text: str) -> int:
    return int(_to_decimal(text))


_PARSERS: dict[str, Callable[[str], Value]] = {
    "integer": _to_int,
    "small integer": _to_int,
    "bigint": _to_int,
    "double": lambda s: float(s.strip()),
    "real": lambda s: float(s.strip()),
    "float": lambda s: float(s.strip()),
    "decimal": _to_decimal,
    "date/time": parse_datetime,
    "date": parse_datetime,
    "string": str,
    "nstring": str,
    "text": str,
    "ntext": str,
}

_DEFAULTS: dict[str, Value] = {
    "integer": 0,
    "small integer": 0,
    "bigint": 0,
    "double": 0.0,
    "real": 0.0,
    "float": 0.0,
    "decimal": Decimal(0),
    "date/time": DEFAULT_DATE,
    "date": DEFAULT_DATE,
}


def datatype_default(datatype: str) -> Value:
    """The value a variable of ``datatype`` starts with when nothing else gives one ('' / 0 / 1/1/1753)."""
    return _DEFAULTS.get(datatype.strip().lower(), "")


def parse_value(text: str, datatype: str) -> Value:
    """``text`` (from a parameter file, a default value, ``--param``) as a value of ``datatype``.

    Raises ``ValueError`` with a readable message when the text does not fit the datatype.
    """
    parser = _PARSERS.get(datatype.strip().lower(), str)
    return parser(text)


_NUMERIC = frozenset({"integer", "small integer", "bigint", "double", "real", "float", "decimal"})


def coerce(value: Value, datatype: str) -> Value:
    """An expression result converted to the variable's datatype (NULL stays NULL)."""
    if value is None:
        return None
    kind = datatype.strip().lower()
    if isinstance(value, str) and kind in _NUMERIC:
        value = number_prefix(value)  # implicit string to number: the numeric prefix, else 0
    if kind in ("integer", "small integer", "bigint"):
        if isinstance(value, dt.datetime):
            raise ValueError(f"cannot assign a date/time to a {datatype} variable")
        return int(value)
    if kind in ("double", "real", "float"):
        if isinstance(value, dt.datetime):
            raise ValueError(f"cannot assign a date/time to a {datatype} variable")
        return float(value)
    if kind == "decimal":
        if isinstance(value, dt.datetime):
            raise ValueError(f"cannot assign a date/time to a {datatype} variable")
        return Decimal(str(value))
    if kind in ("date/time", "date"):
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            return parse_datetime(value)
        raise ValueError(f"cannot assign {value!r} to a date/time variable")
    return format_value(value)


def format_value(value: Value) -> str:
    """A value as PowerCenter would print it into a command or a parameter file."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = value.strftime("%m/%d/%Y %H:%M:%S")
        return text + (f".{value.microsecond:06d}" if value.microsecond else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def encode(value: Value) -> str:
    """The value as JSON text for the run store (keeps its type)."""
    if isinstance(value, dt.datetime):
        return json.dumps({"t": "datetime", "v": value.isoformat()})
    if isinstance(value, Decimal):
        return json.dumps({"t": "decimal", "v": str(value)})
    return json.dumps({"t": "plain", "v": value})


def decode(text: str) -> Value:
    """The inverse of :func:`encode`."""
    data: dict[str, Any] = json.loads(text)
    if data["t"] == "datetime":
        return dt.datetime.fromisoformat(data["v"])
    if data["t"] == "decimal":
        return Decimal(data["v"])
    return data["v"]


def to_json(value: Value) -> Any:
    """The value for a JSON summary (dates as ISO text, decimals as text)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
