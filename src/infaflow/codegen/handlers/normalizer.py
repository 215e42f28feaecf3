"""Normalizer: one input row becomes one row per occurrence of a multiple-occurring port.

Ports with OCCURS n read their values from the input ports ``NAME_in1`` .. ``NAME_inn`` (the ports the
Designer generates); GCID_NAME numbers the occurrence (1..n); GK_NAME is a generated key.
"""

from __future__ import annotations

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

KINDS = ("Normalizer",)


def _occurs(port) -> int:  # type: ignore[no-untyped-def]
    try:
        return int(str(port.attrs.get("OCCURS", "0") or "0"))
    except ValueError:
        return 0


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    inputs = [p for p in t.ports if p.is_input]
    multi = [p for p in t.ports if p.is_output and _occurs(p) > 1]
    if not multi:
        raise ConversionError("no output port of the Normalizer occurs more than once (OCCURS)")
    counts = {_occurs(p) for p in multi}
    if len(counts) != 1:
        raise ConversionError("Normalizer ports with different OCCURS counts are not supported")
    n = counts.pop()
    by_name = {p.name.lower(): p for p in inputs}
    lines, _ = gen.assemble(step, inputs, var)
    structs = []
    for i in range(1, n + 1):
        fields = [f"F.lit({i}).alias(\"_occurrence\")"]
        for p in multi:
            src = by_name.get(f"{p.name}_in{i}".lower())
            if src is None:
                raise ConversionError(f"input port {p.name}_in{i} for occurrence {i} of {p.name} is missing")
            fields.append(f"F.col({py_str(src.name)}).alias({py_str(p.name)})")
        structs.append(f"F.struct({', '.join(fields)})")
    lines.append(f"{var} = {var}.withColumn(\"_occurs\", F.explode(F.array(")
    lines += [f"    {s}," for s in structs]
    lines.append(")))")
    singles = [p for p in t.ports if p.is_output and _occurs(p) <= 1 and not p.name.upper().startswith(("GK_", "GCID_"))]
    cols = [f"F.col({py_str(p.name + '_in1' if p.name.lower() + '_in1' in by_name else p.name)}).alias({py_str(p.name)})"
            for p in singles]
    cols += [f"F.col(\"_occurs.{p.name}\").alias({py_str(p.name)})" for p in multi]
    for p in t.ports:
        if p.name.upper().startswith("GCID_"):
            cols.append(f"F.col(\"_occurs._occurrence\").cast(\"int\").alias({py_str(p.name)})")
    cols.append("F.struct(\"_row_id\", \"_occurs._occurrence\").alias(\"_row_id\")")
    lines.append(f"{var} = {var}.select(")
    lines += [f"    {c}," for c in cols]
    lines.append(")")
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in [*singles, *multi]}
    for p in t.ports:
        if p.name.upper().startswith("GCID_"):
            outputs[p.name.lower()] = Output(var, p.name, origin=step.name)
        if p.name.upper().startswith("GK_"):
            gen.gap(step, ConversionError(f"generated key {p.name} (GK_) is not supported"), p)
    return StepCode(lines, outputs, [f"{n} occurrences per row"])
