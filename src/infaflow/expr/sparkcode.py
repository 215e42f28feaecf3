"""Building blocks of generated PySpark source: typed code fragments and PowerCenter's conversions.

A :class:`Code` is the Python source of a Column expression (``F`` = ``pyspark.sql.functions``) and the
transformation-language type it produces (``boolean`` for conditions, "" when unknown).
"""

from __future__ import annotations

from decimal import Decimal

from infaflow.expr.dateformat import parse_regex, spark_format_pattern, spark_parse_patterns, tokenize_format
from infaflow.expr.errors import Unsupported
from infaflow.expr.fragments import (  # noqa: F401 - re-exported
    INLINE_LIMIT,
    Code,
    Hoister,
    hoisting,
    let,
    let_all,
    operator_group,
    py,
)
from infaflow.expr.spark_dateformat import format_static, parse_static

#: Spark SQL type used when a NULL or a conversion needs a type
SPARK_TYPES = {
    "integer": "int",
    "decimal": "decimal(38,10)",
    "double": "double",
    "string": "string",
    "date": "timestamp",
    "boolean": "boolean",
    "bigint": "bigint",
}

WS = "[ \\t\\n\\r\\f\\x0b]"
NUMBER_PREFIX = f"^{WS}*([+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
IS_NUMBER = f"^{WS}*[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?{WS}*$"


def lit(value: object, high_precision: bool = False) -> Code:
    """A literal value."""
    if value is None:
        return Code("F.lit(None)", "null")
    if isinstance(value, bool):
        return Code(f"F.lit({int(value)})", "integer")
    if isinstance(value, int):
        return Code(f"F.lit({value})", "integer")
    if isinstance(value, Decimal):
        if high_precision:
            digits = len(value.as_tuple().digits)
            scale = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
            precision = max(digits, scale, 1)
            return Code(f'F.lit({py(format(value, "f"))}).cast("decimal({precision},{scale})")', "decimal")
        return Code(f"F.lit({float(value)!r})", "double")
    if isinstance(value, float):
        return Code(f"F.lit({value!r})", "double")
    if isinstance(value, str):
        return Code(f"F.lit({py(value)})", "string")
    raise TypeError(type(value).__name__)


def null(kind: str) -> Code:
    """A typed NULL."""
    if kind in SPARK_TYPES:
        return Code(f'F.lit(None).cast("{SPARK_TYPES[kind]}")', kind)
    return Code("F.lit(None)", "null")


def as_bool(code: Code) -> Code:
    """A condition: booleans as they are, numbers true when non-zero, strings by their number."""
    if code.type == "boolean":
        return code
    if code.type == "null":
        return Code('F.lit(None).cast("boolean")', "boolean")
    if code.type == "string":
        return Code(f"({as_number(code)} != 0)", "boolean")
    return Code(f"({code} != 0)", "boolean")


def as_value(code: Code) -> Code:
    """A value for a port: conditions become 1/0 (NULL stays NULL)."""
    if code.type == "boolean":
        return Code(f'{code}.cast("int")', "integer")
    return code


def as_number(code: Code) -> Code:
    """A numeric operand: strings by their numeric prefix (``'12abc'`` -> 12, ``'abc'`` -> 0)."""
    if code.type == "boolean":
        return as_value(code)
    if code.type == "null":
        return null("integer")
    if code.type == "string":
        return let(
            code,
            lambda c: Code(
                f'F.coalesce(F.nullif(F.regexp_extract({c}, {py(NUMBER_PREFIX)}, 1), F.lit("")), '
                f'F.when({c}.isNotNull(), F.lit("0"))).cast("decimal(38,10)")',
                "decimal",
            ),
        )
    return code


def double_as_string(code: Code) -> Code:
    """A double as text: integral values without ``.0``, others as Java writes them."""
    # c % 1, not F.floor: floor gives a bigint, which overflows (ANSI) for doubles beyond 9.2e18
    return let(
        code,
        lambda c: Code(
            f'F.when(({c} % 1 == 0) & (F.abs({c}) < 1e15), {c}.cast("bigint")'
            f'.cast("string")).otherwise({c}.cast("string"))',
            "string",
        ),
    )


