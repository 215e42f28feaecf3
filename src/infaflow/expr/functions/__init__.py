"""The registry of built-in functions, filled by the group modules imported here."""

from infaflow.expr.functions import (
    aggregates,
    conditional,
    conversion,
    dates,
    encoding,
    financial,
    numeric,
    phonetic,
    running,
    scientific,
    strings,
    variable,
)
from infaflow.expr.functions.base import REGISTRY, Function, register

__all__ = [
    "REGISTRY",
    "Function",
    "register",
    "aggregates",
    "conditional",
    "conversion",
    "dates",
    "encoding",
    "financial",
    "numeric",
    "phonetic",
    "running",
    "scientific",
    "strings",
    "variable",
]
