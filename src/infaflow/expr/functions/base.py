"""The function registry: every built-in function is declared once, with its evaluator and Spark form.

A :class:`Function` has a name, an arity, a result type, and either ``evaluate`` (called with the argument
values) or ``lazy`` (called with argument thunks, for IIF, DECODE and aggregates), plus ``spark``, which
builds the PySpark source from the arguments' translations. Group modules call :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.expr.types import NUMERIC, wider

if TYPE_CHECKING:
    from infaflow.expr.environment import Environment
    from infaflow.expr.nodes import Call
    from infaflow.expr.spark import Code, Translator
    from infaflow.expr.types import Value

Evaluate = Callable[[list["Value"], "Environment"], "Value"]
Thunk = Callable[["Environment"], "Value"]
Lazy = Callable[[list[Thunk], "Environment", "Call"], "Value"]
SparkHandler = Callable[["Translator", "Call", list["Code"]], "Code"]
#: a result type: a fixed name ("string", "integer", "boolean"...) or a function of the argument types
Returns = str | Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class Function:
    """One built-in function of the transformation language."""

    name: str
    min_args: int
    max_args: int | None  # None: any number
    returns: Returns
    evaluate: Evaluate | None = None
    lazy: Lazy | None = None
    spark: SparkHandler | None = None
    #: any NULL argument gives NULL without calling ``evaluate``
    null_in_null_out: bool = True
    aggregate: bool = False
    group: str = ""
    doc: str = ""
    #: why there is no Spark form, when ``spark`` is None
    no_spark: str = ""

    def result_type(self, arg_types: Sequence[str]) -> str:
        """The result type for arguments of these types ("" when unknown)."""
        if callable(self.returns):
            return self.returns(arg_types)
        return self.returns

    def check_arity(self, count: int) -> str | None:
        """An error message when ``count`` arguments do not fit, else None."""
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            if self.max_args is None:
                expected = f"at least {self.min_args}"
            elif self.min_args == self.max_args:
                expected = str(self.min_args)
            else:
                expected = f"{self.min_args} to {self.max_args}"
            return f"{self.name} takes {expected} arguments, got {count}"
        return None


REGISTRY: dict[str, Function] = {}


def register(*functions: Function) -> None:
    """Add functions to the registry (names are unique)."""
    for fn in functions:
        if fn.name in REGISTRY:
            raise ValueError(f"function {fn.name} declared twice")
        REGISTRY[fn.name] = fn


def arg_type(index: int) -> Callable[[Sequence[str]], str]:
    """Result type = the type of argument ``index``."""
    return lambda types: types[index] if index < len(types) else ""


def first_known(*indexes: int) -> Callable[[Sequence[str]], str]:
    """Result type = the first known type among the given arguments (numeric ones widened)."""

    def pick(types: Sequence[str]) -> str:
        found = [types[i] for i in indexes if i < len(types) and types[i] not in ("", "null")]
        if not found:
            return ""
        if all(t in NUMERIC for t in found):
            result = found[0]
            for t in found[1:]:
                result = wider(result, t)
            return result
        if "boolean" in found and all(t in NUMERIC + ("boolean",) for t in found):
            return "integer" if len(set(found)) > 1 else "boolean"
        return found[0]

    return pick
