"""Update Strategy: flags each row DD_INSERT/DD_UPDATE/DD_DELETE/DD_REJECT in ``_row_type``; the target
honours the flags when the session treats source rows as Data Driven."""

from __future__ import annotations

from infaflow.codegen.generate import Generator, Output, StepCode, port_columns, wrapped
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

KINDS = ("Update Strategy",)


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = [p for p in step.ports if p.is_input]
    text = str(step.attributes.get("Update Strategy Expression", "") or "").strip() or "DD_INSERT"
    frame = gen.single_frame(step, ports)
    if frame is not None and "_row_type" not in gen.columns[frame]:
        # The flag is added to the frame that feeds the transformation; ports are read where they are.
        origin = gen.output_of(step.inputs[ports[0].name.lower()]).origin
        columns = {p.name.lower(): f"F.col({py_str(gen.column_of(step, p))})" for p in ports}
        code = gen.expression(step, text, columns)
        lines = [f"{var} = {frame}.withColumn(\"_row_type\", {wrapped(code)}.cast(\"int\"))"]
        gen.extends[var] = frame
        gen.columns[var] = [*gen.columns[frame], "_row_type"]
        outputs = {p.name.lower(): Output(var, gen.column_of(step, p), origin) for p in ports if p.is_output}
    else:
        lines, origin = gen.assemble(step, ports, var)
        code = gen.expression(step, text, port_columns(ports))
        lines.append(f"{var} = {var}.withColumn(\"_row_type\", {wrapped(code)}.cast(\"int\"))")
        outputs = {p.name.lower(): Output(var, p.name, origin) for p in ports if p.is_output}
    gen.flagged.add(var)
    if not step.attributes.flag("Forward Rejected Rows", True):
        lines.append(f"{var} = {var}.where(F.col(\"_row_type\") != 3)  # rejected rows are not forwarded")
    return StepCode(lines, outputs, [f"flag: {' '.join(text.split())}"])


__all__ = ["KINDS", "generate", "py_str"]
