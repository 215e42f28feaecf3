"""Sequence Generator: NEXTVAL numbers rows in PowerCenter order from the Current Value (persisted
between runs in $PMStorageDir), CURRVAL = NEXTVAL + Increment By; Cycle wraps to Start Value, else
passing End Value fails the session. With ``Number of Cached Values`` N > 0 the saved Current Value
skips the unused values of the last block of N."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import Output, StepCode

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Sequence", "Sequence Generator")


def _int(step: Step, name: str, default: int) -> int:
    raw = str(step.attributes.get(name, "") or "").strip()
    try:
        return int(raw) if raw.lstrip("-").isdigit() else int(float(raw)) if raw else default
    except ValueError as exc:
        raise ConversionError(f"{name} {raw!r} is not a number") from exc


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    start = _int(step, "Start Value", 0)
    settings: dict[str, int | bool] = {
        "start": start,
        "increment": _int(step, "Increment By", 1),
        "end": _int(step, "End Value", 9223372036854775807),
        "cycle": step.attributes.flag("Cycle", False),
        "current": _int(step, "Current Value", 1),
        "reset": step.attributes.flag("Reset", False),
    }
    cached = _int(step, "Number of Cached Values", 0)
    if cached > 0:
        # Values are drawn in blocks; the unused rest of the last block is discarded at the end of the
        # session, so the next session starts after it (Transformation Guide, Number of Cached Values).
        settings["cached"] = cached
    folder = gen.plan.folder.name if gen.plan.folder else ""
    key = f"{folder}.{t.name}" if t.reusable else f"{folder}.{gen.plan.mapping.name}.{step.name}"
    args = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    lines = [f"{var} = job.sequence({py_str(key)}, {args})"]
    outputs = {
        "nextval": Output(var, "NEXTVAL", origin="", sequence=True),
        "currval": Output(var, "CURRVAL", origin="", sequence=True),
    }
    return StepCode(lines, outputs, ["values are numbered where NEXTVAL is connected"])
