"""Input and Output transformations of an inlined mapplet: they pass their ports through."""

from __future__ import annotations

from infaflow.codegen.generate import Generator, Output, StepCode
from infaflow.codegen.plan import Step

KINDS = ("Input Transformation", "Output Transformation")


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = step.ports
    if not any(p.name.lower() in step.inputs for p in ports):
        return StepCode([], {}, ["nothing connected"])
    lines, origin = gen.assemble(step, ports, var)  # unconnected ports are NULL
    return StepCode(lines, {p.name.lower(): Output(var, p.name, origin) for p in ports})
