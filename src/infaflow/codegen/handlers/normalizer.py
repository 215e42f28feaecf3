"""Normalizer: one input row becomes one row per occurrence of a multiple-occurring port.

An output port ``NAME`` reads occurrence ``i`` from the input port ``NAME_in<i>`` (the ports the
Designer generates); a port with a single ``NAME_in`` input repeats on every row. ``GCID_NAME`` is the
occurrence number (1..n); ``GK_NAME`` numbers the input rows from the port's generated-key value.
"""

from __future__ import annotations

import re

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

KINDS = ("Normalizer",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    inputs = [p for p in t.ports if p.is_input]
    outputs = [p for p in t.ports if p.is_output]
    occurrences: dict[str, dict[int, str]] = {}
    singles: dict[str, str] = {}
    for o in outputs:
        for p in inputs:
            m = re.fullmatch(re.escape(o.name) + r"_in(\d*)", p.name, flags=re.IGNORECASE)
            if m and m.group(1):
                occurrences.setdefault(o.name, {})[int(m.group(1))] = p.name
            elif m:
                singles[o.name] = p.name
    counts = {len(v) for v in occurrences.values()}
    if not occurrences:
        raise ConversionError("no output port of the Normalizer has numbered inputs (NAME_in1, NAME_in2...)")
    if len(counts) != 1:
        raise ConversionError("Normalizer ports with different numbers of occurrences are not supported")
    n = counts.pop()
    lines, _ = gen.assemble(step, inputs, var)
    keyed = [p for p in outputs if p.name.upper().startswith("GK_")]
    if keyed:
        lines.append(f"{var} = {var}.withColumn(\"_input_row\", F.row_number().over(Window.orderBy(\"_row_id\")))")
    structs = []
    for i in range(1, n + 1):
        fields = [f"F.lit({i}).alias(\"occurrence\")"]
        for name, by_index in occurrences.items():
            if i not in by_index:
                raise ConversionError(f"input port {name}_in{i} is missing")
            fields.append(f"F.col({py_str(by_index[i])}).alias({py_str(name)})")
        structs.append(f"F.struct({', '.join(fields)})")
    lines.append(f"{var} = {var}.withColumn(\"_occurs\", F.explode(F.array(")
    lines += [f"    {s}," for s in structs]
    lines.append(")))")
    cols: list[str] = []
    out: dict[str, Output] = {}
    for p in outputs:
        upper = p.name.upper()
        if p.name in singles:
            cols.append(f"F.col({py_str(singles[p.name])}).alias({py_str(p.name)})")
        elif p.name in occurrences:
            cols.append(f"F.col({py_str('_occurs.' + p.name)}).alias({py_str(p.name)})")
        elif upper.startswith("GCID_"):
            cols.append(f"F.col(\"_occurs.occurrence\").alias({py_str(p.name)})")
        elif upper.startswith("GK_"):
            start = int(str(p.attrs.get("SEQUENCE_GENERATOR_VALUE", "1") or "1"))
            cols.append(f"(F.col(\"_input_row\") + {start - 1}).cast(\"bigint\").alias({py_str(p.name)})")
        else:
            gen.gap(step, ConversionError(f"output port {p.name} has no input port {p.name}_in"), p)
            continue
        out[p.name.lower()] = Output(var, p.name, origin=step.name)
    cols.append("F.struct(\"_row_id\", \"_occurs.occurrence\").alias(\"_row_id\")")
    lines.append(f"{var} = {var}.select(")
    lines += [f"    {c}," for c in cols]
    lines.append(")")
    return StepCode(lines, out, [f"{n} occurrences per input row"])
