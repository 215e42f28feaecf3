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

import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infaflow.codegen.exprs import ConversionError, Parsed
from infaflow.codegen.naming import py_str
from infaflow.codegen.recurrence import Analysis, Segments, initial_literal, previous_value, rename
from infaflow.codegen.rowcontract import ROW_ERROR
from infaflow.codegen.stepcode import ROW_ID, cast_to
from infaflow.expr.nodes import Name, Node, RefCall, to_text, walk
from infaflow.model import Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.codegen.plan import Step

SCAN_CONDITION, SCAN_SEGMENT = "_scan_condition", "_scan_segment"
PREVIOUS = "_prev_"  # prefix of the previous row's value of a row-wise variable, read by a segmented scan
_COLUMN = re.compile(r'^F\.col\(("(?:[^"\\]|\\.)*")\)$')


@dataclass
class ScanNote:
    """A sequential scan, for the conversion report."""

    instance: str
    ports: list[str]
    reason: str
    file: str
    line: int
    segmented: bool = False

    @property
    def cost(self) -> str:
        if self.segmented:
            return (
                "sequential scan of each segment of rows: a segment's rows are held in one array by one "
                "task and folded one by one (memory grows with the longest segment)"
            )
        return (
            "sequential scan over every row of the Expression's input in one partition: the rows are "
            "held in one array by one task and folded one by one (memory grows with the row count)"
        )


def row_field(code: str) -> str:
    """The code of an input column inside the row function: ``F.col("X")`` -> ``row["X"]``."""
    found = _COLUMN.match(code)
    return f"row[{found.group(1)}]" if found else code


