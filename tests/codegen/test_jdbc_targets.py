"""Relational targets that get updates, deletes and upserts (Transformation Guide, "Update Strategy
Transformation" and "Setting the Update Strategy for a Session"; Designer Guide, "Target Update Override").

Tables of small mappings with the exact generated ``write_table`` call or gap message, the PL/pgSQL block the
support module sends, and generated jobs run with spark-submit against a real PostgreSQL server: an SCD-style
load with inserts, updates, deletes, rejects, a key repeated in one load and database errors, once per target
setting, with the tables, reject files and counts checked after the run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv
from pg_server import postgres_server, psql, submit_job  # noqa: F401 - the postgres fixture

from infaflow.codegen import support
from infaflow.codegen.job import JobSource
from infaflow.model import Attributes, Transformation

INT, S = "integer", "string"
FIELDS = [("ID", INT), ("NAME", S), ("CITY", S)]
FLAGS = "DECODE(OP, 'I', DD_INSERT, 'U', DD_UPDATE, 'D', DD_DELETE, DD_REJECT)"


def _mapping(
    targets: dict[str, dict[str, str]],
    *,
    keys: tuple[str, ...] = ("ID",),
    overrides: dict[str, str] | None = None,
    session: dict[str, str] | None = None,
    connected: tuple[str, ...] = ("ID", "NAME", "CITY"),
    no_keys: tuple[str, ...] = (),
    partial: dict[str, tuple[str, ...]] | None = None,
) -> MappingBuilder:
    """A file source (ID, NAME, CITY, OP), an Update Strategy flagging each row by OP, and one relational
    target per entry of ``targets`` (its writer settings) on connection PG, fed by the ``connected`` ports
    (``partial``: other ports for some targets)."""
    b = MappingBuilder()
    b.flat_source("S", [*FIELDS, ("OP", S)])
    b.add(
        Transformation(
            "UPD",
            "Update Strategy",
            ports=[port("ID", INT), port("NAME", S), port("CITY", S), port("OP", S)],
            attributes=Attributes({"Update Strategy Expression": FLAGS}),
        )
    )
    b.connect("SQ_S", "UPD", ["ID", "NAME", "CITY", "OP"])
    for name in targets:
        b.table_target(name, FIELDS, keys=() if name in no_keys else keys)
        if overrides and name in overrides:
            b.mapping.instances[-1].attributes = Attributes({"Update Override": overrides[name]})
        b.connect("UPD", name, list((partial or {}).get(name, connected)))
    b.with_session(
        {"Treat source rows as": "Data Driven", "$Target connection value": "PG", **(session or {})},
        writers=targets,
    )
    return b


def _call(job: JobSource, target: str) -> list[str]:
    """The lines of the ``job.write_table`` call of ``target``."""
    lines = [line.strip() for line in job.code.splitlines()]
    start = next(
        i for i, line in enumerate(lines) if line == "job.write_table(" and lines[i + 1] == f'"{target}",'
    )
    return lines[start : lines.index(")", start) + 1]


ALL = {"Insert": "YES", "Update as Update": "YES", "Delete": "YES"}


@pytest.mark.parametrize(
    ("writer", "session", "expected"),
    [
        (
            ALL,
            {},
            [
                'treat_rows_as="Data Driven",',
                "insert=True,",
                'update="Update as Update",',
                "delete=True,",
                "truncate=False,",
            ],
        ),
        (
            {"Insert": "YES", "Update else Insert": "YES", "Truncate target table option": "YES"},
            {"Treat source rows as": "Update"},
            [
                'treat_rows_as="Update",',
                "insert=True,",
                'update="Update else Insert",',
                "delete=False,",
                "truncate=True,",
            ],
        ),
        (
            {"Insert": "NO", "Update as Insert": "YES", "Delete": "YES"},
            {"Treat source rows as": "Delete"},
            [
                'treat_rows_as="Delete",',
                "insert=False,",
                'update="Update as Insert",',
                "delete=True,",
                "truncate=False,",
            ],
        ),
        (
            {"Insert": "YES", "Update as Update": "NO"},
            {},
            [
                'treat_rows_as="Data Driven",',
                "insert=True,",
                'update="None",',
                "delete=False,",
                "truncate=False,",
            ],
        ),
    ],
)
def test_write_table_call(writer: dict[str, str], session: dict[str, str], expected: list[str]) -> None:
    job = _mapping({"T_DIM": writer}, session=session).render()
    assert job.complete, job.gaps
    assert _call(job, "T_DIM") == [
        "job.write_table(",
        '"T_DIM",',
        "t_dim,",
        'job.connection("PG"),',
        '"T_DIM",',
        "[",
        '("ID", "int"),',
        '("NAME", "string"),',
        '("CITY", "string"),',
        "],",
        'keys=["ID"],',
        *expected,
        ")",
    ]


def test_update_override_and_unconnected_fields_reach_the_call() -> None:
    override = "UPDATE T_DIM SET NAME = :TU.NAME WHERE CITY = :tu.CITY AND NAME <> 'locked'"
    job = _mapping({"T_DIM": ALL}, overrides={"T_DIM": override}, connected=("ID", "NAME")).render()
    assert job.complete, job.gaps
    call = _call(job, "T_DIM")
    assert call[-3:] == [
        "update_override=\"UPDATE T_DIM SET NAME = :TU.NAME WHERE CITY = :tu.CITY AND NAME <> 'locked'\",",
        'unconnected=["CITY"],',
        ")",
    ]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "UPDATE T_DIM SET NAME = :TU.NAME WHERE ZIP = :TU.ZIP",
            "the Update Override names :TU.ZIP, which is not a port of the target",
        ),
        ("DELETE FROM T_DIM WHERE ID = :TU.ID", "the Update Override is not an UPDATE statement"),
    ],
)
def test_update_override_gaps(override: str, message: str) -> None:
    job = _mapping({"T_DIM": ALL}, overrides={"T_DIM": override}).render()
    assert [g.instance for g in job.gaps] == ["T_DIM"]
    assert message in job.gaps[0].message


# -- the block sent to PostgreSQL ----------------------------------------------------------------------------


def _block_body(block: str) -> list[str]:
    lines = [line.strip() for line in block.splitlines()]
    return lines[lines.index("BEGIN") + 1 : lines.index("END LOOP;")]


def test_dml_block_statements() -> None:
    block = support.dml_block(
        "dw.t_dim",
        ["ID", "NAME", "CITY"],
        ["ID", "NAME"],
        ["ID"],
        staged="st_in",
        results="st_out",
        upsert=True,
        truncate=True,
    )
    assert block.startswith("DO $infaflow$") and block.endswith("END $infaflow$")
    r = "infaflow_r"
    count = "GET DIAGNOSTICS infaflow_n = ROW_COUNT;"
    insert = f"INSERT INTO dw.t_dim (ID, NAME) VALUES ({r}.a0, {r}.a1);"
    assert _block_body(block) == [
        "CREATE TABLE st_out (dml_row bigint, dml_op int, dml_affected bigint, dml_error text);",
        "PERFORM 1 FROM dw.t_dim LIMIT 0;",  # no such table: the session fails before any row
        "TRUNCATE TABLE dw.t_dim;",
        f"FOR {r} IN SELECT * FROM st_in ORDER BY dml_row LOOP",
        f"infaflow_op := {r}.dml_type;",
        "BEGIN",
        f"IF {r}.dml_type = 0 THEN",
        f"{insert} {count}",
        f"ELSIF {r}.dml_type = 1 THEN",
        f"UPDATE dw.t_dim SET NAME = {r}.a1 WHERE ID = {r}.a0; {count}",
        f"IF infaflow_n = 0 THEN {insert} {count} infaflow_op := 0; END IF;",
        "ELSE",
        f"DELETE FROM dw.t_dim WHERE ID = {r}.a0; {count}",
        "END IF;",
        f"INSERT INTO st_out VALUES ({r}.dml_row, infaflow_op, infaflow_n, NULL);",
        "EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN",
        f"INSERT INTO st_out VALUES ({r}.dml_row, infaflow_op, 0, SQLERRM);",
        "END;",
    ]


def test_dml_block_with_update_override_and_composite_key() -> None:
    block = support.dml_block(
        "t",
        ["A", "B", "V"],
        ["A", "B", "V"],
        ["A", "B"],
        staged="i",
        results="o",
        upsert=False,
        update_override="UPDATE t SET v = :TU.V WHERE b = :tu.b AND v IS DISTINCT FROM :TU.V;",
    )
    body = _block_body(block)
    assert (
        "UPDATE t SET v = infaflow_r.a2 WHERE b = infaflow_r.a1 AND v IS DISTINCT FROM infaflow_r.a2; "
        in (body[body.index("ELSIF infaflow_r.dml_type = 1 THEN") + 1])
    )
    assert "DELETE FROM t WHERE A = infaflow_r.a0 AND B = infaflow_r.a1; " in body[body.index("ELSE") + 1]
    assert not any(line.startswith("IF infaflow_n = 0") for line in body)  # Update as Update: no insert


def test_bind_update_override_names_a_port_of_the_target() -> None:
    with pytest.raises(ValueError, match=r"names :TU\.ZIP, which is not a port of the target"):
        support.bind_update_override("UPDATE t SET a = :TU.ZIP", ["A"])


# -- against PostgreSQL --------------------------------------------------------------------------------------

# Each target table starts as (1, old1, Paris), (2, old2, Oslo), (3, old3, Rome), ID its primary key (except
# t_override). The rows, in order:
ROWS = [
    ("4", "new4", "Lima", "I"),  # 1 insert
    ("2", "upd2", "Oslo", "U"),  # 2 update of an existing key
    ("3", "", "", "D"),  # 3 delete
    ("9", "upd9", "Kiev", "U"),  # 4 update of a key the table does not have
    ("5", "bad", "Nice", "X"),  # 5 DD_REJECT
    ("1", "dup1", "Bern", "I"),  # 6 insert of a key the table has: the database refuses it
    ("6", "six", "Riga", "I"),  # 7 insert,
    ("6", "six2", "Riga", "U"),  # 8 then update of the same key in the same load
    ("2", "", "", "D"),  # 9 delete of the key row 2 updated,
    ("2", "two", "Oslo", "I"),  # 10 then a new row with that key,
    ("2", "last", "Oslo", "U"),  # 11 updated
]
SEED = "(1, 'old1', 'Paris'), (2, 'old2', 'Oslo'), (3, 'old3', 'Rome')"


def _tables(pg: dict[str, str], names: list[str]) -> None:
    sql = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    for name in names:
        key = "" if name == "t_override" else " PRIMARY KEY"
        sql += f"CREATE TABLE {name} (id integer{key}, name varchar(20), city varchar(20) DEFAULT 'n/a');"
        sql += f"INSERT INTO {name} VALUES {SEED};"
    psql(pg, sql)


def _run(job: JobSource, pg: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The generated job run with spark-submit, the connection PG mapped to the server."""
    assert job.complete, job.gaps
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(support.__file__, project / "infaflow_support.py")
    (project / "job.py").write_text(job.code)
    (project / "connections.toml").write_text(
        f'[connections.PG]\nurl = "{pg["url"]}"\ndriver = "org.postgresql.Driver"\nuser = "postgres"\n'
    )
    src = tmp_path / "src"
    src.mkdir()
    lines = ["ID,NAME,CITY,OP", *[",".join(row) for row in ROWS]]
    (src / "s.dat").write_text("\n".join(lines) + "\n")
    return submit_job(
        project,
        {"$PMSourceFileDir": str(src), "$PMBadFileDir": str(tmp_path / "bad")},
        tmp_path / "spark-submit.log",
        args=("--result-file", str(tmp_path / "result.json")),
    )


