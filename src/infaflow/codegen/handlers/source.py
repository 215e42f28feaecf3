"""Source definitions and Source Qualifiers.

A flat-file source is read by its Source Definition step (file, delimiter, quoting and header lines
from the FLATFILE definition and the session's reader settings); its Source Qualifier selects the
connected ports. A relational Source Qualifier builds PowerCenter's SELECT (connected ports, associated
sources, User Defined Join, Source Filter, Number Of Sorted Ports, Select Distinct) or takes the Sql
Query override; the query runs as written over JDBC and transpiled to Spark SQL on the embedded store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from infaflow.codegen import cobol, sql
from infaflow.codegen import flatfile as flatfile_args
from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.naming import py_str, sql_argument
from infaflow.codegen.plan import PortRef, Step
from infaflow.codegen.stepcode import ROW_ID, Output, StepCode, select_code
from infaflow.codegen.support import code_page_codec
from infaflow.codegen.types import spark_type
from infaflow.model import Attributes, FlatFile, Port, SessionExtension

if TYPE_CHECKING:
    from infaflow.codegen.generate import Generator

KINDS = ("Source Definition", "Source Qualifier")


def generate(step: Step, gen: Generator) -> StepCode:
    if step.kind == "Source Definition":
        return _source(step, gen)
    return _qualifier(step, gen)


def flat_file_options(flatfile: FlatFile | None) -> dict[str, str]:
    """Delimiter and quote character a target writes with (its first delimiter)."""
    args = flatfile_args.writer_args(flatfile, {}, fixed_width=False)
    return {"delimiter": args["delimiter"], "quote": args["quote"]}


def argument_lines(args: Mapping[str, Any]) -> list[str]:
    """``    name=value,`` lines of generated code for reader/writer keyword arguments."""
    return [f"    {name}={literal(value)}," for name, value in args.items()]


def literal(value: Any) -> str:
    """A Python literal for an argument: strings readable (a control character escaped), others as repr."""
    if not isinstance(value, str):
        return repr(value)
    if any(ord(c) < 32 and c not in "\n\r" for c in value):
        return json.dumps(value)
    return py_str(value)


def connection_code(ext: SessionExtension | None, default: str) -> str:
    """``job.connection(...)`` for a reader/writer: the session's connection, a $DBConnection variable
    resolved at run time, or the definition's database name."""
    name, variable = default, ""
    if ext is not None:
        for ref in ext.connection_references:
            name = ref.connection_name or name
            variable = ref.variable or variable
    if variable:
        return f"job.connection({py_str(name)}, {py_str(variable)})"
    return f"job.connection({py_str(name)})"


def _source(step: Step, gen: Generator) -> StepCode:
    src = step.source
    var = gen.var(step)
    assert src is not None
    if src.database_type.strip().upper() == "VSAM":
        return _cobol_source(step, gen, var)
    if src.database_type.strip().upper() == "XML":
        outputs = {f.name.lower(): Output("", f.name, origin=step.name) for f in src.fields}
        return StepCode([], outputs, [f"XML file {src.name}: read by its XML Source Qualifier"])
    if not src.is_flat_file:
        outputs = {f.name.lower(): Output("", f.name, origin=step.name) for f in src.fields}
        return StepCode([], outputs, [f"relational table {src.name}: read by its Source Qualifier"])
    attrs = step.attributes
    directory = attrs.get("Source file directory") or "$PMSourceFileDir"
    file_name = attrs.get("Source filename") or f"{src.name.lower()}.dat"
    if str(attrs.get("Input Type", "File")).strip().lower() == "command":
        raise ConversionError("a command that generates the source data or its file list is not supported")
    if str(attrs.get("Source filetype", "Direct")).strip().lower() == "indirect":
        return _indirect(_flat_source(step, gen, var, "path"), var, directory, file_name)
    return _flat_source(step, gen, var, f"job.path({py_str(directory)}, {py_str(file_name)})")


def _indirect(code: StepCode, var: str, directory: str, file_name: str) -> StepCode:
    """An indirect source: the session's source file is a file list, and every file it names is read
    with the source's properties, in list order (Workflow Basics Guide, "Using a File List")."""
    first, *rest = code.lines
    assert first.startswith(f"{var} = ")
    lines = [
        f"{var} = job.read_file_list(",
        f"    job.file_list(job.path({py_str(directory)}, {py_str(file_name)})),",
        f"    lambda path: {first[len(var) + 3 :]}",
        *[f"    {line}" for line in rest[:-1]],
        f"    {rest[-1]},",
        ")",
    ]
    notes = [*code.notes, f"indirect: every file that the list {file_name} names, in list order"]
    return StepCode(lines, code.outputs, notes)


