"""Rank: the top or bottom N rows per group by the RANKPORT; RANKINDEX numbers them 1..N.

The rank port is an input/output port, or an output port whose expression is computed from the input
ports for every row (the Designer of PowerCenter 10 saves such a Rank as valid).

Ties get the same rank index and the next index is skipped (SQL ``RANK``), so a group can return
more than N rows when rows tie at the N-th place [SPEC F: ties unconfirmed]. ``Case Sensitive String
Comparison`` NO ranks a string rank port lower-cased. Transformation Scope Transaction ranks within each
transaction (codegen/transactions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen import transactions
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import reject_failing
from infaflow.codegen.stepcode import Output, StepCode, cast_to, port_columns, select_code, unwrap
from infaflow.codegen.types import spark_type
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Rank",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    index = next(
        (p for p in t.ports if p.expression_type.upper() == "RANKINDEX" or p.name.upper() == "RANKINDEX"),
        None,
    )
    inputs = [p for p in t.ports if p.is_input]
    rank_port = next((p for p in t.ports if p.expression_type.upper() == "RANKPORT"), None)
    if rank_port is None:
        raise ConversionError(
            'no port of the Rank is its rank port (EXPRESSIONTYPE="RANKPORT"): the Designer '
            "does not validate a Rank without one, so it has no rows to rank by"
        )
    computed = rank_port if not rank_port.is_input else None  # an output rank port: ranked by its expression
    for p in t.ports:
        expression = (p.expression or "").strip()
        if (
            p is not index
            and p is not computed
            and not p.is_input
            and expression
            and expression.lower() != p.name.lower()
        ):
            # When PowerCenter evaluates them (for every input row, or for the ranked rows only) is not
            # documented, nor so which rows their row errors reject: reported, never dropped.
            gen.gap(
                step,
                ConversionError(
                    f"port {p.name} of the Rank has an expression ({expression}); "
                    "expressions in a Rank are not converted"
                ),
                p,
            )
    groups = [p for p in inputs if p.is_group_by]
    top = str(step.attributes.get("Top/Bottom", "Top") or "Top").strip().lower() != "bottom"
    try:
        n = int(str(step.attributes.get("Number of Ranks", "1") or "1"))
    except ValueError as exc:
        raise ConversionError("Number of Ranks is not a number") from exc
    lines, _ = gen.assemble(step, inputs, var)
    lines += input_defaults(step, gen, var, inputs)
    if computed is not None:
        lines += _rank_value(step, gen, var, computed, inputs)
    scope_lines, per_txn = transactions.scope_lines(step, gen, var)
    lines += scope_lines
    value = f"F.col({py_str(rank_port.name)})"
    if not step.attributes.flag("Case Sensitive String Comparison", True) and (
        spark_type(rank_port.datatype) == "string"
    ):
        # Strings that differ only in case rank as equal values: they tie (Transformation Guide, Rank
        # properties: Case-Sensitive String Comparison).
        value = f"F.lower({value})"
    order = f"{value}.{'desc' if top else 'asc'}_nulls_last()"
    txn_cols = [transactions.TXN, transactions.ROLLED_BACK] if per_txn else []
    part_cols = [*(py_str(c) for c in txn_cols[:1]), *(py_str(g.name) for g in groups)]
    part = f"Window.partitionBy({', '.join(part_cols)})" if part_cols else "Window"
    rank_col = index.name if index is not None else "RANKINDEX"
    lines.append(f"{var} = {var}.withColumn({py_str(rank_col)}, F.rank().over({part}.orderBy({order})))")
    lines.append(f"{var} = {var}.where(F.col({py_str(rank_col)}) <= {n})")
    passed = [p for p in inputs if p.is_output] + ([computed] if computed is not None else [])
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in passed}
    if index is not None:
        outputs[index.name.lower()] = Output(var, index.name, origin=step.name)
    cols = [py_str(p.name) for p in passed] + ([py_str(index.name)] if index is not None else [])
    lines += select_code(var, [*cols, *gen.extra(var), *(py_str(c) for c in txn_cols)], var)
    if per_txn:
        lines += transactions.keep_lines(step, var)
    return StepCode(
        lines,
        outputs,
        [
            f"{'top' if top else 'bottom'} {n} by {rank_port.name}"
            + (f" per {', '.join(g.name for g in groups)}" if groups else "")
            + (" within each transaction" if per_txn else "")
        ],
    )


def _rank_value(step: Step, gen: Generator, var: str, port: Port, inputs: list[Port]) -> list[str]:
    """An output rank port: its expression over the input ports, computed for every input row (the rows are
    ranked by it); a row whose expression raises a row error is rejected before ranking."""
    expression = (port.expression or "").strip()
    if not expression:
        raise ConversionError(f"the rank port {port.name} is an output port without an expression")
    code, error = gen.expression_checked(step, expression, port_columns(inputs), port)
    lines = reject_failing(step, var, var, [error])
    lines.append(f"{var} = {var}.withColumn({py_str(port.name)}, {cast_to(unwrap(code), port)})")
    return lines