def _rows(pg: dict[str, str], table: str) -> list[list[str]]:
    return psql(pg, f"SELECT id, coalesce(name, '~'), coalesce(city, '~') FROM {table} ORDER BY id, name")


@pytest.mark.spark
def test_data_driven_load_against_postgresql(postgres: dict[str, str], tmp_path: Path) -> None:
    targets = {
        "T_DD": ALL,
        "T_UPSERT": {"Insert": "YES", "Update else Insert": "YES", "Delete": "NO"},
        "T_UPD_INS": {"Insert": "YES", "Update as Insert": "YES", "Delete": "YES"},
        "T_OVERRIDE": {"Insert": "YES", "Update as Update": "YES", "Delete": "NO"},
    }
    override = "UPDATE t_override SET name = :TU.NAME WHERE city = :TU.CITY AND name <> 'two'"
    _tables(postgres, [t.lower() for t in targets])
    job = _mapping(targets, overrides={"T_OVERRIDE": override}, no_keys=("T_OVERRIDE",)).render()
    run = _run(job, postgres, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Insert, Update as Update, Delete; rows applied in row order:
    assert _rows(postgres, "t_dd") == [
        ["1", "old1", "Paris"],  # row 6 refused (duplicate key)
        ["2", "last", "Oslo"],  # updated (2), deleted (9), inserted again (10), updated (11)
        ["4", "new4", "Lima"],
        ["6", "six2", "Riga"],  # inserted (7) then updated (8)
    ]
    # Update else Insert without Delete:
    assert _rows(postgres, "t_upsert") == [
        ["1", "old1", "Paris"],
        ["2", "last", "Oslo"],  # row 10's insert refused: row 9's delete was rejected by the settings
        ["3", "old3", "Rome"],
        ["4", "new4", "Lima"],
        ["6", "six2", "Riga"],
        ["9", "upd9", "Kiev"],  # no row had key 9: inserted
    ]
    # Update as Insert: rows 2, 8 and 11 become inserts of keys the table has, refused by the database.
    assert _rows(postgres, "t_upd_ins") == [
        ["1", "old1", "Paris"],
        ["2", "two", "Oslo"],
        ["4", "new4", "Lima"],
        ["6", "six", "Riga"],
        ["9", "upd9", "Kiev"],
    ]
    # Update Override by a column that is not a key (the table has no primary key; none is needed): row 2
    # (Oslo) updates old2, row 4 (Kiev) matches nothing, row 8 (Riga) the row inserted by row 7, row 11 (Oslo)
    # the Oslo row not named two.
    assert _rows(postgres, "t_override") == [
        ["1", "dup1", "Bern"],
        ["1", "old1", "Paris"],
        ["2", "last", "Oslo"],
        ["2", "two", "Oslo"],
        ["3", "old3", "Rome"],
        ["4", "new4", "Lima"],
        ["6", "six2", "Riga"],
    ]
    result = json.loads((tmp_path / "result.json").read_text())
    # applied: rows sent without error; affected: rows the database changed (row 4 none); rejected: by the
    # settings, DD_REJECT and by the database
    assert result["target_rows"] == {"T_DD": 9, "T_UPSERT": 6, "T_UPD_INS": 6, "T_OVERRIDE": 8}
    assert result["affected_rows"] == {"T_DD": 8, "T_UPSERT": 6, "T_UPD_INS": 6, "T_OVERRIDE": 7}
    assert result["rejected_rows"] == {"T_DD": 2, "T_UPSERT": 5, "T_UPD_INS": 5, "T_OVERRIDE": 3}
    assert result["TgtSuccessRows"] == 29
    # Reject files: the rows the settings reject (with their own flag), then those the database refused.
    bad = tmp_path / "bad"
    assert read_csv(bad / "t_dd.bad") == [
        ["3", "5", "D", "bad", "D", "Nice", "D"],
        ["0", "1", "D", "dup1", "D", "Bern", "D"],
    ]
    assert read_csv(bad / "t_upsert.bad") == [
        ["2", "3", "D", "", "N", "", "N"],
        ["3", "5", "D", "bad", "D", "Nice", "D"],
        ["2", "2", "D", "", "N", "", "N"],
        ["0", "1", "D", "dup1", "D", "Bern", "D"],
        ["0", "2", "D", "two", "D", "Oslo", "D"],
    ]
    assert "target T_DD: the database rejected 1 row(s)" in run.stdout + run.stderr
    assert "duplicate key value violates unique constraint" in run.stdout + run.stderr
    # the staging tables are dropped
    assert psql(postgres, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'infaflow_dml_%'") == [["0"]]


@pytest.mark.spark
def test_rows_treated_as_updates_against_postgresql(postgres: dict[str, str], tmp_path: Path) -> None:
    upsert = {"Insert": "YES", "Update else Insert": "YES"}
    targets = {"T_TRUNC": {**upsert, "Truncate target table option": "YES"}, "T_PART": upsert}
    _tables(postgres, [t.lower() for t in targets])
    session = {"Treat source rows as": "Update"}
    job = _mapping(targets, session=session, partial={"T_PART": ("ID", "NAME")}).render()
    run = _run(job, postgres, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Every row is an update (the Update Strategy is ignored); Update else Insert inserts the keys the table
    # does not have. T_TRUNC was emptied first.
    assert _rows(postgres, "t_trunc") == [
        ["1", "dup1", "Bern"],
        ["2", "last", "Oslo"],
        ["3", "~", "~"],
        ["4", "new4", "Lima"],
        ["5", "bad", "Nice"],
        ["6", "six2", "Riga"],
        ["9", "upd9", "Kiev"],
    ]
    # CITY is not connected to T_PART: an update leaves it, an insert gets the column's default.
    assert _rows(postgres, "t_part") == [
        ["1", "dup1", "Paris"],
        ["2", "last", "Oslo"],
        ["3", "~", "Rome"],
        ["4", "new4", "n/a"],
        ["5", "bad", "n/a"],
        ["6", "six2", "n/a"],
        ["9", "upd9", "n/a"],
    ]
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["target_rows"] == result["affected_rows"] == {"T_TRUNC": 11, "T_PART": 11}
    assert result["rejected_rows"] == {}


@pytest.mark.spark
def test_a_statement_that_cannot_run_fails_the_session(postgres: dict[str, str], tmp_path: Path) -> None:
    _tables(postgres, ["t_dd"])
    override = "UPDATE t_dd SET name = :TU.NAME WHERE town = :TU.CITY"  # no column town
    job = _mapping({"T_DD": ALL}, overrides={"T_DD": override}).render()
    run = _run(job, postgres, tmp_path)
    assert run.returncode != 0
    assert 'SessionFailed: s_test: target T_DD (T_DD): ERROR: column "town" does not exist' in (
        run.stdout + run.stderr
    )
    # nothing changed, the staging tables are dropped
    assert _rows(postgres, "t_dd") == [["1", "old1", "Paris"], ["2", "old2", "Oslo"], ["3", "old3", "Rome"]]
    assert psql(postgres, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'infaflow_dml_%'") == [["0"]]


@pytest.mark.spark
def test_inserts_the_database_refuses_are_rejected(postgres: dict[str, str], tmp_path: Path) -> None:
    _tables(postgres, ["t_ins"])
    job = _mapping({"T_INS": {"Insert": "YES"}}, session={"Treat source rows as": "Insert"}).render()
    run = _run(job, postgres, tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    # Every row is an insert: Spark's batch is refused (duplicate keys), the rows are applied one by one.
    assert "the database refused the rows as one batch" in run.stdout + run.stderr
    assert _rows(postgres, "t_ins") == [
        ["1", "old1", "Paris"],
        ["2", "old2", "Oslo"],
        ["3", "old3", "Rome"],
        ["4", "new4", "Lima"],
        ["5", "bad", "Nice"],
        ["6", "six", "Riga"],
        ["9", "upd9", "Kiev"],
    ]
    result = json.loads((tmp_path / "result.json").read_text())
    assert (result["target_rows"], result["affected_rows"]) == ({"T_INS": 4}, {"T_INS": 4})
    assert result["rejected_rows"] == {"T_INS": 7}
    assert [row[:2] for row in read_csv(tmp_path / "bad" / "t_ins.bad")] == [
        ["0", "2"],
        ["0", "3"],
        ["0", "1"],
        ["0", "6"],
        ["0", "2"],
        ["0", "2"],
        ["0", "2"],
    ]
