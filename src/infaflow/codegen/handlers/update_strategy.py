"""Update Strategy: flags each row DD_INSERT/DD_UPDATE/DD_DELETE/DD_REJECT in ``_row_type``; the target
honours the flags when the session treats source rows as Data Driven.

A row error in the update strategy expression is a transformation error: the row is rejected (counted,
written to the row-error file), which is not DD_REJECT (a writer reject that goes to the target's .bad file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.handlers.defaults import has_input_default, input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import reject_failing
from infaflow.codegen.stepcode import ROW_TYPE, Output, StepCode, port_columns, wrapped

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Update Strategy",)


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = [p for p in step.ports if p.is_input]
    text = str(step.attributes.get("Update Strategy Expression", "") or "").strip() or "DD_INSERT"
    # Ports with a default value are read from the step's own frame, where the default can replace NULL.
    frame = None if any(has_input_default(p) for p in ports) else gen.single_frame(step, ports)
    if frame is not None and ROW_TYPE not in gen.columns[frame]:
        # The flag is added to the frame that feeds the transformation; ports are read where they are.
        origin = gen.output_of(step.inputs[ports[0].name.lower()]).origin
        columns = {p.name.lower(): f"F.col({py_str(gen.column_of(step, p))})" for p in ports}
        code, error = _flag(step, gen, text, columns)
        lines = [f'{var} = {frame}.withColumn("_row_type", {wrapped(code)}.cast("int"))']
        lines += reject_failing(step, var, var, [error])
        gen.extends[var] = frame
        gen.columns[var] = [*gen.columns[frame], ROW_TYPE]
        outputs = {p.name.lower(): Output(var, gen.column_of(step, p), origin) for p in ports if p.is_output}
    else:
        lines, origin = gen.assemble(step, ports, var)
        lines += input_defaults(step, gen, var, ports)
        code, error = _flag(step, gen, text, port_columns(ports))
        lines.append(f'{var} = {var}.withColumn("_row_type", {wrapped(code)}.cast("int"))')
        lines += reject_failing(step, var, var, [error])
        outputs = {p.name.lower(): Output(var, p.name, origin) for p in ports if p.is_output}
    gen.flagged.add(var)
    if not step.attributes.flag("Forward Rejected Rows", True):
        lines.append(f'{var} = {var}.where(F.col("_row_type") != 3)  # rejected rows are not forwarded')
    return StepCode(lines, outputs, [f"flag: {' '.join(text.split())}"])


def _flag(step: Step, gen: Generator, text: str, columns: dict[str, str]) -> tuple[str, str]:
    """The code of the update strategy expression and of its row-error message ("" if it cannot fail)."""
    parsed = gen.parse(step, text)
    if parsed is None:
        return "F.lit(None)", ""
    return gen.translate_checked(step, parsed, columns)


__all__ = ["KINDS", "generate", "py_str"]
