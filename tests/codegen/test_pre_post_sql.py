"""Pre SQL and Post SQL run on a JDBC database through Spark's public JDBC source (the same code under
Spark Connect): Derby, which pyspark ships, in memory in the Spark JVM."""

from __future__ import annotations

import uuid

import pytest

from infaflow.codegen.support import Connection, Job, NotConverted

pytestmark = [pytest.mark.spark]


def _derby() -> Connection:
    return Connection(
        "DW",
        url=f"jdbc:derby:memory:pre_post_{uuid.uuid4().hex[:8]};create=true",
        driver="org.apache.derby.jdbc.EmbeddedDriver",
    )


def _rows(spark, connection: Connection, table: str) -> list[tuple]:  # noqa: ANN001
    df = spark.read.format("jdbc").options(**connection.jdbc_options(), dbtable=table).load()
    return sorted(tuple(r) for r in df.collect())


def test_pre_sql_runs_each_statement_once_in_order(spark) -> None:  # noqa: ANN001
    db = _derby()
    job = Job(spark, "s_pre", {"$$LABEL": "daily"})
    job.run_sql(
        "T_LOG",
        db,
        "CREATE TABLE LOG_T (N INT, MSG VARCHAR(20)); "
        "INSERT INTO LOG_T VALUES (1, 'a\\;b'); INSERT INTO LOG_T VALUES (2, '$$LABEL');"
        "/* one more; */ INSERT INTO LOG_T VALUES (3, 'c')",
    )
    assert _rows(spark, db, "LOG_T") == [(1, "a;b"), (2, "daily"), (3, "c")]


def test_post_sql_waits_for_finish(spark) -> None:  # noqa: ANN001
    db = _derby()
    job = Job(spark, "s_post", {})
    job.run_sql("T_LOG", db, "CREATE TABLE DONE_T (N INT)")
    job.run_sql("T_LOG", db, "INSERT INTO DONE_T VALUES (7)", stage="Post SQL")
    assert _rows(spark, db, "DONE_T") == []
    job.finish()
    assert _rows(spark, db, "DONE_T") == [(7,)]


def test_a_failing_statement_fails_the_session(spark) -> None:  # noqa: ANN001
    job = Job(spark, "s_bad", {})
    with pytest.raises(Exception, match="NO_SUCH_TABLE|does not exist"):
        job.run_sql("T", _derby(), "DELETE FROM NO_SUCH_TABLE")


def test_pre_sql_on_the_embedded_store_is_a_gap(spark) -> None:  # noqa: ANN001
    with pytest.raises(
        NotConverted, match="T: Pre SQL runs on the database, and connection LOCAL is the embedded"
    ):
        Job(spark, "s", {}).run_sql("T", Connection("LOCAL"), "DELETE FROM x")
