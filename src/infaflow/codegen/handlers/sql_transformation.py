"""SQL transformation: SQL run once per row on the session's database connection.

Transformation Guide, "SQL Transformation". The export holds it as a Custom Transformation with
``TEMPLATENAME="SQL Transform"``; its settings are METADATAEXTENSIONs: ``SQL_Mode`` (0 query, 1 script),
``SQL_Query``, ``Connection_Type`` (0 a static connection), ``Is_Continue_On_Error_Selected``,
``Max_Out_Row_Count`` (0 no limit), ``Is_Stats_Option_Selected`` (the NumRowsAffected port), ``Auto_Commit``.

- Query mode (active): the query runs for each input row; ``?port?`` binds the row's value as a parameter,
  ``~port~`` puts it into the query text (a whole query in a port makes a dynamic query). Output ports take
  the SELECT columns in order; ``<port>_output`` ports pass the input port through; ``SQLError`` holds the
  database's message of a failed statement; ``NumRowsAffected`` the rows a statement changed.
- Script mode (passive): ``ScriptName`` names a file of statements run for the row; ``ScriptResult`` is
  PASSED or FAILED and ``ScriptError`` the message.

The generated job stages the rows' values in a table of the database and runs one PL/pgSQL block that does
for every row, in row order, exactly what PowerCenter does for it (``Job.sql_query`` / ``Job.sql_script`` in
the support module); other databases and the embedded store stop the job with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode, col_alias, select_code
from infaflow.codegen.handlers.source import connection_code
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.types import spark_type
from infaflow.model import Port, Transformation

KINDS = ("SQL Transform", "SQL Transformation", "SQL")

_PORT_IN_QUERY = re.compile(r"\?([A-Za-z_][\w$#@]*)\?|~([A-Za-z_][\w$#@]*)~")
_PASS_THROUGH_SUFFIX = "_output"
# Ports the transformation creates itself, and the support-module column each one reads.
_QUERY_PORTS = {"sqlerror": "_sql_error", "numrowsaffected": "_sql_rows_affected"}
_SCRIPT_PORTS = {
    "scriptresult": "_script_result",
    "scripterror": "_script_error",
    "numrowsaffected": "_sql_rows_affected",
}
_LOGICAL_CONNECTION_PORT = "logicalconnectionobject"  # each row names its connection
_CONNECTION_INFO_PORTS = ("connectstring", "dbuser", "dbpasswd", "codepage", "advancedoptions")
# The databases whose JDBC connections run the per-row block (support module, Job._require_sql_database).
DATABASES = ("PostgreSQL",)


@dataclass(frozen=True)
class DatabaseStep:
    """A step whose SQL runs on the session's database, for the conversion report."""

    instance: str
    runs: str
    databases: tuple[str, ...]
    file: str
    line: int


def _setting(t: Transformation, name: str, default: str = "") -> str:
    """A METADATAEXTENSION of the transformation (or a TABLEATTRIBUTE of that name)."""
    value = t.metadata_extensions.get(name)
    if value is None:
        value = t.attributes.get(name)
    return default if value is None else str(value)


def _flag(t: Transformation, name: str) -> bool:
    return _setting(t, name, "FALSE").strip().upper() in ("TRUE", "YES", "1")


def _max_rows(t: Transformation) -> int:
    text = _setting(t, "Max_Out_Row_Count", "0").strip()
    return int(text) if text.isdigit() else 0


def _query(t: Transformation) -> str:
    return _setting(t, "SQL_Query").replace("\r\n", "\n").replace("\r", "\n").strip()


def _is_script_mode(t: Transformation) -> bool:
    mode = _setting(t, "SQL_Mode").strip()
    return mode == "1" or (mode == "" and t.port("ScriptName") is not None)


def _pass_through(t: Transformation) -> dict[str, Port]:
    """Output port -> the input port it passes through: ``NAME_output`` for input ``NAME`` (as the Designer
    names them), or an INPUT/OUTPUT port itself."""
    inputs = {p.name.lower(): p for p in t.ports if p.is_input}
    out: dict[str, Port] = {}
    for p in t.ports:
        if not p.is_output:
            continue
        if p.is_input:
            out[p.name.lower()] = p
        elif p.name.lower().endswith(_PASS_THROUGH_SUFFIX):
            source = inputs.get(p.name.lower()[: -len(_PASS_THROUGH_SUFFIX)])
            if source is not None:
                out[p.name.lower()] = source
    return out


def _sql_code(text: str, indent: str) -> list[str]:
    """A multi-line SQL text as adjacent string literals, one line of SQL per line of code."""
    lines = text.split("\n")
    if len(lines) == 1:
        return [f"{indent}{py_str(text)},"]
    parts = [py_str(line + "\n") for line in lines[:-1]] + [py_str(lines[-1])]
    return [f"{indent}(", *[f"{indent}    {p}" for p in parts], f"{indent}),"]


