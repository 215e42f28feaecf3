"""The JDBC path against a real PostgreSQL server started on loopback for this test.

The generated job runs as users run it on a cluster: ``spark-submit --jars postgresql.jar job.py``
with a connections file; the Source Filter and the Pre SQL go to PostgreSQL as written. Skipped when
PostgreSQL (Debian's postgresql), its JDBC driver (libpostgresql-jdbc-java) or spark-submit is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv
from pg_server import postgres_server, psql, submit_job  # noqa: F401 - the postgres fixture

from infaflow.model import Attributes, Transformation

pytestmark = pytest.mark.spark


def test_relational_source_and_target_over_jdbc(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(
        postgres,
        "CREATE TABLE customers (id int, name varchar(20), country varchar(2));"
        "INSERT INTO customers VALUES (1, 'ann', 'CH'), (2, 'bob', 'DE'), (3, 'cy', 'CH');"
        'CREATE TABLE dim_customer ("ID" int, "NAME" varchar(20));'
        "INSERT INTO dim_customer VALUES (99, 'stale');",
    )
    b = MappingBuilder()
    # The filter is PostgreSQL's own syntax (ILIKE): it is sent unchanged to the database.
    b.relational_source(
        "CUSTOMERS",
        [("ID", "integer"), ("NAME", "string"), ("COUNTRY", "string")],
        dbd="PG",
        attrs={"Source Filter": "CUSTOMERS.COUNTRY ILIKE 'ch'"},
        database_type="PostgreSQL",
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", "integer"),
                port("NAME", "string", "INPUT"),
                port("UNAME", "string", "OUTPUT", "UPPER(NAME)"),
            ],
        )
    )
    b.connect("SQ_CUSTOMERS", "EXP", ["ID", "NAME"])
    b.table_target("DIM_CUSTOMER", [("ID", "integer"), ("NAME", "string")])
    b.connect("EXP", "DIM_CUSTOMER", {"ID": "ID", "UNAME": "NAME"})
    b.mapping.instances[-1].attributes = Attributes({"Pre SQL": 'DELETE FROM dim_customer WHERE "ID" = 99'})
    b.flat_target("OUT", [("ID", "integer"), ("NAME", "string")])
    b.connect("EXP", "OUT", {"ID": "ID", "UNAME": "NAME"})
    b.with_session({"$Target connection value": "PG"})
    job = b.render()
    assert job.complete, job.gaps
    assert "ILIKE" in job.code and 'job.run_sql("DIM_CUSTOMER"' in job.code

    from infaflow.codegen import support

    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(support.__file__, project / "infaflow_support.py")
    (project / "job.py").write_text(job.code)
    (project / "connections.toml").write_text(
        f'[connections.PG]\nurl = "{postgres["url"]}"\ndriver = "org.postgresql.Driver"\nuser_env = '
        '"PGUSER_TEST"\n'
    )
    run = submit_job(
        project,
        {"$PMTargetFileDir": str(tmp_path / "tgt"), "$PMBadFileDir": str(tmp_path / "bad")},
        tmp_path / "spark-submit.log",
        env={"PGUSER_TEST": "postgres"},
        timeout=300,
    )
    errors = [line for line in run.stderr.splitlines() if "Error" in line or "Exception" in line]
    assert run.returncode == 0, "\n".join(errors[:5])
    assert '"SrcSuccessRows": 2' in run.stdout and '"TgtSuccessRows": 4' in run.stdout, run.stdout
    assert sorted(psql(postgres, 'SELECT "ID", "NAME" FROM dim_customer')) == [["1", "ANN"], ["3", "CY"]]
    assert sorted(read_csv(tmp_path / "tgt" / "out.out")) == [["1", "ANN"], ["3", "CY"]]
