"""Aggregator: group by the GROUPBY ports; a port that is not aggregated takes the value of the last
row of its group (PowerCenter order, ``_row_id``); no group-by port makes one group of all rows. With
``Sorted Input`` the groups leave in input order (each is output when the next one starts); otherwise their
order is not defined.

Nested aggregates (``MAX(COUNT(ITEM))``): PowerCenter evaluates the inner aggregate per group of the
group-by ports and the outer one over those group results, and returns one row. That is two steps here:
a ``groupBy`` computing the inner aggregates, then an aggregation over all groups.

Row errors (ERROR(), a failed conversion, a division by zero) are transformation errors, rejected (counted,
written to the row-error file) at the level where they happen: an error in a group-by port's expression or
inside an aggregate function's argument (``SUM(A / B)``) is raised by an input row, which is rejected
before grouping and so counts in no group; an error in the expression around the aggregates
(``SUM(A) / SUM(B)``) or in a port evaluated on the group's last row rejects the group's output row.

Transformation Scope Transaction groups per transaction too (codegen/transactions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from infaflow.codegen import exprs, transactions
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.handlers.defaults import input_defaults, value_default
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowerrors import ROW_ERROR, first_error, reject_failing, reject_rows
from infaflow.codegen.stepcode import ROW_ID, Output, StepCode, cast_to
from infaflow.expr.infer import static_type
from infaflow.expr.nodes import Call, Name, walk
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Aggregator",)

_LAST = 'F.col("_row_id")'


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    var = gen.var(step)
    if any(p.is_variable for p in t.ports):
        raise ConversionError("variable ports in an Aggregator are not supported")
    inputs = [p for p in t.ports if p.is_input]
    lines, _ = gen.assemble(step, inputs, var)
    lines += input_defaults(step, gen, var, inputs)
    parsed_ports = {
        p.name.lower(): gen.parse(step, p.expression or "NULL", p)
        for p in t.ports
        if p.is_output and not p.is_input and not p.is_group_by
    }
    row_level = _row_level(step, gen, var, inputs, parsed_ports)
    lines += row_level.lines
    parsed_ports = row_level.parsed
    scope_lines, per_txn = transactions.scope_lines(step, gen, var)
    lines += scope_lines
    if any(q is not None and nested_aggregates(q.node) for q in parsed_ports.values()):
        if per_txn:
            raise ConversionError("nested aggregates in an Aggregator of Transaction scope: not supported")
        return _nested(step, gen, var, lines, inputs, row_level)
    plain = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    plain.update(row_level.columns)
    last = {p.name.lower(): f"F.max_by(F.col({py_str(p.name)}), {_LAST})" for p in inputs}
    keys = [p for p in t.ports if p.is_group_by]
    aggs: list[str] = []
    errors: list[str] = []
    outputs: dict[str, Output] = {}
    for port in t.ports:
        if not port.is_output:
            continue
        outputs[port.name.lower()] = Output(var, port.name, origin=step.name)
        if port.is_group_by:
            continue
        if port.is_input:
            aggs.append(f"F.max_by(F.col({py_str(port.name)}), {_LAST}).alias({py_str(port.name)})")
            continue
        parsed = parsed_ports[port.name.lower()]
        code = (
            _port_aggregate(step, gen, port, parsed, plain, last, row_level.types)
            if parsed is not None
            else None
        )
        if code is not None:
            aggs.append(code[0])
            errors += [code[1]] if code[1] else []
    if errors:
        aggs.append(f"{first_error(errors)}.alias({py_str(ROW_ERROR)})")
    sorted_input = bool(keys) and step.attributes.flag("Sorted Input", False)
    if sorted_input or per_txn:
        # Sorted input: each group is output when the next one starts, so groups keep the input order
        # (ordered by their last row). Per transaction: a transaction's groups are output when it ends,
        # so they follow the transactions' order; within one, by their last row (PowerCenter: no
        # defined order).
        aggs.append(f"F.max({_LAST}).alias({py_str(ROW_ID)})")
    names = [transactions.TXN, transactions.ROLLED_BACK] if per_txn else []
    group = ", ".join(py_str(n) for n in [*names, *(k.name for k in keys)])
    body = [f"    {a}," for a in aggs]
    if keys or per_txn:
        lines += [f"{var} = {var}.groupBy({group}).agg(", *body, ")"]
    else:
        lines += [f"{var} = {var}.agg(", *body, ")"]
    lines += reject_rows(step, var, errors)
    if per_txn:
        lines += transactions.keep_lines(step, var)
    gen.flagged.discard(var)
    if not sorted_input and not per_txn:
        lines.append(f'{var} = {var}.withColumn("_row_id", F.monotonically_increasing_id())')
        gen.unordered.add(var)
    gen.columns[var] = (
        [k.name for k in keys] + [p.name for p in t.ports if p.is_output and not p.is_group_by] + ["_row_id"]
    )
    note = f"group by {', '.join(k.name for k in keys)}" if keys else "no group-by port: one group"
    if per_txn:
        note = f"per transaction, {note}"
    return StepCode(lines, outputs, [note])


def nested_aggregates(node: Any) -> list[Any]:
    """The aggregate calls of ``node`` that sit inside another aggregate call (``COUNT`` in
    ``MAX(COUNT(x))``), outermost first."""

    found: list[Any] = []

    def visit(n: Any, inside: bool) -> None:
        is_agg = isinstance(n, Call) and n.name.upper() in exprs.AGGREGATE_FUNCTIONS
        if is_agg and inside:
            found.append(n)
            return
        for child in n.children():
            visit(child, inside or is_agg)

    visit(node, False)
    return found


def _outer_aggregates(node: Any) -> list[Any]:
    """The outermost aggregate calls of ``node``."""

    if isinstance(node, Call) and node.name.upper() in exprs.AGGREGATE_FUNCTIONS:
        return [node]
    return [call for child in node.children() for call in _outer_aggregates(child)]


def _has_inner(node: Any) -> bool:
    """True when ``node`` reads an inner aggregate's column."""

    return any(isinstance(n, Name) and n.name.startswith("_inner_") for n in walk(node))