def scan_lines(
    step: Step,
    gen: Generator,
    var: str,
    analysis: Analysis,
    columns: dict[str, str],
    lookups: Any,
    errors: list[str] | None,
    segment: Segments | None = None,
) -> list[str]:
    """The lines computing every variable port of ``step`` by a sequential scan of ``var``'s rows (one scan
    per segment with ``segment``); the variable columns are added to ``var`` and to ``columns``. With
    ``errors``, a row error of a variable port rejects the row (``_row_error``); without, it fails the job."""

    variables, parsed = analysis.variables, analysis.parsed
    order = analysis.order
    fn = gen.new_var(f"{var}_variables")
    lines: list[str] = []
    assigned: list[tuple[str, str]] = []  # (field, code) in the order the row function assigns them
    row_columns = {k: row_field(v) for k, v in columns.items()}
    drop: list[str] = []
    scanned = list(variables)
    if segment is not None:  # the row-wise variables are computed before the scan and read as row fields
        more, drop = segment_lines(step, gen, var, analysis, columns, segment, lookups)
        lines += more
        row_columns = {k: row_field(v) for k, v in columns.items()}
        row_columns[SCAN_CONDITION.lower()] = f"row[{py_str(SCAN_CONDITION)}]"
        scanned = [p for p in variables if p.name.lower() not in analysis.row_wise]
    error_so_far = f"new[{py_str(ROW_ERROR)}]"
    raised = False
    for p in scanned:
        name = p.name.lower()
        if name not in parsed:
            continue
        tree = parsed[name]
        if segment is not None and segment.applies(analysis, name):
            tree = _replaced(tree, segment.text, SCAN_CONDITION)
        joined = _joined_lookups(step, gen, tree, p, columns, row_columns, set(order), lookups)
        if joined is None:
            for v in variables:  # so that ports reading them report nothing more
                columns[v.name.lower()] = "F.lit(None)"
            return []
        local = dict(row_columns)
        for ref in order:
            # earlier ports were assigned on this row; this port and later ones still hold the previous row's
            ref_name = variables[order[ref]].name
            if ref in analysis.row_wise and segment is not None:
                local[ref] = f"row[{py_str(ref_name if order[ref] < order[name] else PREVIOUS + ref_name)}]"
            else:
                local[ref] = f"{'new' if order[ref] < order[name] else 'state'}[{py_str(ref_name)}]"
        if errors is not None:
            code, error = gen.translate_checked(step, joined, local, p)
        else:
            code, error = gen.translate(step, joined, local, p), ""
        value = cast_to(code, p)
        if error:
            assigned.append((ROW_ERROR, f"F.coalesce({error_so_far}, {error})" if raised else error))
            raised = True
        if raised:
            value = f"F.when({error_so_far}.isNull(), {value}).otherwise(state[{py_str(p.name)}])"
        assigned.append((p.name, value))
    ports = {p.name: p for p in variables}
    initial = []
    for field_name in dict.fromkeys(f for f, _ in assigned):
        start = (
            'F.lit(None).cast("string")'
            if field_name == ROW_ERROR
            else cast_to(f"F.lit({initial_literal(ports[field_name])!r})", ports[field_name])
        )
        initial.append(f"{start}.alias({py_str(field_name)})")
    reason = analysis.scan
    if segment is None:
        note = (
            f"sequential scan: {reason}; the rows are folded one by one in PowerCenter's order, all of "
            "them in one array held by one task (memory grows with the row count)"
        )
    else:
        note = (
            f"sequential scan: {reason}; the rows of each segment are folded one by one in "
            "PowerCenter's order, each segment in one array held by one task (memory grows with the "
            "longest segment)"
        )
    lines += [f"# {text}" for text in textwrap.wrap(note, 100)]
    lines.append(f"def {fn}(state, row):")
    lines.append(
        f'    """{step.name}: its variable ports for one row, in port order, from the previous row\'s values'
    )
    lines.append(
        '    (``state``), the row\'s inputs (``row``) and the ports assigned above them (``new``)."""'
    )
    lines.append("    return job.in_order(")
    lines += [f"        ({py_str(f)}, lambda new: {code})," for f, code in assigned]
    lines.append("    )")
    tail = f"), segment=F.col({py_str(SCAN_SEGMENT)}))" if segment is not None else "))"
    lines += _call(f"{var} = job.scan({py_str(step.name)}, {var}, {fn}, F.struct(", initial, tail)
    if drop:
        lines.append(f"{var} = {var}.drop({', '.join(py_str(c) for c in drop)})")
    for p in variables:
        columns[p.name.lower()] = f"F.col({py_str(p.name)})"
    if raised and errors is not None:
        errors.append(f"F.col({py_str(ROW_ERROR)})")
    loc = scanned[0].location if scanned and scanned[0].location.file else step.location
    where = (
        f"; one scan per segment (a new one where {segment.text} "
        f"is{'' if segment.when_true else ' not'} TRUE)"
        if segment is not None
        else ""
    )
    gen.scans.append(
        ScanNote(
            step.name,
            [p.name for p in scanned],
            reason + where,
            loc.file or gen.file,
            loc.line,
            segment is not None,
        )
    )
    return lines


def _call(head: str, args: list[str], tail: str) -> list[str]:
    one = f"{head}{', '.join(args)}{tail}"
    if len(one) <= 110:
        return [one]
    indent = " " * (len(head) - len(head.lstrip()))
    return [head, *[f"{indent}    {a}," for a in args], f"{indent}{tail}"]


def _joined_lookups(
    step: Step,
    gen: Generator,
    parsed: Parsed,
    port: Port,
    columns: dict[str, str],
    row_columns: dict[str, str],
    variables: set[str],
    lookups: Any,
) -> Parsed | None:
    """``parsed`` with each ``:LKP`` call replaced by the column of the lookup joined to the rows before the
    scan (its arguments must not read variable ports); ``None`` (a gap) when one reads them."""
    calls = [n for n in walk(parsed.node) if isinstance(n, RefCall)]
    if not calls:
        return parsed
    replaced: dict[int, Node] = {}
    for call in calls:
        read = {n.name.lower() for a in call.args for n in walk(a) if isinstance(n, Name)} & variables
        if read or call.kind != "LKP":
            why = (
                f"its arguments read variable ports ({', '.join(sorted(read))})"
                if read
                else f":{call.kind} calls cannot run inside it"
            )
            gen.gap(
                step,
                ConversionError(
                    f"variable port {port.name}: :{call.kind}.{call.name} inside "
                    f"a sequential scan of the rows: {why}"
                ),
                port,
            )
            return None
        code = gen.translate(step, Parsed("", call), columns, port, lookups)
        found = _COLUMN.match(code)
        if not found:
            return None  # the translation reported why
        column = found.group(1)[1:-1]
        row_columns[column.lower()] = f"row[{found.group(1)}]"
        replaced[id(call)] = Name(column, pos=call.pos, source=call.source)
    return Parsed(parsed.text, rename(parsed.node, replaced))


