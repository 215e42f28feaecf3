"""Numeric functions: ABS, CEIL, FLOOR, MOD, POWER, SQRT, EXP, LN, LOG, SIGN, and ROUND/TRUNC for numbers
and dates (one declaration each, dispatching on the argument's type)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError, Unsupported
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, arg_type, register
from infaflow.expr.functions.dates import round_date, round_date_spark, trunc_date, trunc_date_spark
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.operators import modulo
from infaflow.expr.sparkcode import Code, as_number, let, let_all, py
from infaflow.expr.types import Value, round_half_up, to_decimal, to_number, to_string

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _n(value: Value) -> int | Decimal | float:
    return to_number(value)  # type: ignore[return-value]


def _places(node: Call) -> int:
    if len(node.args) < 2:
        return 0
    arg = node.args[1]
    if isinstance(arg, Literal) and isinstance(arg.value, int):
        return arg.value
    raise Unsupported("the precision must be an integer literal")


def truncate_number(value: int | Decimal | float, places: int = 0) -> int | Decimal | float:
    """TRUNC of a number: toward zero at ``places`` digits."""
    if isinstance(value, int):
        if places >= 0:
            return value
        step = 10 ** (-places)
        kept = abs(value) // step * step
        return kept if value >= 0 else -kept
    result = to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return float(result) if isinstance(value, float) else result


def _round(values: list[Value], env: Environment) -> Value:
    value = values[0]
    if isinstance(value, datetime):
        return round_date(value, str(values[1]) if len(values) > 1 else "DD")
    places = int(_n(values[1])) if len(values) > 1 else 0
    return round_half_up(_n(value), places)


def _trunc(values: list[Value], env: Environment) -> Value:
    value = values[0]
    if isinstance(value, datetime):
        return trunc_date(value, str(values[1]) if len(values) > 1 else "DD")
    places = int(_n(values[1])) if len(values) > 1 else 0
    return truncate_number(_n(value), places)


def _typed(tr: Translator, node: Call, args: list[Code]) -> str:
    kind = args[0].type
    if kind == "":
        raise Unsupported("the type of the first argument is unknown (number or date?)")
    return kind


def _round_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if _typed(tr, node, args) == "date":
        return round_date_spark(tr, node, args)
    number = as_number(args[0])
    return Code(f"F.round({number}, {_places(node)})", number.type)


def _trunc_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if _typed(tr, node, args) == "date":
        return trunc_date_spark(tr, node, args)
    places = _places(node)

    def build(number: Code) -> Code:
        if number.type == "double":
            # through decimal(38,18) (Spark's floor with a scale handles doubles below 1e15 only); doubles
            # from 1e20 up are integers, which truncating to places >= 0 leaves as they are
            exact = Code(f'{number}.cast("decimal(38,18)")', "decimal")
            text = f"F.when({exact} >= 0, F.floor({exact}, {places})).otherwise(F.ceil({exact}, {places}))"
            if places >= 0:
                return Code(
                    f'F.when(F.abs({number}) >= 1e20, {number}).otherwise({text}.cast("double"))', "double"
                )
            return Code(f'{text}.cast("double")', "double")
        back = {"integer": "bigint"}.get(number.type)
        text = f"F.when({number} >= 0, F.floor({number}, {places})).otherwise(F.ceil({number}, {places}))"
        return Code(f'{text}.cast("{back}")' if back else text, number.type)

    return let(as_number(args[0]), build)


def _mod(values: list[Value], env: Environment) -> Value:
    return modulo(values[0], values[1], env)


def _mod_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    a, error, kind = as_number(args[0]), tr.row_error("divide by zero"), tr.type_of(node)
    return let(as_number(args[1]), lambda b: Code(f"F.when({b} == 0, {error}).otherwise({a} % {b})", kind))


def _power(values: list[Value], env: Environment) -> Value:
    base, exponent = float(_n(values[0])), float(_n(values[1]))
    if base < 0 and exponent != int(exponent):
        raise RowError("POWER: negative base with a fractional exponent")
    if base == 0 and exponent < 0:
        raise RowError("POWER: zero to a negative power")
    return math.pow(base, exponent)


def _power_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("POWER: invalid arguments")

    def build(bound: list[Code]) -> Code:
        a, b = bound
        bad = f"(({a} < 0) & ({b} != F.floor({b}))) | (({a} == 0) & ({b} < 0))"
        return Code(f"F.when({bad}, {error}).otherwise(F.pow({a}, {b}))", "double")

    return let_all([as_number(args[0]), as_number(args[1])], build)


def _guarded(name: str, test: Callable[[float], bool], message: str) -> Evaluate:
    """A one-argument math function that is a row error outside its domain."""

    def run(values: list[Value], env: Environment) -> Value:
        x = float(_n(values[0]))
        if not test(x):
            raise RowError(f"{name}: {message}")
        return {"SQRT": math.sqrt, "LN": math.log, "EXP": math.exp}[name](x)

    return run


def _guarded_spark(spark_name: str, bad: str, message: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        error = tr.row_error(message)
        return let(
            as_number(args[0]),
            lambda x: Code(f"F.when({bad.format(x=x)}, {error}).otherwise(F.{spark_name}({x}))", "double"),
        )

    return build


def _log(values: list[Value], env: Environment) -> Value:
    base, x = float(_n(values[0])), float(_n(values[1]))
    if base <= 0 or base == 1 or x <= 0:
        raise RowError("LOG: base must be positive and not 1, value positive")
    return math.log(x) / math.log(base)


def _log_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    error = tr.row_error("LOG: invalid arguments")

    def build(bound: list[Code]) -> Code:
        base, x = bound
        bad = f"({base} <= 0) | ({base} == 1) | ({x} <= 0)"
        return Code(f"F.when({bad}, {error}).otherwise(F.ln({x}) / F.ln({base}))", "double")

    return let_all([as_number(args[0]), as_number(args[1])], build)


def _ceil_floor(up: bool) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        x = _n(values[0])
        return (math.ceil if up else math.floor)(x)

    return run


def _sign(values: list[Value], env: Environment) -> Value:
    x = _n(values[0])
    return (x > 0) - (x < 0)


register(
    Function(
        "ABS",
        1,
        1,
        arg_type(0),
        evaluate=lambda v, env: abs(_n(v[0])),  # type: ignore[arg-type, return-value]  # abs keeps the type
        spark=lambda tr, n, a: Code(f"F.abs({as_number(a[0])})", as_number(a[0]).type),
        group="numeric",
    ),
    Function(
        "CEIL",
        1,
        1,
        "integer",
        evaluate=_ceil_floor(True),
        spark=lambda tr, n, a: Code(f'F.ceil({as_number(a[0])}).cast("bigint")', "integer"),
        group="numeric",
    ),
    Function(
        "FLOOR",
        1,
        1,
        "integer",
        evaluate=_ceil_floor(False),
        spark=lambda tr, n, a: Code(f'F.floor({as_number(a[0])}).cast("bigint")', "integer"),
        group="numeric",
    ),
    Function(
        "MOD",
        2,
        2,
        lambda t: (
            "double" if "double" in t else ("decimal" if "decimal" in t or "string" in t else "integer")
        ),
        evaluate=_mod,
        spark=_mod_spark,
        group="numeric",
        doc="Sign follows the dividend; MOD(x, 0) is a row error.",
    ),
    Function("POWER", 2, 2, "double", evaluate=_power, spark=_power_spark, group="numeric"),
    Function(
        "SQRT",
        1,
        1,
        "double",
        evaluate=_guarded("SQRT", lambda x: x >= 0, "negative argument"),
        spark=_guarded_spark("sqrt", "{x} < 0", "SQRT: negative argument"),
        group="numeric",
    ),
    Function(
        "EXP",
        1,
        1,
        "double",
        evaluate=_guarded("EXP", lambda x: x < 709.78, "overflow"),
        spark=_guarded_spark("exp", "{x} >= 709.78", "EXP: overflow"),
        group="numeric",
    ),
    Function(
        "LN",
        1,
        1,
        "double",
        evaluate=_guarded("LN", lambda x: x > 0, "argument must be positive"),
        spark=_guarded_spark("ln", "{x} <= 0", "LN: argument must be positive"),
        group="numeric",
    ),
    Function(
        "LOG", 2, 2, "double", evaluate=_log, spark=_log_spark, group="numeric", doc="LOG(base, value)."
    ),
    Function(
        "SIGN",
        1,
        1,
        "integer",
        evaluate=_sign,
        spark=lambda tr, n, a: Code(f'F.signum({as_number(a[0])}).cast("int")', "integer"),
        group="numeric",
    ),
    Function(
        "ROUND",
        1,
        2,
        arg_type(0),
        evaluate=_round,
        spark=_round_spark,
        group="numeric",
        doc="Numbers: half away from zero; dates: to the nearest year/month/day/hour/minute.",
    ),
    Function(
        "TRUNC",
        1,
        2,
        arg_type(0),
        evaluate=_trunc,
        spark=_trunc_spark,
        group="numeric",
        doc="Numbers: toward zero; dates: start of the year/month/day/hour/minute.",
    ),
)


# ---------------------------------------------------------------- RAND, CONVERT_BASE


def _rand(values: list[Value], env: Environment) -> Value:
    """A uniform double in [0, 1): one generator per seed for the life of the environment (a session)."""
    import random

    seed = values[0] if values else None
    state = env.state(("RAND", seed))
    generator = state.get("generator")
    if generator is None:
        generator = random.Random(None if seed is None else int(_n(seed)))  # noqa: S311 - not cryptography
        state["generator"] = generator
    return generator.random()  # type: ignore[attr-defined]


def _rand_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if not args:
        return Code("F.rand()", "double")
    seed = node.args[0]
    if not (isinstance(seed, Literal) and isinstance(seed.value, int)):
        raise Unsupported("the seed must be an integer literal")
    return Code(f"F.rand({seed.value})", "double")


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _base(value: Value, what: str) -> int:
    base = int(_n(value))
    if not 2 <= base <= 36:
        raise RowError(f"CONVERT_BASE: the {what} base {base} is not between 2 and 36")
    return base


def _convert_base(values: list[Value], env: Environment) -> Value:
    text = to_string(values[0], env.date_format) or ""
    source, dest = _base(values[1], "source"), _base(values[2], "destination")
    if not text or any(ch.upper() not in _DIGITS[:source] for ch in text):
        raise RowError(f"CONVERT_BASE: {text!r} is not a non-negative number in base {source}")
    number = int(text, source)
    if number >= 2**64:
        raise RowError("CONVERT_BASE: the value is beyond 64 bits")
    out = ""
    while True:
        number, digit = divmod(number, dest)
        out = _DIGITS[digit] + out
        if number == 0:
            return out


def _convert_base_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    bases = []
    for index in (1, 2):
        arg = node.args[index]
        if not (isinstance(arg, Literal) and isinstance(arg.value, int) and 2 <= arg.value <= 36):
            raise Unsupported("the bases must be integer literals between 2 and 36")
        bases.append(arg.value)
    source, dest = bases
    digits = _DIGITS[:source] + _DIGITS[10:source].lower()
    error = tr.row_error(f"CONVERT_BASE: not a non-negative number in base {source}")
    return let(
        tr.to_string(args[0]),
        lambda s: Code(
            f"F.when({s}.rlike({py('^[' + digits + ']+$')}), F.conv({s}, {source}, {dest}))"
            f".when({s}.isNotNull(), {error})",
            "string",
        ),
    )


register(
    Function(
        "RAND",
        0,
        1,
        "double",
        evaluate=_rand,
        spark=_rand_spark,
        null_in_null_out=False,
        group="numeric",
        doc="A uniform random double in [0, 1); the sequence is the engine's own (neither "
        "the evaluator nor Spark reproduces PowerCenter's generator).",
    ),
    Function(
        "CONVERT_BASE",
        3,
        3,
        "string",
        evaluate=_convert_base,
        spark=_convert_base_spark,
        group="numeric",
        doc="CONVERT_BASE(value, source_base, dest_base): digits 0-9A-Z, upper case; values up to 2^64-1.",
    ),
)