def _substitute(node: Any, names: dict[int, str]) -> Any:
    """A copy of ``node`` where each node whose id is in ``names`` becomes a reference to that column."""

    if id(node) in names:
        return Name(names[id(node)], pos=node.pos, source=node.source)
    changes = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if hasattr(value, "children"):
            changes[f.name] = _substitute(value, names)
        elif isinstance(value, list) and value and hasattr(value[0], "children"):
            changes[f.name] = [_substitute(v, names) for v in value]
    return replace(node, **changes) if changes else node


def _port_aggregate(
    step: Step,
    gen: Generator,
    port: Port,
    parsed: exprs.Parsed,
    columns: dict[str, str],
    last: dict[str, str],
    types: dict[str, str] | None = None,
    checked: bool = True,
) -> tuple[str, str] | None:
    """The ``agg`` entry of an output port and the code of its row-error message ("" if it cannot fail;
    always "" without ``checked``, where a row error fails the job): its aggregate expression, where names
    outside aggregate functions take the last row's value; a port that is not aggregated is evaluated on
    the last row of the group. None (and a gap) when a name is used both inside and outside an aggregate
    function."""
    if exprs.is_aggregate(parsed):
        inside, outside = exprs.names_by_aggregation(parsed)
        if inside & outside:
            gen.gap(
                step,
                ConversionError(
                    f"port {port.name} uses {', '.join(sorted(inside & outside))} both inside and outside an "
                    "aggregate function"
                ),
                port,
            )
            return None
        columns = {**columns, **{n: last[n] for n in outside if n in last}}
        if not checked:
            return (
                f"{cast_to(gen.translate(step, parsed, columns, port), port)}.alias({py_str(port.name)})",
                "",
            )
        code, error = gen.translate_checked(step, parsed, columns, port, types=types)
    elif not checked:
        code, error = f"F.max_by({gen.translate(step, parsed, columns, port)}, {_LAST})", ""
    else:
        value, row_error = gen.translate_checked(step, parsed, columns, port, types=types)
        code = f"F.max_by({value}, {_LAST})"
        error = f"F.max_by({row_error}, {_LAST})" if row_error else ""
    default = value_default(port)
    if error and default:
        # A DEFAULTVALUE replaces the value of a group whose expression fails (nothing is rejected; an
        # ABORT() default fails the session), as for an Expression's output port.
        replacement = cast_to(gen.expression(step, default, {}, port), port)
        return (
            f"F.when({error}.isNull(), {cast_to(code, port)})"
            f".otherwise({replacement}).alias({py_str(port.name)})",
            "",
        )
    return f"{cast_to(code, port)}.alias({py_str(port.name)})", error


