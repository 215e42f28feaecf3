"""A Rank whose rank port is an output port with an expression (PowerCenter 10's Designer saves such a Rank
as valid): the rows are ranked by the expression computed from the input ports of every row."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Transformation

INT, S = "integer", "string"


def _rank(rank_port_type: str = "OUTPUT", expression: str = "QTY * PRICE") -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("ITEM", S), ("QTY", INT), ("PRICE", INT)])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("RANKINDEX", INT, "OUTPUT", expression="RANKINDEX", expression_type="RANKINDEX"),
                port("ITEM", S),
                port("QTY", INT),
                port("PRICE", INT),
                port("TOTAL", INT, rank_port_type, expression=expression, expression_type="RANKPORT"),
            ],
            attributes=Attributes({"Top/Bottom": "Top", "Number of Ranks": "2"}),
        )
    )
    b.connect("SQ_S", "RNK", ["ITEM", "QTY", "PRICE"])
    b.flat_target("OUT", [("ITEM", S), ("TOTAL", INT), ("RANKINDEX", INT)])
    b.connect("RNK", "OUT", ["ITEM", "TOTAL", "RANKINDEX"])
    return b


def test_an_output_rank_port_is_computed_before_ranking() -> None:
    job = _rank().render()
    assert job.complete, job.gaps
    assert 'rnk = rnk.withColumn("TOTAL", (F.col("QTY") * F.col("PRICE")).cast("int"))' in job.code
    assert 'F.rank().over(Window.orderBy(F.col("TOTAL").desc_nulls_last()))' in job.code


def test_a_rank_without_a_rank_port_is_a_gap_with_the_reason() -> None:
    b = _rank()
    rnk = b.mapping.transformation("RNK")
    assert rnk is not None
    rnk.ports[-1].expression_type = "GENERAL"
    job = b.render()
    assert [g.message for g in job.gaps] == [
        'no port of the Rank is its rank port (EXPRESSIONTYPE="RANKPORT"): the Designer does not validate a Rank '
        "without one, so it has no rows to rank by"
    ]


@pytest.mark.spark
def test_rows_ranked_by_the_output_rank_port(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _rank().render()
    write_csv(
        tmp_path / "src" / "s.dat",
        ["ITEM", "QTY", "PRICE"],
        [["a", 2, 5], ["b", 1, 30], ["c", 4, 4], ["d", None, 100], ["e", 3, 3]],
    )
    run_job(job, spark, tmp_path)
    rows = read_csv(tmp_path / "tgt" / "out.out")
    # TOTAL = QTY * PRICE: b 30, c 16, a 10, e 9, d NULL (NULL ranks last at the top).
    assert sorted(rows) == [["b", "30", "1"], ["c", "16", "2"]]
