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
    lines, origin = gen.assemble(step, ports, var)
    text = str(step.attributes.get("Update Strategy Expression", "") or "").strip() or "DD_INSERT"
    code = gen.expression(step, text, port_columns(ports))
    lines.append(f"{var} = {var}.withColumn(\"_row_type\", {wrapped(code)}.cast(\"int\"))")
    gen.flagged.add(var)
    if not step.attributes.flag("Forward Rejected Rows", True):
        lines.append(f"{var} = {var}.where(F.col(\"_row_type\") != 3)  # rejected rows are not forwarded")
    outputs = {p.name.lower(): Output(var, p.name, origin) for p in ports if p.is_output}
    return StepCode(lines, outputs, [f"flag: {' '.join(text.split())}"])


__all__ = ["KINDS", "generate", "py_str"]
