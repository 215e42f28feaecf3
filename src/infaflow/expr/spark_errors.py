"""Row errors as values: which row error (if any) an expression raises, as a PySpark Column of the message.

PowerCenter rejects a row whose evaluation raises a row error (ERROR(), a TO_DATE that does not match its
format, a division by zero...) and the session goes on. In the translation's *row-error mode*
(:func:`infaflow.expr.spark.to_pyspark_checked`) a row error does not fail the Spark job: its value is NULL
and, next to the value, a second Column gives the message of the first error the evaluator would raise for
the row (NULL when there is none). The code generator drops the rows whose message is not NULL, counts them
and writes them with the message to the session's row-error file.

The message follows the evaluator's order of evaluation (``infaflow.expr.evaluator``): operands left to
right, AND/OR stop at a decisive left operand, arithmetic stops at a NULL left operand, IIF/DECODE/IN only
evaluate the branch taken. A function's own error (its handler asked for ``Translator.row_error``) happens
when its result is NULL while every argument is not: outside a failing case, every error-raising function
returns a value for non-NULL arguments. ERROR() always raises when it is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from infaflow.expr.functions import REGISTRY
from infaflow.expr.functions.conditional import in_case_flag
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary, is_proc_result
from infaflow.expr.spark_operators import comparable
from infaflow.expr.sparkcode import Code, as_bool

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

NO_ERROR = ""  # the expression cannot raise a row error


def first(*errors: str) -> str:
    """The first of several error Columns that is not NULL ("" = cannot raise)."""
    present = [e for e in errors if e]
    if not present:
        return NO_ERROR
    if len(present) == 1:
        return present[0]
    return f"F.coalesce({', '.join(present)})"


def when(condition: str, then: str, otherwise: str = NO_ERROR) -> str:
    """``then`` where ``condition`` is TRUE, else ``otherwise`` (NULL counts as not TRUE)."""
    if not then and not otherwise:
        return NO_ERROR
    if not otherwise:
        return f"F.when({condition}, {then})"
    if not then:
        return f"F.when(~F.coalesce({condition}, F.lit(False)), {otherwise})"
    return f"F.when({condition}, {then}).otherwise({otherwise})"


def _constant(text: str) -> bool:
    """A literal that is not NULL (its ``isNotNull()`` would be noise in the generated code)."""
    return text.startswith("F.lit(") and not text.startswith("F.lit(None)") and "F.col(" not in text


def _not_null(codes: list[Code]) -> str:
    tests = [f"{c.text}.isNotNull()" for c in codes if c.type != "null" and not _constant(c.text)]
    return " & ".join(tests) or "F.lit(True)"


def own_error(value: Code, args: list[Code], raised: list[str]) -> str:
    """The error a function or operator raises itself: its result is NULL for non-NULL arguments."""
    if not raised:
        return NO_ERROR
    message = raised[0]
    if not message.startswith("F.lit("):
        message = f'F.coalesce({message}, F.lit("row error"))'
    return f"F.when({value.text}.isNull() & {_not_null(args)}, {message})"


def node_error(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    """The error Column of ``node`` whose code is ``value`` (``raised``: the row errors its handler asked
    for, as message Columns)."""
    handler = _NODE_RULES.get(type(node))
    if handler is None:
        return NO_ERROR
    return handler(tr, node, value, raised)


def _leaf(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    return NO_ERROR


def _unary(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    assert isinstance(node, Unary)
    return first(tr.error_of(node.operand), own_error(value, [tr.translate(node.operand)], raised))


def _binary(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    assert isinstance(node, Binary)
    left, right = tr.translate(node.left), tr.translate(node.right)
    err_left, err_right = tr.error_of(node.left), tr.error_of(node.right)
    if node.op == "AND":  # the right operand is not evaluated after a FALSE left one
        return first(err_left, when(f"F.coalesce({as_bool(left)}, F.lit(True))", err_right))
    if node.op == "OR":  # ... nor after a TRUE one
        return first(err_left, when(f"~F.coalesce({as_bool(left)}, F.lit(False))", err_right))
    own = own_error(value, [left, right], raised)
    if node.op in ("+", "-", "*", "/", "%"):  # a NULL left operand ends the evaluation
        return first(err_left, when(f"{left}.isNotNull()", err_right) if err_right else NO_ERROR, own)
    return first(err_left, err_right, own)


def _call(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    assert isinstance(node, Call)
    fn = REGISTRY.get(node.name)
    if fn is not None and fn.lazy is not None:
        rule = _LAZY_RULES.get(node.name)
        if rule is not None:
            return rule(tr, node)
        if raised or any(tr.error_of(a) for a in node.args):
            raise tr.unsupported(node, f"row errors inside {node.name} are not translated")
        return NO_ERROR
    errors = [tr.error_of(a) for a in node.args]
    if node.name == "ERROR":  # raises whenever it is evaluated
        message = raised[0] if raised else 'F.lit("ERROR: ")'
        if "F.col(" in message or "job.param(" in message:  # a NULL message is still an error
            message = f'F.coalesce({message}, F.lit("ERROR: "))'
        return first(*errors, message)
    return first(*errors, own_error(value, [tr.translate(a) for a in node.args], raised))


def _ref_call(tr: Translator, node: Node, value: Code, raised: list[str]) -> str:
    assert isinstance(node, RefCall)
    return first(*(tr.error_of(a) for a in node.args if not is_proc_result(a)))


def _iif(tr: Translator, node: Call) -> str:
    cond = as_bool(tr.translate(node.args[0])).text
    then = tr.error_of(node.args[1])
    otherwise = tr.error_of(node.args[2]) if len(node.args) == 3 else NO_ERROR
    return first(tr.error_of(node.args[0]), when(cond, then, otherwise))


def _decode(tr: Translator, node: Call) -> str:
    args = node.args
    pairs = (len(args) - 1) // 2
    searches = [tr.error_of(args[1 + 2 * i]) for i in range(pairs)]
    results = [tr.error_of(args[2 + 2 * i]) for i in range(pairs)]
    default = tr.error_of(args[-1]) if len(args) % 2 == 0 else NO_ERROR
    if not any(searches) and not any(results) and not default:
        return tr.error_of(args[0])
    value = tr.translate(args[0])
    branches: list[str] = []
    for i in range(pairs):
        search = tr.translate(args[1 + 2 * i])
        if search.type == "null":
            match = f"{value}.isNull()"
        else:
            left, right = comparable(tr, value, search)
            match = f"{left}.eqNullSafe({right})"
        branches.append(f"{match}, {first(*searches[: i + 1], results[i]) or 'F.lit(None)'}")
    chain = "F.when(" + ").when(".join(branches) + ")"
    rest = first(*searches, default)
    if rest:
        chain += f".otherwise({rest})"
    return first(tr.error_of(args[0]), chain)


def _in(tr: Translator, node: Call) -> str:
    """IN stops at the first candidate equal to the value: a later candidate's error is not raised."""
    value = tr.translate(node.args[0])
    candidates = list(node.args[1:])
    insensitive = False
    if in_case_flag(node, value.type):
        insensitive = node.args[-1].value == 0  # type: ignore[attr-defined]
        candidates = candidates[:-1]
    errors = [tr.error_of(c) for c in candidates]
    if not any(errors):
        return tr.error_of(node.args[0])
    rest = NO_ERROR
    for candidate, error in reversed(list(zip(candidates, errors, strict=True))):
        code = tr.translate(candidate)
        if code.type == "null":
            rest = first(error, rest)
            continue
        left, right = comparable(tr, value, code)
        if insensitive:
            left, right = Code(f"F.lower({left})", "string"), Code(f"F.lower({right})", "string")
        rest = first(error, when(f"~F.coalesce({left} == {right}, F.lit(False))", rest) if rest else NO_ERROR)
    return first(tr.error_of(node.args[0]), when(f"{value}.isNotNull()", rest))


_NODE_RULES: dict[type, Callable[[Translator, Node, Code, list[str]], str]] = {
    Literal: _leaf,
    Name: _leaf,
    Unary: _unary,
    Binary: _binary,
    Call: _call,
    RefCall: _ref_call,
}

#: functions that evaluate only some of their arguments (the evaluator's ``lazy`` functions)
_LAZY_RULES: dict[str, Callable[[Translator, Call], str]] = {"IIF": _iif, "DECODE": _decode, "IN": _in}
