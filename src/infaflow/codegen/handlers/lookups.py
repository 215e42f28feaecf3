"""Lookup transformations: a static cache (handlers/lookup.py) or a dynamic one (handlers/dynamic_lookup.py,
which builds on the static cache reading), chosen by the transformation's `Dynamic Lookup Cache`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.handlers import dynamic_lookup, lookup
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import StepCode

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = lookup.KINDS


def generate(step: Step, gen: Generator) -> StepCode:
    dynamic = str(step.attributes.get("Dynamic Lookup Cache", "NO") or "NO").strip().upper() == "YES"
    return (dynamic_lookup if dynamic else lookup).generate(step, gen)
