"""Input and Output transformations of an inlined mapplet: they pass their ports through."""

from __future__ import annotations

from infaflow.codegen.generate import Generator, Output, StepCode
from infaflow.codegen.plan import Step

KINDS = ("Input Transformation", "Output Transformation")


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    ports = [p for p in step.ports if p.name.lower() in step.inputs]
    if not ports:
        return StepCode([], {}, ["nothing connected"])
    lines, origin = gen.assemble(step, ports, var)
    return StepCode(lines, {p.name.lower(): Output(var, p.name, origin) for p in ports})
