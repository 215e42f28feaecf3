"""The exact sequential scan: an Expression's variable ports computed row by row, as PowerCenter does.

Used when the variable ports carry values from row to row in a way no window computes exactly (see
:mod:`infaflow.codegen.recurrence`). The job gets a plain Python function ``<step>_variables(state, row)``
that builds, with native Spark functions, the variable ports of one row from the previous row's values
(``state``) and the row's inputs (``row``), in port order; ``job.scan`` (``infaflow_support``) folds the
rows in PowerCenter's order through it with Spark's higher-order ``aggregate`` and puts the values back
on the rows. No Python UDF: the function runs once, on the driver, to build the expression.

Row errors: evaluation of a row stops at its first variable port that raises one. The variables before it
keep the values they were given on that row, the failing one and those after it keep the previous row's
values, and the row carries the message in ``_row_error`` (then ``job.reject_errors`` rejects it). The
documentation says only that the row is skipped; what the state keeps is our documented choice.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.naming import py_str
from infaflow.codegen.recurrence import initial_literal, rename
from infaflow.expr.nodes import Name, Node, RefCall, walk
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.codegen.plan import Step

ROW_ERROR = "_row_error"
_RESERVED = {"state", "row", "error", "F", "Window", "job"}
_COLUMN = re.compile(r'^F\.col\(("(?:[^"\\]|\\.)*")\)$')


@dataclass
class ScanNote:
    """A sequential scan, for the conversion report."""

    instance: str
    ports: list[str]
    reason: str
    file: str
    line: int

    @property
    def cost(self) -> str:
        return ("sequential scan over every row of the Expression's input in one partition: the rows are "
                "held in one array by one task and folded one by one (memory grows with the row count)")


def row_field(code: str) -> str:
    """The code of an input column inside the row function: ``F.col("X")`` -> ``row["X"]``."""
    found = _COLUMN.match(code)
    return f"row[{found.group(1)}]" if found else code


def local_names(ports: list[Port]) -> dict[str, str]:
    """A Python name for each variable port in the row function (its own name when that is possible)."""
    out: dict[str, str] = {}
    taken = set(_RESERVED)
    for p in ports:
        base = re.sub(r"\W", "_", p.name)
        base = base if base.isidentifier() and not keyword.iskeyword(base) else f"v_{base}"
        name, i = base, 2
        while name in taken or (name == base and base in _RESERVED):
            name, i = f"{base}_{i}", i + 1
        taken.add(name)
        out[p.name.lower()] = name
    return out


def scan_lines(step: Step, gen: Generator, var: str, variables: list[Port], parsed: dict[str, Parsed],
               columns: dict[str, str], lookups: Any, errors: list[str] | None, reason: str) -> list[str]:
    """The lines computing every variable port of ``step`` by a sequential scan of ``var``'s rows; the
    variable columns are added to ``var`` and to ``columns``. With ``errors``, a row error of a variable
    port rejects the row (``_row_error``); without, it fails the job."""
    from infaflow.codegen.generate import cast_to

    order = {p.name.lower(): i for i, p in enumerate(variables)}
    names = local_names(variables)
    fn = gen.new_var(f"{var}_variables")
    lines: list[str] = []
    body: list[str] = []
    row_columns = {k: row_field(v) for k, v in columns.items()}
    raised = False
    for p in variables:
        name = p.name.lower()
        if name not in parsed:
            continue
        tree = _joined_lookups(step, gen, parsed[name], p, columns, row_columns, set(order), lookups)
        if tree is None:
            return []
        local = dict(row_columns)
        for ref in order:
            # earlier ports were assigned on this row; this port and later ones still hold the previous row's
            local[ref] = names[ref] if order[ref] < order[name] else f"state[{py_str(variables[order[ref]].name)}]"
        checked = errors is not None
        if checked:
            code, error = gen.translate_checked(step, tree, local, p)
        else:
            code, error = gen.translate(step, tree, local, p), ""
        value = cast_to(code, p)
        if error:
            body.append(f"error = {f'F.coalesce(error, {error})' if raised else error}")
            raised = True
        if raised:
            value = f"F.when(error.isNull(), {value}).otherwise(state[{py_str(p.name)}])"
        body.append(f"{names[name]} = {value}")
    fields = [f"{names[p.name.lower()]}.alias({py_str(p.name)})" for p in variables if p.name.lower() in parsed]
    initial = [f"{cast_to(f'F.lit({initial_literal(p)!r})', p)}.alias({py_str(p.name)})"
               for p in variables if p.name.lower() in parsed]
    if raised:
        fields.append(f"error.alias({py_str(ROW_ERROR)})")
        initial.append(f'F.lit(None).cast("string").alias({py_str(ROW_ERROR)})')
    note = (f"sequential scan: {reason}; the rows are folded one by one in PowerCenter's order, all of "
            "them in one array held by one task (memory grows with the row count)")
    lines += [f"# {text}" for text in textwrap.wrap(note, 100)]
    lines.append(f"def {fn}(state, row):")
    lines.append(f'    """{step.name}: its variable ports for one row, in port order; ``state`` holds their values')
    lines.append('    from the previous row."""')
    lines += [f"    {b}" for b in body]
    lines += _call("    return F.struct(", fields, ")")
    lines += _call(f"{var} = job.scan({py_str(step.name)}, {var}, {fn}, F.struct(", initial, "))")
    for p in variables:
        columns[p.name.lower()] = f"F.col({py_str(p.name)})"
    if raised and errors is not None:
        errors.append(f"F.col({py_str(ROW_ERROR)})")
    loc = step.location if not variables[0].location.file else variables[0].location
    gen.scans.append(ScanNote(step.name, [p.name for p in variables], reason, loc.file or gen.file, loc.line))
    return lines


def _call(head: str, args: list[str], tail: str) -> list[str]:
    one = f"{head}{', '.join(args)}{tail}"
    if len(one) <= 110:
        return [one]
    indent = " " * (len(head) - len(head.lstrip()))
    return [head, *[f"{indent}    {a}," for a in args], f"{indent}{tail}"]


def _joined_lookups(step: Step, gen: Generator, parsed: Parsed, port: Port, columns: dict[str, str],
                    row_columns: dict[str, str], variables: set[str], lookups: Any) -> Parsed | None:
    """``parsed`` with each ``:LKP`` call replaced by the column of the lookup joined to the rows before the
    scan (its arguments must not read variable ports); ``None`` (a gap) when one reads them."""
    calls = [n for n in walk(parsed.node) if isinstance(n, RefCall)]
    if not calls:
        return parsed
    replaced: dict[int, Node] = {}
    for call in calls:
        read = {n.name.lower() for a in call.args for n in walk(a) if isinstance(n, Name)} & variables
        if read or call.kind != "LKP":
            why = (f"its arguments read variable ports ({', '.join(sorted(read))})" if read
                   else f":{call.kind} calls cannot run inside it")
            gen.gap(step, ConversionError(
                f"variable port {port.name}: :{call.kind}.{call.name} inside a sequential scan of the rows: {why}"),
                port)
            return None
        code = gen.translate(step, Parsed("", call), columns, port, lookups)
        found = _COLUMN.match(code)
        if not found:
            return None  # the translation reported why
        column = found.group(1)[1:-1]
        row_columns[column.lower()] = f"row[{found.group(1)}]"
        replaced[id(call)] = Name(column, pos=call.pos, source=call.source)
    return Parsed(parsed.text, rename(parsed.node, replaced))
