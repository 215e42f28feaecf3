"""Typed values of workflow variables: datatypes, defaults, parsing and storage encoding."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

Value = None | int | float | Decimal | str | dt.datetime

#: PowerCenter's default date for a date/time variable without a value (SPEC.md D).
DEFAULT_DATE = dt.datetime(1753, 1, 1)

_DATE_FORMATS = (
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


def parse_datetime(text: str) -> dt.datetime:
    """A date/time written as in parameter files and exports (``MM/DD/YYYY HH24:MI:SS[.US]``) or ISO."""
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
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


def coerce(value: Value, datatype: str) -> Value:
    """An expression result converted to the variable's datatype (NULL stays NULL)."""
    if value is None:
        return None
    kind = datatype.strip().lower()
    if kind in ("integer", "small integer", "bigint"):
        if isinstance(value, str):
            return _to_int(value) if value.strip() else 0
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
