"""The JDBC path against a real PostgreSQL server started on loopback for this test.

The generated job runs as users run it on a cluster: ``spark-submit --jars postgresql.jar job.py``
with a connections file; the Source Filter and the Pre SQL go to PostgreSQL as written. Skipped when
PostgreSQL (Debian's postgresql), its JDBC driver (libpostgresql-jdbc-java) or spark-submit is absent.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv

from infaflow.model import Attributes, Transformation

pytestmark = pytest.mark.spark

JAR = Path("/usr/share/java/postgresql.jar")
# spark-submit of the pyspark installed beside this interpreter (a venv's bin is not always on PATH).
SPARK_SUBMIT = str(Path(sys.executable).parent / "spark-submit") \
    if (Path(sys.executable).parent / "spark-submit").is_file() else shutil.which("spark-submit")
PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None) \
    if Path("/usr/lib/postgresql").is_dir() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    if PG_BIN is None or not JAR.is_file() or SPARK_SUBMIT is None:
        pytest.skip("PostgreSQL, its JDBC driver or spark-submit is not installed")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres system user to run the server")
    root = Path(tempfile.mkdtemp(prefix="infaflow-pg-"))
    shutil.chown(root, "postgres")
    data, port_no = root / "data", _free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_pg, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run([*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                    f"-p {port_no} -k {root} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    info = {"port": str(port_no), "url": f"jdbc:postgresql://127.0.0.1:{port_no}/postgres"}
    try:
        yield info
    finally:
        subprocess.run([*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def psql(pg: dict[str, str], sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", pg["port"], "-U", "postgres", "-At", "-F", ",", "-c", sql],
                         check=True, capture_output=True, text=True)
    return [line.split(",") for line in out.stdout.splitlines() if line]


def test_relational_source_and_target_over_jdbc(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(postgres, 'CREATE TABLE customers (id int, name varchar(20), country varchar(2));'
                   "INSERT INTO customers VALUES (1, 'ann', 'CH'), (2, 'bob', 'DE'), (3, 'cy', 'CH');"
                   'CREATE TABLE dim_customer ("ID" int, "NAME" varchar(20));'
                   "INSERT INTO dim_customer VALUES (99, 'stale');")
    b = MappingBuilder()
    # The filter is PostgreSQL's own syntax (ILIKE): it is sent unchanged to the database.
    b.relational_source("CUSTOMERS", [("ID", "integer"), ("NAME", "string"), ("COUNTRY", "string")], dbd="PG",
                        attrs={"Source Filter": "CUSTOMERS.COUNTRY ILIKE 'ch'"}, database_type="PostgreSQL")
    b.add(Transformation("EXP", "Expression", ports=[
        port("ID", "integer"), port("NAME", "string", "INPUT"),
        port("UNAME", "string", "OUTPUT", "UPPER(NAME)")]))
    b.connect("SQ_CUSTOMERS", "EXP", ["ID", "NAME"])
    b.table_target("DIM_CUSTOMER", [("ID", "integer"), ("NAME", "string")])
    b.connect("EXP", "DIM_CUSTOMER", {"ID": "ID", "UNAME": "NAME"})
    b.mapping.instances[-1].attributes = Attributes({"Pre SQL": "DELETE FROM dim_customer WHERE \"ID\" = 99"})
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
        f'[connections.PG]\nurl = "{postgres["url"]}"\ndriver = "org.postgresql.Driver"\nuser_env = "PGUSER_TEST"\n'
    )
    env = {**os.environ, "PGUSER_TEST": "postgres", "PYSPARK_PYTHON": sys.executable,
           "PYSPARK_DRIVER_PYTHON": sys.executable, "INFAFLOW_CONNECTIONS": str(project / "connections.toml")}
    run = subprocess.run(
        [SPARK_SUBMIT, "--master", "local[1]", "--jars", str(JAR), "--conf", "spark.ui.enabled=false",
         "job.py", "--param", f"$PMTargetFileDir={tmp_path / 'tgt'}", "--param", f"$PMBadFileDir={tmp_path / 'bad'}"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    (tmp_path / "spark-submit.log").write_text(run.stderr + "\n=== stdout\n" + run.stdout)
    errors = [line for line in run.stderr.splitlines() if "Error" in line or "Exception" in line]
    assert run.returncode == 0, "\n".join(errors[:5])
    assert '"SrcSuccessRows": 2' in run.stdout and '"TgtSuccessRows": 4' in run.stdout, run.stdout
    assert sorted(psql(postgres, 'SELECT "ID", "NAME" FROM dim_customer')) == [["1", "ANN"], ["3", "CY"]]
    assert sorted(read_csv(tmp_path / "tgt" / "out.out")) == [["1", "ANN"], ["3", "CY"]]
