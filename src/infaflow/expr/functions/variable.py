"""Mapping variable functions: SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE, SETCOUNTVARIABLE.

They act through ``Environment.set_variable`` (rules in :mod:`infaflow.expr.variables`). They have no
Column form on their own: the current value depends on the rows before, and the final value on every row of
the session. Generated jobs compute both in Expression transformations with windows over the row order and
one aggregate (:mod:`infaflow.codegen.mapping_variables`).
"""

from __future__ import annotations

from infaflow.expr.environment import Environment
from infaflow.expr.errors import ExprError
from infaflow.expr.functions.base import Function, Thunk, arg_type, register
from infaflow.expr.nodes import Call, Name
from infaflow.expr.types import Value

_NO_SPARK = (
    "a mapping variable's value spans all rows of a session: generated jobs compute it in Expression "
    "transformations (windows over the row order, the final value in the job's driver)"
)


def _variable_function(args: list[Thunk], env: Environment, node: Call) -> Value:
    target = node.args[0]
    if not isinstance(target, Name):
        raise ExprError(f"{node.name}: the first argument must be a mapping variable ($$name)")
    value = args[1](env) if len(args) > 1 else None
    return env.set_variable(node.name, target.name, value)


register(
    *[
        Function(
            name,
            2,
            2,
            arg_type(1),
            lazy=_variable_function,
            null_in_null_out=False,
            group="variable",
            no_spark=_NO_SPARK,
        )
        for name in ("SETVARIABLE", "SETMAXVARIABLE", "SETMINVARIABLE")
    ],
    Function(
        "SETCOUNTVARIABLE",
        1,
        1,
        "integer",
        lazy=_variable_function,
        null_in_null_out=False,
        group="variable",
        no_spark=_NO_SPARK,
    ),
)
