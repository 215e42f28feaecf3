"""Normalizer: one input row becomes one row per occurrence of its multiple-occurring columns.

Pipeline Normalizer: an output port ``NAME`` reads occurrence ``i`` from the input port ``NAME_in<i>``
(the ports the Designer generates); a port with a single ``NAME_in`` input repeats on every row.
VSAM Normalizer (``ISVSAM_NORMALIZER="YES"``, the source qualifier of a COBOL source): a
multiple-occurring item arrives as one input port holding every occurrence (the COBOL reader's array);
the items of the OCCURS group are taken occurrence by occurrence, side by side.

Both (Transformation Guide, "Normalizer Transformation"): ``GCID_NAME`` is the occurrence number 1..n;
a generated key ``GK_NAME`` is incremented once per input row, so every row made from one input row has
the same key. It starts at the port's SEQUENCE_GENERATOR_VALUE (the value the repository keeps), the next
value is saved after the session; ``Restart`` starts at 1 each session, ``Reset`` keeps the saved value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from infaflow.codegen import cobol
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import PortRef, Step
from infaflow.codegen.stepcode import Output, StepCode
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Normalizer",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    if str(t.attrs.get("ISVSAM_NORMALIZER", "")).strip().upper() == "YES":
        return _vsam(step, gen)
    return _pipeline(step, gen)


def _is_key(p: Port) -> bool:
    return "GENERATED KEY" in p.port_type.upper() or (p.name.upper().startswith("GK_") and not p.is_input)


def _is_column_id(p: Port) -> bool:
    return "GENERATED COLUMN ID" in p.port_type.upper() or (
        p.name.upper().startswith("GCID_") and not p.is_input
    )


def _generated_keys(step: Step, gen: Generator, var: str, keys: list[Port]) -> list[str]:
    """Lines numbering the input rows of ``var`` with each generated key port (saved between sessions)."""
    t = step.transformation
    assert t is not None
    folder = gen.plan.folder.name if gen.plan.folder else ""
    owner = t.name if t.reusable else f"{gen.plan.mapping.name}.{step.name}"
    reset, restart = step.attributes.flag("Reset", False), step.attributes.flag("Restart", False)
    lines = []
    for p in keys:
        raw = str(p.attrs.get("SEQUENCE_GENERATOR_VALUE", "") or "1").strip()
        if not raw.lstrip("-").isdigit():
            raise ConversionError(f"generated key {p.name}: SEQUENCE_GENERATOR_VALUE {raw!r} is not a number")
        key = gen.new_var(f"{var}_{p.name}".lower())
        name, settings = (
            py_str(f"{folder}.{owner}.{p.name}"),
            f"value={int(raw)}, reset={reset}, restart={restart}",
        )
        call = f"{key} = job.generated_key({name}, {settings})"
        lines += (
            [call]
            if len(call) <= 100
            else [f"{key} = job.generated_key(", f"    {name},", f"    {settings},", ")"]
        )
        lines.append(f"{var} = {key}.number({var}, {py_str(p.name)})")
    return lines


def _pipeline(step: Step, gen: Generator) -> StepCode:
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
    lines += input_defaults(step, gen, var, inputs)
    keys = [p for p in outputs if _is_key(p)]
    lines += _generated_keys(step, gen, var, keys)
    structs = []
    for i in range(1, n + 1):
        fields = [f'F.lit({i}).alias("occurrence")']
        for name, by_index in occurrences.items():
            if i not in by_index:
                raise ConversionError(f"input port {name}_in{i} is missing")
            fields.append(f"F.col({py_str(by_index[i])}).alias({py_str(name)})")
        structs.append(f"F.struct({', '.join(fields)})")
    lines.append(f'{var} = {var}.withColumn("_occurs", F.explode(F.array(')
    lines += [f"    {s}," for s in structs]
    lines.append(")))")
    cols: list[str] = []
    out: dict[str, Output] = {}
    for p in outputs:
        if p.name in singles:
            cols.append(f"F.col({py_str(singles[p.name])}).alias({py_str(p.name)})")
        elif p.name in occurrences:
            cols.append(f"F.col({py_str('_occurs.' + p.name)}).alias({py_str(p.name)})")
        elif _is_column_id(p):
            cols.append(f'F.col("_occurs.occurrence").alias({py_str(p.name)})')
        elif _is_key(p):
            cols.append(py_str(p.name))
        else:
            gen.gap(step, ConversionError(f"output port {p.name} has no input port {p.name}_in"), p)
            continue
        out[p.name.lower()] = Output(var, p.name, origin=step.name)
    cols.append('F.struct("_row_id", "_occurs.occurrence").alias("_row_id")')
    lines.append(f"{var} = {var}.select(")
    lines += [f"    {c}," for c in cols]
    lines.append(")")
    return StepCode(lines, out, [f"{n} occurrences per input row"])


def _cobol_sources(step: Step, gen: Generator) -> list[Step]:
    """The COBOL source definitions the Normalizer qualifies: those its ports are connected to, else its
    associated source instances (or the source it was created from, REF_SOURCE_NAME)."""
    t = step.transformation
    assert t is not None
    names = [ref.step for ref in step.inputs.values()]
    if not names:
        prefix = step.name.rsplit(".", 1)[0] + "." if "." in step.name else ""
        names = [f"{prefix}{a}" for a in step.instance.associated_source_instances]
        names += [
            s.name
            for s in gen.plan.steps
            if s.source is not None
            and s.source.name.lower() == str(t.attrs.get("REF_SOURCE_NAME", "")).lower()
        ]
    known = {s.name.lower(): s for s in gen.plan.steps}
    steps = [known.get(n.lower()) or known.get(f"{n} (source)".lower()) for n in dict.fromkeys(names)]
    return [
        s
        for s in steps
        if s is not None and s.source is not None and s.source.database_type.strip().upper() == "VSAM"
    ]


def _inputs(step: Step, sources: list[Step], inputs: list[Port]) -> dict[str, PortRef]:
    """The Normalizer's input ports and the source fields feeding them: the CONNECTORs, else (a VSAM
    Normalizer exported without them) each port's REF_SOURCE_FIELD, or its name less ``_in``."""
    if step.inputs or len(sources) != 1:
        return step.inputs
    src = sources[0]
    assert src.source is not None
    fields = {i.name.lower(): i.name for i in cobol.layout(src.source.fields)}
    out = {}
    for p in inputs:
        ref = str(p.attrs.get("REF_SOURCE_FIELD", "") or re.sub(r"_in$", "", p.name, flags=re.IGNORECASE))
        if ref.lower() in fields:
            out[p.name.lower()] = PortRef(src.name, fields[ref.lower()])
    return out


