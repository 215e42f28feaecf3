"""Scientific functions: SIN, COS, TAN, SINH, COSH, TANH (arguments in radians, results double)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, register
from infaflow.expr.nodes import Call
from infaflow.expr.sparkcode import Code, as_number, let
from infaflow.expr.types import Value, to_number

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator

_PYTHON: dict[str, Callable[[float], float]] = {
    "SIN": math.sin,
    "COS": math.cos,
    "TAN": math.tan,
    "SINH": math.sinh,
    "COSH": math.cosh,
    "TANH": math.tanh,
}


def _run(name: str) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        try:
            return _PYTHON[name](float(to_number(values[0])))  # type: ignore[arg-type]
        except OverflowError:
            raise RowError(f"{name}: overflow") from None

    return run


def _spark(name: str) -> SparkHandler:
    """SINH and COSH overflow to infinity in Spark where Python raises: a row error in both."""

    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        code = Code(f"F.{name.lower()}({as_number(args[0])})", "double")
        if name not in ("SINH", "COSH"):
            return code
        error = tr.row_error(f"{name}: overflow")
        return let(
            code,
            lambda r: Code(f'F.when(F.abs({r}) == F.lit(float("inf")), {error}).otherwise({r})', "double"),
        )

    return build


register(
    *(
        Function(
            name,
            1,
            1,
            "double",
            evaluate=_run(name),
            spark=_spark(name),
            group="scientific",
            doc=f"{name} of an angle in radians.",
        )
        for name in _PYTHON
    )
)
