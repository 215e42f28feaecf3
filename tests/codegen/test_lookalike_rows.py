"""The rows of look-alike mappings read leniently (docs/exports.md, "Look-alike exports"): a ``Filter``
attribute on a flat-file qualifier filters the rows read, a SQL outer join keeps the side the file says,
an OCCURSTIMES Normalizer makes one row per occurrence, and a Union's groups from INPUTGROUPNAME."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infaflow.codegen.job import JobSource
from infaflow.codegen.project import convert_export
from infaflow.export import load

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
from codegen_builders import read_csv, run_job  # noqa: E402
from test_lookalike_rules import _qualifier_export, joiner_export, normalizer_export, union_export  # noqa: E402

pytestmark = pytest.mark.spark


def _job(tmp_path: Path, text: str) -> JobSource:
    path = tmp_path / "m_lookalike.xml"
    path.write_text(text)
    [job] = [j.job for j in convert_export(load(path, lenient=True)).jobs]
    assert job.complete, [g.message for g in job.gaps]
    return job


def _source(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / name).write_text(text)


def test_the_filter_attribute_keeps_the_rows_its_condition_holds_for(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, _qualifier_export({"Filter": "LOAN_ID IS NOT NULL AND UPB &gt;= 100"}))
    # No LOAN_ID, UPB below 100, UPB NULL (unknown in SQL, NULL for the Filter): not read.
    _source(tmp_path, "loans.dat", "L1,150.00,12\n,200.00,12\nL3,50.00,12\nL4,,12\nL5,100.00,360\n")
    run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t_out.out") == [["L1", "150.00"], ["L5", "100.00"]]


@pytest.mark.parametrize(
    "join_condition, expected",
    [
        # Master (SQ_ORDERS, 'Master Source') left of '=': every order, its customer's name when there is one.
        ("M_CUST_ID = D_CUST_ID", [["O1", "Ann"], ["O2", ""], ["O3", "Bob"]]),
        # Detail (customers) left of '=': every customer, with the orders that match.
        ("D_CUST_ID = M_CUST_ID", [["", "Cy"], ["O1", "Ann"], ["O3", "Bob"]]),
    ],
)
def test_a_left_outer_join_keeps_every_row_of_the_left_side(
    spark,
    tmp_path: Path,
    join_condition: str,
    expected: list[list[str]],  # noqa: ANN001
) -> None:
    job = _job(tmp_path, joiner_export("Left Outer Join", join_condition))
    _source(tmp_path, "orders.dat", "O1,C1\nO2,C9\nO3,C2\n")
    _source(tmp_path, "customers.dat", "C1,Ann\nC2,Bob\nC3,Cy\n")
    run_job(job, spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "t_order_name.out")) == expected


def test_the_occurstimes_normalizer_makes_a_row_per_occurrence(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, normalizer_export("the occurrence number, 1 to 3"))
    _source(tmp_path, "wide.dat", "A1,1.00,2.00,3.00\nA2,,5.00,6.00\n")
    run_job(job, spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "t_bal.out")) == [
        ["A1", "1.00", "1"],
        ["A1", "2.00", "2"],
        ["A1", "3.00", "3"],
        ["A2", "", "1"],
        ["A2", "5.00", "2"],
        ["A2", "6.00", "3"],
    ]


def test_the_union_passes_every_row_with_the_value_of_its_group(spark, tmp_path: Path) -> None:  # noqa: ANN001
    job = _job(tmp_path, union_export(group_attribute=True, tag="'EAST' or 'WEST' by input group"))
    _source(tmp_path, "east.dat", "E1,1.50\nE2,2.50\n")
    _source(tmp_path, "west.dat", "W1,3.00\n")
    run_job(job, spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "t_sales.out")) == [
        ["E1", "1.50", "EAST"],
        ["E2", "2.50", "EAST"],
        ["W1", "3.00", "WEST"],
    ]
