"""Expression: row-wise output ports, with variable ports evaluated in port order.

A variable port read before it is assigned in port order gives the previous row's value (SPEC E).
A row error (ERROR(), a failed conversion, a division by zero) in an output port, or in a variable port
that carries nothing to the next row, rejects the row as PowerCenter does: ``job.reject_errors`` drops it,
counts it (TotalTransErrors) and writes it with its message to the session's row-error file; an output
port with a DEFAULTVALUE other than ``ERROR(...)`` takes that value instead.
That is exact with ``F.lag`` over PowerCenter's row order when the variable read that way does not
itself depend on earlier rows; a variable whose value is carried through a chain of rows (a running
total ``v = v + x``) has no exact native translation and is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infaflow.codegen import exprs, mapping_variables
from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.generate import ANY_ORIGIN, ROW_ID, Generator, Output, StepCode, cast_to, select_code
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import ROW_ERROR, first_error, reject_rows
from infaflow.codegen.types import default_value_literal, spark_type
from infaflow.model import Port

KINDS = ("Expression",)


def generate(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    inputs = [p for p in step.ports if p.is_input]
    frame = gen.single_frame(step, inputs)
    if frame is not None and _extendable(step, gen, frame, inputs):
        return _extend(step, gen, var, frame, inputs)
    lines, origin = gen.assemble(step, inputs, var)
    lines += input_defaults(step, gen, var, inputs)
    columns = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    lookups = UnconnectedLookups(step, gen, var, lines)
    errors: list[str] = []
    lines += variable_ports(step, gen, var, columns, lookups, errors)
    selected = []
    outputs: dict[str, Output] = {}
    for port in step.ports:
        if not port.is_output:
            continue
        if port.is_input:
            selected.append(py_str(port.name))
        else:
            code, error = output_port(step, gen, port, columns, lookups)
            selected.append(f"{code}.alias({py_str(port.name)})")
            errors += [error] if error else []
        outputs[port.name.lower()] = Output(var, port.name, origin)
    if errors:
        selected.append(f"{first_error(errors)}.alias({py_str(ROW_ERROR)})")
    lines += select_code(var, [*selected, *gen.extra(var)], var)
    lines += reject_rows(step, var, errors)
    return StepCode(lines, outputs)


def output_port(step: Step, gen: Generator, port: Port, columns: dict[str, str],
                lookups: UnconnectedLookups | None) -> tuple[str, str]:
    """The code of an output port (cast to its type) and of its row-error message ("" if it cannot fail).
    A DEFAULTVALUE other than ``ERROR(...)`` replaces the value of a row whose expression fails (SPEC E)."""
    code, error = gen.expression_checked(step, port.expression or "NULL", columns, port, lookups)
    value = cast_to(code, port)
    default = (port.default_value or "").strip()
    if error and default and not default.upper().startswith("ERROR("):
        replacement = cast_to(gen.expression(step, default, {}, port), port)
        return f"F.when({error}.isNull(), {value}).otherwise({replacement})", ""
    return value, error


def _has_default(port: Port) -> bool:
    default = (port.default_value or "").strip()
    return bool(default) and not default.upper().startswith(("ERROR(", "ABORT("))


def _extendable(step: Step, gen: Generator, frame: str, inputs: list[Port]) -> bool:
    """New ports can be added to the feeding frame: no input default to apply, no name clash."""
    if any(_has_default(p) for p in inputs):
        return False
    taken = {c.lower() for c in gen.columns[frame]}
    new = [p.name.lower() for p in step.ports if not p.is_input]
    return not (set(new) & taken) and len(set(new)) == len(new)


def _extend(step: Step, gen: Generator, var: str, frame: str, inputs: list[Port]) -> StepCode:
    """Output ports added to the frame that feeds the Expression (inputs read where they are)."""
    origin = gen.output_of(step.inputs[inputs[0].name.lower()]).origin if inputs else ANY_ORIGIN
    columns = {p.name.lower(): f"F.col({py_str(gen.column_of(step, p))})" for p in inputs}
    variables = [p for p in step.ports if p.is_variable]
    stateful = (bool(variables) or any(":LKP" in (p.expression or "").upper() for p in step.ports)
                or mapping_variables.in_step(step))
    lines: list[str] = [f"{var} = {frame}"] if stateful else []
    base = var if stateful else frame
    lookups = UnconnectedLookups(step, gen, var, lines)
    errors: list[str] = []
    lines += variable_ports(step, gen, var, columns, lookups, errors)
    computed: dict[str, str] = {}
    outputs: dict[str, Output] = {}
    for port in step.ports:
        if not port.is_output:
            continue
        if port.is_input:
            outputs[port.name.lower()] = Output(var, gen.column_of(step, port), origin)
            continue
        code, error = output_port(step, gen, port, columns, lookups)
        computed[port.name] = code
        errors += [error] if error else []
        outputs[port.name.lower()] = Output(var, port.name, origin)
    drop = [py_str(p.name) for p in variables] + [py_str(c) for c in lookups.temporary]
    tail = f".drop({', '.join(drop)})" if drop else ""
    new_columns = list(computed)
    if errors and errors != [f"F.col({py_str(ROW_ERROR)})"]:  # else the variable ports' column as it is
        computed[ROW_ERROR] = first_error(errors)
    if computed:
        lines.append(f"{var} = {base}.withColumns({{")
        lines += [f"    {py_str(name)}: {code}," for name, code in computed.items()]
        lines.append(f"}}){tail}")
    elif drop or not stateful:
        lines.append(f"{var} = {base}{tail}")
    lines += reject_rows(step, var, errors)
    gen.extends[var] = frame
    gen.columns[var] = [*gen.columns[frame], *new_columns]
    gen.inherit(var, frame)
    return StepCode(lines, outputs)


def input_defaults(step: Step, gen: Generator, var: str, inputs: list[Port]) -> list[str]:
    """An input port's DEFAULTVALUE replaces a NULL input (ERROR(...) defaults are the engine's own)."""
    lines = []
    for port in inputs:
        default = (port.default_value or "").strip()
        if not default or default.upper().startswith(("ERROR(", "ABORT(")) or port.is_output and not port.is_input:
            continue
        code = gen.expression(step, default, {}, port)
        lines.append(
            f"{var} = {var}.withColumn({py_str(port.name)}, "
            f"F.coalesce(F.col({py_str(port.name)}), {cast_to(code, port)}))"
        )
    return lines


def variable_ports(step: Step, gen: Generator, var: str, columns: dict[str, str],
                   lookups: UnconnectedLookups | None = None, errors: list[str] | None = None) -> list[str]:
    """``withColumn`` lines for the variable ports; ``columns`` gains each variable. With ``errors``, a row
    error of a variable port that no later row reads becomes the ``_row_error`` column (its name is added
    to ``errors``); the other variable ports fail the job on a row error."""
    variables = [p for p in step.ports if p.is_variable]
    if not variables:
        return []
    order = {p.name.lower(): i for i, p in enumerate(variables)}
    parsed: dict[str, Parsed] = {}
    for p in variables:
        got = gen.parse(step, p.expression or "NULL", p)
        if got is not None:
            parsed[p.name.lower()] = got
    # A read of a variable at or after its own position is a read of the previous row's value.
    prev_reads: dict[str, set[str]] = {}
    current_reads: dict[str, set[str]] = {}
    for name, tree in parsed.items():
        refs = {r.lower() for r in exprs.references(tree)} & set(order)
        prev_reads[name] = {r for r in refs if order[r] >= order[name]}
        current_reads[name] = refs - prev_reads[name]
    stateful: set[str] = set()
    running: dict[str, RunningSum | HeldValue] = {}
    for p in variables:  # in port order, so current reads are already classified
        name = p.name.lower()
        if prev_reads.get(name) or current_reads.get(name, set()) & stateful:
            stateful.add(name)
    for name in sorted(stateful, key=order.__getitem__):
        carried = prev_reads.get(name, set()) & stateful
        port = variables[order[name]]
        if carried == {name} and name in parsed:
            found = running_sum(parsed[name], name) or held_value(parsed[name], name)
            if found is not None and not (found.refs() & {name}):
                running[name] = found
                continue
        if carried:
            gen.gap(step, ConversionError(
                f"variable port {port.name} carries a value from row to row through "
                f"{', '.join(sorted(carried))}; no exact Spark translation"), port)
            for v in variables:  # so that ports reading them report nothing more
                columns[v.name.lower()] = "F.lit(None)"
            return []
    ordered = [p for p in variables if p.name.lower() not in stateful] + [
        p for p in variables if p.name.lower() in stateful
    ]
    # A rejected row would still feed the next row's reads of a carried variable: rows are rejected only
    # when no variable is carried from row to row.
    checkable = not stateful
    lines: list[str] = []
    window = ""
    for p in ordered:
        name = p.name.lower()
        if name not in parsed:
            continue
        local = dict(columns)
        if (prev_reads.get(name, set()) - {name}) or name in running:
            if not window:
                window = gen.new_var(f"{var}_row_order")
                lines.append(f"{window} = Window.orderBy({py_str(ROW_ID)})")
        for ref in prev_reads.get(name, set()) - ({name} if name in running else set()):
            ref_port = variables[order[ref]]
            initial = default_value_literal(spark_type(ref_port.datatype, ref_port.precision, ref_port.scale))
            local[ref] = f"F.lag(F.col({py_str(ref_port.name)}), 1, {initial!r}).over({window})"
        if name in running:
            lines += running[name].lines(step, gen, var, p, local, window)
        elif errors is None or not checkable:
            code = gen.translate(step, parsed[name], local, p, lookups)
            lines.append(f"{var} = {var}.withColumn({py_str(p.name)}, {cast_to(code, p)})")
        else:
            code, error = gen.translate_checked(step, parsed[name], local, p, lookups)
            lines.append(f"{var} = {var}.withColumn({py_str(p.name)}, {cast_to(code, p)})")
            if error:
                so_far = f"F.col({py_str(ROW_ERROR)})"
                lines.append(f"{var} = {var}.withColumn({py_str(ROW_ERROR)}, "
                             + (f"F.coalesce({so_far}, {error}))" if so_far in errors else f"{error})"))
                if so_far not in errors:
                    errors.append(so_far)
        columns[name] = f"F.col({py_str(p.name)})"
    return lines


class UnconnectedLookups:
    """Resolves ``:LKP.name(args)`` inside a step: joins the lookup's cached table to the step's frame."""

    def __init__(self, step: Step, gen: Generator, var: str, lines: list[str]) -> None:
        self.step, self.gen, self.var, self.lines = step, gen, var, lines
        self.count = 0
        self.temporary: list[str] = []

    def __call__(self, name: str, arg_codes: list[str]) -> str:
        from infaflow.codegen.handlers.lookup import unconnected_call

        self.count += 1
        column = f"_lkp_{self.count}"
        self.temporary.append(column)
        self.lines += unconnected_call(self.step, self.gen, self.var, name, arg_codes, column)
        return f"F.col({py_str(column)})"


@dataclass
class RunningSum:
    """``v = IIF(reset, start, v + step)`` (or ``v = v + step``): a running sum that restarts where
    ``reset`` is TRUE; exact as a sum over the rows since the last restart (NULL once a NULL is added)."""

    reset: Any  # expression node or None
    start: Any
    step: Any
    negate: bool = False  # the reset is where the condition is not TRUE (IIF(c, v + b, a))

    def refs(self) -> set[str]:
        from infaflow.expr import references

        out: set[str] = set()
        for node in (self.reset, self.start, self.step):
            if node is not None:
                out |= {r.lower() for r in references(node)}
        return out

    def lines(self, step: Step, gen: Generator, var: str, port: Port, columns: dict[str, str],
              window: str) -> list[str]:
        def code(node: Any, condition: bool = False) -> str:
            return gen.translate(step, Parsed("", node), columns, port, as_condition=condition)

        name = py_str(port.name)
        part = py_str(f"_{port.name}_run")
        term = code(self.step)
        lines = []
        if self.reset is not None:
            cond = code(self.reset, True)
            if self.negate:
                cond = f"~F.coalesce({cond}, F.lit(False))"
            lines.append(f"{var} = {var}.withColumn({part}, F.sum(F.when({cond}, 1)"
                         f".otherwise(0)).over({window}.rowsBetween(Window.unboundedPreceding, 0)))")
            term = f"F.when({cond}, {code(self.start)}).otherwise({term})"
            run = f"Window.partitionBy({part}).orderBy({py_str(ROW_ID)})"
        else:
            run = f"{window}"
        lines.append(f"{var} = {var}.withColumn({name}, {cast_to(term, port)})")
        total = f"F.when(F.count_if(F.col({name}).isNull()).over({run}) == 0, F.sum({name}).over({run}))"
        lines.append(f"{var} = {var}.withColumn({name}, {cast_to(total, port)})")
        if self.reset is not None:
            lines.append(f"{var} = {var}.drop({part})")
        return lines


def running_sum(parsed: Parsed, name: str) -> RunningSum | None:
    """Recognise ``IIF(c, a, v + b)``, ``IIF(c, v + b, a)`` and ``v + b`` for variable ``name``."""
    from infaflow.expr.nodes import Binary, Call, Name

    def added(node: Any) -> Any:
        if isinstance(node, Binary) and node.op == "+":
            if isinstance(node.left, Name) and node.left.name.lower() == name:
                return node.right
            if isinstance(node.right, Name) and node.right.name.lower() == name:
                return node.left
        return None

    node = parsed.node
    if added(node) is not None:
        return RunningSum(None, None, added(node))
    if isinstance(node, Call) and node.name.upper() == "IIF" and len(node.args) == 3:
        cond, a, b = node.args
        if added(b) is not None:
            return RunningSum(cond, a, added(b))
        if added(a) is not None:
            return RunningSum(cond, b, added(a), negate=True)
    return None


@dataclass
class HeldValue:
    """``v = IIF(set, value, v)`` (or ``IIF(keep, v, value)``): the value of the last row where ``set``
    was TRUE, the port's initial value before any; exact as a ``last`` over the rows so far."""

    reset: Any  # the condition that assigns a new value
    value: Any
    negate: bool = False  # a new value where the condition is not TRUE (IIF(c, v, a))

    def refs(self) -> set[str]:
        from infaflow.expr import references

        return {r.lower() for node in (self.reset, self.value) for r in references(node)}

    def lines(self, step: Step, gen: Generator, var: str, port: Port, columns: dict[str, str],
              window: str) -> list[str]:
        cond = gen.translate(step, Parsed("", self.reset), columns, port, as_condition=True)
        if self.negate:
            cond = f"~F.coalesce({cond}, F.lit(False))"
        value = gen.translate(step, Parsed("", self.value), columns, port)
        held = py_str(f"_{port.name}_held")
        initial = default_value_literal(spark_type(port.datatype, port.precision, port.scale))
        return [
            f"{var} = {var}.withColumn({held}, F.last(F.when({cond}, F.struct({cast_to(value, port)}.alias(\"v\"))), "
            f"ignorenulls=True).over({window}.rowsBetween(Window.unboundedPreceding, 0)))",
            f"{var} = {var}.withColumn({py_str(port.name)}, F.when(F.col({held}).isNull(), "
            f"{cast_to(f'F.lit({initial!r})', port)}).otherwise(F.col({held}).getField(\"v\"))).drop({held})",
        ]


def held_value(parsed: Parsed, name: str) -> HeldValue | None:
    """Recognise ``IIF(c, a, v)`` and ``IIF(c, v, a)`` for variable ``name``."""
    from infaflow.expr.nodes import Call, Name

    node = parsed.node
    if not (isinstance(node, Call) and node.name.upper() == "IIF" and len(node.args) == 3):
        return None
    cond, a, b = node.args

    def is_self(n: Any) -> bool:
        return isinstance(n, Name) and n.name.lower() == name

    if is_self(b) and not is_self(a):
        return HeldValue(cond, a)
    if is_self(a) and not is_self(b):
        return HeldValue(cond, b, negate=True)
    return None
