"""Stored Procedure: calls of a database procedure over the session's JDBC connection.

Transformation Guide, "Stored Procedure Transformation". The attribute ``Stored Procedure Type`` says when
the procedure runs:

- Normal, connected (its input ports are linked): once per row, its output and return ports feed the flow.
- Normal, unconnected: once per row where an expression calls ``:SP.name(args, PROC_RESULT)``; PROC_RESULT
  receives the output (or return value). Not called by any expression, it does not run.
- Source Pre Load / Target Pre Load: once, before the session reads its sources; Source Post Load / Target
  Post Load: once, after the targets are loaded (both kinds of post-load after the data is committed). Several
  procedures of one type run in their ``Execution Order``. Their ``Call Text`` is the procedure's name and its
  arguments (strings without quotes, or in double quotes when they contain spaces); the session's ``On Stored
  Procedure error`` decides whether a failure fails the session.

Per-row calls are set-based in the generated job: the arguments of every row go to a staging table of the
database, one statement calls the procedure for each staged row in row order and keeps the results in a second
staging table, which the job reads back and joins to its rows (``Job.call_procedure`` in the support module).
The embedded store has no procedures: a job whose connection resolves to it stops with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.codegen import exprs
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import Output, StepCode, select_code
from infaflow.codegen.types import spark_type
from infaflow.expr.nodes import Binary, Call, RefCall
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Stored Procedure",)


@dataclass(frozen=True)
class Stage:
    """A once-per-session ``Stored Procedure Type``: its name in the export and when it runs."""

    label: str  # as PowerCenter's Designer names it
    rank: int  # source pre-load, target pre-load, source post-load, target post-load
    when: str


_STAGES: dict[str, Stage] = {
    "sourcepreload": Stage("Source Pre Load", 0, "once, before the session reads its sources"),
    "targetpreload": Stage("Target Pre Load", 1, "once, before the session reads its sources"),
    "sourcepostload": Stage("Source Post Load", 2, "once, after the targets are loaded"),
    "targetpostload": Stage("Target Post Load", 3, "once, after the targets are loaded"),
}


@dataclass(frozen=True)
class SessionCall:
    """A once-per-session procedure call, in the order the session runs it."""

    rank: int
    order: int
    name: str
    lines: list[str]


def procedure_type(step: Step) -> str:
    """The normalised ``Stored Procedure Type`` (``normal``, ``sourcepreload``...): case, blanks and
    hyphens ignored (``Target Post Load``, ``Target Post-Load``)."""
    value = str(step.attributes.get("Stored Procedure Type", "") or "Normal")
    return re.sub(r"[^a-z]", "", value.lower()) or "normal"


def procedure_name(step: Step) -> str:
    name = str(step.attributes.get("Stored Procedure Name", "") or "").strip()
    return name or step.name.rsplit(".", 1)[-1]


def connection_code(step: Step, gen: Generator) -> str:
    """``job.connection(...)`` for ``Connection Information``: a connection name (``Relational:`` prefix
    dropped), ``$Source``/``$Target`` (the session's $Source/$Target connection value), or a
    ``$DBConnection`` parameter resolved when the job runs."""
    value = str(step.attributes.get("Connection Information", "") or "").strip()
    if value.lower() in ("$source", "$target"):
        value = gen.plan.source_attribute(f"${value[1:].capitalize()} connection value", "").strip() or value
    if ":" in value and not value.startswith("$"):  # Relational:NAME
        value = value.split(":", 1)[1].strip()
    if not value:
        raise ConversionError("the stored procedure names no connection (Connection Information)")
    if value.startswith("$"):
        return f"job.connection({py_str(value)}, {py_str(value)})"
    return f"job.connection({py_str(value)})"


def _order(step: Step) -> int:
    text = str(step.attributes.get("Execution Order", "") or "").strip()
    return int(text) if text.isdigit() else 1


def generate(step: Step, gen: Generator) -> StepCode:
    kind = procedure_type(step)
    stage = _STAGES.get(kind)
    if stage is not None:
        return _once_per_session(step, gen, stage)
    if kind != "normal":
        raise ConversionError(
            f"Stored Procedure Type {step.attributes.get('Stored Procedure Type')!r} is unknown"
        )
    if step.inputs:
        return _connected(step, gen)
    callers = _callers(step, gen)
    if callers:
        return StepCode(
            [],
            {},
            [
                f"unconnected: called once per row where :SP.{step.name.rsplit('.', 1)[-1]} "
                f"is called ({', '.join(callers)})"
            ],
        )
    return StepCode([], {}, ["unconnected, Normal, and called by no expression: it does not run"])


def _callers(step: Step, gen: Generator) -> list[str]:
    pattern = re.compile(rf":SP\.{re.escape(step.name.rsplit('.', 1)[-1])}\s*\(", re.IGNORECASE)
    return [s.name for s in gen.plan.steps if any(pattern.search(p.expression or "") for p in s.ports)]


def _once_per_session(step: Step, gen: Generator, stage: Stage) -> StepCode:
    """Registered at the start of ``run()`` (see :func:`session_calls`): pre-load procedures run before any
    source is read, post-load procedures when the job finishes."""
    call = str(step.attributes.get("Call Text", "") or "").strip() or f"{procedure_name(step)}()"
    lines = [
        f"# Stored Procedure {step.name}: {stage.label}, {stage.when}",
        f"job.stored_procedure({py_str(step.name)}, {connection_code(step, gen)}, {py_str(call)}, "
        f"stage={py_str(stage.label)})",
    ]
    gen.session_calls.append(SessionCall(stage.rank, _order(step), step.name, lines))
    return StepCode(
        [],
        {},
        [f"{stage.label} (execution order {_order(step)}): called {stage.when}, at the start of run()"],
    )


def session_calls(gen: Generator) -> list[str]:
    """The lines registering the once-per-session procedures, in the order the session runs them."""
    ordered = sorted(gen.session_calls, key=lambda c: (c.rank, c.order, c.name.lower()))
    return [line for call in ordered for line in call.lines]


def _outputs(ports: list[Port]) -> list[Port]:
    """The values a call returns, in the order the procedure returns them: the return value, then the output
    parameters in port order."""
    returned = [p for p in ports if p.is_return]
    return returned + [p for p in ports if p.is_output and not p.is_return and not p.is_input]


def _typed(ports: list[Port]) -> str:
    return ", ".join(
        f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in ports
    )


def _connected(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    inout = [p.name for p in t.ports if p.is_input and p.is_output]
    if inout:
        raise ConversionError(f"input/output parameters ({', '.join(inout)}) are not supported")
    inputs = [p for p in t.ports if p.is_input]
    lines, origin = gen.assemble(step, inputs, var)
    results = _outputs(t.ports)
    lines += [
        f"{var} = job.call_procedure(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {connection_code(step, gen)},",
        f"    {py_str(procedure_name(step))},",
        f"    [{', '.join(py_str(p.name) for p in inputs)}],",
        f"    [{_typed(results)}],",
        ")",
    ]
    outputs = {p.name.lower(): Output(var, p.name, origin) for p in t.ports if p.is_output}
    lines += select_code(var, [*[py_str(p.name) for p in results], *gen.extra(var)], var)
    return StepCode(lines, outputs, [f"procedure {procedure_name(step)}, called once per row over JDBC"])


def _procedure_step(gen: Generator, name: str) -> Step:
    found = next(
        (
            s
            for s in gen.plan.steps
            if s.kind in KINDS
            and s.transformation is not None
            and s.name.rsplit(".", 1)[-1].lower() == name.lower()
        ),
        None,
    )
    if found is None:
        raise ConversionError(f":SP.{name}: no Stored Procedure instance of that name in the mapping")
    return found


def result_type(gen: Generator, name: str) -> str:
    """The expression type of ``:SP.name(...)``: that of the output PROC_RESULT receives."""
    try:
        step = _procedure_step(gen, name)
    except ConversionError:
        return ""
    assert step.transformation is not None
    results = _outputs(step.transformation.ports)
    return exprs.expr_type(results[0].datatype) if len(results) == 1 else ""


_CONDITIONAL = frozenset({"IIF", "DECODE", "CHOOSE", "IN"})


def _conditional_call(step: Step, gen: Generator, name: str) -> bool:
    """True when a ``:SP.name`` call of ``step`` sits where PowerCenter evaluates it for some rows only
    (a branch of IIF/DECODE, an operand of AND/OR)."""

    def visit(node: object, guarded: bool) -> bool:
        if isinstance(node, RefCall) and node.kind == "SP" and node.name.lower() == name.lower():
            if guarded:
                return True
        inner = (
            guarded
            or (isinstance(node, Call) and node.name.upper() in _CONDITIONAL)
            or (isinstance(node, Binary) and node.op.upper() in ("AND", "OR"))
        )
        return any(visit(child, inner) for child in node.children())  # type: ignore[attr-defined]

    for port in step.ports:
        if f":SP.{name}".lower() in (port.expression or "").lower():
            parsed = gen.parse(step, port.expression or "", port)
            if parsed is not None and visit(parsed.node, False):
                return True
    return False


def unconnected_call(
    step: Step, gen: Generator, frame: str, name: str, arg_codes: list[str | None], column: str
) -> list[str]:
    """Lines adding ``column`` = ``:SP.name(args)`` to ``frame``: the arguments are the procedure's input
    ports in order, and ``PROC_RESULT`` stands for its one output (or return value)."""
    proc = _procedure_step(gen, name)
    t = proc.transformation
    assert t is not None
    if procedure_type(proc) != "normal":
        raise ConversionError(
            f":SP.{name}: a {proc.attributes.get('Stored Procedure Type')} procedure runs "
            "once per session; an expression cannot call it"
        )
    if _conditional_call(step, gen, name):
        raise ConversionError(
            f":SP.{name} is called inside IIF/DECODE/AND/OR: PowerCenter calls it only for "
            "the rows that reach the call, and the converted job calls procedures for every "
            "row of the step"
        )
    inputs = [p for p in t.ports if p.is_input]
    results = _outputs(t.ports)
    expected = len(inputs) + len(results)
    if len(arg_codes) != expected:
        raise ConversionError(
            f":SP.{name}: {len(arg_codes)} arguments for {len(inputs)} input and {len(results)} output ports"
        )
    values = [c for c in arg_codes if c is not None]
    if len(values) != len(inputs) or arg_codes.count(None) > 1 or (results and arg_codes[-1] is not None):
        raise ConversionError(
            f":SP.{name}: the arguments must be the {len(inputs)} input values followed by "
            "PROC_RESULT; output parameters assigned to variables are not supported"
        )
    if len(results) > 1:
        raise ConversionError(
            f":SP.{name} returns {len(results)} values; an expression receives one "
            "(PROC_RESULT) and assigning the others to variables is not supported"
        )
    args = [f"{column}_in{i}" for i in range(len(values))]
    lines = (
        [
            f"{frame} = {frame}.withColumns({{"
            + ", ".join(f"{py_str(a)}: {code}" for a, code in zip(args, values, strict=True))
            + "})"
        ]
        if args
        else []
    )
    out = [(results[0], column)] if results else []
    lines += [
        f"{frame} = job.call_procedure(",
        f"    {py_str(proc.name)},",
        f"    {frame},",
        f"    {connection_code(proc, gen)},",
        f"    {py_str(procedure_name(proc))},",
        f"    [{', '.join(py_str(a) for a in args)}],",
        "    ["
        + ", ".join(f"({py_str(c)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p, c in out)
        + "],",
        ")",
    ]
    if not results:
        lines.append(f"{frame} = {frame}.withColumn({py_str(column)}, F.lit(None))")
    if args:
        lines.append(f"{frame} = {frame}.drop({', '.join(py_str(a) for a in args)})")
    return lines
