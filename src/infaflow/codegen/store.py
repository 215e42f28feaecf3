"""The embedded relational store: one folder per connection, one Parquet table per table.

Generated jobs read and write it through the support module (``store_table_path``); this module
seeds it from CSV files (``infaflow data load``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infaflow.codegen.support import store_table_path
from infaflow.errors import InputError

DEFAULT_STORE = Path(".infaflow") / "store"


@dataclass
class Loaded:
    connection: str
    table: str
    rows: int
    path: Path


def load_csv(
    spark: Any,
    store: Path,
    connection: str,
    table: str,
    csv_path: Path,
    *,
    delimiter: str = ",",
    header: bool = True,
    append: bool = False,
    types: Mapping[str, str] | None = None,
) -> Loaded:
    """Load ``csv_path`` into ``connection.table``; column types are inferred (numbers, timestamps),
    except the columns ``types`` declares (column name -> Spark SQL type: ``string``, ``decimal(12,2)``,
    ``date``...); empty fields are NULL. Replaces the table unless ``append``."""
    if not csv_path.is_file():
        raise InputError("no such CSV file", str(csv_path))
    reader = (
        spark.read.option("header", "true" if header else "false")
        .option("inferSchema", "true")
        .option("sep", delimiter)
        .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
    )
    df = reader.csv(str(csv_path))
    if not df.columns:
        raise InputError("the CSV file has no columns", str(csv_path), 1)
    if types:
        df = _with_types(reader, df, csv_path, types)
    path = store_table_path(store, connection, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        df.write.mode("append" if append else "overwrite").parquet(str(path))
    except Exception as exc:  # noqa: BLE001 - FAILFAST parse errors of declared types (classic or Connect)
        if not types:
            raise
        raise InputError(
            f"a value does not read as its declared type ({', '.join(f'{k}={v}' for k, v in types.items())}):"
            f" {str(exc).splitlines()[0][:300]}",
            str(csv_path),
        ) from None
    rows = spark.read.parquet(str(path)).count()
    return Loaded(connection, table, rows, path)


def _with_types(reader: Any, inferred: Any, csv_path: Path, types: Mapping[str, str]) -> Any:
    """Read the file again with the inferred schema, the declared columns' types replaced (declared
    columns are parsed as their type from the text, never from an inferred number)."""
    lower = {name.lower(): name for name in types}
    present = {f.name.lower() for f in inferred.schema.fields}
    unknown = sorted(name for low, name in lower.items() if low not in present)
    if unknown:
        raise InputError(
            f"--type: no column {', '.join(unknown)} in the file (columns: {', '.join(inferred.columns)})",
            str(csv_path),
            1,
        )
    fields = []
    for f in inferred.schema.fields:
        declared = lower.get(f.name.lower())
        kind = types[declared] if declared else f.dataType.simpleString()
        fields.append(f"`{f.name}` {kind}")
    try:
        df = (
            reader.option("inferSchema", "false")
            .option("mode", "FAILFAST")
            .schema(", ".join(fields))
            .csv(str(csv_path))
        )
        df.schema  # noqa: B018 - a bad type name is reported here, not at the first action
    except Exception as exc:  # noqa: BLE001 - Spark's parse errors differ between classic and Connect
        raise InputError(
            f"--type: {', '.join(f'{k}={v}' for k, v in types.items())}: {exc}".splitlines()[0], str(csv_path)
        ) from None
    return df


def parse_target(text: str) -> tuple[str, str | None]:
    """``CONNECTION.TABLE`` (or ``CONNECTION`` alone for a folder of CSV files)."""
    connection, _, table = text.partition(".")
    if not connection or (text.endswith(".") and not table):
        raise InputError(f"{text!r}: expected CONNECTION.TABLE")
    return connection, table or None
