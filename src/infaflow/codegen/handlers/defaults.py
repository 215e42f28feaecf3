"""Default values of input and input/output ports: a NULL input becomes the port's DEFAULTVALUE, in every
transformation whose ports carry one (Transformation Guide, "User-Defined Default Values": "If NULL is
passed to the input port, the Integration Service replaces NULL with the default value"; the Designer
disables the field where a transformation does not allow it). ``ERROR(...)`` and ``ABORT(...)`` are
the engine's own defaults for transformation errors, not values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import cast_to
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator


def has_input_default(port: Port) -> bool:
    """True when a NULL arriving at ``port`` is replaced by its default value."""
    default = (port.default_value or "").strip()
    return port.is_input and bool(default) and not default.upper().startswith(("ERROR(", "ABORT("))


def value_default(port: Port) -> str:
    """The DEFAULTVALUE that replaces an output value (a failed expression, a lookup without a match): ""
    when there is none or it is ``ERROR(...)``, the engine's default for a transformation error. An
    ``ABORT(...)`` default is returned: evaluated, it fails the session."""
    default = (port.default_value or "").strip()
    return "" if default.upper().startswith("ERROR(") else default


def input_defaults(step: Step, gen: Generator, var: str, inputs: list[Port]) -> list[str]:
    """Lines replacing a NULL input of each port of ``inputs`` (columns of ``var`` named as the ports)
    by its default value."""
    lines = []
    for port in inputs:
        if not has_input_default(port):
            continue
        code = gen.expression(step, (port.default_value or "").strip(), {}, port)
        lines.append(
            f"{var} = {var}.withColumn({py_str(port.name)}, "
            f"F.coalesce(F.col({py_str(port.name)}), {cast_to(code, port)}))"
        )
    return lines
