"""Aggregator: group by the GROUPBY ports; a port that is not aggregated takes the value of the last
row of its group (PowerCenter order, ``_row_id``); no group-by port makes one group of all rows."""

from __future__ import annotations

from infaflow.codegen import exprs
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode, cast_to
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

KINDS = ("Aggregator",)

_LAST = 'F.col("_row_id")'


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    if any(p.is_variable for p in t.ports):
        raise ConversionError("variable ports in an Aggregator are not supported")
    inputs = [p for p in t.ports if p.is_input]
    lines, _ = gen.assemble(step, inputs, var)
    plain = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    last = {p.name.lower(): f"F.max_by(F.col({py_str(p.name)}), {_LAST})" for p in inputs}
    keys = [p for p in t.ports if p.is_group_by]
    aggs: list[str] = []
    outputs: dict[str, Output] = {}
    for port in t.ports:
        if not port.is_output:
            continue
        outputs[port.name.lower()] = Output(var, port.name, origin=step.name)
        if port.is_group_by:
            continue
        if port.is_input:
            aggs.append(f"F.max_by(F.col({py_str(port.name)}), {_LAST}).alias({py_str(port.name)})")
            continue
        parsed = gen.parse(step, port.expression or "NULL", port)
        if parsed is None:
            continue
        if exprs.is_aggregate(parsed):
            inside, outside = exprs.names_by_aggregation(parsed)
            if inside & outside:
                gen.gap(step, ConversionError(
                    f"port {port.name} uses {', '.join(sorted(inside & outside))} both inside and outside an "
                    "aggregate function"), port)
                continue
            # Ports outside aggregate functions take the last row's value.
            columns = {**plain, **{n: last[n] for n in outside if n in last}}
            code = gen.translate(step, parsed, columns, port)
        else:
            # Not aggregated: evaluated on the last row of the group.
            code = f"F.max_by({gen.translate(step, parsed, plain, port)}, {_LAST})"
        aggs.append(f"{cast_to(code, port)}.alias({py_str(port.name)})")
    group = ", ".join(py_str(k.name) for k in keys)
    body = [f"    {a}," for a in aggs]
    if keys:
        lines += [f"{var} = {var}.groupBy({group}).agg(", *body, ")"]
    else:
        lines += [f"{var} = {var}.agg(", *body, ")"]
    lines.append(f"{var} = {var}.withColumn(\"_row_id\", F.monotonically_increasing_id())")
    gen.flagged.discard(var)
    gen.unordered.add(var)
    gen.columns[var] = [k.name for k in keys] + [p.name for p in t.ports if p.is_output and not p.is_group_by] + [
        "_row_id"]
    note = f"group by {', '.join(k.name for k in keys)}" if keys else "no group-by port: one group"
    return StepCode(lines, outputs, [note])