def generate(step: Step, gen: Generator) -> StepCode:
    t = step.transformation
    assert t is not None
    connection_type = _setting(t, "Connection_Type", "0").strip() or "0"
    info = [p.name for p in t.ports if p.is_input and p.name.lower() in _CONNECTION_INFO_PORTS]
    logical = next((p for p in t.ports if p.is_input and p.name.lower() == _LOGICAL_CONNECTION_PORT), None)
    if info:
        raise ConversionError(
            f"the SQL transformation takes its database connection information from ports "
            f"({', '.join(info)}): a native connect string per row is not supported"
        )
    if connection_type != "0" and logical is None:
        raise ConversionError(
            f"the SQL transformation's Connection_Type {connection_type} has no "
            "LogicalConnectionObject port; only a static or a logical connection is supported"
        )
    extension = step.extension("TEMPLATEEXTENSION")
    if logical is not None:  # each row names a connection object: mapped in connections.toml by name
        connection = py_str(logical.name)
    else:
        connection = connection_code(extension, step.name.rsplit(".", 1)[-1])
    code = _script(step, gen, t, connection) if _is_script_mode(t) else _query_mode(step, gen, t, connection)
    if logical is not None:
        code.notes.append(
            f"each row names its connection in {logical.name} (a logical connection object): "
            "the rows of each connection run on it"
        )
    elif extension is None:
        code.notes.append(
            f"no session sets its connection: {connection} names the connection to map in connections.toml"
        )
    gen.database_steps.append(
        DatabaseStep(step.name, code.notes[0], DATABASES, step.location.file or gen.file, step.location.line)
    )
    return code


def _query_mode(step: Step, gen: Generator, t: Transformation, connection: str) -> StepCode:
    query = _query(t)
    if not query:
        raise ConversionError("the SQL transformation in query mode has no query (SQL_Query is empty)")
    passed = _pass_through(t)
    named = {(m.group(1) or m.group(2)).lower() for m in _PORT_IN_QUERY.finditer(query)}
    inputs = [p for p in t.ports if p.is_input]
    referenced = [p for p in inputs if p.name.lower() in named]
    results = [
        p
        for p in t.ports
        if p.is_output
        and not p.is_input
        and p.name.lower() not in passed
        and p.name.lower() not in _QUERY_PORTS
    ]
    rows_affected = t.port("NumRowsAffected") is not None
    at_least_one_row = bool(passed) or rows_affected
    passive = str(t.attributes.get("Is Active", "YES")).strip().upper() in ("NO", "FALSE", "0")
    var = gen.var(step)
    lines, origin = gen.assemble(step, inputs, var)
    typed = ", ".join(
        f"({py_str(p.name)}, {py_str(spark_type(p.datatype, p.precision, p.scale))})" for p in results
    )
    why = (
        ("pass-through ports" if passed else "")
        + (" and " if passed and rows_affected else "")
        + ("NumRowsAffected" if rows_affected else "")
    )
    lines += [
        f"{var} = job.sql_query(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {connection},",
        *_sql_code(query, "    "),
        f"    inputs=[{', '.join(py_str(p.name) for p in referenced)}],",
        f"    outputs=[{typed}],",
        f"    continue_on_error={_flag(t, 'Is_Continue_On_Error_Selected')},",
        *(
            ["    passive=True,  # Is Active = NO: one row out per row in"]
            if passive
            else [
                f"    at_least_one_row={at_least_one_row},"
                + (f"  # {why}: every statement gives a row" if at_least_one_row else ""),
                f"    max_rows={_max_rows(t)},",
            ]
        ),
        ")",
    ]
    columns: list[str] = []
    outputs: dict[str, Output] = {}
    for p in t.ports:
        if not p.is_output:
            continue
        key = p.name.lower()
        if key in passed:
            columns.append(col_alias(passed[key].name, p.name))
        elif key in _QUERY_PORTS:
            columns.append(col_alias(_QUERY_PORTS[key], p.name))
        else:
            columns.append(py_str(p.name))
        outputs[key] = Output(var, p.name, origin if passive else step.name)
    lines += select_code(var, [*columns, *gen.extra(var)], var)
    mode = (
        "a dynamic query (~port~ in its text)"
        if any(m.group(2) for m in _PORT_IN_QUERY.finditer(query))
        else "a static query"
    )
    mode += ", passive" if passive else ""
    return StepCode(
        lines,
        outputs,
        [
            f"query mode, {mode}: runs once per input row over JDBC, in row order; on PostgreSQL connections "
            "only (other databases and the embedded store stop the job)"
        ],
    )


def _script(step: Step, gen: Generator, t: Transformation, connection: str) -> StepCode:
    name = t.port("ScriptName")
    if name is None or not name.is_input:
        raise ConversionError("the SQL transformation in script mode has no ScriptName input port")
    passed = _pass_through(t)
    unknown = [
        p.name
        for p in t.ports
        if p.is_output
        and not p.is_input
        and p.name.lower() not in passed
        and p.name.lower() not in _SCRIPT_PORTS
    ]
    if unknown:
        raise ConversionError(
            f"output ports {', '.join(unknown)} in script mode: a script returns no columns"
        )
    inputs = [p for p in t.ports if p.is_input]
    var = gen.var(step)
    lines, origin = gen.assemble(step, inputs, var)
    lines += [
        f"{var} = job.sql_script(",
        f"    {py_str(step.name)},",
        f"    {var},",
        f"    {connection},",
        f"    {py_str(name.name)},",
        f"    continue_on_error={_flag(t, 'Is_Continue_On_Error_Selected')},",
        ")",
    ]
    columns: list[str] = []
    outputs: dict[str, Output] = {}
    for p in t.ports:
        if not p.is_output:
            continue
        key = p.name.lower()
        columns.append(
            col_alias(passed[key].name, p.name) if key in passed else col_alias(_SCRIPT_PORTS[key], p.name)
        )
        outputs[key] = Output(var, p.name, origin)
    lines += select_code(var, [*columns, *gen.extra(var)], var)
    return StepCode(
        lines,
        outputs,
        [
            "script mode: the script file each row names runs over JDBC, one row out per row in; "
            "on PostgreSQL connections only (other databases and the embedded store stop the job)"
        ],
    )
