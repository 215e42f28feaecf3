"""Router: a row goes to every group whose condition is TRUE; DEFAULT gets the rows no group takes.

Every group condition is evaluated for every row (the DEFAULT group depends on all of them, connected or
not). A row error in one of them is a transformation error: the row is rejected (counted, written to the
row-error file with the message of the first failing group, in group order) and goes to no group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import reject_failing
from infaflow.codegen.stepcode import Output, StepCode, col_alias, port_columns, select_code, unwrap

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Router",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    in_groups = {g.name.lower() for g in t.groups if g.type.upper() == "INPUT"}
    inputs = [p for p in t.ports if p.is_input and (not in_groups or p.group.lower() in in_groups)]
    lines, _ = gen.assemble(step, inputs, var)
    lines += input_defaults(step, gen, var, inputs)
    columns = port_columns(inputs)
    by_name = {p.name.lower(): p for p in inputs}
    conds: list[str] = []
    outputs: dict[str, Output] = {}
    groups = [g for g in t.groups if g.type.upper().startswith("OUTPUT")]
    if not groups:
        raise ConversionError("the Router has no output groups")
    defaults = [g for g in groups if "DEFAULT" in g.type.upper()]
    used = {
        ref.port.lower()
        for c in gen.plan.consumers(step.name)
        for ref in c.inputs.values()
        if ref.step.lower() == step.name.lower()
    }
    checked: dict[str, str] = {}  # group name -> its condition (NULL where the row has a row error)
    errors: list[str] = []
    for g in groups:
        parsed = gen.parse(step, g.expression or "TRUE") if g not in defaults else None
        if parsed is not None:
            checked[g.name], error = gen.translate_checked(step, parsed, columns, as_condition=True)
            errors.append(error)
    lines += reject_failing(step, var, var, errors)
    for g in [g for g in groups if g not in defaults] + defaults:
        group_ports = {p.name.lower() for p in t.ports if p.group.lower() == g.name.lower()}
        if not group_ports & used and g not in defaults:
            # Still a condition for DEFAULT: a row some unconnected group takes is not a default row.
            if g.name in checked:
                conds.append(checked[g.name])
            lines.append(f"# group {g.name}: not connected")
            continue
        if not group_ports & used:
            lines.append(f"# group {g.name}: not connected")
            continue
        gvar = gen.new_var(f"{var}_{g.name}")
        if g in defaults:
            cond = "~(" + " | ".join(f"F.coalesce({c}, F.lit(False))" for c in conds) + ")" if conds else None
        else:
            if g.name not in checked:
                continue
            cond = checked[g.name]
            conds.append(cond)
        cols = []
        for p in t.ports:
            if p.group.lower() != g.name.lower() or not p.is_output:
                continue
            ref = (p.ref_field or p.name.rstrip("0123456789")).lower()
            src = by_name.get(ref)
            if src is None:
                gen.gap(step, ConversionError(f"output port {p.name} refers to no input port"), p)
                continue
            cols.append(col_alias(src.name, p.name))
            outputs[p.name.lower()] = Output(gvar, p.name, origin=f"{step.name}.{g.name}")
        frame = f"{var}.where({unwrap(cond)})" if cond else var
        lines.append(f"# group {g.name}: {' '.join((g.expression or 'rows no other group takes').split())}")
        lines += select_code(frame, [*cols, *gen.extra(var)], gvar)
        gen.inherit(gvar, var)
    return StepCode(lines, outputs, [f"groups: {', '.join(g.name for g in groups)}"])


__all__ = ["KINDS", "generate", "py_str"]
