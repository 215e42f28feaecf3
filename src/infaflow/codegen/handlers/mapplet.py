"""Input and Output transformations of an inlined mapplet: they pass their ports through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import Output, StepCode

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Input Transformation", "Output Transformation")


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = step.ports
    if not any(p.name.lower() in step.inputs for p in ports):
        return StepCode([], {}, ["nothing connected"])
    frame = gen.single_frame(step, ports)
    if frame is not None:
        # Every port comes from one frame: nothing to compute, the ports are read where they are.
        origin = gen.output_of(step.inputs[ports[0].name.lower()]).origin
        outputs = {p.name.lower(): Output(frame, gen.column_of(step, p), origin) for p in ports}
        return StepCode([], outputs, [f"passes {', '.join(p.name for p in ports)} through from {frame}"])
    lines, origin = gen.assemble(step, ports, var)  # unconnected ports are NULL
    return StepCode(lines, {p.name.lower(): Output(var, p.name, origin) for p in ports})
