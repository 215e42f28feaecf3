"""Expression: row-wise output ports, with variable ports evaluated in port order.

A variable port read before it is assigned in port order gives the previous row's value (SPEC E).
A row error (ERROR(), a failed conversion, a division by zero) in an output or a variable port rejects the
row as PowerCenter does: ``job.reject_errors`` drops it, counts it (TotalTransErrors) and writes it with its
message to the session's row-error file; an output port with a DEFAULTVALUE other than ``ERROR(...)`` takes
that value instead. Values carried from row to row are computed by a window over PowerCenter's row order
where one is exact (``F.lag``, running sums, held values, running maxima: :mod:`infaflow.codegen.recurrence`),
else by an exact sequential scan of the rows (:mod:`infaflow.codegen.scan`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from infaflow.codegen import exprs, mapping_variables, recurrence
from infaflow.codegen.comments import expression_comment
from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.handlers.defaults import has_input_default, input_defaults, value_default
from infaflow.codegen.handlers.lookup import unconnected_call
from infaflow.codegen.handlers.stored_procedure import result_type
from infaflow.codegen.handlers.stored_procedure import unconnected_call as procedure_call
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import ROW_ERROR, first_error, reject_rows
from infaflow.codegen.scan import scan_lines
from infaflow.codegen.stepcode import ANY_ORIGIN, ROW_ID, Output, StepCode, cast_to, select_code
from infaflow.expr.fragments import Hoister, hoisting
from infaflow.expr.infer import static_type
from infaflow.expr.nodes import Name, Node
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

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
    hoister = _hoister(step, [])
    lines += variable_ports(step, gen, var, columns, lookups, errors, hoister)
    selected = []
    outputs: dict[str, Output] = {}
    for port in step.ports:
        if not port.is_output:
            continue
        if port.is_input:
            selected.append(py_str(port.name))
        else:
            named = len(hoister.columns)
            with hoisting(_for_port(hoister, port)):
                code, error = output_port(step, gen, port, columns, lookups)
            lines += _hoisted_lines(var, hoister, named)
            note = expression_comment(port.name, port.expression, "    ")
            selected.append("\n".join([*note, f"    {code}.alias({py_str(port.name)})"])[4:])
            errors += [error] if error else []
        outputs[port.name.lower()] = Output(var, port.name, origin)
    if errors:
        selected.append(f"{first_error(errors)}.alias({py_str(ROW_ERROR)})")
    lines += _select_with_notes(var, [*selected, *gen.extra(var)])
    lines += reject_rows(step, var, errors)
    return StepCode(lines, outputs)


#: calls whose translation adds lines of its own (joins, procedure calls, variable updates): their
#: expressions keep lambda-bound values, as named columns would be added after those lines
_SIDE_LINES = (":LKP", ":SP", "SETVARIABLE", "SETMAXVARIABLE", "SETMINVARIABLE", "SETCOUNTVARIABLE")


def _hoister(step: Step, frame_columns: list[str]) -> Hoister:
    return Hoister("_", {*frame_columns, *(p.name for p in step.ports)})


def _for_port(hoister: Hoister | None, port: Port) -> Hoister | None:
    """``hoister`` naming its columns after ``port`` (``_o_TAX_1``), or None where values stay in lambdas."""
    if hoister is None or any(call in (port.expression or "").upper() for call in _SIDE_LINES):
        return None
    hoister.prefix = f"_{port.name}"
    return hoister


def _hoisted_lines(var: str, hoister: Hoister | None, start: int = 0) -> list[str]:
    """The columns ``hoister`` named since its ``start``-th, added to ``var`` in order."""
    if hoister is None:
        return []
    named = list(hoister.columns.items())[start:]
    if not named:
        return []
    lines = (
        ["# a value the next expression uses several times, computed once"]
        if len(named) == 1
        else ["# values the next expression uses several times, computed once"]
    )
    return lines + [f"{var} = {var}.withColumn({py_str(name)}, {code})" for name, code in named]


def _select_with_notes(var: str, selected: list[str]) -> list[str]:
    """``select_code``, one column per line when a column carries its expression's comment."""
    if not any("\n" in c for c in selected):
        return select_code(var, selected, var)
    return [f"{var} = {var}.select(", *[f"    {c}," for c in selected], ")"]


