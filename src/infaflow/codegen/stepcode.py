"""What a codegen handler builds and the helpers it builds it with: a leaf module below every handler.

A handler returns a :class:`StepCode` (its lines and where each output port's values are, as
:class:`Output`); the helpers lay out ``select`` calls, aliases, casts and parentheses. Nothing here
imports the generator or the handlers, so handlers depend on this module and name ``Generator`` only for
type checking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infaflow.codegen.naming import py_str
from infaflow.codegen.rowcontract import ROW_ID, ROW_TYPE
from infaflow.codegen.types import spark_type
from infaflow.model import Port

__all__ = [
    "ANY_ORIGIN",
    "NO_SOURCE",
    "ROW_ID",
    "ROW_TYPE",
    "Output",
    "StepCode",
    "cast_to",
    "col_alias",
    "null_of",
    "port_columns",
    "select_code",
    "unwrap",
    "uses_name",
    "wrapped",
]

NO_SOURCE = (
    "no source feeds this transformation, nor the steps it feeds (only constants or a Sequence "
    "Generator): PowerCenter does not run a mapping whose target receives data from no source"
)
ANY_ORIGIN = "*"  # outputs of a step that is not converted: never a second, misleading gap downstream


@dataclass
class Output:
    """Where an output port's values are: a frame variable and a column (or a Sequence object)."""

    var: str
    column: str
    origin: str  # rows of frames with the same origin line up one to one by _row_id
    sequence: bool = False


@dataclass
class StepCode:
    """The code of one step."""

    lines: list[str]
    outputs: dict[str, Output]
    notes: list[str] = field(default_factory=list)  # extra comment lines under the step's title


def select_code(frame: str, columns: list[str], var: str, method: str = "select") -> list[str]:
    """``var = frame.select(...)`` laid out one column per line when it does not fit on one."""
    one = f"{var} = {frame}.{method}({', '.join(columns)})"
    if len(one) <= 100:
        return [one]
    return [f"{var} = {frame}.{method}(", *[f"    {c}," for c in columns], ")"]


def col_alias(column: str, name: str) -> str:
    """``"A"`` when the column keeps its name, else ``F.col("A").alias("B")``."""
    if column == name:
        return py_str(name)
    return f"F.col({py_str(column)}).alias({py_str(name)})"


def null_of(port: Port) -> str:
    return (
        f"F.lit(None).cast({py_str(spark_type(port.datatype, port.precision, port.scale))})"
        f".alias({py_str(port.name)})"
    )


def wrapped(code: str) -> str:
    """``code`` in parentheses unless it already is one call chain (``F.f(...).g(...)``) or one
    parenthesised group."""
    depth, quote, escaped = 0, "", False
    for ch in code:
        if quote:
            escaped = not escaped and ch == "\\"
            if ch == quote and not escaped:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and not (ch.isalnum() or ch in "_."):
            return f"({code})"
    return code if code and (code[0].isalpha() or code[0] == "(") else f"({code})"


def unwrap(code: str) -> str:
    """``code`` without one pair of parentheses around all of it."""
    if not code.startswith("("):
        return code
    depth, quote, escaped = 0, "", False
    for i, ch in enumerate(code):
        if quote:
            escaped = not escaped and ch == "\\"
            if ch == quote and not escaped:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return code[1:-1] if i == len(code) - 1 else code
    return code


def cast_to(code: str, port: Port) -> str:
    """``code`` cast to the port's datatype, as PowerCenter converts a result to its port."""
    return f"{wrapped(code)}.cast({py_str(spark_type(port.datatype, port.precision, port.scale))})"


_STRINGS = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def uses_name(code: str, name: str, attribute: bool = True) -> bool:
    """True when ``code`` uses the Python name ``name`` outside string literals (with ``attribute``: as
    ``name.something``; ``"DB_FF.SEQ"`` does not use ``F``)."""
    tail = r"\." if attribute else r"(?!\w)"
    return re.search(rf"(?<![\w.]){re.escape(name)}{tail}", _STRINGS.sub('""', code)) is not None


def port_columns(ports: list[Port]) -> dict[str, str]:
    """Column code of each port by lower-case name: ``F.col("NAME")``."""
    return {p.name.lower(): f"F.col({py_str(p.name)})" for p in ports}
