"""Target definitions: flat files (delimiter, quoting, header from the definition and the session's
writer) and relational tables (insert, update, delete, update else insert, truncate, rejects)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infaflow.codegen import flatfile as flatfile_args
from infaflow.codegen import transactions
from infaflow.codegen.exprs import ConversionError, parse
from infaflow.codegen.handlers.source import (
    argument_lines,
    connection_code,
    fixed_width_options,
    literal,
    number_separators,
    sql_hooks,
)
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.stepcode import StepCode
from infaflow.codegen.types import spark_type
from infaflow.model import Field, Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator
    from infaflow.expr.nodes import Node

KINDS = ("Target Definition",)


def generate(step: Step, gen: Generator) -> StepCode:
    tgt = step.target
    assert tgt is not None
    var = gen.var(step)
    ports = [Port(f.name, f.datatype, "INPUT", f.precision, f.scale, location=f.location) for f in tgt.fields]
    connected = [p for p in ports if p.name.lower() in step.inputs]
    if not connected:
        return StepCode([], {}, ["no port connected: nothing written"])
    lines, _ = gen.assemble(step, ports, var)
    columns = [f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in ports]
    attrs = step.attributes
    writes_file = tgt.is_flat_file or _file_writer(step)
    named = [
        f.name
        for f in tgt.fields
        if writes_file
        and str(f.attrs.get("ISFILENAMEFIELD", "")).upper() == "YES"
        and f.name.lower() in step.inputs
    ]
    unit = _transaction_unit(step, gen, bool(named))
    if not named:
        lines += _rollbacks(gen, var, unit)
    if writes_file:
        directory = attrs.get("Output file directory") or "$PMTargetFileDir"
        file_name = attrs.get("Output filename") or f"{step.name.lower()}.out"
        flatfile = step.flatfile
        fixed = flatfile is not None and not flatfile.delimited
        if named:
            writer = flatfile_args.writer_args(flatfile, attrs, fixed_width=fixed)
            supported = {"codepage"} if fixed else {"delimiter", "quote", "header", "codepage"}
            extra = sorted(set(writer) - supported)
            if extra:
                raise ConversionError(
                    f"the FileName port {named[0]} with {', '.join(extra)}: not supported (one file per "
                    "transaction is written with a delimiter, quotes, a header and a code page only; "
                    "fixed width with a code page only)"
                )
            files = _Files(named[0], directory, file_name, fixed)
            return _files_by_transaction(step, gen, var, lines, ports, files, unit, writer)
        if fixed:
            return _fixed_width(step, gen, var, lines, ports, directory, file_name)
        args = flatfile_args.writer_args(flatfile, attrs, fixed_width=False)
        lines += [
            "job.write_flat_file(",
            f"    {py_str(step.name)},",
            f"    {var},",
            f"    job.path({py_str(directory)}, {py_str(file_name)}),",
            "    [",
            *[f"        {c}," for c in columns],
            "    ],",
            *argument_lines(args),
            *(
                ["    ordered=False,  # rows from an Aggregator or a Union have no defined order"]
                if var in gen.unordered
                else []
            ),
            ")",
        ]
        return StepCode(lines, {}, [f"flat file {file_name}"])
    table = str(attrs.get("Target Table Name", "") or "").strip() or tgt.name
    prefix = str(attrs.get("Table Name Prefix", "") or "").strip()
    if prefix:
        table = f"{prefix.rstrip('.')}.{table}"
    keys = [f.name for f in tgt.fields if "PRIMARY" in f.key_type.upper()]
    if attrs.flag("Update else Insert", False):
        update = "Update else Insert"
    elif attrs.flag("Update as Insert", False):
        update = "Update as Insert"
    else:
        update = "Update as Update" if attrs.flag("Update as Update", True) else "None"
    treat = gen.plan.treat_rows_as()
    connection = connection_code(
        step.extension("WRITER"), gen.plan.source_attribute("$Target connection value", "") or "TARGET"
    )
    override = update_override(step, ports)
    unconnected = [p.name for p in ports if p.name.lower() not in step.inputs]
    pre = [line for line in sql_hooks(step, connection) if line.endswith('"Pre SQL")')]
    post = [line for line in sql_hooks(step, connection) if line.endswith('"Post SQL")')]
    lines += pre
    lines += [
        "job.write_table(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {connection},",
        f"    {py_str(table)},",
        "    [",
        *[f"        {c}," for c in columns],
        "    ],",
        f"    keys=[{', '.join(py_str(k) for k in keys)}],",
        f"    treat_rows_as={py_str(treat)},",
        f"    insert={attrs.flag('Insert', True)},",
        f"    update={py_str(update)},",
        f"    delete={attrs.flag('Delete', False)},",
        f"    truncate={attrs.flag('Truncate target table option', False)},",
        *([f"    update_override={py_str(override)},"] if override else []),
        *([f"    unconnected=[{', '.join(py_str(n) for n in unconnected)}],"] if unconnected else []),
        ")",
        *post,
    ]
    notes = [f"relational table {table}; treat source rows as {treat}"]
    return StepCode(lines, {}, notes + (["updates by its Update Override"] if override else []))


_TU_PORT = re.compile(r":TU\.([A-Za-z_][\w$#@]*)", re.IGNORECASE)


def update_override(step: Step, ports: list[Port]) -> str:
    """The target instance's Update Override (Designer Guide, "Target Update Override"): an UPDATE
    statement whose ``:TU.port`` references name ports of the target, as the Designer validates them; the
    SQL itself goes to the database as written."""
    text = str(step.attributes.get("Update Override", "") or "").strip()
    if not text:
        return ""
    if not re.match(r"UPDATE\s", text, re.IGNORECASE):
        raise ConversionError(f"the Update Override is not an UPDATE statement: {text[:60]}")
    known = {p.name.lower() for p in ports}
    unknown = [m.group(1) for m in _TU_PORT.finditer(text) if m.group(1).lower() not in known]
    if unknown:
        raise ConversionError(
            f"the Update Override names :TU.{unknown[0]}, which is not a port of the target"
        )
    return text


_DATETIME_FORMAT = re.compile(r"^\s*A\s+(\d+)\s+(.+?)\s*$")
# A flat-file field's format (TARGETFIELD PICTURETEXT): A (adjust width) or F (fixed width), the field
# width, then for dates the format string: "F  29 YYYY-MM-DD", "A  19 mm/dd/yyyy hh24:mi:ss".
_FIELD_FORMAT = re.compile(r"^\s*([AF])\s+(\d+)(?:\s+(.*?))?\s*$", re.IGNORECASE)


def fixed_width_layout(field: Field, kind: str, date_width: int) -> tuple[int, str]:
    """The width of a fixed-width target field and its own datetime format ("" for the target's): strings
    take their precision; numbers and dates the width of their PICTURETEXT format, else numbers their
    precision (the Designer's default field width) and dates the target's Datetime Format width."""
    match = _FIELD_FORMAT.match(str(field.attrs.get("PICTURETEXT", "") or ""))
    if kind == "string":
        return field.precision, ""
    if match:
        fmt = (match.group(3) or "").upper() if kind == "timestamp" else ""
        return int(match.group(2)), fmt
    return (date_width if kind == "timestamp" else field.precision), ""


def _file_writer(step: Step) -> bool:
    """A target the session writes with the File Writer: a flat file even when the definition is a
    relational table (Workflow Basics Guide: a relational target can be written to a flat file by choosing
    the File Writer in the session; the session's file properties then describe the file)."""
    writer = step.extension("WRITER")
    return writer is not None and writer.subtype.strip().lower() == "file writer"


def _fixed_width(
    step: Step, gen: Generator, var: str, lines: list[str], ports: list[Port], directory: str, file_name: str
) -> StepCode:
    """A fixed-width target: strings as wide as their precision, numbers and dates as wide as their field
    format (PICTURETEXT), else numbers their precision and dates the target's Datetime Format
    (``A  19 mm/dd/yyyy hh24:mi:ss``); the target's decimal and thousand separators."""
    columns, options = _fixed_width_layout(step, ports)
    writer = flatfile_args.writer_args(step.flatfile, step.attributes, fixed_width=True)
    lines += [
        "job.write_fixed_width(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    job.path({py_str(directory)}, {py_str(file_name)}),",
        *columns,
        *options,
        *argument_lines(writer),
        *(
            ["    ordered=False,  # rows from an Aggregator or a Union have no defined order"]
            if var in gen.unordered
            else []
        ),
        ")",
    ]
    return StepCode(lines, {}, [f"fixed-width flat file {file_name}"])


def _fixed_width_layout(step: Step, ports: list[Port], skip: str = "") -> tuple[list[str], list[str]]:
    """The argument lines of a fixed-width writer: its columns (without ``skip``, the FileName port) and
    its options (null character, date format, separators)."""
    tgt = step.target
    flatfile = step.flatfile
    assert tgt is not None and flatfile is not None
    match = _DATETIME_FORMAT.match(str(tgt.table_attributes.get("Datetime Format", "") or ""))
    date_width, date_format = (
        (int(match.group(1)), match.group(2).upper()) if match else (19, "MM/DD/YYYY HH24:MI:SS")
    )
    columns = []
    for p, f in zip(ports, tgt.fields, strict=True):
        if p.name.lower() == skip.lower():
            continue
        kind = spark_type(p.datatype, p.precision, p.scale)
        width, own_format = fixed_width_layout(f, kind, date_width)
        if width <= 0:
            raise ConversionError(f"fixed-width target field {p.name} has no width")
        extra = f", {py_str(own_format)}" if own_format else ""
        columns.append(f"({py_str(p.name)}, {py_str(kind)}, {width}{extra}),")
    opts = fixed_width_options(flatfile)
    separators = number_separators(tgt.table_attributes)
    return (
        ["    [  # (field, type, width[, datetime format])", *[f"        {c}" for c in columns], "    ],"],
        [
            f"    null_character={literal(str(opts['null_character']))},",
            f"    repeat_null={opts['repeat_null']},",
            *([f"    date_format={py_str(date_format)},"] if match else []),
            *[f"    {k}={py_str(v)}," for k, v in separators.items()],
        ],
    )


@dataclass(frozen=True)
class _Files:
    """A flat-file target named by its FileName port: the port, the session's Output file directory and
    Output filename (the file of a transaction whose first FileName is NULL), fixed width. The writer
    settings (header, code page...) are the ``writer`` arguments beside it."""

    port: str
    directory: str
    default_name: str
    fixed_width: bool


def _transaction_unit(step: Step, gen: Generator, named: bool) -> transactions.Unit:
    """The target's transaction control unit; a gap when its transactions matter (rollbacks, files per
    transaction) and cannot be followed, or when the session rolls back the open transaction at commit
    points a job cannot place."""
    unit = transactions.unit_of(gen.plan, step)
    if unit.regrouped is not None:
        regrouping, tc = unit.regrouped
        parsed = _condition(tc)
        if named or transactions.can_roll_back(gen.plan, tc, parsed):
            scope = transactions.transaction_scope(regrouping) or "no"
            raise ConversionError(
                f"the rows reach the target from Transaction Control {tc.name} through {regrouping.kind} "
                f"{regrouping.name} ({scope} transformation scope), which regroups them within the "
                "transactions; only Expression, Filter, Router, Lookup, Update Strategy and Stored Procedure "
                "transformations, and Aggregator, Joiner, Rank and Sorter ones of Transaction scope, between "
                "a Transaction Control and its targets are supported"
            )
    commit_type = str(gen.plan.source_attribute("Commit Type", "Target") or "Target").strip().lower()
    if unit.control is None and commit_type == "source" and not transactions.commit_on_end_of_file(gen.plan):
        raise ConversionError(
            "Commit On End Of File is NO with a source-based commit: the rows after the last commit point "
            "are rolled back, and PowerCenter places source-based commit points by buffer blocks; "
            "not reproducible"
        )
    return unit


def _condition(tc: Step) -> Node | None:
    """The parsed condition of Transaction Control ``tc`` (``None``: it does not parse, reported there)."""
    try:
        return parse(transactions.condition_text(tc)).node
    except ConversionError:
        return None


def _rollbacks(gen: Generator, var: str, unit: transactions.Unit) -> list[str]:
    """Lines leaving out the rows of rolled-back transactions of the target's unit."""
    tc = unit.control
    if tc is None or not gen.transactions.get(tc.name.lower(), False):
        return []
    return [
        f"# Transaction Control {tc.name}: the rows of rolled-back transactions are not loaded",
        f"{var} = job.committed({var}, {py_str(unit.key or tc.name)})",
    ]


def _files_by_transaction(
    step: Step,
    gen: Generator,
    var: str,
    lines: list[str],
    ports: list[Port],
    files: _Files,
    unit: transactions.Unit,
    writer: dict[str, object],
) -> StepCode:
    """A flat-file target whose FileName port is connected: a file per transaction, named from the rows
    (``job.write_flat_files_by_transaction``, ``job.write_fixed_width_files_by_transaction``). The
    transactions are those of the effective Transaction Control of the target's unit (rows of rolled-back
    transactions are not written), else the commit interval's."""
    tgt = step.target
    assert tgt is not None
    args: list[str] = []
    note = "no effective Transaction Control: one file while the rows fit in the commit interval"
    if unit.control is not None:
        tc = unit.control
        if tc.name.lower() not in gen.transactions:
            raise ConversionError(
                f"Transaction Control {tc.name} is not converted: the transactions that name the files "
                "are unknown"
            )
        args.append(f"    transaction_control={py_str(unit.key or tc.name)},")
        note = f"transactions of Transaction Control {tc.name}"
    else:
        if var in gen.unordered:
            raise ConversionError(
                f"the FileName port {files.port} names the file from the first row, and the rows "
                "come from an Aggregator or a Union in no defined order"
            )
        commit_type = str(gen.plan.source_attribute("Commit Type", "Target") or "Target").strip().lower()
        if commit_type != "target":
            raise ConversionError(
                f"the FileName port {files.port} with a {commit_type}-based commit and no Transaction "
                "Control: "
                "the commit points (new files) depend on the rows read from the sources; not supported"
            )
        interval = str(gen.plan.source_attribute("Commit Interval", "10000") or "10000").strip()
        args.append(f"    commit_interval={int(interval) if interval.isdigit() else 10000},")
    head = [
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {py_str(files.directory)},",
        f"    job.path({py_str(files.directory)}, {py_str(files.default_name)}),"
        "  # a transaction whose first FileName is NULL",
    ]
    if files.fixed_width:
        columns, options = _fixed_width_layout(step, ports, skip=files.port)
        lines += [
            "job.write_fixed_width_files_by_transaction(",
            *head,
            *columns,
            f"    file_name_port={py_str(files.port)},",
            *args,
            *options,
            *argument_lines(writer),
            ")",
        ]
    else:
        columns_code = [
            f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in ports
        ]
        lines += [
            "job.write_flat_files_by_transaction(",
            *head,
            "    [",
            *[f"        {c}," for c in columns_code],
            "    ],",
            f"    file_name_port={py_str(files.port)},",
            *args,
            *argument_lines(writer),
            ")",
        ]
    layout = "fixed-width flat files" if files.fixed_width else "flat files"
    return StepCode(
        lines, {}, [f"{layout} named by the FileName port {files.port}, one per transaction ({note})"]
    )