@dataclass
class RowLevel:
    """What an Aggregator evaluates for each input row before grouping."""

    lines: list[str]
    parsed: dict[str, exprs.Parsed | None]  # output ports, aggregate arguments that can fail read as columns
    columns: dict[str, str]  # those argument columns by lower-case name -> code
    types: dict[str, str]  # ... and their expression-language types


def _row_level(
    step: Step, gen: Generator, var: str, inputs: list[Port], parsed_ports: dict[str, exprs.Parsed | None]
) -> RowLevel:
    """Group-by ports with an expression, and the arguments of aggregate functions that can raise a row
    error, computed per input row (in port order); rows with a row error are rejected before grouping."""
    t = step.transformation
    assert t is not None
    plain = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    computed: dict[str, str] = {}
    errors: list[str] = []
    rewritten = dict(parsed_ports)
    types: dict[str, str] = {}
    for port in t.ports:
        if port.is_group_by and port.is_output and not port.is_input:
            parsed = gen.parse(step, port.expression or "NULL", port)
            if parsed is not None:
                code, error = gen.translate_checked(step, parsed, plain, port)
                computed[port.name] = cast_to(code, port)
                errors.append(error)
            continue
        parsed = parsed_ports.get(port.name.lower())
        if parsed is None:
            continue
        names: dict[int, str] = {}
        guards: dict[int, str] = {}  # filter condition -> its code
        arguments = _aggregate_arguments(parsed.node)
        guard_ids = {id(a.guard) for a in arguments if a.guard is not None}
        for arg in arguments:
            kind = static_type(arg.node, lambda n: _port_type(step, n))
            is_guard = arg.guard is None and id(arg.node) in guard_ids
            code, error = gen.translate_checked(
                step,
                exprs.Parsed(parsed.text, arg.node),
                plain,
                port,
                as_condition=is_guard or kind == "boolean",
            )
            if is_guard:
                guards[id(arg.node)] = code
            if not error:
                continue
            if arg.guard is not None:
                error = f"F.when({guards[id(arg.guard)]}, {error})"
            column = f"_{port.name}_arg{len(names) + 1}"
            names[id(arg.node)] = column
            computed[column] = code
            types[column.lower()] = "boolean" if is_guard else kind
            errors.append(error)
        if names:
            rewritten[port.name.lower()] = exprs.Parsed(parsed.text, _substitute(parsed.node, names))
    columns = {c.lower(): f"F.col({py_str(c)})" for c in computed if c.startswith("_")}
    lines = reject_failing(step, var, var, errors)  # the row-error file shows the input row as it came
    if computed:
        lines += [
            f"{var} = {var}.withColumns({{",
            *[f"    {py_str(c)}: {code}," for c, code in computed.items()],
            "})",
        ]
    return RowLevel(lines, rewritten, columns, types)


@dataclass
class Argument:
    """An argument of an aggregate call evaluated per input row; ``guard``: the call's filter condition,
    which PowerCenter evaluates first (the value of a row the filter drops is not evaluated)."""

    node: Any
    guard: Any = None


def _aggregate_arguments(node: Any) -> list[Argument]:
    """The arguments of the aggregate calls of ``node`` that are evaluated per input row, in evaluation
    order: the filter condition, then the values (``B > 0``, then ``A / B`` in ``SUM(A / B, B > 0)``;
    ``X`` in ``MAX(COUNT(X))``, whose outer call works on group results)."""

    found: list[Argument] = []
    for call in _outer_aggregates(node):
        assert isinstance(call, Call)
        if nested_aggregates(call):
            found += [a for arg in call.args if _outer_aggregates(arg) for a in _aggregate_arguments(arg)]
            continue
        count = 0 if call.star else 2 if call.name.upper() == "PERCENTILE" else 1
        guard = call.args[count] if len(call.args) > count else None
        found += ([Argument(guard)] if guard is not None else []) + [
            Argument(a, guard) for a in call.args[:count]
        ]
    return found


def _port_type(step: Step, name: str) -> str:
    port = step.port(name)
    return exprs.expr_type(port.datatype) if port is not None else ""


