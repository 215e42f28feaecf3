"""Steps that no source feeds (only a Sequence Generator, or no connected input at all: constants). They
are computed for the rows of the pipeline they join downstream: a Sequence Generator numbers the rows that
reach the target, constants repeat on each. A target that receives data from no source is reported: the
Designer marks such a mapping invalid and PowerCenter does not run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.generate import NO_SOURCE
from infaflow.model import Attributes, Transformation

INT, S = "integer", "string"


def _sequence(b: MappingBuilder, current: str = "1") -> None:
    b.add(
        Transformation(
            "SEQ",
            "Sequence",
            ports=[port("NEXTVAL", "bigint", "OUTPUT"), port("CURRVAL", "bigint", "OUTPUT")],
            attributes=Attributes(
                {
                    "Start Value": "0",
                    "Increment By": "1",
                    "Current Value": current,
                    "Cycle": "NO",
                    "Reset": "NO",
                }
            ),
        )
    )


def _mapping() -> MappingBuilder:
    """SQ_S -> FIL (ID > 1) -> OUT.ID; SEQ -> EXP_KEY (NEXTVAL * 10) -> OUT.KEY; EXP_CONST ('fixed', no
    input) -> OUT.LABEL."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT)])
    b.add(
        Transformation(
            "FIL", "Filter", ports=[port("ID", INT)], attributes=Attributes({"Filter Condition": "ID > 1"})
        )
    )
    b.connect("SQ_S", "FIL", ["ID"])
    _sequence(b, "5")
    b.add(
        Transformation(
            "EXP_KEY",
            "Expression",
            ports=[port("SEQ_IN", "bigint", "INPUT"), port("KEY", "bigint", "OUTPUT", "SEQ_IN * 10")],
        )
    )
    b.connect("SEQ", "EXP_KEY", {"NEXTVAL": "SEQ_IN"})
    b.add(Transformation("EXP_CONST", "Expression", ports=[port("LABEL", S, "OUTPUT", "'fixed'")]))
    b.flat_target("OUT", [("ID", INT), ("KEY", "bigint"), ("LABEL", S)])
    b.connect("FIL", "OUT", ["ID"]).connect("EXP_KEY", "OUT", ["KEY"]).connect("EXP_CONST", "OUT", ["LABEL"])
    return b


def test_steps_without_a_source_take_the_rows_where_they_join_a_pipeline() -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    code = job.code
    # Each is built on the Filter's rows, after the Filter, and put beside them by _row_id at the target.
    assert (
        '    exp_key = fil.select("_row_id")\n    exp_key = seq.number(exp_key, nextval="SEQ_IN")\n' in code
    )
    assert '    exp_const = fil.select("_row_id")\n' in code
    assert code.index("fil = ") < code.index("exp_key = fil.select(") < code.index("out = ")


@pytest.mark.parametrize("feed", ["sequence", "constant expression"])
def test_a_target_that_no_source_feeds_is_reported(feed: str) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT)])
    b.flat_target("OUT", [("ID", INT)])
    b.connect("SQ_S", "OUT", ["ID"])
    b.flat_target("KEYS", [("KEY", "bigint")])
    if feed == "sequence":
        _sequence(b)
        b.connect("SEQ", "KEYS", {"NEXTVAL": "KEY"})
        where = "KEYS"
    else:
        b.add(Transformation("EXP_CONST", "Expression", ports=[port("KEY", "bigint", "OUTPUT", "42")]))
        b.connect("EXP_CONST", "KEYS", ["KEY"])
        where = "EXP_CONST"
    job = b.render()
    assert [(g.instance, g.message) for g in job.gaps] == [(where, NO_SOURCE)]


@pytest.mark.spark
def test_sequence_numbers_the_rows_that_reach_the_target(spark, tmp_path: Path) -> None:
    job = _mapping().render()
    write_csv(tmp_path / "src" / "s.dat", ["ID"], [[1], [2], [3], [0], [4]])
    result = run_job(job, spark, tmp_path)
    # Current Value 5: the three rows the Filter keeps get 5, 6, 7 (times 10); the constant on each.
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["2", "50", "fixed"],
        ["3", "60", "fixed"],
        ["4", "70", "fixed"],
    ]
    assert result.target_rows == {"OUT": 3}
    run_job(job, spark, tmp_path)  # the Sequence Generator goes on from its saved Current Value
    assert [r[1] for r in read_csv(tmp_path / "tgt" / "out.out")] == ["80", "90", "100"]


def test_a_source_qualifier_without_connectors_reads_its_associated_source_by_name() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("NAME", S)])
    b.mapping.connectors = [c for c in b.mapping.connectors if c.to_instance != "SQ_S"]
    b.flat_target("OUT", [("ID", INT), ("NAME", S)])
    b.connect("SQ_S", "OUT", ["ID", "NAME"])
    job = b.render()
    assert job.complete, job.gaps
    assert '    sq_s = s.select("ID", "NAME", "_row_id")\n' in job.code


@pytest.mark.spark
def test_currval_without_nextval_is_one_constant_and_the_sequence_does_not_advance(
    spark, tmp_path: Path
) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT)])
    _sequence(b, "5")
    b.flat_target("OUT", [("ID", INT), ("C", "bigint")])
    b.connect("SQ_S", "OUT", ["ID"]).connect("SEQ", "OUT", {"CURRVAL": "C"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["ID"], [[1], [2], [3]])
    run_job(job, spark, tmp_path)
    run_job(job, spark, tmp_path)
    # Current Value 5 + Increment By 1, on every row, in both sessions.
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "6"], ["2", "6"], ["3", "6"]]
