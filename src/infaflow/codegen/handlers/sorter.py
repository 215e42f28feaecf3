"""Sorter: sort keys in port order with their directions; Distinct drops duplicate rows; NULL sorts
high unless ``Null Treated Low``; ``Case Sensitive`` NO compares strings lower-cased.

With ``Distinct`` every port is part of the sort key (Transformation Guide, "Distinct Output Rows": the
Designer configures all ports as sort keys): ports not marked as keys follow the marked ones, ascending
in port order, so rows that tie on the marked keys come out in the order of their other values.

Transformation Scope Transaction sorts each transaction apart, in transaction order (codegen/transactions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen import transactions
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import ROW_ID, Output, StepCode
from infaflow.codegen.types import spark_type

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Sorter",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    ports = [p for p in t.ports if p.is_input]
    lines, _ = gen.assemble(step, ports, var)
    lines += input_defaults(step, gen, var, ports)
    scope_lines, per_txn = transactions.scope_lines(step, gen, var)
    lines += scope_lines
    null_low = step.attributes.flag("Null Treated Low", False)
    case_sensitive = step.attributes.flag("Case Sensitive", True)
    distinct = step.attributes.flag("Distinct", False)
    keys = []
    sort_ports = [p for p in ports if p.is_sort_key]
    if distinct:
        sort_ports += [p for p in ports if not p.is_sort_key]
    for p in sort_ports:
        col = f"F.col({py_str(p.name)})"
        if not case_sensitive and spark_type(p.datatype) == "string":
            col = f"F.lower({col})"
        desc = p.is_sort_key and p.sort_direction.strip().upper().startswith("DESC")
        nulls = ("last" if null_low else "first") if desc else ("first" if null_low else "last")
        keys.append(f"{col}.{'desc' if desc else 'asc'}_nulls_{nulls}()")
    txn = [py_str(transactions.TXN)] if per_txn else []  # each transaction sorted apart, in their order
    if distinct:
        names = ", ".join([*txn, *(py_str(p.name) for p in ports)])
        lines.append(f"{var} = {var}.dropDuplicates([{names}])")
    lines.append(f"{var} = {var}.orderBy({', '.join([*txn, *keys, py_str(ROW_ID)])})")
    lines.append(f'{var} = {var}.withColumn("_row_id", F.monotonically_increasing_id())')
    if per_txn:
        lines += transactions.keep_lines(step, var)
    gen.unordered.discard(var)
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in ports if p.is_output}
    key_text = ", ".join(f"{p.name} {p.sort_direction or 'ASCENDING'}" for p in ports if p.is_sort_key)
    return StepCode(lines, outputs, [f"keys: {key_text}" + (", per transaction" if per_txn else "")])
