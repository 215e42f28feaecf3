"""PowerCenter connections resolved from Airflow connections: the documented conn id mapping, the JDBC entry
of each Airflow connection type, the names a job asks for, the connections file written for a session; and
a session under ``dag.test()`` reading a real PostgreSQL table through an Airflow connection (slow)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))

from pg_server import JAR, postgres_server, psql  # noqa: E402, F401 - the postgres fixture

from infaflow.airflow.connections import (  # noqa: E402
    conn_id,
    connection_names,
    connections_text,
    jdbc_entry,
    password_variable,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ORA_DW", "ora_dw"),
        ("Relational:SALES DB", "relational_sales_db"),
        ("pg-src.eu", "pg-src.eu"),
    ],
)
def test_conn_id_of_a_powercenter_connection(name: str, expected: str) -> None:
    assert conn_id(name) == expected


def _conn(
    conn_type: str,
    host: str = "db",
    port: int | None = None,
    schema: str = "sales",
    login: str = "etl",
    extra: dict | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        conn_type=conn_type, host=host, port=port, schema=schema, login=login, extra_dejson=extra or {}
    )


@pytest.mark.parametrize(
    ("conn", "url", "driver"),
    [
        (_conn("postgres"), "jdbc:postgresql://db:5432/sales", "org.postgresql.Driver"),
        (_conn("postgres", port=6543), "jdbc:postgresql://db:6543/sales", "org.postgresql.Driver"),
        (_conn("mysql"), "jdbc:mysql://db:3306/sales", "com.mysql.cj.jdbc.Driver"),
        (
            _conn("oracle", schema="ORCLPDB1"),
            "jdbc:oracle:thin:@//db:1521/ORCLPDB1",
            "oracle.jdbc.OracleDriver",
        ),
        (
            _conn("mssql"),
            "jdbc:sqlserver://db:1433;databaseName=sales",
            "com.microsoft.sqlserver.jdbc.SQLServerDriver",
        ),
        (
            _conn(
                "jdbc", host="jdbc:db2://db:50000/SALES", extra={"driver_class": "com.ibm.db2.jcc.DB2Driver"}
            ),
            "jdbc:db2://db:50000/SALES",
            "com.ibm.db2.jcc.DB2Driver",
        ),
        (
            _conn("generic", extra={"url": "jdbc:h2:mem:x", "driver": "org.h2.Driver"}),
            "jdbc:h2:mem:x",
            "org.h2.Driver",
        ),
    ],
)
def test_jdbc_entry_of_an_airflow_connection(conn: SimpleNamespace, url: str, driver: str) -> None:
    entry = jdbc_entry(conn)
    assert entry is not None
    assert (entry["url"], entry["driver"], entry["user"]) == (url, driver, "etl")


def test_a_connection_type_without_jdbc_is_not_used() -> None:
    assert jdbc_entry(_conn("http")) is None


def test_the_names_a_job_asks_for() -> None:
    code = "\n".join(
        [
            'src = job.read_table("SQ_A", job.connection("ORA_SRC", "$DBConnection_src"), "A")',
            'lkp = job.connection("ORA_LKP")',
            'tgt = job.connection("$Target", "$Target")',
            'esc = job.connection("QUO\\"TED")',
        ]
    )
    params = {"$DBConnection_SRC": "PG_SRC", "$Target": "DW"}
    assert connection_names(code, params) == ["PG_SRC", "ORA_SRC", "ORA_LKP", "DW", 'QUO"TED']


def test_the_connections_file_keeps_the_projects_jars_and_other_connections() -> None:
    base = {
        "jars": ["/opt/jdbc/pg.jar"],
        "connections": {"pg_src": {"url": "jdbc:postgresql://old/x"}, "OTHER": {"url": "jdbc:mysql://o/y"}},
    }
    entries = {
        "PG_SRC": {
            "url": "jdbc:postgresql://new:5432/db",
            "driver": "org.postgresql.Driver",
            "user": "etl",
            "password_env": password_variable("PG_SRC"),
            "properties": {"sslmode": "require"},
        }
    }
    data = tomllib.loads(connections_text(base, entries))
    assert data["jars"] == ["/opt/jdbc/pg.jar"]
    assert data["connections"] == {
        "OTHER": {"url": "jdbc:mysql://o/y"},
        "PG_SRC": {
            "url": "jdbc:postgresql://new:5432/db",
            "driver": "org.postgresql.Driver",
            "user": "etl",
            "password_env": "INFAFLOW_AIRFLOW_PASSWORD_PG_SRC",
            "properties": {"sslmode": "require"},
        },
    }


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="03/01/2024 09:00:00" REPOSITORY_VERSION="186.95">
<REPOSITORY NAME="rep" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="PostgreSQL">
<FOLDER NAME="PGF" OWNER="infaflow" SHARED="NOTSHARED">
  <SOURCE DATABASETYPE="PostgreSQL" DBDNAME="PG" NAME="customers" OWNERNAME="public">
    <SOURCEFIELD DATATYPE="integer" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="id" NULLABLE="NULL" PRECISION="10" SCALE="0"/>
    <SOURCEFIELD DATATYPE="varchar" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="name" NULLABLE="NULL" PRECISION="20" SCALE="0"/>
  </SOURCE>
  <TARGET DATABASETYPE="Flat File" NAME="customers_out">
    <FLATFILE CODEPAGE="UTF-8" DELIMITED="YES" DELIMITERS="," NULL_CHARACTER="*" QUOTE_CHARACTER="NONE" SKIPROWS="0"/>
    <TARGETFIELD DATATYPE="number" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ID" NULLABLE="NULL" PRECISION="10" SCALE="0"/>
    <TARGETFIELD DATATYPE="string" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="NAME" NULLABLE="NULL" PRECISION="20" SCALE="0"/>
  </TARGET>
  <MAPPING ISVALID="YES" NAME="m_pg">
    <TRANSFORMATION NAME="SQ_customers" REUSABLE="NO" TYPE="Source Qualifier">
      <TRANSFORMFIELD DATATYPE="integer" NAME="id" PORTTYPE="INPUT/OUTPUT" PRECISION="10" SCALE="0"/>
      <TRANSFORMFIELD DATATYPE="string" NAME="name" PORTTYPE="INPUT/OUTPUT" PRECISION="20" SCALE="0"/>
      <TABLEATTRIBUTE NAME="Source Filter" VALUE="customers.id &lt;&gt; 2"/>
    </TRANSFORMATION>
    <INSTANCE NAME="customers" TRANSFORMATION_NAME="customers" TRANSFORMATION_TYPE="Source Definition" TYPE="SOURCE" DBDNAME="PG"/>
    <INSTANCE NAME="SQ_customers" REUSABLE="NO" TRANSFORMATION_NAME="SQ_customers" TRANSFORMATION_TYPE="Source Qualifier" TYPE="TRANSFORMATION">
      <ASSOCIATED_SOURCE_INSTANCE NAME="customers"/>
    </INSTANCE>
    <INSTANCE NAME="customers_out" TRANSFORMATION_NAME="customers_out" TRANSFORMATION_TYPE="Target Definition" TYPE="TARGET"/>
    <CONNECTOR FROMFIELD="id" FROMINSTANCE="customers" FROMINSTANCETYPE="Source Definition" TOFIELD="id" TOINSTANCE="SQ_customers" TOINSTANCETYPE="Source Qualifier"/>
    <CONNECTOR FROMFIELD="name" FROMINSTANCE="customers" FROMINSTANCETYPE="Source Definition" TOFIELD="name" TOINSTANCE="SQ_customers" TOINSTANCETYPE="Source Qualifier"/>
    <CONNECTOR FROMFIELD="id" FROMINSTANCE="SQ_customers" FROMINSTANCETYPE="Source Qualifier" TOFIELD="ID" TOINSTANCE="customers_out" TOINSTANCETYPE="Target Definition"/>
    <CONNECTOR FROMFIELD="name" FROMINSTANCE="SQ_customers" FROMINSTANCETYPE="Source Qualifier" TOFIELD="NAME" TOINSTANCE="customers_out" TOINSTANCETYPE="Target Definition"/>
  </MAPPING>
  <WORKFLOW ISENABLED="YES" NAME="wf_pg" SUSPEND_ON_ERROR="NO">
    <TASK NAME="Start" REUSABLE="NO" TYPE="Start"/>
    <SESSION ISVALID="YES" MAPPINGNAME="m_pg" NAME="s_pg" REUSABLE="NO">
      <SESSTRANSFORMATIONINST PIPELINE="1" SINSTANCENAME="SQ_customers" STAGE="1" TRANSFORMATIONNAME="SQ_customers" TRANSFORMATIONTYPE="Source Qualifier"/>
      <SESSIONEXTENSION NAME="Relational Reader" SINSTANCENAME="SQ_customers" SUBTYPE="Relational Reader" TRANSFORMATIONTYPE="Source Qualifier" TYPE="READER">
        <CONNECTIONREFERENCE CNXREFNAME="DB Connection" CONNECTIONNAME="" CONNECTIONNUMBER="1" CONNECTIONSUBTYPE="PostgreSQL" CONNECTIONTYPE="Relational" VARIABLE="$DBConnection_src"/>
      </SESSIONEXTENSION>
    </SESSION>
    <TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>
    <TASKINSTANCE NAME="s_pg" TASKNAME="s_pg" TASKTYPE="Session" REUSABLE="NO"/>
    <WORKFLOWLINK FROMTASK="Start" TOTASK="s_pg" CONDITION=""/>
  </WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


@pytest.mark.slow  # a PostgreSQL server and a spark-submit application
def test_a_session_reads_postgresql_through_an_airflow_connection(
    airflow_home: Path, postgres: dict[str, str], tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from infaflow.airflow.testing import test_workflow

    psql(
        postgres,
        "CREATE TABLE customers (id int, name varchar(20));"
        "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob'), (3, 'cy');",
    )
    export = tmp_path / "wf_pg.xml"
    export.write_text(EXPORT, encoding="utf-8")
    # The project's connections file gives the driver jar only; the database is Airflow's connection "pg_src"
    # (the session's $DBConnection_src names PowerCenter connection PG_SRC).
    project_connections = tmp_path / "connections.toml"
    project_connections.write_text(f'jars = ["{JAR}"]\n')
    monkeypatch.setenv("INFAFLOW_CONNECTIONS", str(project_connections))
    monkeypatch.setenv(
        "AIRFLOW_CONN_PG_SRC",
        json.dumps(
            {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": int(postgres["port"]),
                "schema": "postgres",
                "login": "postgres",
                "password": "not-needed-with-trust",
            }
        ),
    )
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[1]"}))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    monkeypatch.chdir(tmp_path)
    state = tmp_path / "state"
    run = test_workflow(
        [str(export)],
        "wf_pg",
        params={"$DBConnection_src": "PG_SRC", "$PMTargetFileDir": str(tmp_path / "out")},
        state_dir=state,
        working_dir=str(tmp_path),
    )
    assert run.status == "SUCCEEDED", run.summary
    with open(tmp_path / "out" / "customers_out.out", newline="", encoding="utf-8") as fh:
        assert sorted(csv.reader(fh)) == [["1", "ann"], ["3", "cy"]]  # the filter ran in PostgreSQL
    written = next(state.rglob("connections/s_pg.toml"))
    data = tomllib.loads(written.read_text())
    assert data["jars"] == [str(JAR)]
    assert data["connections"]["PG_SRC"] == {
        "url": f"jdbc:postgresql://127.0.0.1:{postgres['port']}/postgres",
        "driver": "org.postgresql.Driver",
        "user": "postgres",
        "password_env": "INFAFLOW_AIRFLOW_PASSWORD_PG_SRC",
    }
    assert "not-needed-with-trust" not in written.read_text()  # the password travels in the environment