def _input_for(output: Port, inputs: list[Port]) -> Port | None:
    """The input port an output port of a VSAM Normalizer passes on: the same port (INPUT/OUTPUT), an
    input named ``NAME_in``, or the one input that refers to the same source field."""
    if output.is_input:
        return output
    by_name = {p.name.lower(): p for p in inputs}
    if f"{output.name.lower()}_in" in by_name:
        return by_name[f"{output.name.lower()}_in"]
    ref = str(output.attrs.get("REF_SOURCE_FIELD", "") or "").lower()
    same = [p for p in inputs if ref and str(p.attrs.get("REF_SOURCE_FIELD", "") or "").lower() == ref]
    return same[0] if len(same) == 1 else None


def _vsam(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    inputs = [p for p in t.ports if p.is_input]
    outputs = [p for p in t.ports if p.is_output]
    sources = _cobol_sources(step, gen)
    items = {
        i.name.lower(): i for s in sources if s.source is not None for i in cobol.layout(s.source.fields)
    }
    feeds = _inputs(step, sources, inputs)
    occurring: dict[str, str] = {}  # input port -> its OCCURS group
    for p in inputs:
        ref = feeds.get(p.name.lower())
        item = items.get(ref.port.lower()) if ref is not None else None
        if item is not None and item.occurs > 1:
            occurring[p.name] = item.group
    groups = sorted(set(occurring.values()))
    if len(groups) > 1:
        raise ConversionError(
            f"items of several OCCURS groups ({', '.join(groups)}) in one Normalizer are not supported"
        )
    lines, _ = gen.assemble(step, inputs, var, feeds)
    lines += _generated_keys(step, gen, var, [p for p in outputs if _is_key(p)])
    if occurring:
        zipped = ", ".join(f"F.col({py_str(n)})" for n in occurring)
        lines.append(
            f'{var} = {var}.select("*", F.posexplode(F.arrays_zip({zipped})).alias("_occurrence", "_occurs"))'
        )
    cols: list[str] = []
    out: dict[str, Output] = {}
    for p in outputs:
        source = _input_for(p, inputs)
        if _is_column_id(p):
            if not occurring:
                gen.gap(
                    step, ConversionError(f"{p.name}: no multiple-occurring item reaches the Normalizer"), p
                )
                continue
            cols.append(f'(F.col("_occurrence") + 1).cast("int").alias({py_str(p.name)})')
        elif _is_key(p):
            cols.append(py_str(p.name))
        elif source is not None and source.name in occurring:
            cols.append(f"F.col({py_str('_occurs.' + source.name)}).alias({py_str(p.name)})")
        elif source is not None:
            cols.append(f"F.col({py_str(source.name)}).alias({py_str(p.name)})")
        else:
            gen.gap(step, ConversionError(f"output port {p.name} has no input port"), p)
            continue
        out[p.name.lower()] = Output(var, p.name, origin=step.name)
    cols.append('F.struct("_row_id", "_occurrence").alias("_row_id")' if occurring else '"_row_id"')
    lines.append(f"{var} = {var}.select(")
    lines += [f"    {c}," for c in cols]
    lines.append(")")
    times = next((items[feeds[n.lower()].port.lower()].occurs for n in occurring), 1)
    note = (
        f"VSAM Normalizer: {times} rows per record (OCCURS group {groups[0]})"
        if occurring
        else "VSAM Normalizer: one row per record"
    )
    return StepCode(lines, out, [note])
