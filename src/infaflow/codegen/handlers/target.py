"""Target definitions: flat files (delimiter, quoting, header from the definition and the session's
writer) and relational tables (insert, update, delete, update else insert, truncate, rejects)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from infaflow.codegen import flatfile as flatfile_args
from infaflow.codegen.exprs import ConversionError
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
from infaflow.codegen.stepcode import StepCode, port_columns
from infaflow.codegen.transactions import ACTIONS, transaction_control
from infaflow.codegen.types import spark_type
from infaflow.model import Field, Port

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

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
    if tgt.is_flat_file or _file_writer(step):
        named = [
            f.name
            for f in tgt.fields
            if str(f.attrs.get("ISFILENAMEFIELD", "")).upper() == "YES" and f.name.lower() in step.inputs
        ]
        directory = attrs.get("Output file directory") or "$PMTargetFileDir"
        file_name = attrs.get("Output filename") or f"{step.name.lower()}.out"
        flatfile = step.flatfile
        if flatfile is not None and not flatfile.delimited:
            if named:
                raise ConversionError(
                    f"the FileName port {named[0]} of a fixed-width target is not supported "
                    "(delimited targets only)"
                )
            return _fixed_width(step, gen, var, lines, ports, directory, file_name)
        args = flatfile_args.writer_args(flatfile, attrs, fixed_width=False)
        if named:
            extra = sorted(set(args) - {"delimiter", "quote", "header", "codepage"})
            if extra:
                raise ConversionError(
                    f"the FileName port {named[0]} with {', '.join(extra)}: not supported (one file per "
                    "transaction is written with a delimiter, quotes, a header and a code page only)"
                )
            return _files_by_transaction(step, gen, var, lines, ports, named[0], directory, file_name, args)
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
    treat = gen.plan.source_attribute("Treat source rows as", "Insert")
    connection = connection_code(
        step.extension("WRITER"), gen.plan.source_attribute("$Target connection value", "") or "TARGET"
    )
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
        ")",
        *post,
    ]
    return StepCode(lines, {}, [f"relational table {table}; treat source rows as {treat}"])


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
    tgt = step.target
    flatfile = step.flatfile
    assert tgt is not None and flatfile is not None
    match = _DATETIME_FORMAT.match(str(tgt.table_attributes.get("Datetime Format", "") or ""))
    date_width, date_format = (
        (int(match.group(1)), match.group(2).upper()) if match else (19, "MM/DD/YYYY HH24:MI:SS")
    )
    columns = []
    for p, f in zip(ports, tgt.fields, strict=True):
        kind = spark_type(p.datatype, p.precision, p.scale)
        width, own_format = fixed_width_layout(f, kind, date_width)
        if width <= 0:
            raise ConversionError(f"fixed-width target field {p.name} has no width")
        extra = f", {py_str(own_format)}" if own_format else ""
        columns.append(f"({py_str(p.name)}, {py_str(kind)}, {width}{extra}),")
    opts = fixed_width_options(flatfile)
    writer = flatfile_args.writer_args(flatfile, step.attributes, fixed_width=True)
    separators = number_separators(tgt.table_attributes)
    lines += [
        "job.write_fixed_width(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    job.path({py_str(directory)}, {py_str(file_name)}),",
        "    [  # (field, type, width[, datetime format])",
        *[f"        {c}" for c in columns],
        "    ],",
        f"    null_character={literal(str(opts['null_character']))},",
        f"    repeat_null={opts['repeat_null']},",
        *([f"    date_format={py_str(date_format)},"] if match else []),
        *[f"    {k}={py_str(v)}," for k, v in separators.items()],
        *argument_lines(writer),
        *(
            ["    ordered=False,  # rows from an Aggregator or a Union have no defined order"]
            if var in gen.unordered
            else []
        ),
        ")",
    ]
    return StepCode(lines, {}, [f"fixed-width flat file {file_name}"])


def _files_by_transaction(
    step: Step,
    gen: Generator,
    var: str,
    lines: list[str],
    ports: list[Port],
    file_port: str,
    directory: str,
    file_name: str,
    writer: dict[str, object],
) -> StepCode:
    """A delimited target whose FileName port is connected: a file per transaction, named from the rows
    (``job.write_flat_files_by_transaction``). The transactions are those of the Transaction Control
    upstream (its condition evaluated on its own rows, joined by ``_row_id``), else the commit interval's."""
    tgt = step.target
    assert tgt is not None
    tc = transaction_control(gen.plan, step.inputs[file_port.lower()])
    args: list[str] = []
    note = "no Transaction Control: one file while the rows fit in the commit interval"
    if tc is not None:
        text = (
            str(tc.attributes.get("Transaction Control Condition", "") or "").strip()
            or "TC_CONTINUE_TRANSACTION"
        )
        parsed = gen.parse(tc, text)
        if parsed is None:
            raise ConversionError(f"the condition of Transaction Control {tc.name} does not parse")
        columns = {
            **port_columns([p for p in tc.ports if p.is_input]),
            **{name: f"F.lit({code})" for name, code in ACTIONS.items()},
        }
        code = gen.translate(tc, parsed, columns)
        transactions = gen.new_var(f"{var}_transactions")
        lines += [
            f"# Transaction Control {tc.name}: each row's transaction ({' '.join(text.split())})",
            f"{transactions} = job.transactions({gen.var(tc)}, {code})",
            f'{var} = {var}.join({transactions}, "_row_id")',
        ]
        args.append('    transaction="_txn",')
        note = f"transactions of Transaction Control {tc.name}"
    else:
        if var in gen.unordered:
            raise ConversionError(
                f"the FileName port {file_port} names the file from the first row, and the rows "
                "come from an Aggregator or a Union in no defined order"
            )
        commit_type = str(gen.plan.source_attribute("Commit Type", "Target") or "Target").strip().lower()
        if commit_type != "target":
            raise ConversionError(
                f"the FileName port {file_port} with a {commit_type}-based commit and no Transaction "
                "Control: "
                "the commit points (new files) depend on the rows read from the sources; not supported"
            )
        interval = str(gen.plan.source_attribute("Commit Interval", "10000") or "10000").strip()
        args.append(f"    commit_interval={int(interval) if interval.isdigit() else 10000},")
    columns_code = [
        f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in ports
    ]
    lines += [
        "job.write_flat_files_by_transaction(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {py_str(directory)},",
        f"    job.path({py_str(directory)}, {py_str(file_name)}),"
        "  # a transaction whose first FileName is NULL",
        "    [",
        *[f"        {c}," for c in columns_code],
        "    ],",
        f"    file_name_port={py_str(file_port)},",
        *args,
        *argument_lines(writer),
        ")",
    ]
    return StepCode(
        lines, {}, [f"flat files named by the FileName port {file_port}, one per transaction ({note})"]
    )
