"""PowerCenter's row-by-row rule for an Expression's ports, run with the expression evaluator.

Per row: the inputs, then the variable ports top to bottom (a variable read at or after its own position
still holds the previous row's value; before the first row 0, '' or 01/01/0001), then the output ports. A row
error stops the row's evaluation: the row is rejected, the variables assigned before the failing port keep
their new values, the others their previous ones (docs/convert.md, "Row errors").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from infaflow.codegen.exprs import expr_type
from infaflow.expr import DictEnvironment, RowError, evaluate, parse
from infaflow.model import Port

INITIAL = {"integer": 0, "decimal": 0, "double": 0.0, "string": "", "date": datetime(1, 1, 1)}


def convert(value: Any, port: Port) -> Any:
    """A value as the port's datatype holds it (integers truncated, as the generated cast does)."""
    if value is None:
        return None
    kind = expr_type(port.datatype)
    if kind == "integer":
        return int(value)
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    return value


def run_expression(ports: list[Port], rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The output rows (inputs passed through and output ports by name) and the number of rejected rows."""
    types = {p.name: expr_type(p.datatype) for p in ports}
    variables = [p for p in ports if p.is_variable]
    outputs = [p for p in ports if p.is_output and not p.is_input]
    trees = {p.name: parse(p.expression or "NULL") for p in [*variables, *outputs]}
    state = {p.name: INITIAL[types[p.name]] for p in variables}
    out: list[dict[str, Any]] = []
    rejected = 0
    for row in rows:
        env = DictEnvironment({**row, **state}, types=types)
        failed = False
        for p in variables:
            try:
                value = convert(evaluate(trees[p.name], env), p)
            except RowError:
                failed = True
                break
            env.values[p.name.lower()] = value
            state[p.name] = value
        result = dict(row)
        for p in outputs:
            if failed:
                break
            try:
                result[p.name] = convert(evaluate(trees[p.name], env), p)
            except RowError:
                failed = True
        if failed:
            rejected += 1
            continue
        out.append(result)
    return out, rejected
