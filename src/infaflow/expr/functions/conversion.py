"""Conversion functions: TO_CHAR, TO_DATE, TO_INTEGER, TO_BIGINT, TO_DECIMAL, TO_FLOAT."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

from infaflow.expr.dateformat import format_date, parse_date
from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError, Unsupported
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, register
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.spark_dateformat import format_dynamic, parse_dynamic
from infaflow.expr.sparkcode import Code, as_number, let, let_all
from infaflow.expr.sparkcode import format_date as spark_format_date
from infaflow.expr.sparkcode import parse_date as spark_parse_date
from infaflow.expr.types import Value, round_half_up, to_decimal, to_number, to_string, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _literal_format(node: Call, index: int) -> bool:
    """Whether argument ``index`` is absent (the session format) or a string literal."""
    return len(node.args) <= index or (
        isinstance(node.args[index], Literal) and isinstance(node.args[index].value, str)  # type: ignore[attr-defined]
    )


def _format_literal(node: Call, index: int, default: str) -> str:
    if len(node.args) <= index:
        return default
    arg = node.args[index]
    if isinstance(arg, Literal) and isinstance(arg.value, str):
        return arg.value
    raise Unsupported("the format must be a string literal to be translated")


def _to_char(values: list[Value], env: Environment) -> Value:
    value = values[0]
    if isinstance(value, datetime):
        fmt = values[1] if len(values) > 1 else env.date_format
        return format_date(value, str(fmt))
    return to_string(value, env.date_format)


def _to_char_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    kind = args[0].type
    if kind == "date" or (kind == "" and len(args) > 1):
        if not _literal_format(node, 1):  # a format held in a port, a parameter or an expression
            error = tr.row_error("TO_CHAR: invalid date format")
            return format_dynamic(error, args[0], tr.to_string(args[1]), tr.fresh("t"))
        return spark_format_date(args[0], _format_literal(node, 1, tr.ctx.date_format))
    if kind == "":
        raise Unsupported("the type of the argument is unknown (date or number?)")
    return tr.to_string(args[0])


def _to_date(values: list[Value], env: Environment) -> Value:
    value = values[0]
    if isinstance(value, datetime):
        return value
    fmt = str(values[1]) if len(values) > 1 else env.date_format
    try:
        return parse_date(to_string(value, env.date_format) or "", fmt, env.now().year)
    except ValueError as exc:
        raise RowError(f"TO_DATE: {exc}") from None


def _to_date_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if args[0].type == "date":
        return args[0]
    s = tr.to_string(args[0])
    if not _literal_format(node, 1):  # a format held in a port, a parameter or an expression
        error = tr.row_error("TO_DATE: value does not match the format")
        fresh = tr.fresh("f")

        def build(bound: list[Code]) -> Code:
            c, f = bound
            parsed = parse_dynamic(c, f, tr.ctx.now(), fresh)
            if error == "F.lit(None)":  # row-error mode: the error is reported beside the value
                return parsed
            return Code(f"F.coalesce({parsed}, F.when({c}.isNotNull() & {f}.isNotNull(), {error}))", "date")

        return let_all([s, tr.to_string(args[1])], build)
    fmt = _format_literal(node, 1, tr.ctx.date_format)
    return spark_parse_date(
        s, fmt, tr.row_error(f"TO_DATE: value does not match the format {fmt}"), tr.ctx.now()
    )


_LIMITS = {"int": 2**31, "bigint": 2**63}


def _to_integer(sql_type: str) -> Evaluate:
    limit = _LIMITS[sql_type]

    def run(values: list[Value], env: Environment) -> Value:
        number = to_number(values[0])
        truncate = len(values) > 1 and truthy(values[1])
        if isinstance(number, int):
            result = number
        elif truncate:
            result = int(number)  # type: ignore[arg-type]
        else:
            result = int(round_half_up(number))  # type: ignore[arg-type]
        if not -limit <= result < limit:
            raise RowError(f"{'TO_INTEGER' if sql_type == 'int' else 'TO_BIGINT'}: {result} is out of range")
        return result

    return run


def _to_integer_spark(sql_type: str) -> SparkHandler:
    limit = _LIMITS[sql_type]
    name = "TO_INTEGER" if sql_type == "int" else "TO_BIGINT"

    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        number = as_number(args[0])
        if len(node.args) > 1:
            flag = node.args[1]
            if not (isinstance(flag, Literal) and flag.value is not None):
                raise Unsupported("the truncate flag must be a literal")
            truncate = truthy(flag.value)
        else:
            truncate = False
        value = number if number.type == "integer" or truncate else Code(f"F.round({number}, 0)", number.type)
        if number.type == "integer" and sql_type == "bigint":
            return Code(f'{value}.cast("bigint")', "integer")
        error = tr.row_error(f"{name}: value out of range")
        low, high = (-limit, limit) if sql_type == "int" else (float(-limit), float(limit))
        return let(
            value,
            lambda v: Code(
                f'F.when(({v} < {low!r}) | ({v} >= {high!r}), {error}).otherwise({v}.cast("{sql_type}"))',
                "integer",
            ),
        )

    return build


#: room for Spark's 38 digits (PowerCenter keeps 28)
_WIDE = Context(prec=38)


def _to_decimal(values: list[Value], env: Environment) -> Value:
    number = to_decimal(to_number(values[0]))  # type: ignore[arg-type]
    if len(values) > 1:
        scale = int(to_number(values[1]))  # type: ignore[arg-type]
        return number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_WIDE)
    return number


def _to_decimal_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    scale = 10
    if len(node.args) > 1:
        arg = node.args[1]
        if not (isinstance(arg, Literal) and isinstance(arg.value, int)):
            raise Unsupported("the scale must be an integer literal")
        scale = arg.value
    return Code(f'{as_number(args[0])}.cast("decimal(38,{scale})")', "decimal")


def _to_float(values: list[Value], env: Environment) -> Value:
    return float(to_number(values[0]))  # type: ignore[arg-type]


register(
    Function(
        "TO_CHAR",
        1,
        2,
        "string",
        evaluate=_to_char,
        spark=_to_char_spark,
        group="conversion",
        doc="TO_CHAR(date[, format]) or TO_CHAR(number).",
    ),
    Function(
        "TO_DATE",
        1,
        2,
        "date",
        evaluate=_to_date,
        spark=_to_date_spark,
        group="conversion",
        doc="TO_DATE(string[, format]); a string that does not match is a row error.",
    ),
    Function(
        "TO_INTEGER",
        1,
        2,
        "integer",
        evaluate=_to_integer("int"),
        spark=_to_integer_spark("int"),
        group="conversion",
        doc="Rounds half away from zero unless the flag is TRUE (truncates).",
    ),
    Function(
        "TO_BIGINT",
        1,
        2,
        "integer",
        evaluate=_to_integer("bigint"),
        spark=_to_integer_spark("bigint"),
        group="conversion",
        doc="As TO_INTEGER, 64-bit.",
    ),
    Function(
        "TO_DECIMAL",
        1,
        2,
        "decimal",
        evaluate=_to_decimal,
        spark=_to_decimal_spark,
        group="conversion",
        doc="Numeric prefix of strings ('711A1' -> 711); scale rounds half up.",
    ),
    Function(
        "TO_FLOAT",
        1,
        1,
        "double",
        evaluate=_to_float,
        spark=lambda tr, n, a: Code(f'{as_number(a[0])}.cast("double")', "double"),
        group="conversion",
    ),
)