def output_port(
    step: Step, gen: Generator, port: Port, columns: dict[str, str], lookups: UnconnectedLookups | None
) -> tuple[str, str]:
    """The code of an output port (cast to its type) and of its row-error message ("" if it cannot fail).
    A DEFAULTVALUE other than ``ERROR(...)`` replaces the value of a row whose expression fails (SPEC E)."""
    text = gen.implicit_conversion(step, port, port.expression or "NULL", columns)
    code, error = gen.expression_checked(step, text, columns, port, lookups)
    value = cast_to(code, port)
    default = value_default(port)
    if error and default:
        replacement = cast_to(gen.expression(step, default, {}, port), port)
        return f"F.when({error}.isNull(), {value}).otherwise({replacement})", ""
    return value, error


def _extendable(step: Step, gen: Generator, frame: str, inputs: list[Port]) -> bool:
    """New ports can be added to the feeding frame: no input default to apply, no name clash."""
    if any(has_input_default(p) for p in inputs):
        return False
    taken = {c.lower() for c in gen.columns[frame]}
    new = [p.name.lower() for p in step.ports if not p.is_input]
    return not (set(new) & taken) and len(set(new)) == len(new)


def _extend(step: Step, gen: Generator, var: str, frame: str, inputs: list[Port]) -> StepCode:
    """Output ports added to the frame that feeds the Expression (inputs read where they are)."""
    origin = gen.output_of(step.inputs[inputs[0].name.lower()]).origin if inputs else ANY_ORIGIN
    columns = {p.name.lower(): f"F.col({py_str(gen.column_of(step, p))})" for p in inputs}
    variables = [p for p in step.ports if p.is_variable]
    stateful = (
        bool(variables)
        or any(call in (p.expression or "").upper() for p in step.ports for call in (":LKP", ":SP"))
        or mapping_variables.in_step(step)
    )
    lines: list[str] = [f"{var} = {frame}"] if stateful else []
    base = var if stateful else frame
    lookups = UnconnectedLookups(step, gen, var, lines)
    errors: list[str] = []
    hoister = _hoister(step, gen.columns[frame])
    lines += variable_ports(step, gen, var, columns, lookups, errors, hoister)
    computed: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    outputs: dict[str, Output] = {}
    named = len(hoister.columns)
    for port in step.ports:
        if not port.is_output:
            continue
        if port.is_input:
            outputs[port.name.lower()] = Output(var, gen.column_of(step, port), origin)
            continue
        with hoisting(_for_port(hoister, port)):
            code, error = output_port(step, gen, port, columns, lookups)
        computed[port.name] = code
        notes[port.name] = expression_comment(port.name, port.expression, "    ")
        errors += [error] if error else []
        outputs[port.name.lower()] = Output(var, port.name, origin)
    if len(hoister.columns) > named:
        if base != var:
            lines.append(f"{var} = {base}")
            base = var
        lines += _hoisted_lines(var, hoister, named)
    drop = [py_str(p.name) for p in variables] + [py_str(c) for c in lookups.temporary]
    drop += [py_str(c) for c in hoister.columns]
    tail = f".drop({', '.join(drop)})" if drop else ""
    new_columns = list(computed)
    if errors and errors != [f"F.col({py_str(ROW_ERROR)})"]:  # else the variable ports' column as it is
        computed[ROW_ERROR] = first_error(errors)
    if computed:
        lines.append(f"{var} = {base}.withColumns({{")
        for name, code in computed.items():
            lines += [*notes.get(name, []), f"    {py_str(name)}: {code},"]
        lines.append(f"}}){tail}")
    elif drop or not stateful:
        lines.append(f"{var} = {base}{tail}")
    lines += reject_rows(step, var, errors)
    gen.extends[var] = frame
    gen.columns[var] = [*gen.columns[frame], *new_columns]
    gen.inherit(var, frame)
    return StepCode(lines, outputs)