def _flat_source(step: Step, gen: Generator, var: str, path: str) -> StepCode:
    """A delimited or fixed-width flat file read from ``path`` (the code of its path)."""
    src = step.source
    assert src is not None
    if step.flatfile is not None and not step.flatfile.delimited:
        return _fixed_width_source(step, gen, var, path)
    args = {**flatfile_args.delimited_reader_args(step.flatfile, step.attributes), **date_format_arg(step)}
    columns = [
        f"({py_str(f.name)}, {py_str(spark_type(f.datatype, f.precision, f.scale))})" for f in src.fields
    ]
    lines = [
        f"{var} = job.read_flat_file(",
        f"    {py_str(step.name)},",
        f"    {path},",
        "    [",
        *[f"        {c}," for c in columns],
        "    ],",
        *argument_lines(args),
        ")",
    ]
    outputs = {f.name.lower(): Output(var, f.name, origin=step.name) for f in src.fields}
    gen.columns[var] = [f.name for f in src.fields] + [ROW_ID]
    return StepCode(lines, outputs, [f"flat file, {len(src.fields)} fields"])


#: a flat-file definition's `Datetime Format` (``A  19 mm/dd/yyyy hh24:mi:ss``: adjust or fixed, the width,
#: the format); the readers' default format is the same as the Designer's default
_DATETIME_FORMAT = re.compile(r"^\s*[AF]\s+\d+\s+(.+?)\s*$", re.IGNORECASE)
_DEFAULT_DATETIME_FORMAT = "MM/DD/YYYY HH24:MI:SS"


def date_format_arg(step: Step) -> dict[str, str]:
    """``date_format`` for a flat-file reader when the source's `Datetime Format` (the instance's
    override, else the definition's) is not the default: the date/time fields are read with it (Designer
    Guide, flat-file field properties)."""
    match = _DATETIME_FORMAT.match(str(step.attributes.get("Datetime Format", "") or ""))
    if match is None:
        return {}
    fmt = match.group(1).upper()
    return {} if fmt == _DEFAULT_DATETIME_FORMAT else {"date_format": fmt}


def fixed_width_options(flatfile: FlatFile) -> dict[str, object]:
    """Reader/writer settings of a fixed-width FLATFILE: line sequential, bytes to skip between records,
    rows to skip, strip trailing blanks, the null character and whether it is repeated."""
    return flatfile_args.fixed_width_args(flatfile)


def number_separators(attrs: Attributes) -> dict[str, str]:
    """A flat-file definition's ``Thousand Separator`` and ``Decimal Separator`` when they are not the
    defaults (none and ``.``), as reader/writer arguments."""
    thousand = str(attrs.get("Thousand Separator", "") or "").strip()
    decimal = str(attrs.get("Decimal Separator", "") or ".").strip() or "."
    out = {}
    if thousand and thousand.lower() != "none":
        out["thousand_separator"] = thousand
    if decimal != ".":
        out["decimal_separator"] = decimal
    return out


def field_positions(fields: list) -> list[tuple[int, int]]:
    """(offset, length) of each fixed-width field: PHYSICALOFFSET/PHYSICALLENGTH, else the precisions laid
    end to end."""
    positions, next_offset = [], 0
    for f in fields:
        try:
            offset = int(f.attrs.get("PHYSICALOFFSET", ""))
            length = int(f.attrs.get("PHYSICALLENGTH", ""))
        except ValueError:
            offset, length = next_offset, f.precision
        if length <= 0:
            raise ConversionError(f"fixed-width field {f.name} has no length")
        positions.append((offset, length))
        next_offset = offset + length
    return positions


def _fixed_width_source(step: Step, gen: Generator, var: str, path: str) -> StepCode:
    src = step.source
    assert src is not None and step.flatfile is not None
    args = flatfile_args.fixed_width_args(step.flatfile, step.attributes)
    columns = [
        f"({py_str(f.name)}, {py_str(spark_type(f.datatype, f.precision, f.scale))}, {offset}, {length}),"
        for f, (offset, length) in zip(src.fields, field_positions(src.fields), strict=True)
    ]
    lines = [
        f"{var} = job.read_fixed_width(",
        f"    {py_str(step.name)},",
        f"    {path},",
        "    [  # (field, type, offset, length) in bytes",
        *[f"        {c}" for c in columns],
        "    ],",
        *argument_lines(args),
        *argument_lines(number_separators(src.table_attributes)),
        *argument_lines(date_format_arg(step)),
        ")",
    ]
    outputs = {f.name.lower(): Output(var, f.name, origin=step.name) for f in src.fields}
    gen.columns[var] = [f.name for f in src.fields] + [ROW_ID]
    return StepCode(lines, outputs, [f"fixed-width flat file, {len(src.fields)} fields"])


