"""Default values of ports (Transformation Guide, "User-Defined Default Values"): a NULL arriving at an input
or input/output port becomes its default value in every transformation that carries one; an unconnected
lookup ignores user-defined default values and returns NULL when nothing matches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, FlatFile, Group, Transformation

INT, S = "integer", "string"


def rows(tmp: Path, name: str) -> list[list[str]]:
    return read_csv(tmp / "tgt" / f"{name.lower()}.out")


def _codes_lookup(name: str, ports: list) -> Transformation:
    return Transformation(
        name,
        "Lookup Procedure",
        ports=ports,
        attributes=Attributes(
            {
                "Source Type": "Flat File",
                "Lookup source filename": "codes.csv",
                "Lookup condition": "CODE = IN_K",
                "Lookup policy on multiple match": "Use First Value",
            }
        ),
        flatfile=FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "SKIPROWS": "1"}),
    )


@pytest.mark.spark
def test_input_defaults_replace_nulls_and_unconnected_lookups_ignore_defaults(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("K", S), ("V", INT)])
    # Filter: V's default 5 replaces NULL before the condition.
    b.add(
        Transformation(
            "FIL",
            "Filter",
            ports=[port("ID", INT), port("V", INT, default_value="5")],
            attributes=Attributes({"Filter Condition": "V > 3"}),
        )
    )
    b.connect("SQ_S", "FIL", ["ID", "V"])
    b.flat_target("T_FIL", [("ID", INT), ("V", INT)])
    b.connect("FIL", "T_FIL", ["ID", "V"])
    # Aggregator: a group-by port with a default value groups the NULL keys under it.
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                port("K", S, expression_type="GROUPBY", default_value="'none'"),
                port("V", INT, "INPUT"),
                port("TOTAL", INT, "OUTPUT", "SUM(V)"),
            ],
        )
    )
    b.connect("SQ_S", "AGG", ["K", "V"])
    b.flat_target("T_AGG", [("K", S), ("TOTAL", INT)])
    b.connect("AGG", "T_AGG", ["K", "TOTAL"])
    # Connected lookup: the input port's default is looked up for a NULL key.
    b.add(
        _codes_lookup(
            "LKP_C",
            [
                port("IN_K", S, "INPUT", default_value="'a'"),
                port("CODE", S, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/OUTPUT", default_value="'?'"),
            ],
        )
    )
    b.connect("SQ_S", "LKP_C", {"K": "IN_K"})
    b.flat_target("T_LKP", [("ID", INT), ("NAME", S)])
    b.connect("SQ_S", "T_LKP", ["ID"])
    b.connect("LKP_C", "T_LKP", ["NAME"])
    # Unconnected lookup: its return port's default is ignored, no match is NULL.
    b.add(
        _codes_lookup(
            "LKP_U",
            [
                port("IN_K", S, "INPUT"),
                port("CODE", S, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/RETURN/OUTPUT", default_value="'?'"),
            ],
        )
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[port("ID", INT), port("K", S, "INPUT"), port("NM", S, "OUTPUT", ":LKP.LKP_U(K)")],
        )
    )
    b.connect("SQ_S", "EXP", ["ID", "K"])
    b.flat_target("T_EXP", [("ID", INT), ("NM", S)])
    b.connect("EXP", "T_EXP", ["ID", "NM"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["ID", "K", "V"],
        [[1, "a", 1], [2, None, None], [3, "b", 7], [4, None, 2], [5, "zz", 4]],
    )
    write_csv(tmp_path / "src" / "codes.csv", ["CODE", "NAME"], [["a", "alpha"], ["b", "beta"]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "T_FIL") == [["2", "5"], ["3", "7"], ["5", "4"]]
    assert sorted(rows(tmp_path, "T_AGG")) == [["a", "1"], ["b", "7"], ["none", "2"], ["zz", "4"]]
    # NULL keys become 'a' and find alpha; 'zz' finds nothing: the output port's default.
    assert rows(tmp_path, "T_LKP") == [
        ["1", "alpha"],
        ["2", "alpha"],
        ["3", "beta"],
        ["4", "alpha"],
        ["5", "?"],
    ]
    assert rows(tmp_path, "T_EXP") == [["1", "alpha"], ["2", ""], ["3", "beta"], ["4", ""], ["5", ""]]


def _one_step(kind: str, ports: list, attrs: dict[str, str] | None = None, groups: list | None = None) -> str:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("V", INT)])
    b.add(Transformation("STEP", kind, ports=ports, attributes=Attributes(attrs or {}), groups=groups or []))
    b.connect("SQ_S", "STEP", ["ID", "V"])
    b.flat_target("OUT", [("ID", INT), ("V", INT)])
    out = {"ID1": "ID", "V1": "V"} if kind == "Router" else ["ID", "V"]
    b.connect("STEP", "OUT", out)
    job = b.render()
    assert job.complete, job.gaps
    return job.code


@pytest.mark.parametrize(
    ("kind", "ports", "attrs", "groups"),
    [
        ("Sorter", [port("ID", INT, is_sort_key=True), port("V", INT, default_value="7")], {}, []),
        (
            "Rank",
            [port("ID", INT, expression_type="RANKPORT"), port("V", INT, default_value="7")],
            {"Number of Ranks": "3"},
            [],
        ),
        ("Update Strategy", [port("ID", INT), port("V", INT, default_value="7")], {}, []),
        (
            "Router",
            [
                port("ID", INT, group="INPUT"),
                port("V", INT, group="INPUT", default_value="7"),
                port("ID1", INT, "OUTPUT", group="G", ref_field="ID"),
                port("V1", INT, "OUTPUT", group="G", ref_field="V"),
            ],
            {},
            [Group("INPUT", "INPUT"), Group("G", "OUTPUT", expression="TRUE")],
        ),
    ],
)
def test_each_transformation_applies_input_defaults(
    kind: str, ports: list, attrs: dict[str, str], groups: list
) -> None:
    code = _one_step(kind, ports, attrs, groups)
    assert 'step = step.withColumn("V", F.coalesce(F.col("V"), F.lit(7).cast("int")))' in code


def test_a_pipeline_normalizer_applies_input_defaults() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("Q1", INT), ("Q2", INT)])
    b.add(
        Transformation(
            "NRM",
            "Normalizer",
            ports=[
                port("ID_in", INT, "INPUT"),
                port("Q_in1", INT, "INPUT", default_value="0"),
                port("Q_in2", INT, "INPUT"),
                port("ID", INT, "OUTPUT"),
                port("Q", INT, "OUTPUT"),
            ],
        )
    )
    b.connect("SQ_S", "NRM", {"ID": "ID_in", "Q1": "Q_in1", "Q2": "Q_in2"})
    b.flat_target("OUT", [("ID", INT), ("Q", INT)])
    b.connect("NRM", "OUT", ["ID", "Q"])
    job = b.render()
    assert job.complete, job.gaps
    assert 'nrm = nrm.withColumn("Q_in1", F.coalesce(F.col("Q_in1"), F.lit(0).cast("int")))' in job.code
    assert 'F.coalesce(F.col("Q_in2")' not in job.code
