"""Row-level conformance of the transformations that compare values (Sorter, Rank, Joiner, Lookup) with the
Transformation Guide's rules: distinct rows, case sensitivity settings, NULL ordering, NULL keys, ties.

Each test converts a small mapping built from the rules and runs it on rows written to hit the edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, FlatFile, Transformation

INT, S = "integer", "string"


def rows(tmp: Path, name: str) -> list[list[str]]:
    return read_csv(tmp / "tgt" / f"{name.lower()}.out")


def _sorter(attrs: dict[str, str]) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT), ("W", S)])
    b.add(
        Transformation(
            "SRT",
            "Sorter",
            ports=[
                port("K", S, is_sort_key=True, sort_direction="ASCENDING"),
                port("V", INT),
                port("W", S),
            ],
            attributes=Attributes(attrs),
        )
    )
    b.connect("SQ_S", "SRT", ["K", "V", "W"])
    b.flat_target("OUT", [("K", S), ("V", INT), ("W", S)])
    b.connect("SRT", "OUT", ["K", "V", "W"])
    return b


def test_sorter_distinct_makes_every_port_a_sort_key() -> None:
    code = _sorter({"Distinct": "YES", "Null Treated Low": "YES"}).render().code
    assert (
        'srt.orderBy(F.col("K").asc_nulls_first(), F.col("V").asc_nulls_first(), '
        'F.col("W").asc_nulls_first(), "_row_id")' in code
    )
    # Without Distinct only the marked keys sort; ties keep their input order.
    assert 'srt.orderBy(F.col("K").asc_nulls_last(), "_row_id")' in _sorter({}).render().code


@pytest.mark.spark
def test_sorter_distinct_rows_and_case_insensitive_keys(spark, tmp_path: Path) -> None:
    job = _sorter({"Distinct": "YES", "Case Sensitive": "NO"}).render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["K", "V", "W"],
        [
            ["b", 3, "z"],
            ["B", 1, "y"],
            [None, 1, "n"],
            ["a", 9, None],
            ["b", 3, "z"],  # a duplicate of the first row: dropped
            ["a", 9, "q"],
            ["b", 2, "x"],
            ["a", 9, None],  # a duplicate with a NULL: NULL equals NULL for Distinct
        ],
    )
    result = run_job(job, spark, tmp_path)
    # Case Sensitive NO: 'B' and 'b' sort together; the other ports then order the tied rows (ascending,
    # NULL highest: Null Treated Low is NO); the NULL key is the highest key.
    assert rows(tmp_path, "OUT") == [
        ["a", "9", "q"],
        ["a", "9", ""],
        ["B", "1", "y"],
        ["b", "2", "x"],
        ["b", "3", "z"],
        ["", "1", "n"],
    ]
    assert result.source_rows == {"S": 8} and result.target_rows == {"OUT": 6}


@pytest.mark.spark
def test_rank_case_insensitive_strings_tie_and_null_groups(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("G", S), ("ID", INT), ("NAME", S)])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("G", S, expression_type="GROUPBY"),
                port("ID", INT),
                port("NAME", S, expression_type="RANKPORT"),
                port("RANKINDEX", INT, "OUTPUT", expression_type="RANKINDEX"),
            ],
            attributes=Attributes(
                {"Top/Bottom": "Bottom", "Number of Ranks": "2", "Case Sensitive String Comparison": "NO"}
            ),
        )
    )
    b.connect("SQ_S", "RNK", ["G", "ID", "NAME"])
    b.flat_target("OUT", [("G", S), ("ID", INT), ("RANKINDEX", INT)])
    b.connect("RNK", "OUT", ["G", "ID", "RANKINDEX"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["G", "ID", "NAME"],
        [
            ["x", 1, "beta"],
            ["x", 2, "Alpha"],
            ["x", 3, "alpha"],  # ties with 'Alpha' when case is ignored
            ["x", 4, "Beta"],
            [None, 5, "b"],  # NULL group-by values form one group
            [None, 6, "a"],
            [None, 7, "c"],
            ["y", 8, "z"],
        ],
    )
    result = run_job(job, spark, tmp_path)
    # Bottom 2: 'Alpha' and 'alpha' share index 1; index 2 is skipped, so 'beta' (3) is out.
    assert sorted(rows(tmp_path, "OUT")) == sorted(
        [["x", "2", "1"], ["x", "3", "1"], ["", "6", "1"], ["", "5", "2"], ["y", "8", "1"]]
    )
    assert result.target_rows == {"OUT": 5}


def _joiner(attrs: dict[str, str]) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("D", [("CODE", S), ("REGION", INT), ("QTY", INT)])  # detail
    b.flat_source("M", [("CODE", S), ("REGION", INT), ("NAME", S)])  # master
    b.add(
        Transformation(
            "JNR",
            "Joiner",
            ports=[
                port("CODE", S),
                port("REGION", INT),
                port("QTY", INT),
                port("M_CODE", S, "INPUT/OUTPUT/MASTER"),
                port("M_REGION", INT, "INPUT/OUTPUT/MASTER"),
                port("NAME", S, "INPUT/OUTPUT/MASTER"),
            ],
            attributes=Attributes(
                {"Join Condition": "M_CODE = CODE AND M_REGION = REGION", "Join Type": "Normal Join", **attrs}
            ),
        )
    )
    b.connect("SQ_D", "JNR", ["CODE", "REGION", "QTY"])
    b.connect("SQ_M", "JNR", {"CODE": "M_CODE", "REGION": "M_REGION", "NAME": "NAME"})
    b.flat_target("OUT", [("CODE", S), ("QTY", INT), ("NAME", S)])
    b.connect("JNR", "OUT", ["CODE", "QTY", "NAME"])
    return b


@pytest.mark.spark
@pytest.mark.parametrize(
    ("case_sensitive", "expected"),
    [
        ("YES", [["ab", "1", "exact"], ["ab ", "5", "blank"]]),
        ("NO", [["ab", "1", "exact"], ["AB", "2", "exact"], ["ab ", "5", "blank"]]),
    ],
)
def test_joiner_string_keys_case_sensitivity_nulls_and_blanks(
    spark, tmp_path: Path, case_sensitive: str, expected: list[list[str]]
) -> None:
    job = _joiner({"Case Sensitive String Comparison": case_sensitive}).render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "d.dat",
        ["CODE", "REGION", "QTY"],
        [["ab", 1, 1], ["AB", 1, 2], [None, 1, 3], ["ab", None, 4], ["ab ", 1, 5]],
    )
    write_csv(
        tmp_path / "src" / "m.dat",
        ["CODE", "REGION", "NAME"],
        [["ab", 1, "exact"], [None, 1, "nullcode"], ["ab", None, "nullregion"], ["ab ", 1, "blank"]],
    )
    run_job(job, spark, tmp_path)
    # NULL keys never match (not even NULL to NULL); a trailing blank is part of the string.
    assert sorted(rows(tmp_path, "OUT")) == sorted(expected)


def _flat_lookup(attrs: dict[str, str]) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("ORD", [("OID", INT), ("CODE", S)])
    b.add(
        Transformation(
            "LKP",
            "Lookup Procedure",
            ports=[
                port("IN_CODE", S, "INPUT"),
                port("CODE", S, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/OUTPUT"),
            ],
            attributes=Attributes(
                {
                    "Source Type": "Flat File",
                    "Lookup source filename": "codes.csv",
                    "Lookup condition": "CODE = IN_CODE",
                    **attrs,
                }
            ),
            flatfile=FlatFile({"DELIMITED": "YES", "DELIMITERS": ",", "SKIPROWS": "1"}),
        )
    )
    b.connect("SQ_ORD", "LKP", {"CODE": "IN_CODE"})
    b.flat_target("OUT", [("OID", INT), ("NAME", S)])
    b.connect("SQ_ORD", "OUT", ["OID"])
    b.connect("LKP", "OUT", ["NAME"])
    return b


@pytest.mark.spark
@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        # Case sensitive; cache order ascending with NULL the highest value: 'al' before NULL.
        (
            {"Lookup policy on multiple match": "Use First Value"},
            [["1", "al"], ["2", ""], ["3", "nul"], ["4", ""]],
        ),
        # Use Last Value: the last row of the same order, the NULL name.
        (
            {"Lookup policy on multiple match": "Use Last Value"},
            [["1", ""], ["2", ""], ["3", "nul"], ["4", ""]],
        ),
        # Null Is Lowest Value: NULL comes first.
        (
            {"Lookup policy on multiple match": "Use First Value", "Null ordering": "Null Is Lowest Value"},
            [["1", ""], ["2", ""], ["3", "nul"], ["4", ""]],
        ),
        # Case Sensitive String Comparison NO: the input 'X1' matches the cached 'x1' rows.
        (
            {"Lookup policy on multiple match": "Use First Value", "Case Sensitive String Comparison": "NO"},
            [["1", "al"], ["2", "al"], ["3", "nul"], ["4", ""]],
        ),
    ],
)
def test_flat_file_lookup_case_sensitivity_and_null_ordering(
    spark, tmp_path: Path, attrs: dict[str, str], expected: list[list[str]]
) -> None:
    job = _flat_lookup(attrs).render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "ord.dat", ["OID", "CODE"], [[1, "x1"], [2, "X1"], [3, None], [4, "zz"]])
    write_csv(
        tmp_path / "src" / "codes.csv",
        ["CODE", "NAME"],
        [["x1", None], ["x1", "al"], [None, "nul"]],
    )
    run_job(job, spark, tmp_path)
    # A NULL input matches a NULL lookup value (Lookup condition: the Integration Service matches nulls).
    assert rows(tmp_path, "OUT") == expected


@pytest.mark.spark
@pytest.mark.parametrize(
    ("join_type", "expected"),
    [
        # Every master row: the detail rows stream in their order, matched as they come; the master rows
        # nothing matched are known only when the detail input ends, so they follow, in master order.
        ("Detail Outer Join", [["ab", "1", "exact"], ["ab", "4", "exact"], ["", "", "zz"], ["", "", "nul"]]),
        (
            "Full Outer Join",
            [["ab", "1", "exact"], ["cd", "2", ""], ["ab", "4", "exact"], ["", "", "zz"], ["", "", "nul"]],
        ),
    ],
)
def test_joiner_outer_rows_of_the_master_come_after_the_detail_rows(
    spark, tmp_path: Path, join_type: str, expected: list[list[str]]
) -> None:
    b = _joiner({"Join Type": join_type})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "d.dat", ["CODE", "REGION", "QTY"], [["ab", 1, 1], ["cd", 1, 2], ["ab", 1, 4]]
    )
    write_csv(
        tmp_path / "src" / "m.dat",
        ["CODE", "REGION", "NAME"],
        [["zz", 1, "zz"], ["ab", 1, "exact"], [None, 1, "nul"]],
    )
    result = run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == expected
    assert result.target_rows == {"OUT": len(expected)}