def _cobol_source(step: Step, gen: Generator, var: str) -> StepCode:
    """A COBOL (VSAM) source: its records read byte by byte (the VSAM Normalizer is its qualifier)."""
    src = step.source
    assert src is not None
    attrs = step.attributes
    directory = attrs.get("Source file directory") or "$PMSourceFileDir"
    file_name = attrs.get("Source filename") or f"{src.name.lower()}.dat"
    items = cobol.layout(src.fields)
    flatfile = src.flatfile.attrs if src.flatfile else {}
    codepage = str(flatfile.get("CODEPAGE", "") or "ISO-8859-1")
    if code_page_codec(codepage) is None:
        raise ConversionError(
            f"code page {codepage} of the COBOL file is not supported (EBCDIC IBM037, 500, 1047, "
            "1140, 273-297 and the Latin-1 family are)"
        )
    if codepage.strip().upper().replace("-", "") in ("UTF8",) and any(i.usage == "text" for i in items):
        raise ConversionError(
            "COBOL text items in a UTF-8 file: byte offsets of multi-byte characters are not supported"
        )
    opts = (
        fixed_width_options(src.flatfile)
        if src.flatfile
        else {"line_sequential": False, "pad_bytes": 0, "skip_rows": 0}
    )
    rows = [
        f"({py_str(i.name)}, {py_str(i.usage)}, ({', '.join(map(str, i.offsets))},), {i.length}, "
        f"{i.digits}, {i.scale}, {py_str(i.sign)}),"
        for i in items
    ]
    lines = [
        f"{var} = job.read_cobol(",
        f"    {py_str(step.name)},",
        f"    job.path({py_str(directory)}, {py_str(file_name)}),",
        "    [  # (item, usage, offset of each occurrence, bytes, digits, scale, sign)",
        *[f"        {r}" for r in rows],
        "    ],",
        f"    record_length={cobol.record_length(items)},",
        f"    pad_bytes={opts['pad_bytes']},",
        f"    line_sequential={opts['line_sequential']},",
        f"    skip_rows={opts['skip_rows']},",
        f"    codepage={py_str(codepage)},",
        ")",
    ]
    outputs = {i.name.lower(): Output(var, i.name, origin=step.name) for i in items}
    gen.columns[var] = [i.name for i in items] + [ROW_ID]
    occurs = [i for i in items if i.occurs > 1]
    notes = [
        f"COBOL file, {len(items)} items"
        + (f", {len(occurs)} of them multiple-occurring (arrays)" if occurs else "")
    ]
    return StepCode(lines, outputs, notes)


def _connected_ports(step: Step, gen: Generator) -> list[Port]:
    """Ports of the qualifier that feed another step, in port order (PowerCenter's SELECT list)."""
    used = {
        ref.port.lower()
        for consumer in gen.plan.consumers(step.name)
        for ref in consumer.inputs.values()
        if ref.step.lower() == step.name.lower()
    }
    ports = [p for p in step.ports if p.name.lower() in used]
    return ports or [p for p in step.ports if p.name.lower() in step.inputs]


def _qualifier(step: Step, gen: Generator) -> StepCode:
    var = gen.var(step)
    if str(
        step.attributes.get("Filter", "") or ""
    ).strip():  # written by hand or by a tool, never by PowerCenter
        raise ConversionError(
            "TABLEATTRIBUTE 'Filter' is not a Source Qualifier attribute (PowerCenter's SQL filter "
            "is 'Source Filter', for relational sources only): its condition is not applied"
        )
    prefix = step.name.rsplit(".", 1)[0] + "." if "." in step.name else ""
    names = {s.name.lower() for s in gen.plan.steps}
    feeding = [
        f"{prefix}{a} (source)" if f"{prefix}{a} (source)".lower() in names else f"{prefix}{a}"
        for a in step.instance.associated_source_instances
    ]
    feeding += [ref.step for ref in step.inputs.values()]
    sources = [gen.plan.step(name) for name in dict.fromkeys(n.lower() for n in feeding) if name in names]
    if sources and all(s.source is not None and s.source.is_flat_file for s in sources):
        inputs = dict(step.inputs)
        if not inputs and len(sources) == 1:
            inputs = _inputs_by_name(step, sources[0])
        ports = [p for p in step.ports if p.name.lower() in inputs]
        lines, origin = gen.assemble(step, ports, var, inputs)
        return StepCode(lines, {p.name.lower(): Output(var, p.name, origin) for p in ports})
    return _relational(step, gen, var, sources)


