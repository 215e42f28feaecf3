"""Router: a row goes to every group whose condition is TRUE; DEFAULT gets the rows no group takes."""

from __future__ import annotations

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import (
    Generator,
    Output,
    StepCode,
    col_alias,
    port_columns,
    select_code,
    unwrap,
)
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step

KINDS = ("Router",)


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    in_groups = {g.name.lower() for g in t.groups if g.type.upper() == "INPUT"}
    inputs = [p for p in t.ports if p.is_input and (not in_groups or p.group.lower() in in_groups)]
    lines, _ = gen.assemble(step, inputs, var)
    columns = port_columns(inputs)
    by_name = {p.name.lower(): p for p in inputs}
    conds: list[str] = []
    outputs: dict[str, Output] = {}
    groups = [g for g in t.groups if g.type.upper().startswith("OUTPUT")]
    if not groups:
        raise ConversionError("the Router has no output groups")
    defaults = [g for g in groups if "DEFAULT" in g.type.upper()]
    used = {ref.port.lower() for c in gen.plan.consumers(step.name) for ref in c.inputs.values()
            if ref.step.lower() == step.name.lower()}
    for g in [g for g in groups if g not in defaults] + defaults:
        group_ports = {p.name.lower() for p in t.ports if p.group.lower() == g.name.lower()}
        if not group_ports & used and g not in defaults:
            # Still a condition for DEFAULT: a row some unconnected group takes is not a default row.
            parsed = gen.parse(step, g.expression or "TRUE")
            if parsed is not None:
                conds.append(gen.translate(step, parsed, columns, as_condition=True))
            lines.append(f"# group {g.name}: not connected")
            continue
        if not group_ports & used:
            lines.append(f"# group {g.name}: not connected")
            continue
        gvar = gen.new_var(f"{var}_{g.name}")
        if g in defaults:
            cond = "~(" + " | ".join(f"F.coalesce({c}, F.lit(False))" for c in conds) + ")" if conds else None
        else:
            parsed = gen.parse(step, g.expression or "TRUE")
            if parsed is None:
                continue
            cond = gen.translate(step, parsed, columns, as_condition=True)
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
