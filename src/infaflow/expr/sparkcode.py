"""Building blocks of generated PySpark source: typed code fragments and PowerCenter's conversions.

A :class:`Code` is the Python source of a Column expression (``F`` = ``pyspark.sql.functions``) and the
transformation-language type it produces (``boolean`` for conditions, "" when unknown).
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from infaflow.expr.dateformat import spark_format_pattern, spark_parse_patterns, tokenize_format

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


@dataclass(frozen=True)
class Code:
    """Source text of a PySpark Column expression and its type."""

    text: str
    type: str = ""
    #: the Python operator of a text that is one ``(<left> <op> <right>)`` group, else ""
    op: str = ""

    def __str__(self) -> str:
        return self.text


#: Python's binding strength of the operators generated code uses (higher binds tighter)
_PRECEDENCE = {
    "==": 1,
    "!=": 1,
    "<": 1,
    "<=": 1,
    ">": 1,
    ">=": 1,
    "|": 2,
    "&": 4,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
    "%": 7,
}


def operator_group(left: Code, op: str, right: Code, type_: str) -> Code:
    """``(left op right)`` without the parentheses of an operand that Python's precedence makes
    redundant: ``((a * b) * c)`` is written ``(a * b * c)``. An operand of the same strength keeps them on
    the right (``a - (b - c)``; decimal results also depend on the grouping), comparisons keep them
    (Python would chain ``a == b == c``), and ``&`` inside ``|`` keeps them for the reader."""
    return Code(f"({_operand(left, op, 'left')} {op} {_operand(right, op, 'right')})", type_, op)


def _operand(code: Code, parent: str, side: str) -> str:
    if not code.op or code.op not in _PRECEDENCE or parent not in _PRECEDENCE:
        return code.text
    child, outer = _PRECEDENCE[code.op], _PRECEDENCE[parent]
    if outer == 1 or (outer in (2, 4) and code.op != parent):
        return code.text if child <= 4 else code.text[1:-1]
    if child > outer or (child == outer and side == "left"):
        return code.text[1:-1]
    return code.text


#: code longer than this is bound once (``let``) instead of being repeated in the generated source
INLINE_LIMIT = 60


class Hoister:
    """Named intermediate columns for the values that ``let`` binds, collected while a row-level
    expression is translated: the step adds them (in this order, each may use the earlier ones) before the
    statement that uses them and drops them after, as a Spark engineer names a subexpression."""

    def __init__(self, prefix: str, taken: set[str] | None = None) -> None:
        self.prefix = prefix
        self.columns: dict[str, str] = {}  # column name -> code
        self._taken = {t.lower() for t in taken or ()}

    def add(self, code: Code) -> str:
        for name, text in self.columns.items():
            if text == code.text:
                return name
        n = 1
        while f"{self.prefix}_{n}".lower() in self._taken:
            n += 1
        name = f"{self.prefix}_{n}"
        self._taken.add(name.lower())
        self.columns[name] = code.text
        return name


_HOISTER: ContextVar[Hoister | None] = ContextVar("infaflow_hoister", default=None)


@contextmanager
def hoisting(hoister: Hoister | None) -> Iterator[Hoister | None]:
    """Within the block, ``let`` binds long row-level values to columns of ``hoister`` (None: lambdas)."""
    token = _HOISTER.set(hoister)
    try:
        yield hoister
    finally:
        _HOISTER.reset(token)


#: names generated code may use in a row-level value besides columns (anything else is a lambda's variable)
_MODULE_NAMES = frozenset({"F", "job", "Window", "None", "True", "False"})


def _row_level(code: Code) -> bool:
    """``code`` names no lambda variable and no window or aggregate, so it can become a column."""
    try:
        tree = ast.parse(code.text, mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _MODULE_NAMES:
            return False
        if isinstance(node, ast.Lambda) or (isinstance(node, ast.Attribute) and node.attr == "over"):
            return False
    return True


def let(code: Code, body: Callable[[Code], Code]) -> Code:
    """``body`` applied to ``code``, which ``body`` may use several times. Short code is repeated; longer
    code is computed once: as a named column when the step collects them (:func:`hoisting`), else bound
    to a lambda variable, so nested constructs never blow up the source:
    ``F.element_at(F.transform(F.array(code), lambda v: body(v)), 1)``."""
    if len(code.text) <= INLINE_LIMIT or code.text.isidentifier():
        return body(code)
    hoister = _HOISTER.get()
    if hoister is not None and _row_level(code):
        return body(Code(f'F.col("{hoister.add(code)}")', code.type))
    name = "v_" + hashlib.sha1(code.text.encode("utf-8")).hexdigest()[:6]
    inner = body(Code(name, code.type))
    return Code(f"F.element_at(F.transform(F.array({code}), lambda {name}: {inner}), 1)", inner.type)


def let_all(codes: list[Code], body: Callable[[list[Code]], Code]) -> Code:
    """``let`` for several codes."""
    if not codes:
        return body([])
    first, rest = codes[0], codes[1:]
    return let(first, lambda bound: let_all(rest, lambda others: body([bound, *others])))


def py(value: object) -> str:
    """A Python literal for generated code (strings with double quotes when possible)."""
    if isinstance(value, str):
        if '"' not in value and "\\" not in value and "\n" not in value and "\r" not in value:
            return f'"{value}"'
        return repr(value)
    return repr(value)


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


def format_date(code: Code, fmt: str) -> Code:
    """TO_CHAR(date, fmt) with an Informatica format string (ValueError for an invalid format)."""
    from infaflow.expr.spark_dateformat import format_static

    tokenize_format(fmt)  # an invalid format is refused here
    try:
        return Code(f"F.date_format({code}, {py(spark_format_pattern(fmt))})", "string")
    except ValueError:  # tokens Spark's patterns lack
        return format_static(code, fmt)


def _spark_patterns(fmt: str) -> list[str] | None:
    """Spark's patterns reading ``fmt``, None when a token needs the regex reading (ValueError: invalid)."""
    tokenize_format(fmt)
    try:
        return spark_parse_patterns(fmt)
    except ValueError:
        return None


def parse_date(code: Code, fmt: str, on_error: str, now: str = "F.current_timestamp()") -> Code:
    """TO_DATE(string, fmt): the first of the format's accepted shapes that reads the string; when none
    does, ``on_error`` (the row error) for a non-NULL string. ``now``: the current time (RR, YY...)."""
    patterns = _spark_patterns(fmt)
    if patterns is None:
        from infaflow.expr.spark_dateformat import parse_static

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
    from infaflow.expr.dateformat import parse_regex

    shape = py("^" + parse_regex(tokenize_format(fmt)) + "\\z")
    attempts = [f"F.try_to_timestamp({c}, F.lit({py(p)}))" for p in patterns]
    read = f"F.coalesce({', '.join(attempts)})" if len(attempts) > 1 else attempts[0]
    return Code(f"F.when({c}.rlike({shape}), {read})", "date")


def try_parse_date(code: Code, fmt: str, now: str = "F.current_timestamp()") -> Code:
    """The date read from a string, NULL when it does not match (IS_DATE)."""
    patterns = _spark_patterns(fmt)
    if patterns is None:
        from infaflow.expr.spark_dateformat import parse_static

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
