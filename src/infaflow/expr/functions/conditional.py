"""Conditional and test functions: IIF, DECODE, CHOOSE, IN, GREATEST, LEAST, ISNULL, IS_SPACES, IS_NUMBER,
IS_DATE, ERROR, ABORT."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from infaflow.expr.dateformat import parse_date
from infaflow.expr.environment import Environment
from infaflow.expr.errors import AbortSession, RowError, Unsupported
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, Thunk, first_known, register
from infaflow.expr.infer import static_type
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.operators import compare, default_for
from infaflow.expr.spark_dateformat import parse_dynamic
from infaflow.expr.spark_operators import comparable
from infaflow.expr.sparkcode import IS_NUMBER as SPARK_IS_NUMBER
from infaflow.expr.sparkcode import Code, as_bool, as_value, let, let_all, null, py, try_parse_date
from infaflow.expr.types import Value, is_number, to_number, to_string, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

# ---------------------------------------------------------------- IIF


def _iif(args: list[Thunk], env: Environment, node: Call) -> Value:
    if truthy(args[0](env)):
        return args[1](env)
    if len(args) == 3:
        return args[2](env)
    return default_for(node.args[1], env)


def _iif_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    branches: list[tuple[Code, Code]] = []
    current, codes = node, args
    while True:
        branches.append((as_bool(codes[0]), as_value(codes[1])))
        if len(current.args) == 3:
            nxt = current.args[2]
            if isinstance(nxt, Call) and nxt.name == "IIF" and len(nxt.args) == 3:
                current, codes = nxt, [tr.translate(a) for a in nxt.args]
                continue
            otherwise = as_value(codes[2])
        else:
            otherwise = _iif_default(tr, current)
        break
    text = "F.when(" + ").when(".join(f"{c}, {v}" for c, v in branches) + ")"
    if otherwise.type != "null":
        text += f".otherwise({otherwise})"
    kinds = [v.type for _, v in branches] + [otherwise.type]
    return Code(text, first_known(*range(len(kinds)))(kinds))


def _iif_default(tr: Translator, node: Call) -> Code:
    kind = tr.type_of(node.args[1])
    if kind in ("integer", "boolean", "decimal", "double"):
        return Code("F.lit(0)", "integer")
    if kind == "string":
        return Code('F.lit("")', "string")
    if kind in ("date", "null"):
        return null("null")
    raise Unsupported(
        "IIF without a third argument needs the type of its second argument "
        f"(unknown for {node.args[1].source.text[node.args[1].pos : node.args[1].pos + 30]!r})"
    )


# ---------------------------------------------------------------- DECODE, CHOOSE, IN


def _decode(args: list[Thunk], env: Environment, node: Call) -> Value:
    value = args[0](env)
    pairs = (len(args) - 1) // 2
    for i in range(pairs):
        search = args[1 + 2 * i](env)
        if (value is None and search is None) or (
            value is not None and search is not None and compare(value, search, env) == 0
        ):
            return args[2 + 2 * i](env)
    if len(args) % 2 == 0:
        return args[-1](env)
    return None


def _decode_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return let(args[0], lambda value: _decode_with(tr, value, args))


def _decode_with(tr: Translator, value: Code, args: list[Code]) -> Code:
    pairs = (len(args) - 1) // 2
    parts = []
    for i in range(pairs):
        search, result = args[1 + 2 * i], as_value(args[2 + 2 * i])
        if search.type == "null":
            condition = f"{value}.isNull()"
        else:
            left, right = comparable(tr, value, search)
            condition = f"{left}.eqNullSafe({right})"
        parts.append((condition, result))
    text = "F.when(" + ").when(".join(f"{c}, {r}" for c, r in parts) + ")"
    results = [r.type for _, r in parts]
    if len(args) % 2 == 0:
        default = as_value(args[-1])
        results.append(default.type)
        if default.type != "null":
            text += f".otherwise({default})"
    return Code(text, first_known(*range(len(results)))(results))


def _choose(values: list[Value], env: Environment) -> Value:
    index = values[0]
    if index is None:
        return None
    n = int(to_number(index))  # type: ignore[arg-type]
    return values[n] if 1 <= n < len(values) else None


def _choose_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    kind = first_known(*range(1, len(args)))([a.type for a in args])
    return let(
        Code(f'{as_value(args[0])}.cast("bigint")', "integer"),
        lambda index: Code(
            "F.when("
            + ").when(".join(f"{index} == {i}, {as_value(a)}" for i, a in enumerate(args[1:], start=1))
            + ")",
            kind,
        ),
    )


def in_case_flag(node: Call, first_type: str) -> bool:
    """True when IN's last argument is its CaseFlag (an integer literal after a string value), not a
    candidate."""
    last = node.args[-1]
    return (
        len(node.args) >= 3
        and first_type == "string"
        and isinstance(last, Literal)
        and isinstance(last.value, int)
        and not isinstance(last.value, bool)
        and last.kind == ""
    )


def _in(args: list[Thunk], env: Environment, node: Call) -> Value:
    value = args[0](env)
    if value is None:
        return None
    candidates = args[1:]
    insensitive = False
    if in_case_flag(node, static_type(node.args[0], env.type_of, env.high_precision)):
        insensitive = not truthy(candidates[-1](env))
        candidates = candidates[:-1]
    if insensitive and isinstance(value, str):
        value = value.lower()
    for candidate in candidates:
        c = candidate(env)
        if c is None:
            continue
        if insensitive and isinstance(c, str):
            c = c.lower()
        if compare(value, c, env) == 0:
            return 1
    return 0


def _in_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return let(args[0], lambda value: _in_with(tr, node, value, args[1:]))


def _in_with(tr: Translator, node: Call, value: Code, candidates: list[Code]) -> Code:
    insensitive = False
    if in_case_flag(node, value.type):
        insensitive = node.args[-1].value == 0  # type: ignore[attr-defined]
        candidates = candidates[:-1]
    tests = []
    for c in candidates:
        if c.type == "null":
            continue
        left, right = comparable(tr, value, c)
        if insensitive:
            left, right = Code(f"F.lower({left})", "string"), Code(f"F.lower({right})", "string")
        tests.append(f"F.coalesce({left} == {right}, F.lit(False))")
    condition = " | ".join(tests) if tests else "F.lit(False)"
    return Code(f"F.when({value}.isNotNull(), {condition})", "boolean")


def _indexof(args: list[Thunk], env: Environment, node: Call) -> Value:
    """INDEXOF: the position (1-based) of the first candidate equal to the value, 0 if none; NULL for a NULL
    value. A trailing integer literal is the case flag, as in IN (0: case-insensitive)."""
    value = args[0](env)
    if value is None:
        return None
    candidates = args[1:]
    insensitive = False
    if in_case_flag(node, static_type(node.args[0], env.type_of, env.high_precision)):
        insensitive = not truthy(candidates[-1](env))
        candidates = candidates[:-1]
    if insensitive and isinstance(value, str):
        value = value.lower()
    for position, candidate in enumerate(candidates, start=1):
        c = candidate(env)
        if c is None:
            continue
        if insensitive and isinstance(c, str):
            c = c.lower()
        if compare(value, c, env) == 0:
            return position
    return 0


def _indexof_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    def build(value: Code) -> Code:
        candidates = args[1:]
        insensitive = False
        if in_case_flag(node, value.type):
            insensitive = node.args[-1].value == 0  # type: ignore[attr-defined]
            candidates = candidates[:-1]
        branches = []
        for position, c in enumerate(candidates, start=1):
            if c.type == "null":
                continue
            left, right = comparable(tr, value, c)
            if insensitive:
                left, right = Code(f"F.lower({left})", "string"), Code(f"F.lower({right})", "string")
            branches.append(f".when(F.coalesce({left} == {right}, F.lit(False)), F.lit({position}))")
        return Code(
            f'F.when({value}.isNull(), F.lit(None).cast("int")){"".join(branches)}.otherwise(F.lit(0))',
            "integer",
        )

    return let(args[0], build)


# ---------------------------------------------------------------- GREATEST, LEAST


def _extreme(pick_greatest: bool) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        best = values[0]
        for v in values[1:]:
            c = compare(v, best, env)
            if (c > 0) if pick_greatest else (c < 0):  # type: ignore[operator]
                best = v
        return best

    return run


def _extreme_spark(name: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        kind = first_known(*range(len(args)))([a.type for a in args])

        def body(values: list[Code]) -> Code:
            any_null = " | ".join(f"{v}.isNull()" for v in values)
            return Code(f"F.when(~({any_null}), F.{name}({', '.join(v.text for v in values)}))", kind)

        return let_all([as_value(a) for a in args], body)

    return build


# ---------------------------------------------------------------- tests

_SPACES = re.compile(r"[ \t\n\r\f\v]+\Z")
_SPARK_SPACES = "^[ \\t\\n\\r\\f\\x0b]+$"


def _is_date(values: list[Value], env: Environment) -> Value:
    text = values[0]
    fmt = values[1] if len(values) > 1 else env.date_format
    if not isinstance(text, str):
        return 1
    try:
        parse_date(text, str(fmt), env.now().year)
    except ValueError:
        return 0
    return 1


def _is_date_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    fmt = tr.ctx.date_format
    if args[0].type == "date":
        return Code(f"F.when({args[0]}.isNotNull(), F.lit(True))", "boolean")
    if len(node.args) > 1:
        if not (isinstance(node.args[1], Literal) and isinstance(node.args[1].value, str)):
            fresh = tr.fresh("f")
            return let_all(
                [tr.to_string(args[0]), tr.to_string(args[1])],
                lambda b: Code(
                    f"F.when({b[0]}.isNotNull() & {b[1]}.isNotNull(), "
                    f"{parse_dynamic(b[0], b[1], tr.ctx.now(), fresh)}.isNotNull())",
                    "boolean",
                ),
            )
        fmt = node.args[1].value
    return let(
        tr.to_string(args[0]),
        lambda s: Code(
            f"F.when({s}.isNotNull(), {try_parse_date(s, fmt, tr.ctx.now())}.isNotNull())", "boolean"
        ),
    )


def _error(values: list[Value], env: Environment) -> Value:
    raise RowError(f"ERROR: {to_string(values[0])}")


def _abort(values: list[Value], env: Environment) -> Value:
    raise AbortSession(f"ABORT: {to_string(values[0])}")


def _error_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return Code(tr.row_error_code(f'F.concat(F.lit("ERROR: "), {tr.to_string(args[0])})'), "null")


def _abort_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return Code(f'F.raise_error(F.concat(F.lit("ABORT: "), {args[0]}))', "null")


def _bool(test: Callable[[Value], bool]) -> Evaluate:
    return lambda values, env: 1 if test(values[0]) else 0


register(
    Function(
        "IIF",
        2,
        3,
        first_known(1, 2),
        lazy=_iif,
        spark=_iif_spark,
        group="conditional",
        doc="IIF(condition, value1[, value2]): value2 omitted gives 0, '' or NULL by type.",
    ),
    Function(
        "DECODE",
        3,
        None,
        lambda t: first_known(*range(2, len(t), 2), *([len(t) - 1] if len(t) % 2 == 0 else []))(t),
        lazy=_decode,
        spark=_decode_spark,
        group="conditional",
        doc="DECODE(value, search1, result1, ...[, default]); NULL matches NULL [U].",
    ),
    Function(
        "CHOOSE",
        2,
        None,
        first_known(*range(1, 64)),
        evaluate=_choose,
        spark=_choose_spark,
        null_in_null_out=False,
        group="conditional",
        doc="CHOOSE(index, s1, s2, ...): the index-th.",
    ),
    Function(
        "IN",
        2,
        None,
        "boolean",
        lazy=_in,
        spark=_in_spark,
        group="conditional",
        doc="IN(value, v1, ...[, CaseFlag]): 1 if value equals one of them; CaseFlag 0 ignores case.",
    ),
    Function(
        "INDEXOF",
        2,
        None,
        "integer",
        lazy=_indexof,
        spark=_indexof_spark,
        group="conditional",
        doc="INDEXOF(value, s1, ...[, CaseFlag]): position of the first equal string, 0 if none.",
    ),
    Function(
        "GREATEST",
        1,
        None,
        first_known(*range(64)),
        evaluate=_extreme(True),
        spark=_extreme_spark("greatest"),
        group="conditional",
        doc="Largest value; NULL if any is NULL.",
    ),
    Function(
        "LEAST",
        1,
        None,
        first_known(*range(64)),
        evaluate=_extreme(False),
        spark=_extreme_spark("least"),
        group="conditional",
        doc="Smallest value; NULL if any is NULL.",
    ),
    Function(
        "ISNULL",
        1,
        1,
        "boolean",
        evaluate=lambda v, env: 1 if v[0] is None else 0,
        null_in_null_out=False,
        spark=lambda tr, n, a: Code(f"{a[0]}.isNull()", "boolean"),
        group="test",
        doc="1 if the value is NULL ('' is not NULL).",
    ),
    Function(
        "IS_SPACES",
        1,
        1,
        "boolean",
        evaluate=_bool(lambda s: _SPACES.match(str(s)) is not None),
        spark=lambda tr, n, a: Code(f"{tr.to_string(a[0])}.rlike({py(_SPARK_SPACES)})", "boolean"),
        group="test",
        doc="1 if the string is made only of blanks ('' is not) [U for ''].",
    ),
    Function(
        "IS_NUMBER",
        1,
        1,
        "boolean",
        evaluate=_bool(lambda s: is_number(str(s)) if isinstance(s, str) else True),
        spark=lambda tr, n, a: (
            Code(f"F.when({a[0]}.isNotNull(), F.lit(True))", "boolean")
            if a[0].type in ("integer", "decimal", "double")
            else Code(f"{tr.to_string(a[0])}.rlike({py(SPARK_IS_NUMBER)})", "boolean")
        ),
        group="test",
        doc="1 if the string is a number (blanks around allowed).",
    ),
    Function(
        "IS_DATE",
        1,
        2,
        "boolean",
        evaluate=_is_date,
        spark=_is_date_spark,
        group="test",
        doc="IS_DATE(string[, format]): 1 if the string reads as a date with the format.",
    ),
    Function(
        "ERROR",
        1,
        1,
        "null",
        evaluate=_error,
        spark=_error_spark,
        null_in_null_out=False,
        group="conditional",
        doc="Row error: the row is rejected (converted jobs reject it too; see docs/convert.md).",
    ),
    Function(
        "ABORT",
        1,
        1,
        "null",
        evaluate=_abort,
        spark=_abort_spark,
        null_in_null_out=False,
        group="conditional",
        doc="Stops the session.",
    ),
)