def _inputs_by_name(step: Step, source: Step) -> dict[str, PortRef]:
    """A Source Qualifier whose ports no CONNECTOR feeds still reads its associated source: each port from
    the source field of the same name (the Designer creates one port per source column)."""
    assert source.source is not None
    fields = {f.name.lower(): f.name for f in source.source.fields}
    return {
        p.name.lower(): PortRef(source.name, fields[p.name.lower()])
        for p in step.ports
        if p.name.lower() in fields
    }


def _relational(step: Step, gen: Generator, var: str, sources: list[Step]) -> StepCode:
    attrs = step.attributes
    ports = _connected_ports(step, gen)
    if not sources:
        raise ConversionError("no source definition feeds this Source Qualifier")
    first = sources[0].source
    assert first is not None
    dialect = sql.dialect_of(first.database_type)
    override = str(attrs.get("Sql Query", "") or "").strip()
    notes: list[str] = []
    if override:
        source_sql = override
        notes.append("Sql Query override")
    else:
        source_sql = _generated_select(step, ports, sources, attrs)
    spark_sql, tables, why = sql.embedded_version(source_sql, dialect)
    if why:
        notes.append(f"runs over JDBC only; not on the embedded store: {why}")
    ext = step.extension("READER")
    if ext is None:
        for s in sources:
            ext = ext or s.extension("READER")
    connection = connection_code(ext, first.dbd_name or first.name)
    lines = sql_hooks(step, connection)
    lines += [
        f"{var} = job.query(",
        f"    {py_str(first.name)},",
        f"    {connection},",
        *(sql_argument("spark_sql", spark_sql) if spark_sql is not None else ["    spark_sql=None,"]),
        *sql_argument("source_sql", source_sql),
        f"    tables=[{', '.join(py_str(t) for t in tables)}],",
        "    columns=[",
        *[
            f"        ({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))}),"
            for p in ports
        ],
        "    ],",
        ")",
    ]
    outputs = {p.name.lower(): Output(var, p.name, origin=step.name) for p in ports}
    gen.columns[var] = [p.name for p in ports] + [ROW_ID]
    return StepCode(lines, outputs, notes)


def sql_hooks(step: Step, connection: str) -> list[str]:
    """``job.run_sql`` calls for the instance's Pre SQL and Post SQL (run on the database, as written)."""
    lines = []
    for stage in ("Pre SQL", "Post SQL"):
        text = str(step.attributes.get(stage, "") or "").strip()
        if text:
            lines += [f"job.run_sql({py_str(step.name)}, {connection}, {py_str(text)}, {py_str(stage)})"]
    return lines


def _generated_select(step: Step, ports: list[Port], sources: list[Step], attrs: Mapping[str, Any]) -> str:
    """PowerCenter's default query: connected ports from the associated sources."""
    cols = []
    for p in ports:
        ref = step.inputs.get(p.name.lower())
        if ref is None:
            raise ConversionError(f"port {p.name} is not connected to a source column")
        table = gen_table(ref.step, sources)
        cols.append(f"{sql.quote_ident(table)}.{sql.quote_ident(ref.port)}")
    distinct = "DISTINCT " if str(attrs.get("Select Distinct", "NO")).strip().upper() == "YES" else ""
    tables = ", ".join(sql.quote_ident(s.source.name) for s in sources if s.source is not None)
    text = f"SELECT {distinct}{', '.join(cols)} FROM {tables}"
    where = [
        w
        for w in (
            str(attrs.get("User Defined Join", "") or "").strip(),
            str(attrs.get("Source Filter", "") or "").strip(),
        )
        if w
    ]
    if where:
        text += " WHERE " + " AND ".join(f"({w})" if len(where) > 1 else w for w in where)
    try:
        sorted_ports = int(str(attrs.get("Number Of Sorted Ports", "0") or "0"))
    except ValueError:
        sorted_ports = 0
    if sorted_ports > 0:
        text += " ORDER BY " + ", ".join(cols[:sorted_ports])
    return text


def gen_table(step_name: str, sources: list[Step]) -> str:
    for s in sources:
        if s.name == step_name and s.source is not None:
            return s.source.name
    raise ConversionError(f"{step_name} is not a relational source")


__all__ = [
    "KINDS",
    "argument_lines",
    "literal",
    "connection_code",
    "field_positions",
    "fixed_width_options",
    "flat_file_options",
    "generate",
    "select_code",
]
