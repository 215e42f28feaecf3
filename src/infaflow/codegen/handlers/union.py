"""Union (Custom Transformation, TEMPLATENAME Union Transformation): UNION ALL of its input groups;
the k-th port of each input group feeds the k-th output port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import ROW_ID, Output, StepCode, col_alias, select_code

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Union Transformation", "Union")


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    in_groups = [g for g in t.groups if g.type.upper() == "INPUT"]
    out_ports = [p for p in t.ports if p.is_output and not p.is_input]
    if not in_groups or not out_ports:
        raise ConversionError("the Union has no input groups or no output ports")
    lines: list[str] = []
    frames: list[str] = []
    for g in in_groups:
        ports = [p for p in t.ports if p.is_input and p.group.lower() == g.name.lower()]
        if not any(p.name.lower() in step.inputs for p in ports):
            continue
        if len(ports) != len(out_ports):
            raise ConversionError(f"input group {g.name} has {len(ports)} ports for {len(out_ports)} outputs")
        gvar = gen.new_var(f"{var}_{g.name}")
        lines += gen.assemble(step, ports, gvar)[0]
        lines += input_defaults(step, gen, gvar, ports)
        cols = [col_alias(p.name, o.name) for p, o in zip(ports, out_ports, strict=True)]
        lines += select_code(gvar, [*cols, py_str(ROW_ID)], gvar)
        frames.append(gvar)
    if not frames:
        raise ConversionError("no input group of the Union is connected")
    union = frames[0] + "".join(f".unionByName({f})" for f in frames[1:])
    lines.append(f'{var} = {union}.withColumn("_row_id", F.monotonically_increasing_id())')
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in out_ports}
    gen.unordered.add(var)
    gen.columns[var] = [p.name for p in out_ports] + [ROW_ID]
    return StepCode(lines, outputs, [f"UNION ALL of {len(frames)} groups"])
