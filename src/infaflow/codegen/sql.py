"""SQL written for the source database, as Spark SQL for the embedded store (with sqlglot).

Table references become ``{TABLE}`` placeholders that the support module replaces with the table's
Parquet folder; ``$$PARAMETERS`` are kept as written and expanded when the job runs, as PowerCenter
expands them before sending the query.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from infaflow.codegen.exprs import ConversionError

# DATABASETYPE as written in exports -> sqlglot dialect ("" = generic ANSI-ish reader).
DIALECTS: dict[str, str] = {
    "oracle": "oracle",
    "microsoft sql server": "tsql",
    "sql server": "tsql",
    "sybase": "tsql",
    "teradata": "teradata",
    "mysql": "mysql",
    "postgresql": "postgres",
    "netezza": "postgres",
    "db2": "",
    "odbc": "",
    "informix": "",
    "flat file": "",
}

_HINT = re.compile(r"(\bSELECT)\s+\$\$[A-Za-z_][A-Za-z0-9_]*\b", re.IGNORECASE)
_PARAM = re.compile(r"\$\$?[A-Za-z_][A-Za-z0-9_]*")


def dialect_of(database_type: str) -> str:
    return DIALECTS.get(database_type.strip().lower(), "")


def to_spark(sql: str, dialect: str) -> tuple[str, list[str]]:
    """``sql`` (in ``dialect``) as Spark SQL with ``{TABLE}`` placeholders, and the tables it reads."""
    params: dict[str, str] = {}

    def hide(m: re.Match[str]) -> str:
        key = f"infaflow_param_{len(params)}"
        params[key] = m.group(0)
        return key

    # A parameter right after SELECT is an optimizer hint ($$HINT1): meaningless to Spark, dropped there.
    text = _HINT.sub(r"\1 ", sql.strip().rstrip(";"))
    text = _PARAM.sub(hide, text)
    trees = None
    errors = []
    for candidate in dict.fromkeys([dialect, "oracle", "tsql", ""]):
        try:
            trees = sqlglot.parse(text, read=candidate or None)
            break
        except sqlglot.errors.ParseError as exc:
            errors.append(f"{candidate or 'ANSI'}: {str(exc).splitlines()[0]}")
    if trees is None:
        raise ConversionError(f"SQL cannot be read as {dialect or 'ANSI'} SQL: {errors[0].split(': ', 1)[1]}")
    if len(trees) != 1 or trees[0] is None:
        raise ConversionError("SQL override holds several statements")
    tree = trees[0]
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    tables: list[str] = []
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if not name or name.lower() in ctes:
            continue
        if name not in tables:
            tables.append(name)
        alias = table.alias or name
        placeholder = exp.Table(this=exp.to_identifier(f"infaflow_table_{tables.index(name)}"))
        placeholder.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        # Columns qualified with owner.table keep only the table part.
        table.replace(placeholder)
    for column in tree.find_all(exp.Column):
        if column.args.get("db"):
            column.set("db", None)
        if column.args.get("catalog"):
            column.set("catalog", None)
    try:
        out = tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConversionError(f"the SQL has no exact Spark SQL equivalent: {first}") from None
    for i, name in enumerate(tables):
        out = re.sub(rf"\binfaflow_table_{i}\b", "{" + name + "}", out)
    for key, value in params.items():
        out = out.replace(key, value)
    return out, tables


def quote_ident(name: str) -> str:
    """A column or table name as written in generated SQL (quoted when it is not a plain name)."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$#]*", name) else f'"{name}"'


def embedded_version(text: str, dialect: str) -> tuple[str | None, list[str], str]:
    """The Spark SQL of ``text`` for the embedded store, its tables, and why there is none.

    SQL that sqlglot cannot read or cannot write exactly in Spark SQL still runs as written on a
    database over JDBC; only the embedded store cannot run it (the job says so when it tries)."""
    try:
        spark_sql, tables = to_spark(text, dialect)
        return spark_sql, tables, ""
    except ConversionError as exc:
        return None, [], exc.message
