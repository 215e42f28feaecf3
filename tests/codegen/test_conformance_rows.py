"""Row-level conformance of the Aggregator, Filter, Router and Union with the Transformation Guide and the
Transformation Language Reference: NULL group-by values, aggregates over NULLs, decimals, the last row of a
group, numeric filter conditions, overlapping router groups.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Group, Transformation

pytestmark = pytest.mark.spark

INT, S, DEC = "integer", "string", "decimal"


def rows(tmp: Path, name: str) -> list[list[str]]:
    return read_csv(tmp / "tgt" / f"{name.lower()}.out")


def test_aggregator_null_groups_null_values_decimals_and_last_row(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("D", DEC), ("V", INT), ("N", S)])
    outputs = [
        ("SUM_D", DEC, "SUM(D)"),
        ("CNT_V", INT, "COUNT(V)"),
        ("CNT_ALL", INT, "COUNT(*)"),
        ("MIN_V", INT, "MIN(V)"),
        ("FIRST_N", S, "FIRST(N)"),
        ("LAST_N", S, "LAST(N)"),
        ("MAX_N", S, "MAX(N)"),
        ("SUM_BIG", DEC, "SUM(D, V > 1)"),
    ]
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                port("K", S, expression_type="GROUPBY"),
                port("D", DEC, "INPUT", precision=10, scale=2),
                port("V", INT, "INPUT"),
                port("N", S),
                *[port(n, t, "OUTPUT", e, precision=12, scale=2) for n, t, e in outputs],
            ],
        )
    )
    b.connect("SQ_S", "AGG", ["K", "D", "V", "N"])
    names = ["K", "N", *[n for n, _, _ in outputs]]
    b.flat_target("OUT", [("K", S), ("N", S), *[(n, t) for n, t, _ in outputs]])
    b.connect("AGG", "OUT", names)
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["K", "D", "V", "N"],
        [
            ["a", "0.10", 1, "p"],
            [None, "1.00", None, "q"],
            ["a", "0.20", None, None],  # the group's last row: N (not aggregated) is NULL
            [None, None, 5, "r"],
            ["b", None, None, "s"],
            ["a ", "0.70", 2, "t"],  # a trailing blank makes another group
            [None, "2.25", 3, None],
        ],
    )
    result = run_job(job, spark, tmp_path)
    got = {r[0]: r[1:] for r in rows(tmp_path, "OUT")}
    # K, N (last row), SUM_D, CNT_V, CNT_ALL, MIN_V, FIRST_N, LAST_N, MAX_N, SUM_BIG
    assert got == {
        # 0.10 + 0.20 exactly; COUNT(V) skips the NULL, COUNT(*) does not; FIRST/LAST skip NULL values.
        "a": ["", "0.3000", "1", "2", "1", "p", "p", "p", ""],
        # NULL group-by values are one group.
        "": ["", "3.2500", "2", "3", "3", "q", "r", "r", "2.2500"],
        # Only NULLs: SUM and MIN are NULL, COUNT is 0.
        "b": ["s", "", "0", "1", "", "s", "s", "s", ""],
        "a ": ["t", "0.7000", "1", "1", "2", "t", "t", "t", "0.7000"],
    }
    assert result.source_rows == {"S": 7} and result.target_rows == {"OUT": 4}


def test_filter_numeric_conditions_and_router_overlapping_groups(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("V", INT), ("D", DEC)])
    b.add(
        Transformation(
            "FIL_V",
            "Filter",
            ports=[port("ID", INT), port("V", INT), port("D", DEC)],
            attributes=Attributes({"Filter Condition": "V"}),  # non-zero is TRUE; 0 and NULL drop the row
        )
    )
    b.connect("SQ_S", "FIL_V", ["ID", "V", "D"])
    b.flat_target("T_FIL", [("ID", INT)])
    b.connect("FIL_V", "T_FIL", ["ID"])
    b.add(
        Transformation(
            "RTR",
            "Router",
            ports=[
                port("ID", INT, group="INPUT"),
                port("V", INT, group="INPUT"),
                port("ID1", INT, "OUTPUT", group="SMALL", ref_field="ID"),
                port("ID2", INT, "OUTPUT", group="ODD", ref_field="ID"),
                port("ID3", INT, "OUTPUT", group="DEFAULT1", ref_field="ID"),
            ],
            groups=[
                Group("INPUT", "INPUT"),
                Group("SMALL", "OUTPUT", expression="V < 3"),
                Group("ODD", "OUTPUT", expression="MOD(V, 2) = 1"),
                Group("DEFAULT1", "OUTPUT/DEFAULT"),
            ],
        )
    )
    b.connect("SQ_S", "RTR", ["ID", "V"])
    for target, out in (("T_SMALL", "ID1"), ("T_ODD", "ID2"), ("T_DEFAULT", "ID3")):
        b.flat_target(target, [("ID", INT)])
        b.connect("RTR", target, {out: "ID"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(
        tmp_path / "src" / "s.dat",
        ["ID", "V", "D"],
        [[1, 0, "0"], [2, 1, "1"], [3, None, None], [4, -2, "0.5"], [5, 7, "2"], [6, 4, "3"]],
    )
    result = run_job(job, spark, tmp_path)
    assert rows(tmp_path, "T_FIL") == [["2"], ["4"], ["5"], ["6"]]
    # V = 1 is small and odd: the row goes to both groups; the NULL row and V = 4 go to DEFAULT only.
    assert rows(tmp_path, "T_SMALL") == [["1"], ["2"], ["4"]]
    assert rows(tmp_path, "T_ODD") == [["2"], ["5"]]
    assert rows(tmp_path, "T_DEFAULT") == [["3"], ["6"]]
    assert result.target_rows == {"T_FIL": 4, "T_SMALL": 3, "T_ODD": 2, "T_DEFAULT": 2}


def test_sequence_cached_values_discard_the_rest_of_the_last_block(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("NAME", S)])
    b.add(
        Transformation(
            "SEQ",
            "Sequence",
            ports=[port("NEXTVAL", "bigint", "OUTPUT")],
            attributes=Attributes(
                {
                    "Start Value": "0",
                    "Increment By": "1",
                    "Current Value": "10",
                    "Number of Cached Values": "2",
                }
            ),
        )
    )
    b.flat_target("OUT", [("ID", INT), ("NAME", S)])
    b.connect("SEQ", "OUT", {"NEXTVAL": "ID"})
    b.connect("SQ_S", "OUT", ["NAME"])
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["NAME"], [["a"], ["b"], ["c"]])
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["10", "a"], ["11", "b"], ["12", "c"]]
    # Two blocks of 2 were drawn (10-11, 12-13); 13 was not used and is discarded.
    run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["14", "a"], ["15", "b"], ["16", "c"]]


@pytest.mark.parametrize("sorted_input", ["YES", "NO"])
def test_aggregator_sorted_input_keeps_the_group_order(spark, tmp_path: Path, sorted_input: str) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT)])
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                port("K", S, expression_type="GROUPBY"),
                port("V", INT, "INPUT"),
                port("TOTAL", INT, "OUTPUT", "SUM(V)"),
            ],
            attributes=Attributes({"Sorted Input": sorted_input}),
        )
    )
    b.connect("SQ_S", "AGG", ["K", "V"])
    b.flat_target("OUT", [("K", S), ("TOTAL", INT)])
    b.connect("AGG", "OUT", ["K", "TOTAL"])
    job = b.render()
    assert job.complete, job.gaps
    keys = ["m", "c", "x", "a", "k", "b"]  # sorted descending would be the same rule: the input order
    write_csv(tmp_path / "src" / "s.dat", ["K", "V"], [[k, v] for i, k in enumerate(keys) for v in (i, 10)])
    run_job(job, spark, tmp_path)
    expected = [[k, str(i + 10)] for i, k in enumerate(keys)]
    if sorted_input == "YES":
        assert rows(tmp_path, "OUT") == expected
        assert "ordered=False" not in job.code
    else:
        assert sorted(rows(tmp_path, "OUT")) == sorted(expected)
        assert "ordered=False" in job.code


@pytest.mark.parametrize("forward", ["YES", "NO"])
def test_update_strategy_rejects_on_a_flat_file_target(spark, tmp_path: Path, forward: str) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("CODE", S)])
    b.add(
        Transformation(
            "UPD",
            "Update Strategy",
            ports=[port("ID", INT), port("CODE", S)],
            attributes=Attributes(
                {
                    # No value for CODE 'X': the flag is NULL.
                    "Update Strategy Expression": "DECODE(CODE, 'I', DD_INSERT, 'R', DD_REJECT)",
                    "Forward Rejected Rows": forward,
                }
            ),
        )
    )
    b.connect("SQ_S", "UPD", ["ID", "CODE"])
    b.flat_target("OUT", [("ID", INT), ("CODE", S)])
    b.connect("UPD", "OUT", ["ID", "CODE"])
    b.with_session({"Treat source rows as": "Data Driven"})
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CODE"], [[1, "I"], [2, "R"], [3, "X"], [4, "I"]])
    result = run_job(job, spark, tmp_path)
    assert rows(tmp_path, "OUT") == [["1", "I"], ["4", "I"]]
    assert result.target_rows == {"OUT": 2}
    bad = tmp_path / "bad" / "out.bad"
    if forward == "YES":
        # Forwarded rejects reach the writer, which writes them to the reject file and counts them; a row
        # with no flag is rejected too, never lost.
        assert result.rejected_rows == {"OUT": 2}
        assert read_csv(bad) == [["3", "2", "D", "R", "D"], ["", "3", "D", "X", "D"]]
    else:
        # Forward Rejected Rows NO: the Update Strategy drops them; nothing reaches the writer.
        assert result.rejected_rows == {} and not bad.exists()
