"""``infaflow data load``: seed the embedded relational store that converted jobs read and write."""

from __future__ import annotations

from pathlib import Path

import click

from infaflow.errors import InputError


@click.group("data")
def data() -> None:
    """Manage the embedded relational store (.infaflow/store: one folder per connection)."""


@data.command("load")
@click.argument("target")
@click.argument("csv_path", type=click.Path())
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default=None,
    help="Store folder (default: $INFAFLOW_STORE or .infaflow/store).",
)
@click.option("--delimiter", default=",", show_default=True, help="Field delimiter of the CSV file.")
@click.option("--no-header", is_flag=True, help="The file has no header line (columns _c0, _c1...).")
@click.option("--append", is_flag=True, help="Add the rows to the table instead of replacing it.")
def load(
    target: str, csv_path: str, store: str | None, delimiter: str, no_header: bool, append: bool
) -> None:
    """Load CSV_PATH into TARGET (CONNECTION.TABLE).

    With TARGET a connection name alone and CSV_PATH a folder, every *.csv file of the folder is
    loaded as the table of its name: `infaflow data load RETAIL_OLTP samples/retail_dw/data/RETAIL_OLTP`.
    """
    import os

    from infaflow.codegen.executor import local_spark
    from infaflow.codegen.store import DEFAULT_STORE, load_csv, parse_target

    connection, table = parse_target(target)
    source = Path(csv_path)
    if table is None:
        if not source.is_dir():
            raise InputError(
                f"{target!r} names no table: give CONNECTION.TABLE or a folder of CSV files", csv_path
            )
        files = sorted(source.glob("*.csv"))
        if not files:
            raise InputError("no *.csv file in the folder", csv_path)
        pairs = [(f.stem, f) for f in files]
    else:
        if not source.is_file():
            raise InputError("no such CSV file", csv_path)
        pairs = [(table, source)]
    root = Path(store or os.environ.get("INFAFLOW_STORE") or DEFAULT_STORE)
    spark = local_spark("infaflow-data-load")
    try:
        for name, file in pairs:
            loaded = load_csv(
                spark, root, connection, name, file, delimiter=delimiter, header=not no_header, append=append
            )
            click.echo(f"{connection}.{name}: {loaded.rows} rows in {loaded.path}")
    finally:
        spark.stop()


COMMANDS = [data]
