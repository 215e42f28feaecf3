"""Informatica's transformation language: parser, evaluator and PySpark translation.

::

    from infaflow.expr import parse, evaluate, to_pyspark, DictEnvironment, STATUS
    node = parse("$s1.Status = SUCCEEDED", file="wf.xml", line=12)
    evaluate(node, DictEnvironment({"$s1.Status": STATUS["SUCCEEDED"]}))   # -> 1
    to_pyspark(parse("IIF(ISNULL(A), 0, A + 1)"))                          # -> 'F.when(...)...'
"""

from infaflow.expr.constants import DD, STATUS
from infaflow.expr.dateformat import DEFAULT_DATE_FORMAT
from infaflow.expr.environment import DictEnvironment, Environment
from infaflow.expr.errors import AbortSession, ExprError, ExprSyntaxError, RowError, UnknownName, Unsupported
from infaflow.expr.evaluator import evaluate
from infaflow.expr.functions import REGISTRY
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Unary, to_text, walk
from infaflow.expr.parser import parse
from infaflow.expr.spark import SparkContext, to_pyspark, to_pyspark_condition
from infaflow.expr.types import truthy


def references(node: Node) -> set[str]:
    """Names an expression uses: ports, ``$$parameters``, ``$variables``, ``$Task.Attribute``, as written."""
    return {n.name for n in walk(node) if isinstance(n, Name)}


def lookups(node: Node) -> set[str]:
    """Unconnected lookups and stored procedures an expression calls, as ``:LKP.name`` / ``:SP.name``."""
    return {f":{n.kind}.{n.name}" for n in walk(node) if isinstance(n, RefCall)}


__all__ = [
    "AbortSession",
    "Binary",
    "Call",
    "DD",
    "DEFAULT_DATE_FORMAT",
    "DictEnvironment",
    "Environment",
    "ExprError",
    "ExprSyntaxError",
    "Literal",
    "Name",
    "Node",
    "REGISTRY",
    "RefCall",
    "RowError",
    "STATUS",
    "SparkContext",
    "Unary",
    "UnknownName",
    "Unsupported",
    "evaluate",
    "lookups",
    "parse",
    "references",
    "to_pyspark",
    "to_pyspark_condition",
    "to_text",
    "truthy",
    "walk",
]