def as_string(code: Code, date_format: str) -> Code:
    """A string operand (the ``||`` operator, TO_CHAR without a format)."""
    if code.type == "string":
        return code
    if code.type == "null":
        return null("string")
    if code.type == "double":
        return double_as_string(code)
    if code.type == "date":
        return format_date(code, date_format)
    return Code(f'{as_value(code)}.cast("string")', "string")


def valid_format(fmt: str) -> None:
    """Refuse a literal format that is not a valid Informatica date format: the gap names the bad token."""
    try:
        tokenize_format(fmt)
    except ValueError as exc:
        raise Unsupported(str(exc)) from None


def format_date(code: Code, fmt: str) -> Code:
    """TO_CHAR(date, fmt) with an Informatica format string (Unsupported for an invalid format)."""
    valid_format(fmt)
    try:
        return Code(f"F.date_format({code}, {py(spark_format_pattern(fmt))})", "string")
    except ValueError:  # tokens Spark's patterns lack
        return format_static(code, fmt)


def _spark_patterns(fmt: str) -> list[str] | None:
    """Spark's patterns reading ``fmt``, None when a token needs the regex reading (Unsupported: invalid)."""
    valid_format(fmt)
    try:
        return spark_parse_patterns(fmt)
    except ValueError:
        return None


def parse_date(code: Code, fmt: str, on_error: str, now: str = "F.current_timestamp()") -> Code:
    """TO_DATE(string, fmt): the first of the format's accepted shapes that reads the string; when none
    does, ``on_error`` (the row error) for a non-NULL string. ``now``: the current time (RR, YY...)."""
    patterns = _spark_patterns(fmt)
    if patterns is None:
        parsed = parse_static(code, fmt, now)
        if on_error == "F.lit(None)":
            return parsed
        return let(
            code,
            lambda c: Code(
                f"F.coalesce({parse_static(c, fmt, now)}, F.when({c}.isNotNull(), {on_error}))", "date"
            ),
        )

    def build(c: Code) -> Code:
        parsed = _shaped_parse(c, fmt, patterns)
        if on_error == "F.lit(None)":  # row-error mode: the error is reported beside the value
            return parsed
        return Code(f"F.coalesce({parsed}, F.when({c}.isNotNull(), {on_error}))", "date")

    return let(code, build)


def _shaped_parse(c: Code, fmt: str, patterns: list[str]) -> Code:
    """Spark's patterns read the value once the string has the exact shape of the format (the evaluator's
    regex): Spark alone is lenient (it reads '003' for DD, five fraction digits for US, five-digit years)."""
    shape = py("^" + parse_regex(tokenize_format(fmt)) + "\\z")
    attempts = [f"F.try_to_timestamp({c}, F.lit({py(p)}))" for p in patterns]
    read = f"F.coalesce({', '.join(attempts)})" if len(attempts) > 1 else attempts[0]
    return Code(f"F.when({c}.rlike({shape}), {read})", "date")


def try_parse_date(code: Code, fmt: str, now: str = "F.current_timestamp()") -> Code:
    """The date read from a string, NULL when it does not match (IS_DATE)."""
    patterns = _spark_patterns(fmt)
    if patterns is None:
        return parse_static(code, fmt, now)
    return let(code, lambda c: _shaped_parse(c, fmt, patterns))


def _string_end(text: str, start: int) -> int:
    """Index just past the Python string literal starting at ``start``."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def tidy(text: str) -> str:
    """Drop parentheses that enclose the sole argument of a call (``f((a + b))`` -> ``f(a + b)``): the
    operators' own parentheses are kept everywhere else, so precedence never depends on the context."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            i = _string_end(text, i)
            continue
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            pairs[stack.pop()] = i
        i += 1
    drop: set[int] = set()
    for open_, close in pairs.items():
        outer = open_ - 1
        if (
            outer >= 0
            and text[outer] == "("
            and pairs.get(outer) == close + 1
            and outer - 1 >= 0
            and (text[outer - 1].isalnum() or text[outer - 1] == "_")
        ):
            drop.update((open_, close))
    tidied = "".join(ch for i, ch in enumerate(text) if i not in drop)
    return tidied if not drop else tidy(tidied)
