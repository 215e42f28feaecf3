"""Checking expressions: does each parse, and does it translate to PySpark (and if not, why)?"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from infaflow.expr.errors import ExprError, ExprSyntaxError, Unsupported
from infaflow.expr.functions import REGISTRY
from infaflow.expr.inventory import FoundExpression
from infaflow.expr.nodes import Call, RefCall, walk
from infaflow.expr.parser import parse
from infaflow.expr.spark import SparkContext, to_pyspark
from infaflow.expr.sparkcode import py


class PortContext(SparkContext):
    """Translation context of a checked expression: ports typed from their transformation, parameters read
    from a ``params`` dict of the generated job, lookups left to the caller (Unsupported)."""

    def __init__(self, port_types: dict[str, str], row_order: str | None = None) -> None:
        self.port_types = port_types
        self._row_order = row_order

    def row_order(self) -> str | None:
        return self._row_order

    def column_type(self, name: str) -> str:
        return self.port_types.get(name.upper(), "")

    def parameter(self, name: str) -> str:
        return f"F.lit(params[{py(name)}])"

    def parameter_type(self, name: str) -> str:
        return self.port_types.get(name.upper(), "")


@dataclass
class CheckResult:
    """What happened to one expression."""

    found: FoundExpression
    parsed: bool = False
    translated: bool = False
    uses_lookup: bool = False
    builtin_only: bool = True  # no :LKP/:SP/:UDF and no unknown function
    problem: str = ""
    code: str = ""


@dataclass
class Summary:
    """Counts over many expressions."""

    total: int = 0
    parsed: int = 0
    translated: int = 0
    builtin_only: int = 0
    builtin_translated: int = 0
    problems: Counter[str] = field(default_factory=Counter)

    def add(self, result: CheckResult) -> None:
        self.total += 1
        self.parsed += result.parsed
        self.translated += result.translated
        self.builtin_only += result.parsed and result.builtin_only
        self.builtin_translated += result.translated and result.builtin_only
        if result.problem and result.parsed:
            self.problems[_reason(result.problem)] += 1

    def as_dict(self) -> dict[str, object]:
        return {
            "expressions": self.total,
            "parsed": self.parsed,
            "translated": self.translated,
            "builtin_only": self.builtin_only,
            "builtin_translated": self.builtin_translated,
            "untranslated_reasons": dict(self.problems.most_common()),
        }


def _reason(message: str) -> str:
    """A problem message without its position, to count problems of the same kind."""
    return message.split(" (at ")[0]


def check_one(found: FoundExpression, row_order: str | None = None) -> CheckResult:
    """Parse and translate one expression (``row_order``: code of the input-order column FIRST and LAST
    need, when the generated job has one)."""

    result = CheckResult(found)
    try:
        node = parse(found.text, found.file, found.line)
    except ExprSyntaxError as exc:
        result.problem = str(exc)
        return result
    result.parsed = True
    for n in walk(node):
        if isinstance(n, RefCall):
            result.builtin_only = False
            result.uses_lookup = result.uses_lookup or n.kind == "LKP"
        elif isinstance(n, Call) and n.name not in REGISTRY:
            result.builtin_only = False
    try:
        result.code = to_pyspark(node, PortContext(found.port_types, row_order))
        result.translated = True
    except Unsupported as exc:
        result.problem = exc.message
    except ExprError as exc:
        result.problem = exc.message
    return result
