"""Informatica date format strings: formatting and parsing in Python, and the equivalent Spark patterns.

A format is read as a sequence of tokens (``YYYY``, ``MM``, ``MON``, ``HH24``...; case-insensitive) and
literal text (separators, or text in double quotes). Parsing is exact: the whole input must match, except that
the time part may be missing from the end of the input (``8/30/2010`` against ``MM/DD/YYYY HH24:MI:SS`` is
midnight).
Numeric fields followed by a separator accept fewer digits (``8/30/2010`` matches ``MM/DD/YYYY``).
Month and day names are written in mixed case (``Jan``, ``Monday``) [U: PowerCenter's case].
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

DEFAULT_DATE_FORMAT = "MM/DD/YYYY HH24:MI:SS.US"
#: Julian day number of a date = its proleptic Gregorian ordinal (Jan 1 of year 1 = 1) + this
JULIAN_OFFSET = 1721425

# longest first, so that MONTH wins over MON and MM, HH24 over HH, SSSSS over SS
TOKENS = [
    "MONTH",
    "SSSSS",
    "HH24",
    "HH12",
    "YYYY",
    "A.M.",
    "P.M.",
    "YYY",
    "MON",
    "DDD",
    "DAY",
    "YY",
    "RR",
    "MM",
    "DD",
    "DY",
    "HH",
    "MI",
    "SS",
    "MS",
    "US",
    "NS",
    "AM",
    "PM",
    "Y",
    "D",
    "J",
    "Q",
]
TIME_TOKENS = {"HH24", "HH12", "HH", "MI", "SS", "SSSSS", "MS", "US", "NS", "AM", "PM", "A.M.", "P.M."}
TOKEN_WIDTH = {
    "Q": 1,
    "YYYY": 4,
    "YYY": 3,
    "YY": 2,
    "RR": 2,
    "Y": 1,
    "MM": 2,
    "DD": 2,
    "DDD": 3,
    "D": 1,
    "HH": 2,
    "HH12": 2,
    "HH24": 2,
    "MI": 2,
    "SS": 2,
    "SSSSS": 5,
    "MS": 3,
    "US": 6,
    "NS": 9,
    "J": 7,
}
VARIABLE_WIDTH_TOKENS = {"YYYY", "MM", "DD", "HH", "HH12", "HH24", "MI", "SS"}


@dataclass(frozen=True)
class Item:
    """One piece of a format: a token (``kind='token'``) or literal text (``kind='text'``)."""

    kind: str
    value: str


@lru_cache(maxsize=256)
def tokenize_format(fmt: str) -> tuple[Item, ...]:
    """Split an Informatica format string into tokens and literal text."""
    items: list[Item] = []
    i = 0
    upper = fmt.upper()
    while i < len(fmt):
        if fmt[i] == '"':
            end = fmt.find('"', i + 1)
            end = len(fmt) if end < 0 else end
            items.append(Item("text", fmt[i + 1 : end]))
            i = end + 1
            continue
        for token in TOKENS:
            if upper.startswith(token, i):
                items.append(Item("token", token))
                i += len(token)
                break
        else:
            if fmt[i].isalpha():
                raise ValueError(f"invalid date format token at {fmt[i:]!r} in {fmt!r}")
            if items and items[-1].kind == "text":
                items[-1] = Item("text", items[-1].value + fmt[i])
            else:
                items.append(Item("text", fmt[i]))
            i += 1
    return tuple(items)


def _hour12(dt: datetime) -> int:
    return (dt.hour % 12) or 12


_FORMATTERS = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YYY": lambda d: f"{d.year % 1000:03d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "RR": lambda d: f"{d.year % 100:02d}",
    "Y": lambda d: f"{d.year % 10:d}",
    "MM": lambda d: f"{d.month:02d}",
    "MON": lambda d: calendar.month_abbr[d.month],
    "MONTH": lambda d: calendar.month_name[d.month],
    "DD": lambda d: f"{d.day:02d}",
    "DDD": lambda d: f"{d.timetuple().tm_yday:03d}",
    "D": lambda d: str(d.isoweekday() % 7 + 1),
    "DY": lambda d: calendar.day_abbr[d.weekday()],
    "DAY": lambda d: calendar.day_name[d.weekday()],
    "HH": lambda d: f"{_hour12(d):02d}",
    "HH12": lambda d: f"{_hour12(d):02d}",
    "HH24": lambda d: f"{d.hour:02d}",
    "MI": lambda d: f"{d.minute:02d}",
    "SS": lambda d: f"{d.second:02d}",
    "SSSSS": lambda d: f"{d.hour * 3600 + d.minute * 60 + d.second:05d}",
    "MS": lambda d: f"{d.microsecond // 1000:03d}",
    "US": lambda d: f"{d.microsecond:06d}",
    "NS": lambda d: f"{d.microsecond * 1000:09d}",
    "AM": lambda d: "AM" if d.hour < 12 else "PM",
    "PM": lambda d: "AM" if d.hour < 12 else "PM",
    "A.M.": lambda d: "A.M." if d.hour < 12 else "P.M.",
    "P.M.": lambda d: "A.M." if d.hour < 12 else "P.M.",
    "J": lambda d: str(d.toordinal() + JULIAN_OFFSET),
    "Q": lambda d: str((d.month - 1) // 3 + 1),
}


def format_date(value: datetime, fmt: str) -> str:
    """``value`` written with an Informatica format string (TO_CHAR)."""
    return "".join(
        _FORMATTERS[i.value](value) if i.kind == "token" else i.value for i in tokenize_format(fmt)
    )


# ---------------------------------------------------------------- parsing

#: the characters special in a regex outside a class, escaped with a backslash (the same in Python and Java)
PUNCTUATION_CLASS = "[\\\\^$.|?*+()\\[\\]{}]"
NAME_FIELDS = {
    "MON": "([A-Za-z]{3})",
    "DY": "([A-Za-z]{3})",
    "MONTH": "([A-Za-z]+)",
    "DAY": "([A-Za-z]+)",
    "AM": "([AaPp][Mm])",
    "PM": "([AaPp][Mm])",
    "A.M.": "([AaPp]\\.[Mm]\\.)",
    "P.M.": "([AaPp]\\.[Mm]\\.)",
}


def regex_text(text: str) -> str:
    """Literal text inside a regex: special characters escaped (letters and digits never are)."""
    return re.sub(f"({PUNCTUATION_CLASS})", r"\\\1", text)


def field_regex(token: str, variable: bool) -> str:
    """The capturing group reading one token (``variable``: a numeric field between separators)."""
    if token in NAME_FIELDS:
        return NAME_FIELDS[token]
    width = TOKEN_WIDTH[token]
    return f"([0-9]{{1,{width}}})" if variable else f"([0-9]{{{width}}})"


def parse_regex(items: tuple[Item, ...]) -> str:
    """One regex (without anchors) reading a format: one group per token, in order; each place where the
    time part may be missing (a separator before a time token) opens an optional group closed at the end,
    so that the longest reading wins. The same construction is built at run time in Spark for formats held
    in a column (:mod:`infaflow.expr.spark_dateformat`), so both read alike."""
    out = []
    opened = 0
    for i, item in enumerate(items):
        if item.kind == "text":
            if opens_optional(items, i):
                out.append("(?:")
                opened += 1
            out.append(regex_text(item.value))
        else:
            out.append(field_regex(item.value, _variable_width(items, i)))
    return "".join(out) + ")?" * opened


def opens_optional(items: tuple[Item, ...], index: int) -> bool:
    """A separator (not the first item) directly before a time token: the input may stop before it."""
    nxt = items[index + 1] if index + 1 < len(items) else None
    return (
        index >= 1
        and items[index].kind == "text"
        and nxt is not None
        and nxt.kind == "token"
        and nxt.value in TIME_TOKENS
    )


@lru_cache(maxsize=256)
def _parser(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The compiled regex of a format and its tokens (one group each)."""
    items = tokenize_format(fmt)
    return re.compile(parse_regex(items)), tuple(it.value for it in items if it.kind == "token")


