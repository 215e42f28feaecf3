"""Rank: the top or bottom N rows per group by the RANKPORT; RANKINDEX numbers them 1..N.

Ties get the same rank index and the next index is skipped (SQL ``RANK``), so a group can return
more than N rows when rows tie at the N-th place [SPEC F: ties unconfirmed].
"""

from __future__ import annotations

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode, select_code
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

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
    rank_port = next((p for p in inputs if p.expression_type.upper() == "RANKPORT"), None)
    if rank_port is None:
        raise ConversionError("the Rank has no RANKPORT")
    for p in t.ports:
        expression = (p.expression or "").strip()
        if p is not index and not p.is_input and expression and expression.lower() != p.name.lower():
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
    order = f"F.col({py_str(rank_port.name)}).{'desc' if top else 'asc'}_nulls_last()"
    part = f"Window.partitionBy({', '.join(py_str(g.name) for g in groups)})" if groups else "Window"
    rank_col = index.name if index is not None else "RANKINDEX"
    lines.append(f"{var} = {var}.withColumn({py_str(rank_col)}, F.rank().over({part}.orderBy({order})))")
    lines.append(f"{var} = {var}.where(F.col({py_str(rank_col)}) <= {n})")
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in inputs if p.is_output}
    if index is not None:
        outputs[index.name.lower()] = Output(var, index.name, origin=step.name)
    cols = [py_str(p.name) for p in inputs if p.is_output] + (
        [py_str(index.name)] if index is not None else []
    )
    lines += select_code(var, [*cols, *gen.extra(var)], var)
    return StepCode(
        lines,
        outputs,
        [
            f"{'top' if top else 'bottom'} {n} by {rank_port.name}"
            + (f" per {', '.join(g.name for g in groups)}" if groups else "")
        ],
    )
