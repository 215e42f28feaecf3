"""Pipeline Normalizer (Transformation Guide, "Normalizer Transformation"): one output row per occurrence;
GCID_<column> is the occurrence 1..n; the generated key GK_<column> is incremented once per input row (all
rows made from one input row share it), starts at the port's SEQUENCE_GENERATOR_VALUE and goes on from the
saved value in the next session."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Transformation

INT = "integer"


def _mapping(value: str = "1", attrs: dict[str, str] | None = None) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source(
        "S",
        [
            ("STORE", INT),
            ("Q1", INT),
            ("Q2", INT),
            ("Q3", INT),
            ("C1", "string"),
            ("C2", "string"),
            ("C3", "string"),
        ],
    )
    b.add(
        Transformation(
            "NRM",
            "Normalizer",
            attributes=Attributes(attrs or {}),
            ports=[
                port("STORE_in", INT, "INPUT"),
                *[port(f"AMT_in{i}", INT, "INPUT") for i in (1, 2, 3)],
                *[port(f"CODE_in{i}", "string", "INPUT") for i in (1, 2, 3)],
                port("STORE", INT, "OUTPUT"),
                port("AMT", INT, "OUTPUT"),
                port("CODE", "string", "OUTPUT"),
                port("GK_AMT", "bigint", "GENERATED KEY/OUTPUT", attrs={"SEQUENCE_GENERATOR_VALUE": value}),
                port("GCID_AMT", INT, "GENERATED COLUMN ID/OUTPUT"),
                port("GCID_CODE", INT, "GENERATED COLUMN ID/OUTPUT"),
            ],
        )
    )
    b.connect(
        "SQ_S",
        "NRM",
        {
            "STORE": "STORE_in",
            "Q1": "AMT_in1",
            "Q2": "AMT_in2",
            "Q3": "AMT_in3",
            "C1": "CODE_in1",
            "C2": "CODE_in2",
            "C3": "CODE_in3",
        },
    )
    b.flat_target(
        "OUT", [("GK", INT), ("STORE", INT), ("Q", INT), ("AMT", INT), ("CODE", "string"), ("QC", INT)]
    )
    b.connect(
        "NRM",
        "OUT",
        {"GK_AMT": "GK", "STORE": "STORE", "GCID_AMT": "Q", "AMT": "AMT", "CODE": "CODE", "GCID_CODE": "QC"},
    )
    return b


def test_generated_code_numbers_input_rows_before_the_rows_are_multiplied() -> None:
    job = _mapping("7", {"Reset": "NO", "Restart": "YES"}).render()
    assert job.complete, job.gaps
    start = job.code.index("    nrm_gk_amt = ")
    assert job.code[start:].splitlines()[:7] == [
        '    nrm_gk_amt = job.generated_key("F.m_test.NRM.GK_AMT", value=7, reset=False, restart=True)',
        '    nrm = nrm_gk_amt.number(nrm, "GK_AMT")',
        '    nrm = nrm.withColumn("_occurs", F.explode(F.array(',
        '        F.struct(F.lit(1).alias("occurrence"), F.col("AMT_in1").alias("AMT"), '
        'F.col("CODE_in1").alias("CODE")),',
        '        F.struct(F.lit(2).alias("occurrence"), F.col("AMT_in2").alias("AMT"), '
        'F.col("CODE_in2").alias("CODE")),',
        '        F.struct(F.lit(3).alias("occurrence"), F.col("AMT_in3").alias("AMT"), '
        'F.col("CODE_in3").alias("CODE")),',
        "    )))",
    ]


@pytest.mark.parametrize(
    ("ports", "message"),
    [
        (["AMT_in1", "AMT_in2", "CODE_in1"], "different numbers of occurrences"),
        (["X"], "no output port of the Normalizer has numbered inputs"),
    ],
)
def test_normalizers_that_are_reported(ports: list[str], message: str) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("X", INT)])
    b.add(
        Transformation(
            "NRM",
            "Normalizer",
            ports=[port(p, INT, "INPUT") for p in ports]
            + [port("AMT", INT, "OUTPUT"), port("CODE", INT, "OUTPUT")],
        )
    )
    b.connect("SQ_S", "NRM", {"X": ports[0]})
    b.flat_target("OUT", [("AMT", INT)])
    b.connect("NRM", "OUT", ["AMT"])
    job = b.render()
    assert [g.instance for g in job.gaps] == ["NRM"] and message in job.gaps[0].message


ROWS = [[10, 1, 2, 3, "a", "b", "c"], [20, None, 5, 6, "d", None, "f"]]


@pytest.mark.spark
def test_one_key_per_input_row_and_the_occurrence_index(spark, tmp_path: Path) -> None:
    job = _mapping("5").render()
    write_csv(tmp_path / "src" / "s.dat", ["STORE", "Q1", "Q2", "Q3", "C1", "C2", "C3"], ROWS)
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["5", "10", "1", "1", "a", "1"],
        ["5", "10", "2", "2", "b", "2"],
        ["5", "10", "3", "3", "c", "3"],
        ["6", "20", "1", "", "d", "1"],
        ["6", "20", "2", "5", "", "2"],
        ["6", "20", "3", "6", "f", "3"],
    ]
    run_job(job, spark, tmp_path)  # the next session goes on from the saved value
    assert [r[0] for r in read_csv(tmp_path / "tgt" / "out.out")] == ["7"] * 3 + ["8"] * 3