def variable_ports(
    step: Step,
    gen: Generator,
    var: str,
    columns: dict[str, str],
    lookups: UnconnectedLookups | None = None,
    errors: list[str] | None = None,
    hoister: Hoister | None = None,
) -> list[str]:
    """Lines adding the variable ports to ``var``; ``columns`` gains each variable. With ``errors``, a row
    error of a variable port becomes the ``_row_error`` column (its name is added to ``errors``) and the
    row is rejected; without, a row error fails the job. Values carried from row to row are computed by
    a window where one is exact (:mod:`infaflow.codegen.recurrence`), else by a sequential scan."""
    variables = [p for p in step.ports if p.is_variable]
    if not variables:
        return []
    order = {p.name.lower(): i for i, p in enumerate(variables)}
    parsed: dict[str, Parsed] = {}
    for p in variables:
        got = gen.parse(step, p.expression or "NULL", p)
        if got is not None:
            parsed[p.name.lower()] = got
    can_raise = {n for n, tree in parsed.items() if errors is not None and _can_raise(step, gen, tree)}
    found = recurrence.analyse(variables, parsed, can_raise, _static_types(step, columns, variables))
    if found.scan:  # segments are exact only when no row error can hold the variables back
        segment = recurrence.segments(found) if not can_raise else None
        return scan_lines(step, gen, var, found, columns, lookups, errors, segment)
    prev_reads, stateful, running = found.prev_reads, found.stateful, found.windows
    ordered = [p for p in variables if p.name.lower() not in stateful] + [
        p for p in variables if p.name.lower() in stateful
    ]
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
            local[ref] = recurrence.previous_value(variables[order[ref]], window)
        lines += expression_comment(p.name, p.expression)
        if name in running:
            lines += running[name].lines(step, gen, var, p, local, window, lookups)
        elif errors is None:
            named = len(hoister.columns) if hoister else 0
            with hoisting(_for_port(hoister, p)):
                code = gen.translate(step, parsed[name], local, p, lookups)
            lines += _hoisted_lines(var, hoister, named)
            lines.append(f"{var} = {var}.withColumn({py_str(p.name)}, {cast_to(code, p)})")
        else:
            named = len(hoister.columns) if hoister else 0
            with hoisting(_for_port(hoister, p)):
                code, error = gen.translate_checked(step, parsed[name], local, p, lookups)
            lines += _hoisted_lines(var, hoister, named)
            lines.append(f"{var} = {var}.withColumn({py_str(p.name)}, {cast_to(code, p)})")
            if error:
                so_far = f"F.col({py_str(ROW_ERROR)})"
                lines.append(
                    f"{var} = {var}.withColumn({py_str(ROW_ERROR)}, "
                    + (f"F.coalesce({so_far}, {error}))" if so_far in errors else f"{error})")
                )
                if so_far not in errors:
                    errors.append(so_far)
        columns[name] = f"F.col({py_str(p.name)})"
    return lines


def _can_raise(step: Step, gen: Generator, parsed: Parsed) -> bool:
    """Whether the expression can raise a row error (ERROR(), a failed conversion...), typed as the port's
    own translation is."""
    names = {p.name.lower(): f"F.col({py_str(p.name)})" for p in step.ports}
    port_type, param_type, lookup_type = gen._typing(step, names)
    try:
        return bool(
            exprs.to_checked_code(
                parsed,
                lambda n: names.get(n.lower()),
                lambda n, a: "F.lit(None)",
                types=port_type,
                parameter_types=param_type,
                lookup_types=lookup_type,
            )[1]
        )
    except ConversionError:
        return False  # reported where the port is translated


def _static_types(step: Step, columns: dict[str, str], variables: list[Port]) -> Callable[[Node], str]:
    """``type_of(node)``: the static type of a sub-expression over the step's ports."""

    def name_type(name: str) -> str:
        p = step.port(name)
        known = name.lower() in columns or any(v.name.lower() == name.lower() for v in variables)
        return exprs.expr_type(p.datatype) if p is not None and known else ""

    def type_of(node: Any) -> str:
        return static_type(node, name_type)

    def scale(node: Any) -> int | None:
        """The scale of a decimal port read as it is, else None."""
        p = step.port(node.name) if isinstance(node, Name) else None
        return p.scale if p is not None and name_type(p.name) == "decimal" else None

    type_of.scale = scale  # type: ignore[attr-defined]
    return type_of


class UnconnectedLookups:
    """Resolves ``:LKP.name(args)`` inside a step: joins the lookup's cached table to the step's frame."""

    def __init__(self, step: Step, gen: Generator, var: str, lines: list[str]) -> None:
        self.step, self.gen, self.var, self.lines = step, gen, var, lines
        self.count = 0
        self.temporary: list[str] = []

    def __call__(self, name: str, arg_codes: list[str]) -> str:
        self.count += 1
        column = f"_lkp_{self.count}"
        self.temporary.append(column)
        self.lines += unconnected_call(self.step, self.gen, self.var, name, arg_codes, column)
        return f"F.col({py_str(column)})"

    def stored_procedure(self, name: str, arg_codes: list[str | None]) -> str:
        """``:SP.name(args)``: the procedure called once per row over JDBC (handlers.stored_procedure)."""

        self.count += 1
        column = f"_sp_{self.count}"
        self.temporary.append(column)
        self.lines += procedure_call(self.step, self.gen, self.var, name, arg_codes, column)
        return f"F.col({py_str(column)})"

    def stored_procedure_type(self, name: str) -> str:
        return result_type(self.gen, name)