def _nested(
    step: Step, gen: Generator, var: str, lines: list[str], inputs: list[Port], row_level: RowLevel
) -> StepCode:
    """Two aggregation steps: inner aggregates per group, then every output port over all groups (one
    row). Ports that are not aggregated take the last input row's values [SPEC U]."""
    t = step.transformation
    assert t is not None
    keys = [p for p in t.ports if p.is_group_by]
    parsed_ports = row_level.parsed
    plain = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    plain.update(row_level.columns)
    inner_codes: list[str] = []
    rewritten: dict[str, exprs.Parsed] = {}
    for name, parsed in parsed_ports.items():
        if parsed is None:
            continue
        port = step.port(name)
        inner = nested_aggregates(parsed.node)
        if not inner and exprs.is_aggregate(parsed):
            gen.gap(
                step,
                ConversionError(
                    f"port {port.name if port else name} mixes a plain aggregate "
                    "with the nested aggregates of "
                    "this Aggregator (PowerCenter returns one row for nested aggregates)"
                ),
                port,
            )
            continue
        if any(nested_aggregates(n) for n in inner):
            gen.gap(
                step,
                ConversionError(
                    f"port {port.name if port else name}: an aggregate function nests "
                    "more than one level (PowerCenter allows one)"
                ),
                port,
            )
            continue
        names: dict[int, str] = {}
        for node in inner:
            column = f"_inner_{name}_{len(names) + 1}"
            names[id(node)] = column
            code = gen.translate_checked(
                step, exprs.Parsed(parsed.text, node), plain, port, types=row_level.types
            )[0]
            inner_codes.append(f"{code}.alias({py_str(column)})")
        node = _substitute(parsed.node, names)
        if not all(_has_inner(call) for call in _outer_aggregates(node)):
            gen.gap(
                step,
                ConversionError(
                    f"port {port.name if port else name} mixes a plain aggregate with nested aggregates"
                ),
                port,
            )
            continue
        rewritten[name] = exprs.Parsed(parsed.text, node)
    group_var = gen.new_var(f"{var}_groups")
    key_names = {k.name.lower() for k in keys}
    carried = [
        f"F.max_by(F.col({py_str(p.name)}), {_LAST}).alias({py_str(p.name)})"
        for p in inputs
        if p.name.lower() not in key_names
    ]
    lines += [
        "# Nested aggregates: the inner aggregates per group of "
        f"{', '.join(k.name for k in keys) or 'all rows'},",
        "# then the outer ones over all groups: one row. Other ports: the last input row [SPEC U].",
        f"{group_var} = {var}.groupBy({', '.join(py_str(k.name) for k in keys)}).agg(",
        *[f"    {c}," for c in inner_codes],
        *[f"    {c}," for c in carried],
        f'    F.max({_LAST}).alias("_row_id"),',
        ")",
    ]
    group_cols = {p.name.lower(): f"F.col({py_str(p.name)})" for p in inputs}
    group_cols.update(
        {
            c: f"F.col({py_str(c)})"
            for q in rewritten.values()
            for c in (n.lower() for n in exprs.references(q))
            if c.startswith("_inner_")
        }
    )
    last = {n: f"F.max_by({code}, {_LAST})" for n, code in group_cols.items()}
    aggs: list[str] = []
    outputs: dict[str, Output] = {}
    for port in t.ports:
        if not port.is_output:
            continue
        outputs[port.name.lower()] = Output(var, port.name, origin=step.name)
        if port.is_input or port.is_group_by:
            aggs.append(f"{last[port.name.lower()]}.alias({py_str(port.name)})")
            continue
        parsed = rewritten.get(port.name.lower())
        # The outer aggregates work on group results, not input rows: a row error there fails the job.
        result = _port_aggregate(step, gen, port, parsed, group_cols, last, checked=False) if parsed else None
        if result is not None:
            aggs.append(result[0])
    lines += [f"{var} = {group_var}.agg(", *[f"    {a}," for a in aggs], ")"]
    lines.append(f'{var} = {var}.withColumn("_row_id", F.lit(0).cast("bigint"))')
    gen.flagged.discard(var)
    gen.columns[var] = [p.name for p in t.ports if p.is_output] + [ROW_ID]
    return StepCode(lines, outputs, ["nested aggregates: one row (inner per group, outer over the groups)"])
