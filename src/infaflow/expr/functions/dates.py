"""Date functions: ADD_TO_DATE, DATE_DIFF, DATE_COMPARE, GET_DATE_PART, SET_DATE_PART, LAST_DAY, SYSDATE,
SYSTIMESTAMP, SESSSTARTTIME, and the date forms of ROUND and TRUNC (declared in numeric.py).

Date part names (case-insensitive): years Y YY YYY YYYY; months MM MON MONTH; days D DD DDD DY DAY; hours
HH HH12 HH24; minutes MI; seconds SS; milliseconds MS; microseconds US; nanoseconds NS.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError, Unsupported
from infaflow.expr.functions.base import Function, register
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.sparkcode import Code, as_number, let, let_all, py
from infaflow.expr.types import Value, to_date, to_number

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

PARTS: dict[str, str] = {}
for _names, _part in (
    ("Y YY YYY YYYY", "year"),
    ("MM MON MONTH", "month"),
    ("D DD DDD DY DAY", "day"),
    ("HH HH12 HH24", "hour"),
    ("MI", "minute"),
    ("SS", "second"),
    ("MS", "millisecond"),
    ("US", "microsecond"),
    ("NS", "nanosecond"),
):
    for _name in _names.split():
        PARTS[_name] = _part


def part_of(fmt: object) -> str:
    """The date part a format string names; RowError for anything else."""
    part = PARTS.get(str(fmt).strip().upper())
    if part is None:
        raise RowError(f"invalid date part {fmt!r}")
    return part


def _spark_part(node: Call, index: int) -> str:
    arg = node.args[index]
    if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
        raise Unsupported("the date part must be a string literal")
    part = PARTS.get(arg.value.strip().upper())
    if part is None:
        raise Unsupported(f"invalid date part {arg.value!r}")
    return part


PartHandler = Callable[["Translator", list[Code], str], Code]


def _by_part(index: int, handler: PartHandler) -> Callable[[Translator, Call, list[Code]], Code]:
    """The Spark handler of a function with a date part argument: the part's own code for a literal; for a
    part held in a column, a CASE over every part name (an unknown name is a row error, as in the evaluator;
    a part the translation refuses fails the job if a row names it)."""

    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        arg = node.args[index]
        if isinstance(arg, Literal):
            return handler(tr, args, _spark_part(node, index))
        error = tr.row_error("invalid date part")
        others = [tr.to_date(args[0]) if i == 0 else a for i, a in enumerate(args) if i != index]

        def cases(bound: list[Code]) -> Code:
            values = list(bound[1:])
            values.insert(index, bound[0])
            name = values[index]
            branches = []
            kind = ""
            for part in dict.fromkeys(PARTS.values()):
                names = ", ".join(py(n) for n, p in PARTS.items() if p == part)
                try:
                    code = handler(tr, values, part)
                except (
                    Unsupported
                ) as exc:  # a limit of the translation, not a PowerCenter row error: fail the job
                    code = Code(f"F.raise_error(F.lit({py(f'{node.name}: {exc}')}))", "")
                kind = kind or code.type
                branches.append(f".when({name}.isin({names}), {code})")
            return Code(f"F{''.join(branches)}.when({name}.isNotNull(), {error})", kind)

        part_name = Code(
            f'F.upper(F.regexp_replace({tr.to_string(args[index])}, {py(_EDGE_SPACES)}, ""))', "string"
        )
        return let_all([part_name, *others], cases)

    return build


_EDGE_SPACES = "^[ \\t\\n\\r\\f\\x0b]+|[ \\t\\n\\r\\f\\x0b]+$"


def _d(value: Value, env: Environment) -> datetime:
    return to_date(value, env.date_format)  # type: ignore[return-value]


def add_months(value: datetime, months: int) -> datetime:
    """``value`` plus ``months``, the day clamped to the end of the target month (Jan 31 + 1 -> Feb 28/29)."""
    years, month0 = divmod(value.month - 1 + months, 12)
    year = value.year + years
    day = min(value.day, calendar.monthrange(year, month0 + 1)[1])
    return value.replace(year=year, month=month0 + 1, day=day)


_DELTA = {
    "day": timedelta(days=1),
    "hour": timedelta(hours=1),
    "minute": timedelta(minutes=1),
    "second": timedelta(seconds=1),
    "millisecond": timedelta(milliseconds=1),
    "microsecond": timedelta(microseconds=1),
}


def _add_to_date(values: list[Value], env: Environment) -> Value:
    value, part, amount = _d(values[0], env), part_of(values[1]), int(to_number(values[2]))  # type: ignore[arg-type]
    try:
        if part == "year":
            return add_months(value, 12 * amount)
        if part == "month":
            return add_months(value, amount)
        if part == "nanosecond":
            return value + timedelta(microseconds=amount // 1000)
        return value + amount * _DELTA[part]
    except (OverflowError, ValueError) as exc:
        raise RowError(f"ADD_TO_DATE: {exc}") from None


_SPARK_UNIT = {
    "year": "YEAR",
    "month": "MONTH",
    "day": "DAY",
    "hour": "HOUR",
    "minute": "MINUTE",
    "second": "SECOND",
    "millisecond": "MILLISECOND",
    "microsecond": "MICROSECOND",
}


def _add_to_date_part(tr: Translator, args: list[Code], part: str) -> Code:
    date = tr.to_date(args[0])
    amount = f'{as_number(args[2])}.cast("bigint")'
    if part == "nanosecond":  # whole microseconds, as the evaluator (amount // 1000)
        return Code(f'F.timestamp_add("MICROSECOND", F.floor({amount} / 1000), {date})', "date")
    return Code(f"F.timestamp_add({py(_SPARK_UNIT[part])}, {amount}, {date})", "date")


def months_between(later: datetime, earlier: datetime) -> float:
    """Fractional months from ``earlier`` to ``later``: whole months when the days of month are equal or
    both are month ends, else the difference over 31-day months (Oracle's MONTHS_BETWEEN, as Spark)."""
    months = (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month)
    last1 = later.day == calendar.monthrange(later.year, later.month)[1]
    last2 = earlier.day == calendar.monthrange(earlier.year, earlier.month)[1]
    if later.day == earlier.day or (last1 and last2):
        return float(months)
    seconds1 = later.hour * 3600 + later.minute * 60 + later.second
    seconds2 = earlier.hour * 3600 + earlier.minute * 60 + earlier.second
    seconds = (later.day - earlier.day) * 86400 + seconds1 - seconds2
    return months + seconds / (31 * 86400.0)


_UNIT_MICROS = {
    "day": 86_400_000_000,
    "hour": 3_600_000_000,
    "minute": 60_000_000,
    "second": 1_000_000,
    "millisecond": 1000,
    "microsecond": 1,
}


def _date_diff(values: list[Value], env: Environment) -> Value:
    d1, d2, part = _d(values[0], env), _d(values[1], env), part_of(values[2])
    if part == "year":
        return months_between(d1, d2) / 12
    if part == "month":
        return months_between(d1, d2)
    if part == "nanosecond":
        return float((d1 - d2) // timedelta(microseconds=1) * 1000)
    return ((d1 - d2) // timedelta(microseconds=1)) / _UNIT_MICROS[part]


def _date_diff_part(tr: Translator, args: list[Code], part: str) -> Code:
    d1, d2 = tr.to_date(args[0]), tr.to_date(args[1])
    if part in ("year", "month"):
        months = f"F.months_between({d1}, {d2}, False)"
        return Code(f"({months} / 12)" if part == "year" else months, "double")
    micros = f"(F.unix_micros({d1}) - F.unix_micros({d2}))"
    if part == "nanosecond":
        return Code(f'({micros} * 1000).cast("double")', "double")
    return Code(f"({micros} / F.lit({float(_UNIT_MICROS[part])!r}))", "double")


def _date_compare(values: list[Value], env: Environment) -> Value:
    d1, d2 = _d(values[0], env), _d(values[1], env)
    return (d1 > d2) - (d1 < d2)


def _date_compare_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    def build(bound: list[Code]) -> Code:
        d1, d2 = bound
        return Code(
            f"F.when({d1} < {d2}, F.lit(-1)).when({d1} > {d2}, F.lit(1)).when({d1} == {d2}, F.lit(0))",
            "integer",
        )

    return let_all([tr.to_date(args[0]), tr.to_date(args[1])], build)


def _get_date_part(values: list[Value], env: Environment) -> Value:
    value, part = _d(values[0], env), part_of(values[1])
    if part == "millisecond":
        return value.microsecond // 1000
    if part == "nanosecond":
        return value.microsecond * 1000
    return getattr(value, part)


_SPARK_GET = {
    "year": "F.year({d})",
    "month": "F.month({d})",
    "day": "F.dayofmonth({d})",
    "hour": "F.hour({d})",
    "minute": "F.minute({d})",
    "second": "F.second({d})",
    "millisecond": '(F.floor(F.date_part(F.lit("SECOND"), {d}) * 1000) % 1000).cast("int")',
    "microsecond": '(F.floor(F.date_part(F.lit("SECOND"), {d}) * 1000000) % 1000000).cast("int")',
    "nanosecond": '((F.floor(F.date_part(F.lit("SECOND"), {d}) * 1000000) % 1000000) * 1000).cast("bigint")',
}


def _get_date_part_part(tr: Translator, args: list[Code], part: str) -> Code:
    return Code(_SPARK_GET[part].format(d=tr.to_date(args[0])), "integer")


def _set_date_part(values: list[Value], env: Environment) -> Value:
    value, part, amount = _d(values[0], env), part_of(values[1]), int(to_number(values[2]))  # type: ignore[arg-type]
    try:
        if part == "millisecond":
            return value.replace(microsecond=amount * 1000 + value.microsecond % 1000)
        if part == "nanosecond":
            return value.replace(microsecond=amount // 1000)
        return value.replace(**{part: amount})  # type: ignore[arg-type]  # part: a datetime field's name
    except ValueError as exc:
        raise RowError(f"SET_DATE_PART: {exc}") from None


def _set_date_part_part(tr: Translator, args: list[Code], part: str) -> Code:
    if part == "nanosecond":
        raise Unsupported("nanoseconds are below Spark's precision")
    error = tr.row_error("SET_DATE_PART: invalid date")
    number = Code(f'{as_number(args[2])}.cast("int")', "integer")
    return let_all(
        [tr.to_date(args[0]), number], lambda bound: _set_date_part_with(part, bound[0], bound[1], error)
    )


def _set_date_part_with(part: str, d: Code, n: Code, error: str) -> Code:
    seconds = f'F.date_part(F.lit("SECOND"), {d})'
    fields: dict[str, str | Code] = {
        "year": f"F.year({d})",
        "month": f"F.month({d})",
        "day": f"F.dayofmonth({d})",
        "hour": f"F.hour({d})",
        "minute": f"F.minute({d})",
        "secs": seconds,
    }
    if part in ("year", "month", "day", "hour", "minute"):
        fields[part] = n
    elif part == "second":
        fields["secs"] = f"({n} + ({seconds} - F.floor({seconds})))"
    elif part == "millisecond":
        fields["secs"] = (
            f"(F.floor({seconds}) + {n} / 1000 + (F.floor({seconds} * 1000000) % 1000) / 1000000)"
            '.cast("decimal(16,6)")'
        )
    else:  # microsecond
        fields["secs"] = f'(F.floor({seconds}) + {n} / 1000000).cast("decimal(16,6)")'
    made = (
        f"F.try_make_timestamp({fields['year']}, {fields['month']}, {fields['day']}, {fields['hour']}, "
        f"{fields['minute']}, {fields['secs']})"
    )
    return Code(f"F.when({d}.isNotNull() & {n}.isNotNull(), F.coalesce({made}, {error}))", "date")


def _last_day(values: list[Value], env: Environment) -> Value:
    value = _d(values[0], env)
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def _last_day_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return let(
        tr.to_date(args[0]),
        lambda d: Code(f'F.timestamp_add("DAY", F.datediff(F.last_day({d}), F.to_date({d})), {d})', "date"),
    )


# ---------------------------------------------------------------- ROUND and TRUNC of dates


def trunc_date(value: datetime, fmt: str) -> datetime:
    """TRUNC(date, part): the start of the year, month, day, hour or minute."""
    part = part_of(fmt)
    if part == "year":
        return datetime(value.year, 1, 1)
    if part == "month":
        return datetime(value.year, value.month, 1)
    if part == "day":
        return datetime(value.year, value.month, value.day)
    if part == "hour":
        return value.replace(minute=0, second=0, microsecond=0)
    if part == "minute":
        return value.replace(second=0, microsecond=0)
    if part == "second":
        return value.replace(microsecond=0)
    raise RowError(f"TRUNC: cannot truncate to {fmt!r}")


def round_date(value: datetime, fmt: str) -> datetime:
    """ROUND(date, part): to the nearest year (from July 1), month (from the 16th), day (from noon), hour
    (from :30) or minute (from 30 seconds)."""
    part = part_of(fmt)
    start = trunc_date(value, fmt)
    if part == "year":
        return add_months(start, 12) if value.month >= 7 else start
    if part == "month":
        return add_months(start, 1) if value.day >= 16 else start
    if part == "day":
        return start + timedelta(days=1) if value.hour >= 12 else start
    if part == "hour":
        return start + timedelta(hours=1) if value.minute >= 30 else start
    if part == "minute":
        return start + timedelta(minutes=1) if value.second >= 30 else start
    raise RowError(f"ROUND: cannot round to {fmt!r}")


_TRUNC_UNIT = {
    "year": "year",
    "month": "month",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
}
_ROUND_UP = {
    "year": ("F.month({d}) >= 7", "YEAR"),
    "month": ("F.dayofmonth({d}) >= 16", "MONTH"),
    "day": ("F.hour({d}) >= 12", "DAY"),
    "hour": ("F.minute({d}) >= 30", "HOUR"),
    "minute": ("F.second({d}) >= 30", "MINUTE"),
}


def _date_part_arg(node: Call) -> str:
    return _spark_part(node, 1) if len(node.args) > 1 else "day"


def trunc_date_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    """Spark form of TRUNC(date[, part])."""
    part = _date_part_arg(node)
    if part not in _TRUNC_UNIT:
        raise Unsupported(f"cannot truncate a date to {part}")
    return Code(f"F.date_trunc({py(_TRUNC_UNIT[part])}, {tr.to_date(args[0])})", "date")


def round_date_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    """Spark form of ROUND(date[, part])."""
    part = _date_part_arg(node)
    if part not in _ROUND_UP:
        raise Unsupported(f"cannot round a date to {part}")
    test, unit = _ROUND_UP[part]

    def build(d: Code) -> Code:
        start = f"F.date_trunc({py(_TRUNC_UNIT[part])}, {d})"
        return Code(
            f"F.when({test.format(d=d)}, F.timestamp_add({py(unit)}, F.lit(1), {start})).otherwise({start})",
            "date",
        )

    return let(tr.to_date(args[0]), build)


def _now(values: list[Value], env: Environment) -> Value:
    return env.now()


def _now_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return Code(tr.ctx.now(), "date")


register(
    Function(
        "ADD_TO_DATE",
        3,
        3,
        "date",
        evaluate=_add_to_date,
        spark=_by_part(1, _add_to_date_part),
        group="date",
        doc="Adding months keeps the day, clamped to the month's end.",
    ),
    Function(
        "DATE_DIFF",
        3,
        3,
        "double",
        evaluate=_date_diff,
        spark=_by_part(2, _date_diff_part),
        group="date",
        doc="date1 - date2 in the unit, fractional; months and years as MONTHS_BETWEEN [U].",
    ),
    Function(
        "DATE_COMPARE", 2, 2, "integer", evaluate=_date_compare, spark=_date_compare_spark, group="date"
    ),
    Function(
        "GET_DATE_PART",
        2,
        2,
        "integer",
        evaluate=_get_date_part,
        spark=_by_part(1, _get_date_part_part),
        group="date",
    ),
    Function(
        "SET_DATE_PART",
        3,
        3,
        "date",
        evaluate=_set_date_part,
        spark=_by_part(1, _set_date_part_part),
        group="date",
        doc="An impossible date (Feb 30) is a row error.",
    ),
    Function(
        "LAST_DAY",
        1,
        1,
        "date",
        evaluate=_last_day,
        spark=_last_day_spark,
        group="date",
        doc="Last day of the month; the time of day is kept [U].",
    ),
    Function("SYSDATE", 0, 0, "date", evaluate=_now, spark=_now_spark, null_in_null_out=False, group="date"),
    Function(
        "SYSTIMESTAMP", 0, 1, "date", evaluate=_now, spark=_now_spark, null_in_null_out=False, group="date"
    ),
    Function(
        "SESSSTARTTIME", 0, 0, "date", evaluate=_now, spark=_now_spark, null_in_null_out=False, group="date"
    ),
)


# ---------------------------------------------------------------- MAKE_DATE_TIME


def _make_date_time(values: list[Value], env: Environment) -> Value:
    numbers = [int(to_number(v)) for v in values]  # type: ignore[arg-type]
    year, month, day, hour, minute, second, nano = numbers + [0] * (7 - len(numbers))
    try:
        return datetime(year, month, day, hour, minute, second, nano // 1000)
    except (ValueError, OverflowError) as exc:
        raise RowError(f"MAKE_DATE_TIME: {exc}") from None


def _make_date_time_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("MAKE_DATE_TIME: invalid date")
    ints = [Code(f'{as_number(a)}.cast("int")', "integer") for a in args]
    ints += [Code("F.lit(0)", "integer")] * (7 - len(ints))

    def build(bound: list[Code]) -> Code:
        year, month, day, hour, minute, second, nano = bound
        secs = (
            f'({second}.cast("decimal(16,6)") + F.floor({nano} / 1000).cast("decimal(16,6)") / 1000000)'
            if nano.text != "F.lit(0)"
            else second.text
        )
        valid = f"{year}.between(1, 9999) & {second}.between(0, 59) & {nano}.between(0, 999999999)"
        made = f"F.try_make_timestamp({year}, {month}, {day}, {hour}, {minute}, {secs})"
        checks = " & ".join(f"{c}.isNotNull()" for c in bound if c.text != "F.lit(0)")
        return Code(f"F.when({checks}, F.coalesce(F.when({valid}, {made}), {error}))", "date")

    return let_all(ints, build)


register(
    Function(
        "MAKE_DATE_TIME",
        3,
        7,
        "date",
        evaluate=_make_date_time,
        spark=_make_date_time_spark,
        group="date",
        doc="MAKE_DATE_TIME(year, month, day[, hour, minute, second, nanosecond]); an impossible date is a "
        "row error; nanoseconds are kept to the microsecond.",
    ),
)