def _truncation_points(items: tuple[Item, ...]) -> list[int]:
    """Lengths of the item prefixes an input may match, longest first (see :func:`parse_regex`)."""
    return sorted({len(items)} | {i for i in range(len(items)) if opens_optional(items, i)}, reverse=True)


def _variable_width(items: tuple[Item, ...], index: int) -> bool:
    """A numeric field between separators (or the ends) accepts fewer digits than its width."""
    prev = items[index - 1] if index > 0 else None
    nxt = items[index + 1] if index + 1 < len(items) else None
    return (
        items[index].value in VARIABLE_WIDTH_TOKENS
        and (prev is None or prev.kind == "text")
        and (nxt is None or nxt.kind == "text")
    )


_MONTHS = {name.upper(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES = {name.upper(): n for n, name in enumerate(calendar.month_name) if name}


def two_digit_year(n: int, current_year: int, rr: bool) -> int:
    """The year a two-digit field means. YY: in the current century. RR (documented rule): current year
    00-49 and field 50-99 -> previous century; current year 50-99 and field 00-49 -> next century; else
    the current century."""
    century = current_year // 100 * 100
    if not rr:
        return century + n
    if current_year % 100 < 50:
        return century + n if n < 50 else century - 100 + n
    return century + 100 + n if n < 50 else century + n


def parse_date(text: str, fmt: str, current_year: int | None = None) -> datetime:
    """Read ``text`` with an Informatica format (TO_DATE); raises ValueError when it does not match.
    ``current_year`` (default: today's) completes RR, YY, YYY and Y."""
    regex, tokens = _parser(fmt)
    m = regex.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} does not match the date format {fmt!r}")
    year = datetime.now().year if current_year is None else current_year
    read = [(t, v) for t, v in zip(tokens, m.groups(), strict=True) if v is not None]
    try:
        return _build(read, text, year)
    except OverflowError as exc:
        raise ValueError(f"{text!r}: {exc}") from None


def _build(read: list[tuple[str, str]], text: str, current_year: int) -> datetime:
    year, month, day, hour, minute, second, micro = 1900, 1, 1, 0, 0, 0, 0
    pm = False
    twelve_hour = False
    yday: int | None = None
    julian: int | None = None
    for token, raw in read:
        if token == "YYYY":
            year = int(raw)
        elif token in ("YYY", "Y"):
            unit = 10 ** len(token)
            year = current_year // unit * unit + int(raw)
        elif token in ("YY", "RR"):
            year = two_digit_year(int(raw), current_year, token == "RR")
        elif token == "MM":
            month = int(raw)
        elif token in ("MON", "MONTH"):
            names = _MONTHS if token == "MON" else _MONTH_NAMES
            if raw.upper() not in names:
                raise ValueError(f"{text!r}: invalid month {raw!r}")
            month = names[raw.upper()]
        elif token == "DD":
            day = int(raw)
        elif token == "DDD":
            yday = int(raw)
        elif token in ("HH", "HH12"):
            hour = int(raw)
            if not 1 <= hour <= 12:
                raise ValueError(f"{text!r}: invalid 12-hour clock hour {raw}")
            twelve_hour = True
        elif token == "HH24":
            hour = int(raw)
        elif token == "MI":
            minute = int(raw)
        elif token == "SS":
            second = int(raw)
        elif token == "SSSSS":
            total = int(raw)
            hour, minute, second = total // 3600, total // 60 % 60, total % 60
        elif token == "MS":
            micro = int(raw) * 1000
        elif token == "US":
            micro = int(raw)
        elif token == "NS":
            micro = int(raw) // 1000
        elif token in ("AM", "PM", "A.M.", "P.M."):
            pm = raw.upper().startswith("P")
        elif token == "J":
            julian = int(raw)
        # Q, D, DY and DAY are read but not checked against the date
    if twelve_hour:
        hour = hour % 12 + (12 if pm else 0)
    if julian is not None:
        base = datetime.fromordinal(julian - JULIAN_OFFSET)
        return base.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    if yday is not None:
        return datetime(year, 1, 1, hour, minute, second, micro) + timedelta(days=yday - 1)
    return datetime(year, month, day, hour, minute, second, micro)


# ---------------------------------------------------------------- Spark patterns

SPARK_FORMAT = {
    "YYYY": "yyyy",
    "YY": "yy",
    "RR": "yy",
    "MM": "MM",
    "MON": "MMM",
    "MONTH": "MMMM",
    "DD": "dd",
    "DDD": "DDD",
    "DY": "EEE",
    "DAY": "EEEE",
    "HH": "hh",
    "HH12": "hh",
    "HH24": "HH",
    "MI": "mm",
    "SS": "ss",
    "MS": "SSS",
    "US": "SSSSSS",
    "NS": "SSSSSSSSS",
    "AM": "a",
    "PM": "a",
    "Q": "Q",
}
_SPARK_PARSE_VARIABLE = {
    "YYYY": "y",
    "MM": "M",
    "DD": "d",
    "HH": "h",
    "HH12": "h",
    "HH24": "H",
    "MI": "m",
    "SS": "s",
}


def spark_text(text: str) -> str:
    """Literal text in a Spark pattern: quoted as one run when it holds letters or pattern symbols."""
    if any(ch.isalpha() or ch in "'[]{}#" for ch in text):
        return "'" + text.replace("'", "''") + "'"
    return text


def spark_format_pattern(fmt: str) -> str:
    """The Spark datetime pattern writing a date like ``fmt`` does; ValueError for tokens Spark lacks."""
    out = []
    for item in tokenize_format(fmt):
        if item.kind == "text":
            out.append(spark_text(item.value))
        elif item.value in SPARK_FORMAT:
            out.append(SPARK_FORMAT[item.value])
        else:
            raise ValueError(f"date format token {item.value} has no Spark equivalent")
    return "".join(out)


def spark_parse_patterns(fmt: str) -> list[str]:
    """Spark patterns reading dates like :func:`parse_date` does: the full format, then without time parts."""
    items = tokenize_format(fmt)
    patterns = []
    for end in _truncation_points(items):
        part = items[:end]
        out = []
        for i, item in enumerate(part):
            if item.kind == "text":
                out.append(spark_text(item.value))
                continue
            token = item.value
            if token in ("RR", "YYY", "Y", "D", "DY", "DAY", "SSSSS", "J", "A.M.", "P.M.", "NS", "Q"):
                raise ValueError(f"reading the date format token {token} has no exact Spark equivalent")
            if token in _SPARK_PARSE_VARIABLE and _variable_width(part, i):
                out.append(_SPARK_PARSE_VARIABLE[token])
            else:
                out.append(SPARK_FORMAT[token])
        patterns.append("".join(out))
    return patterns
