"""The evaluator: compiles an AST once into nested Python closures, then runs them against an environment.

PowerCenter semantics: NULL propagates through every operator except ``||``; AND/OR are three-valued;
comparisons and logical operators give 1/0; strings meet numbers by their numeric prefix and dates by the
session date format; integer division gives a double (a Decimal with high precision); division by zero is a
row error. Never uses Python ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from infaflow.expr.environment import Environment
from infaflow.expr.errors import ExprError, RowError, UnknownName
from infaflow.expr.functions import REGISTRY
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary
from infaflow.expr.operators import (  # noqa: F401 - divide, modulo, default_for re-exported
    ARITHMETIC,
    COMPARISONS,
    compare,
    concat,
    default_for,
    divide,
    modulo,
)
from infaflow.expr.types import Value, to_number, truthy

Compiled = Callable[[Environment], Value]


def evaluate(node: Node, env: Environment) -> Value:
    """The value of an expression in ``env`` (None for NULL). Raises ExprError (a row error for the
    runtime) with the expression's location when evaluation fails."""
    fn = node._fn
    if fn is None:
        fn = compile_node(node)
    try:
        return fn(env)
    except ExprError as exc:
        if not exc.file and node.source.file:
            exc.file, exc.line = node.source.file, node.source.line
        raise
    except (ArithmeticError, ValueError, OverflowError) as exc:
        raise RowError(f"{type(exc).__name__}: {exc}", node.source.file, node.source.line) from None


def compile_node(node: Node) -> Compiled:
    """The closure computing ``node`` (cached on the node)."""
    if node._fn is None:
        node._fn = _COMPILERS[type(node)](node)
    return node._fn


def _error(node: Node, message: str, kind: type[ExprError] = ExprError) -> ExprError:
    src = node.source
    text = f"{message} (at {src.where(node.pos)})"
    if kind is UnknownName:
        error = UnknownName(getattr(node, "name", ""), src.file, src.file_line(node.pos))
        error.message = text
        error.args = (text,)
        return error
    return kind(text, src.file, src.file_line(node.pos))


# ---------------------------------------------------------------- leaves


def _literal(node: Literal) -> Compiled:
    value = node.value
    if isinstance(value, Decimal):
        as_float = float(value)
        return lambda env: value if env.high_precision else as_float
    return lambda env: value


def _name(node: Name) -> Compiled:
    name = node.name

    def run(env: Environment) -> Value:
        try:
            return env.resolve(name)
        except UnknownName as exc:
            if "(at " in exc.message:
                raise
            raise _error(node, exc.message, UnknownName) from None

    return run


# ---------------------------------------------------------------- operators


def _negate(value: Value) -> Value:
    if value is None:
        return None
    return -to_number(value)  # type: ignore[operator]


def _unary(node: Unary) -> Compiled:
    operand = compile_node(node.operand)
    if node.op == "-":
        return lambda env: _negate(operand(env))
    if node.op == "+":
        return lambda env: None if (v := operand(env)) is None else to_number(v)
    return lambda env: None if (v := operand(env)) is None else (0 if truthy(v) else 1)


def _equal_fast(left: Compiled, right: Compiled) -> Compiled:
    def run(env: Environment) -> Value:
        a = left(env)
        b = right(env)
        if a is None or b is None:
            return None
        if type(a) is type(b):
            return 1 if a == b else 0
        return 1 if compare(a, b, env) == 0 else 0

    return run


def _binary(node: Binary) -> Compiled:
    left, right, op = compile_node(node.left), compile_node(node.right), node.op
    if op == "AND":

        def run_and(env: Environment) -> Value:
            a = left(env)
            if a is not None and not truthy(a):
                return 0
            b = right(env)
            if b is not None and not truthy(b):
                return 0
            return None if a is None or b is None else 1

        return run_and
    if op == "OR":

        def run_or(env: Environment) -> Value:
            a = left(env)
            if a is not None and truthy(a):
                return 1
            b = right(env)
            if b is not None and truthy(b):
                return 1
            return None if a is None or b is None else 0

        return run_or
    if op == "||":
        return lambda env: concat(left(env), right(env), env)
    if op == "=":
        return _equal_fast(left, right)
    if op in COMPARISONS:
        test = COMPARISONS[op]

        def run_compare(env: Environment) -> Value:
            c = compare(left(env), right(env), env)
            return None if c is None else (1 if test(c) else 0)

        return run_compare
    arith = ARITHMETIC[op]

    def run_arith(env: Environment) -> Value:
        a = left(env)
        if a is None:
            return None
        b = right(env)
        if b is None:
            return None
        return arith(a, b, env)

    return run_arith


# ---------------------------------------------------------------- calls


def _call(node: Call) -> Compiled:
    fn = REGISTRY.get(node.name)
    if fn is None:
        raise _error(node, f"unknown function {node.name}")
    count = len(node.args) + (1 if node.star else 0)
    problem = fn.check_arity(count)
    if problem:
        raise _error(node, problem)
    args = [compile_node(a) for a in node.args]
    if fn.lazy is not None:
        lazy = fn.lazy
        return lambda env: lazy(args, env, node)
    evaluate_fn = fn.evaluate
    assert evaluate_fn is not None, fn.name
    if fn.null_in_null_out:

        def run_strict(env: Environment) -> Value:
            values = [a(env) for a in args]
            if None in values:
                return None
            return evaluate_fn(values, env)

        return run_strict
    return lambda env: evaluate_fn([a(env) for a in args], env)


def _ref_call(node: RefCall) -> Compiled:
    args = [compile_node(a) for a in node.args]
    name = node.name
    if node.kind == "LKP":
        return lambda env: env.lookup(name, [a(env) for a in args])
    if node.kind == "SP":
        return lambda env: env.procedure(name, [a(env) for a in args])
    raise _error(node, f":{node.kind}.{name} is not supported (only :LKP and :SP references)")


_COMPILERS: dict[type, Callable[[Any], Compiled]] = {  # each compiler takes its node class
    Literal: _literal,
    Name: _name,
    Unary: _unary,
    Binary: _binary,
    Call: _call,
    RefCall: _ref_call,
}
