"""Values of the transformation language and PowerCenter's implicit conversions.

Python representation: NULL ``None``; integer/bigint ``int``; decimal ``Decimal``; double ``float``; string
``str``; date/time ``datetime.datetime`` (microsecond precision). Conditions and comparisons give ``1``/``0``.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Union

from infaflow.expr.dateformat import DEFAULT_DATE_FORMAT, format_date, parse_date
from infaflow.expr.errors import RowError

Value = Union[None, int, Decimal, float, str, datetime]  # noqa: UP007 - a runtime alias

INTEGER, DECIMAL, DOUBLE, STRING, DATE, NULL = "integer", "decimal", "double", "string", "date", "null"
NUMERIC = (INTEGER, DECIMAL, DOUBLE)

_TYPE_NAMES: dict[type, str] = {
    int: INTEGER,
    bool: INTEGER,
    Decimal: DECIMAL,
    float: DOUBLE,
    str: STRING,
    datetime: DATE,
    type(None): NULL,
}

_NUMBER_PREFIX = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_IS_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?\s*\Z")


def type_name(value: Value) -> str:
    """``integer``, ``decimal``, ``double``, ``string``, ``date`` or ``null``."""
    return _TYPE_NAMES.get(type(value), STRING)


def wider(a: str, b: str) -> str:
    """The type of a result mixing two numeric types (integer < decimal < double)."""
    order = {INTEGER: 0, DECIMAL: 1, DOUBLE: 2}
    return a if order.get(a, 0) >= order.get(b, 0) else b


def number_prefix(text: str) -> int | Decimal:
    """PowerCenter's string to number: the leading number (``'123abc'`` -> 123, ``'abc'`` -> 0)."""
    m = _NUMBER_PREFIX.match(text)
    if m is None:
        return 0
    raw = m.group(1)
    if raw.lstrip("+-").isdigit():
        return int(raw)
    return Decimal(raw)


def is_number(text: str) -> bool:
    """IS_NUMBER: the whole string is a number (leading/trailing blanks allowed)."""
    return _IS_NUMBER.match(text) is not None


def to_number(value: Value) -> int | Decimal | float | None:
    """A numeric operand: numbers unchanged, strings by their numeric prefix; dates are an error."""
    if value is None or type(value) in (int, Decimal, float):
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        return number_prefix(value)
    if isinstance(value, bool):
        return int(value)
    raise RowError(f"a date cannot be used as a number: {value}")


def to_decimal(value: int | Decimal | float) -> Decimal:
    """Exact Decimal of a number (a double through its shortest text, like Spark)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def double_to_string(value: float) -> str:
    """A double as text the way the generated Spark code writes it (Java's Double.toString, integral values
    without ``.0``)."""
    if value != value or value in (float("inf"), float("-inf")):
        return {True: "NaN"}.get(value != value, "Infinity" if value > 0 else "-Infinity")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp10 = exponent + len(digits) - 1  # type: ignore[operator]
    mantissa = text[0] + "." + (text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{exp10}"


def to_string(value: Value, date_format: str = DEFAULT_DATE_FORMAT) -> str | None:
    """A value as a string (TO_CHAR without format, the ``||`` operator)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return double_to_string(value)
    if isinstance(value, datetime):
        return format_date(value, date_format)
    return str(value)


def to_date(value: Value, date_format: str = DEFAULT_DATE_FORMAT) -> datetime | None:
    """A date operand: dates unchanged, strings read with the session date format; numbers are an error."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value, date_format)
        except ValueError as exc:
            raise RowError(str(exc)) from None
    raise RowError(f"a number cannot be used as a date: {value}")


def round_half_up(value: int | Decimal | float, places: int = 0) -> int | Decimal | float:
    """ROUND: half away from zero at ``places`` digits (negative: left of the point); keeps the type."""
    if isinstance(value, int):
        if places >= 0:
            return value
        step = 10 ** (-places)
        q, r = divmod(abs(value), step)
        rounded = (q + (1 if 2 * r >= step else 0)) * step
        return rounded if value >= 0 else -rounded
    exact = to_decimal(value)
    try:
        result = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=38))
    except InvalidOperation:
        result = exact
    return float(result) if isinstance(value, float) else result


def truthy(value: Value) -> bool:
    """PowerCenter condition truth: NULL and 0 are false, other numbers true; strings by their number."""
    if value is None:
        return False
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, str):
        return number_prefix(value) != 0
    return True
