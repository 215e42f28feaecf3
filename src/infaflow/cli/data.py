"""``infaflow data load``: seed the embedded relational store that converted jobs read and write."""

from __future__ import annotations

from pathlib import Path

import click

from infaflow.cli._options import examples, state_dir_option
from infaflow.errors import InputError


def parse_types(items: tuple[str, ...]) -> dict[str, str]:
    """``--type COLUMN=TYPE`` values as ``{column: Spark SQL type}``."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, kind = item.partition("=")
        if not sep or not column.strip() or not kind.strip():
            raise InputError(f"--type {item!r}: expected COLUMN=TYPE (e.g. ZIP=string, AMOUNT=decimal(12,2))")
        out[column.strip()] = kind.strip()
    return out


@click.group("data", short_help="Load CSV files into the embedded relational store the converted jobs use.")
def data() -> None:
    """Manage the embedded relational store (<state dir>/store: one folder per connection)."""


@data.command(
    "load",
    epilog=examples(
        "infaflow data load RETAIL_OLTP.CUSTOMERS customers.csv",
        "infaflow data load RETAIL_OLTP samples/retail_dw/data/RETAIL_OLTP    # every *.csv of the folder",
        "infaflow data load CRM.ACCOUNTS accounts.csv --type ZIP=string --type BALANCE=decimal(12,2)",
    ),
)
@click.argument("target")
@click.argument("csv_path", type=click.Path())
@state_dir_option(
    "State directory whose store/ folder holds the tables (default store: $INFAFLOW_STORE, "
    "else <state dir>/store)."
)
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default=None,
    hidden=True,
    help="The store folder itself (an older spelling of --state-dir DIR/store).",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="COLUMN=TYPE",
    help="Declare a column's type instead of inferring it (Spark SQL: string, int, bigint, "
    "decimal(12,2), double, date, timestamp); repeatable. A value that does not read as its "
    "type stops the load.",
)
@click.option("--delimiter", default=",", show_default=True, help="Field delimiter of the CSV file.")
@click.option("--no-header", is_flag=True, help="The file has no header line (columns _c0, _c1...).")
@click.option("--append", is_flag=True, help="Add the rows to the table instead of replacing it.")
def load(
    target: str,
    csv_path: str,
    state_dir: str,
    store: str | None,
    types: tuple[str, ...],
    delimiter: str,
    no_header: bool,
    append: bool,
) -> None:
    """Load CSV_PATH into TARGET (CONNECTION.TABLE), or every *.csv of a folder into CONNECTION."""
    import os

    from infaflow.codegen.executor import local_spark
    from infaflow.codegen.store import load_csv, parse_target

    declared = parse_types(types)
    connection, table = parse_target(target)
    source = Path(csv_path).resolve()
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
    explicit_dir = (
        click.get_current_context().get_parameter_source("state_dir") != click.core.ParameterSource.DEFAULT
    )
    root = Path(
        store or (None if explicit_dir else os.environ.get("INFAFLOW_STORE")) or Path(state_dir) / "store"
    ).resolve()
    spark = local_spark("infaflow-data-load")
    try:
        for name, file in pairs:
            loaded = load_csv(
                spark,
                root,
                connection,
                name,
                file,
                delimiter=delimiter,
                header=not no_header,
                append=append,
                types=declared,
            )
            click.echo(f"{connection}.{name}: {loaded.rows} rows in {loaded.path}")
    finally:
        spark.stop()


COMMANDS = [data]
