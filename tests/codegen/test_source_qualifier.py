"""Source Qualifier SQL: PowerCenter's generated SELECT, overrides, dialect transpiling, the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.sql import embedded_version, to_spark
from infaflow.codegen.store import load_csv
from infaflow.model import Attributes, Transformation


def test_oracle_sql_becomes_spark_sql_with_table_placeholders() -> None:
    sql, tables = to_spark(
        "SELECT NVL(c.name, 'x'), SYSDATE FROM scott.customers c WHERE c.id > $$MIN_ID", "oracle"
    )
    assert (
        sql == "SELECT COALESCE(c.name, 'x'), CURRENT_TIMESTAMP() FROM {customers} AS c WHERE c.id > $$MIN_ID"
    )
    assert tables == ["customers"]


def test_sql_without_an_exact_spark_form_is_kept_for_jdbc() -> None:
    spark_sql, tables, why = embedded_version("SELECT a.x FROM a, b WHERE a.id = b.id(+)", "oracle")
    assert spark_sql is None and tables == [] and "(+)" in why


def _two_sources(attrs: dict[str, str]) -> MappingBuilder:
    b = MappingBuilder()
    b.relational_source("ORDERS", [("OID", "integer"), ("CID", "integer"), ("AMT", "integer")], dbd="SHOP")
    b.relational_source("CUSTOMERS", [("CID", "integer"), ("NAME", "string")], dbd="SHOP")
    # One qualifier for both sources (PowerCenter's homogeneous join), replacing the builder's two.
    b.mapping.instances = [i for i in b.mapping.instances if not i.name.startswith("SQ_")]
    b.mapping.transformations.clear()
    b.mapping.connectors.clear()
    sq = Transformation(
        "SQ_ORDERS",
        "Source Qualifier",
        ports=[port("OID", "integer"), port("AMT", "integer"), port("NAME", "string")],
        attributes=Attributes(attrs),
    )
    b.add(sq, associated=["ORDERS", "CUSTOMERS"])
    b.connect("ORDERS", "SQ_ORDERS", ["OID", "AMT"])
    b.connect("CUSTOMERS", "SQ_ORDERS", ["NAME"])
    b.flat_target("OUT", [("OID", "integer"), ("AMT", "integer"), ("NAME", "string")])
    b.connect("SQ_ORDERS", "OUT", ["OID", "AMT", "NAME"])
    return b


@pytest.mark.spark
def test_generated_select_with_join_filter_sorted_ports_and_distinct(spark, tmp_path: Path) -> None:
    for name, header, rows in (
        ("ORDERS", ["OID", "CID", "AMT"], [[1, 10, 5], [2, 20, 50], [3, 10, 70], [3, 10, 70]]),
        ("CUSTOMERS", ["CID", "NAME"], [[10, "ann"], [20, "bob"]]),
    ):
        write_csv(tmp_path / f"{name}.csv", header, rows)
        load_csv(spark, tmp_path / "store", "SHOP", name, tmp_path / f"{name}.csv")
    job = _two_sources(
        {
            "User Defined Join": "ORDERS.CID = CUSTOMERS.CID",
            "Source Filter": "NVL(ORDERS.AMT, 0) > 10",
            "Number Of Sorted Ports": "2",
            "Select Distinct": "YES",
        }
    ).render()
    assert job.complete, job.gaps
    # the query as adjacent literals, cut before its clauses
    assert (
        """        source_sql=(
            "SELECT DISTINCT ORDERS.OID, ORDERS.AMT, CUSTOMERS.NAME FROM ORDERS, CUSTOMERS"
            " WHERE (ORDERS.CID = CUSTOMERS.CID) AND (NVL(ORDERS.AMT, 0) > 10)"
            " ORDER BY ORDERS.OID, ORDERS.AMT"
        ),
"""
        in job.code
    )
    result = run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [["2", "50", "bob"], ["3", "70", "ann"]]
    assert result.source_rows == {"ORDERS": 2}


@pytest.mark.spark
def test_sql_query_override_wins(spark, tmp_path: Path) -> None:
    write_csv(tmp_path / "ORDERS.csv", ["OID", "CID", "AMT"], [[1, 10, 5], [2, 20, 50]])
    load_csv(spark, tmp_path / "store", "SHOP", "ORDERS", tmp_path / "ORDERS.csv")
    write_csv(tmp_path / "CUSTOMERS.csv", ["CID", "NAME"], [[10, "ann"]])
    load_csv(spark, tmp_path / "store", "SHOP", "CUSTOMERS", tmp_path / "CUSTOMERS.csv")
    job = _two_sources(
        {
            "Sql Query": "SELECT o.OID, o.AMT * 2, DECODE(o.CID, 10, 'ten', 'other') FROM ORDERS o",
            "Source Filter": "1 = 0",
        }
    ).render()
    assert job.complete, job.gaps
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "10", "ten"], ["2", "100", "other"]]