def segment_lines(
    step: Step,
    gen: Generator,
    var: str,
    analysis: Analysis,
    columns: dict[str, str],
    segment: Segments,
    lookups: Any = None,
) -> tuple[list[str], list[str]]:
    """Lines adding to ``var`` the row-wise variables (with the previous values the scan reads), the
    segment's condition (its value on each row, read by the row function) and the segment number (a running
    count of the rows where a segment starts); and the names of the columns to drop after the scan."""

    order = analysis.order
    owner = analysis.variables[order[segment.owner]]
    window = gen.new_var(f"{var}_row_order")
    lines = [
        f"# segments: the scan starts again on each row where {segment.text} is"
        f"{'' if segment.when_true else ' not'} TRUE (the scanned ports then read no earlier row)",
        f"{window} = Window.orderBy({py_str(ROW_ID)})",
    ]
    row_wise = [p for p in analysis.variables if p.name.lower() in analysis.row_wise]
    first = [p for p in row_wise if p.name.lower() not in analysis.stateful]
    for p in [*first, *[p for p in row_wise if p not in first]]:  # those reading earlier rows last
        name = p.name.lower()
        local = dict(columns)
        for ref in analysis.prev_reads.get(name, set()):
            local[ref] = previous_value(analysis.variables[order[ref]], window)
        code = gen.translate(step, analysis.parsed[name], local, p, lookups)
        lines.append(f"{var} = {var}.withColumn({py_str(p.name)}, {cast_to(code, p)})")
        columns[name] = f"F.col({py_str(p.name)})"
    drop = [SCAN_CONDITION, SCAN_SEGMENT]
    for name in sorted(_previous_reads(analysis, segment), key=order.__getitem__):
        port = analysis.variables[order[name]]
        lines.append(
            f"{var} = {var}.withColumn({py_str(PREVIOUS + port.name)}, {previous_value(port, window)})"
        )
        drop.append(PREVIOUS + port.name)
    local = dict(columns)
    for ref in _refs_of(segment.condition) & set(order):
        if order[ref] >= order[segment.owner]:
            local[ref] = previous_value(analysis.variables[order[ref]], window)
    value = gen.translate(step, Parsed("", segment.condition), local, owner)
    flag = gen.translate(step, Parsed("", segment.condition), local, owner, as_condition=True)
    flag = f"F.coalesce({flag}, F.lit(False))"
    flag = flag if segment.when_true else f"~{flag}"
    lines.append(f"{var} = {var}.withColumn({py_str(SCAN_CONDITION)}, {value})")
    lines.append(
        f"{var} = {var}.withColumn({py_str(SCAN_SEGMENT)}, F.sum(F.when({flag}, 1).otherwise(0))"
        f".over({window}.rowsBetween(Window.unboundedPreceding, 0)))"
    )
    return lines, drop


def _previous_reads(analysis: Analysis, segment: Segments) -> set[str]:
    """The row-wise variables whose previous row's value a scanned variable reads (besides the condition)."""
    order = analysis.order
    out: set[str] = set()
    for name, parsed in analysis.parsed.items():
        if name in analysis.row_wise:
            continue
        tree = _replaced(parsed, segment.text, SCAN_CONDITION) if segment.applies(analysis, name) else parsed
        out |= {r for r in _refs_of(tree.node) & analysis.row_wise if order[r] >= order[name]}
    return out


def _refs_of(node: Node) -> set[str]:
    return {n.name.lower() for n in walk(node) if isinstance(n, Name)}


def _replaced(parsed: Parsed, text: str, column: str) -> Parsed:
    """``parsed`` with every sub-expression written ``text`` replaced by the name ``column``."""
    found: dict[int, Node] = {
        id(n): Name(column, pos=n.pos, source=n.source) for n in walk(parsed.node) if to_text(n) == text
    }
    return Parsed(parsed.text, rename(parsed.node, found)) if found else parsed
