"""Transformation Scope (Transformation Guide, "Transformation Scope", "Transaction Control
Transformation", Aggregator, Joiner, Rank and Sorter properties; Advanced Workflow Guide, "Understanding
Commit Points", "Transaction Control Unit"):

- All Input (the default of the Aggregator, Joiner, Rank and Sorter) drops the incoming transaction
  boundaries: the transformation computes over all its input and a Transaction Control upstream is
  ineffective after it;
- Transaction computes over the rows of each transaction apart (the transaction is part of the grouping,
  the sort, the ranking partition, the join), outputs them in transaction order and keeps the boundaries:
  the Transaction Control upstream stays effective after it, its rollbacks still apply at the targets;
- a Joiner of scope Transaction needs sorted input and master and detail from the same Transaction Control
  (else the session fails); a Joiner of scope Row (Normal or Master Outer, unsorted input) joins each
  detail row with all the master rows and keeps the detail pipeline's transactions; the Aggregator, Rank
  and Sorter have no Row scope;
- without a Transaction Control the transactions are the commit interval's, placed by buffer blocks: one
  transaction while the sources fit in the interval, else the job stops.

Every expected file below is worked out by hand from those rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.support import NotConverted
from infaflow.model import Attributes, Transformation

INT, S = "integer", "string"
TXN = {"Transformation Scope": "Transaction"}
# a row's action, spelled by the column ACT: commit after (CA), roll back after (RA), continue ("")
CONDITION = "DECODE(ACT, 'CA', TC_COMMIT_AFTER, 'RA', TC_ROLLBACK_AFTER, TC_CONTINUE_TRANSACTION)"
# transactions: T0 = rows 1-3 (committed after 3), T1 = rows 4-5 (rolled back after 5),
# T2 = rows 6-8 (committed after 8), T3 = rows 9-10 (open at the end: committed)
ROWS = [
    [1, "A", 10, ""],
    [2, "B", 20, ""],
    [3, "A", 30, "CA"],
    [4, "A", 40, ""],
    [5, "B", 50, "RA"],
    [6, "B", 60, ""],
    [7, "A", 70, ""],
    [8, "B", 80, "CA"],
    [9, "A", 90, ""],
    [10, "A", 100, ""],
]
COLUMNS = [("ID", INT), ("GRP", S), ("AMT", INT), ("ACT", S)]


def _tc(condition: str = CONDITION) -> Transformation:
    return Transformation(
        "TC_ACT",
        "Transaction Control",
        ports=[port(n, t) for n, t in COLUMNS],
        attributes=Attributes({"Transaction Control Condition": condition}),
    )


def _source(b: MappingBuilder, tc: bool = True) -> str:
    """EMP -> SQ_EMP (-> TC_ACT); the name of the step the rows leave from."""
    b.flat_source("EMP", COLUMNS)
    if not tc:
        return "SQ_EMP"
    b.add(_tc())
    b.connect("SQ_EMP", "TC_ACT", [n for n, _ in COLUMNS])
    return "TC_ACT"


def _aggregator(scope: dict[str, str]) -> Transformation:
    return Transformation(
        "AGG_GRP",
        "Aggregator",
        ports=[
            port("GRP", S, expression_type="GROUPBY"),
            port("AMT", INT, "INPUT"),
            port("TOTAL", INT, "OUTPUT", "SUM(AMT)"),
            port("N", INT, "OUTPUT", "COUNT(AMT)"),
        ],
        attributes=Attributes({**scope, "Sorted Input": "NO"}),
    )


def _aggregate_mapping(scope: dict[str, str], tc: bool = True) -> MappingBuilder:
    b = MappingBuilder()
    start = _source(b, tc)
    b.add(_aggregator(scope))
    b.connect(start, "AGG_GRP", ["GRP", "AMT"])
    b.flat_target("OUT_AGG", [("GRP", S), ("TOTAL", INT), ("N", INT)])
    b.connect("AGG_GRP", "OUT_AGG", ["GRP", "TOTAL", "N"])
    b.with_session({})
    return b


def _run(b: MappingBuilder, spark, tmp_path: Path, rows: list[list[object]] = ROWS):
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "emp.dat", [n for n, _ in COLUMNS], rows)
    return job, run_job(job, spark, tmp_path)


@pytest.mark.spark
def test_aggregator_of_transaction_scope_groups_per_transaction_and_keeps_the_rollbacks(
    spark, tmp_path: Path
) -> None:
    """Per transaction and group: T0 A=40 (2 rows), B=20; T1 rolled back (A=40, B=50 not loaded); T2
    B=140 (2), A=70; T3 A=190 (2). Groups of one transaction in no defined order: compared as sets per
    transaction, the transactions in order."""
    _job, result = _run(_aggregate_mapping(TXN), spark, tmp_path / "txn")
    got = read_csv(tmp_path / "txn" / "tgt" / "out_agg.out")
    assert sorted(got[:2]) == [["A", "40", "2"], ["B", "20", "1"]]
    assert sorted(got[2:4]) == [["A", "70", "1"], ["B", "140", "2"]]
    assert got[4:] == [["A", "190", "2"]]
    assert result.target_rows == {"OUT_AGG": 5}
    # All Input: all rows, the Transaction Control ineffective (nothing rolled back): A=340, B=210
    _job, result = _run(_aggregate_mapping({"Transformation Scope": "All Input"}), spark, tmp_path / "all")
    assert sorted(read_csv(tmp_path / "all" / "tgt" / "out_agg.out")) == [["A", "340", "6"], ["B", "210", "4"]]
