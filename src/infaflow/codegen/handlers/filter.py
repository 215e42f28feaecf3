"""Filter: keeps the rows whose condition is TRUE (NULL and 0 are dropped).

A row error in the condition (ERROR(), a failed conversion, a division by zero) is a transformation error:
the row is rejected (counted, written to the row-error file) before the condition drops anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen import mapping_variables
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import reject_failing
from infaflow.codegen.stepcode import Output, StepCode, port_columns, unwrap

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Filter",)


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = [p for p in step.ports if p.is_input]
    lines, _origin = gen.assemble(step, ports, var)
    lines += input_defaults(step, gen, var, ports)
    text = str(step.attributes.get("Filter Condition", "") or "").strip() or "TRUE"
    parsed = gen.parse(step, text)
    if parsed is not None:
        context = mapping_variables.StepContext(var, lines)  # SETVARIABLE & co. in the condition
        code, error = gen.translate_checked(
            step, parsed, port_columns(ports), as_condition=True, lookup=context
        )
        lines += reject_failing(step, var, var, [error])
        lines.append(f"{var} = {var}.where({unwrap(code)})")
        lines += context.drop()
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in ports if p.is_output}
    return StepCode(lines, outputs, [f"condition: {' '.join(text.split())}"])
