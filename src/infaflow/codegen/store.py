"""The embedded relational store: one folder per connection, one Parquet table per table.

Generated jobs read and write it through the support module (``store_table_path``); this module
seeds it from CSV files (``infaflow data load``).
"""

from __future__ import annotations

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
) -> Loaded:
    """Load ``csv_path`` into ``connection.table``; column types are inferred (numbers, timestamps),
    empty fields are NULL. Replaces the table unless ``append``."""
    if not csv_path.is_file():
        raise InputError("no such CSV file", str(csv_path))
    df = (
        spark.read.option("header", "true" if header else "false")
        .option("inferSchema", "true")
        .option("sep", delimiter)
        .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        .csv(str(csv_path))
    )
    if not df.columns:
        raise InputError("the CSV file has no columns", str(csv_path), 1)
    path = store_table_path(store, connection, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.write.mode("append" if append else "overwrite").parquet(str(path))
    rows = spark.read.parquet(str(path)).count()
    return Loaded(connection, table, rows, path)


def parse_target(text: str) -> tuple[str, str | None]:
    """``CONNECTION.TABLE`` (or ``CONNECTION`` alone for a folder of CSV files)."""
    connection, _, table = text.partition(".")
    if not connection or (text.endswith(".") and not table):
        raise InputError(f"{text!r}: expected CONNECTION.TABLE")
    return connection, table or None
