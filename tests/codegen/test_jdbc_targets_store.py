"""Relational targets on the embedded store given updates, deletes and upserts: the same load as
test_jdbc_targets.py (rows applied one by one in row order), checked on the Parquet tables. The store has no
constraints, so an insert of a key the table has adds a second row where a database with a primary key refuses
it; everything else matches the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import read_csv, run_job, write_csv
from test_jdbc_targets import ALL, FIELDS, ROWS, _mapping

from infaflow.codegen import support
from infaflow.codegen.store import load_csv, store_table_path

pytestmark = pytest.mark.spark

SEED = [[1, "old1", "Paris"], [2, "old2", "Oslo"], [3, "old3", "Rome"]]


def _load(spark, tmp_path: Path, targets: list[str], session: dict[str, str] | None = None, **kw) -> dict:
    seed = tmp_path / "seed.csv"
    write_csv(seed, [n for n, _ in FIELDS], SEED)
    for name in targets:
        load_csv(spark, tmp_path / "store", "PG", name, seed)
    write_csv(tmp_path / "src" / "s.dat", ["ID", "NAME", "CITY", "OP"], [list(r) for r in ROWS])
    return {"session": session or {}, **kw}


def _table(spark, tmp_path: Path, name: str) -> list[tuple]:
    df = spark.read.parquet(str(store_table_path(tmp_path / "store", "PG", name)))
    return sorted(
        ((r["ID"], r["NAME"] or "~", r["CITY"] or "~") for r in df.collect()), key=lambda r: (r[0], r[1])
    )


def test_data_driven_load_on_the_store(spark, tmp_path: Path) -> None:
    targets = {
        "T_DD": ALL,
        "T_UPSERT": {"Insert": "YES", "Update else Insert": "YES", "Delete": "NO"},
        "T_OVERRIDE": {"Insert": "YES", "Update as Update": "YES", "Delete": "NO"},
    }
    _load(spark, tmp_path, list(targets))
    override = "UPDATE t_override\n   SET name = :TU.NAME\n WHERE city = :TU.CITY"
    job = _mapping(targets, overrides={"T_OVERRIDE": override}, no_keys=("T_OVERRIDE",)).render()
    assert job.complete, job.gaps
    result = run_job(job, spark, tmp_path)
    assert _table(spark, tmp_path, "T_DD") == [
        (1, "dup1", "Bern"),  # no constraint on the store: a second row with key 1
        (1, "old1", "Paris"),
        (2, "last", "Oslo"),  # updated (2), deleted (9), inserted again (10), updated (11)
        (4, "new4", "Lima"),
        (6, "six2", "Riga"),  # inserted (7) then updated (8)
    ]
    assert _table(spark, tmp_path, "T_UPSERT") == [
        (1, "dup1", "Bern"),
        (1, "old1", "Paris"),
        (2, "last", "Oslo"),  # row 11 updates both rows with key 2 (row 9's delete was rejected)
        (2, "last", "Oslo"),
        (3, "old3", "Rome"),
        (4, "new4", "Lima"),
        (6, "six2", "Riga"),
        (9, "upd9", "Kiev"),  # Update else Insert: no row had key 9
    ]
    # Update Override by CITY, not a key: row 11 (Oslo) updates both Oslo rows.
    assert _table(spark, tmp_path, "T_OVERRIDE") == [
        (1, "dup1", "Bern"),
        (1, "old1", "Paris"),
        (2, "last", "Oslo"),
        (2, "last", "Oslo"),
        (3, "old3", "Rome"),
        (4, "new4", "Lima"),
        (6, "six2", "Riga"),
    ]
    assert result.target_rows == {"T_DD": 10, "T_UPSERT": 8, "T_OVERRIDE": 8}
    assert result.affected_rows == {"T_DD": 9, "T_UPSERT": 9, "T_OVERRIDE": 8}
    assert result.rejected_rows == {"T_DD": 1, "T_UPSERT": 3, "T_OVERRIDE": 3}
    assert read_csv(tmp_path / "bad" / "t_upsert.bad") == [
        ["2", "3", "D", "", "N", "", "N"],  # a delete the settings do not allow: its own flag
        ["3", "5", "D", "bad", "D", "Nice", "D"],
        ["2", "2", "D", "", "N", "", "N"],
    ]


def test_treat_source_rows_as_update_with_truncate_and_as_delete(spark, tmp_path: Path) -> None:
    _load(spark, tmp_path, ["T_UPSERT", "T_DEL"])
    upsert = {"Insert": "YES", "Update else Insert": "YES", "Truncate target table option": "YES"}
    job = _mapping({"T_UPSERT": upsert}, session={"Treat source rows as": "Update"}).render()
    result = run_job(job, spark, tmp_path)
    # Every row is an update (the Update Strategy is ignored); the table was emptied first.
    assert _table(spark, tmp_path, "T_UPSERT") == [
        (1, "dup1", "Bern"),
        (2, "last", "Oslo"),
        (3, "~", "~"),
        (4, "new4", "Lima"),
        (5, "bad", "Nice"),
        (6, "six2", "Riga"),
        (9, "upd9", "Kiev"),
    ]
    assert (result.target_rows, result.affected_rows, result.rejected_rows) == (
        {"T_UPSERT": 11},
        {"T_UPSERT": 11},
        {},
    )
    job = _mapping({"T_DEL": {"Delete": "YES"}}, session={"Treat source rows as": "Delete"}).render()
    result = run_job(job, spark, tmp_path)
    assert _table(spark, tmp_path, "T_DEL") == []
    assert (result.target_rows, result.affected_rows) == ({"T_DEL": 11}, {"T_DEL": 3})


def test_unconnected_fields_keep_their_value_on_update(spark, tmp_path: Path) -> None:
    _load(spark, tmp_path, ["T_DD"])
    session = {"Treat source rows as": "Update"}
    job = _mapping({"T_DD": {"Update as Update": "YES"}}, session=session, connected=("ID", "NAME")).render()
    assert 'unconnected=["CITY"],' in job.code
    result = run_job(job, spark, tmp_path)
    # CITY is not connected: the updates leave it as it was
    assert _table(spark, tmp_path, "T_DD") == [(1, "dup1", "Paris"), (2, "last", "Oslo"), (3, "~", "Rome")]
    assert (result.target_rows, result.affected_rows) == ({"T_DD": 11}, {"T_DD": 6})


def test_updates_without_key_ports_fail_the_session(spark, tmp_path: Path) -> None:
    _load(spark, tmp_path, ["T_DD"])
    job = _mapping({"T_DD": ALL}, keys=()).render()
    with pytest.raises(
        support.SessionFailed, match="target T_DD has no primary key port, and rows flagged for"
    ):
        run_job(job, spark, tmp_path)
    # nothing was written
    assert _table(spark, tmp_path, "T_DD") == [(1, "old1", "Paris"), (2, "old2", "Oslo"), (3, "old3", "Rome")]


def test_an_update_override_beyond_column_equalities_needs_a_database(spark, tmp_path: Path) -> None:
    _load(spark, tmp_path, ["T_DD"])
    override = "UPDATE t_dd SET name = :TU.NAME WHERE city = :TU.CITY AND name <> 'two'"
    job = _mapping({"T_DD": ALL}, overrides={"T_DD": override}).render()
    with pytest.raises(support.NotConverted, match="its Update Override runs as written on a database only"):
        run_job(job, spark, tmp_path)


def test_updates_over_jdbc_on_other_databases_are_reported(spark, tmp_path: Path) -> None:
    job = support.Job(spark, "s_test", {"$PMBadFileDir": str(tmp_path / "bad")})
    rows = spark.createDataFrame(
        [(1, "a", 1, 0)], "ID int, NAME string, _row_type int, _row_id long"
    )  # update
    sqlserver = support.Connection("MSSQL", url="jdbc:sqlserver://db.example.com:1433;databaseName=dw")
    with pytest.raises(
        support.NotConverted, match="applied on PostgreSQL connections only; connection MSSQL"
    ):
        job.write_table(
            "T",
            rows,
            sqlserver,
            "t",
            [("ID", "int"), ("NAME", "string")],
            keys=["ID"],
            treat_rows_as="Data Driven",
        )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            'UPDATE dw."T_DIM" SET NAME = :TU.NAME, "City" = :tu.city WHERE ID = :TU.ID AND [Name] = :TU.OLD',
            ([("NAME", "NAME"), ("CITY", "CITY")], [("ID", "ID"), ("NAME", "OLD")]),
        ),
        ("UPDATE T SET NAME = :TU.NAME WHERE ID > :TU.ID", None),
        ("UPDATE T SET NAME = 'x' WHERE ID = :TU.ID", None),
        ("UPDATE T SET NAME = :TU.NAME WHERE ZIP = :TU.ID", None),
        ("UPDATE T SET NAME = :TU.NAME", None),
    ],
)
def test_simple_update_override(override: str, expected: object) -> None:
    assert support.simple_update_override(override, ["ID", "NAME", "CITY", "OLD"]) == expected


def test_an_update_override_that_sets_the_column_it_compares(spark, tmp_path: Path, capfd) -> None:
    _load(spark, tmp_path, ["T_DD"])
    override = "UPDATE t_dd SET city = :TU.NAME WHERE city = :TU.CITY"
    job = _mapping({"T_DD": ALL}, overrides={"T_DD": override}).render()
    result = run_job(job, spark, tmp_path)
    # rows move between cities as they are updated: applied in one sequence over the whole table
    assert "applied in one sequence over the whole table" in capfd.readouterr().err
    assert _table(spark, tmp_path, "T_DD") == [
        (1, "dup1", "Bern"),
        (1, "old1", "Paris"),
        (2, "two", "last"),  # row 2 moved Oslo's row to city upd2, row 9 deleted it; row 11 updated row 10's
        (4, "new4", "Lima"),
        (6, "six", "six2"),
    ]
    assert (result.target_rows, result.affected_rows) == ({"T_DD": 10}, {"T_DD": 9})
