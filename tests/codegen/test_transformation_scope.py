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
    assert sorted(read_csv(tmp_path / "all" / "tgt" / "out_agg.out")) == [
        ["A", "340", "6"],
        ["B", "210", "4"],
    ]


def _sorter(scope: dict[str, str]) -> Transformation:
    return Transformation(
        "SRT_AMT",
        "Sorter",
        ports=[
            port("ID", INT),
            port("GRP", S),
            port("AMT", INT, is_sort_key=True, sort_direction="DESCENDING"),
        ],
        attributes=Attributes(scope),
    )


def _rank(scope: dict[str, str]) -> Transformation:
    return Transformation(
        "RNK_AMT",
        "Rank",
        ports=[
            port("ID", INT),
            port("GRP", S, expression_type="GROUPBY"),
            port("AMT", INT, expression_type="RANKPORT"),
            port("RANKINDEX", INT, "OUTPUT"),
        ],
        attributes=Attributes({**scope, "Top/Bottom": "Top", "Number of Ranks": "1"}),
    )


def _through(step: Transformation, tc: bool = True) -> MappingBuilder:
    """EMP -> TC_ACT -> ``step`` (ID, GRP, AMT) -> OUT (ID, GRP, AMT)."""
    b = MappingBuilder()
    start = _source(b, tc)
    b.add(step)
    b.connect(start, step.name, ["ID", "GRP", "AMT"])
    b.flat_target("OUT", [("ID", INT), ("GRP", S), ("AMT", INT)])
    b.connect(step.name, "OUT", ["ID", "GRP", "AMT"])
    b.with_session({})
    return b


def _ids(path: Path) -> list[int]:
    return [int(r[0]) for r in read_csv(path)]


@pytest.mark.spark
def test_sorter_and_rank_of_transaction_scope_work_per_transaction(spark, tmp_path: Path) -> None:
    """Sorter, AMT descending: each transaction sorted apart, in transaction order, T1 rolled back:
    3 2 1 | 8 7 6 | 10 9 (All Input: every row, 10 down to 1). Rank, top 1 by AMT per GRP: T0 A=3, B=2;
    T2 A=7, B=8; T3 A=10, in row order (All Input: A=10, B=8 over all rows)."""
    cases = [
        (_sorter(TXN), [3, 2, 1, 8, 7, 6, 10, 9]),
        (_sorter({"Transformation Scope": "All Input"}), list(range(10, 0, -1))),
        (_rank(TXN), [2, 3, 7, 8, 10]),
        (_rank({}), [8, 10]),
    ]
    for i, (step, expected) in enumerate(cases):
        job, result = _run(_through(step), spark, tmp_path / str(i))
        assert ("job.with_transactions(" in job.code) == (expected in (cases[0][1], cases[2][1]))
        assert _ids(tmp_path / str(i) / "tgt" / "out.out") == expected, step.name
        assert result.target_rows == {"OUT": len(expected)}


def _joiner(scope: dict[str, str], join_type: str = "Normal Join") -> Transformation:
    return Transformation(
        "JNR_GRP",
        "Joiner",
        ports=[
            port("M_GRP", S, port_type="INPUT/OUTPUT/MASTER"),
            port("M_VALUE", INT, port_type="INPUT/OUTPUT/MASTER"),
            port("ID", INT),
            port("GRP", S),
        ],
        attributes=Attributes({**scope, "Join Type": join_type, "Join Condition": "M_GRP = GRP"}),
    )


def _self_join_mapping(scope: dict[str, str]) -> MappingBuilder:
    """Detail: TC_ACT's rows; master: AGG_GRP's per-transaction totals of the same rows (the same
    Transaction Control); OUT gets each row with its group's total."""
    b = MappingBuilder()
    _source(b)
    b.add(_aggregator(TXN))
    b.connect("TC_ACT", "AGG_GRP", ["GRP", "AMT"])
    b.add(_joiner(scope))
    b.connect("AGG_GRP", "JNR_GRP", {"GRP": "M_GRP", "TOTAL": "M_VALUE"})
    b.connect("TC_ACT", "JNR_GRP", ["ID", "GRP"])
    b.flat_target("OUT", [("ID", INT), ("GRP", S), ("M_VALUE", INT)])
    b.connect("JNR_GRP", "OUT", ["ID", "GRP", "M_VALUE"])
    b.with_session({})
    return b


def _lookup_join_mapping(
    scope: dict[str, str], join_type: str = "Normal Join", tc: bool = True
) -> MappingBuilder:
    """Detail: TC_ACT's rows; master: another source, GRPS (GRP, CODE), with no Transaction Control."""
    b = MappingBuilder()
    start = _source(b, tc)
    b.flat_source("GRPS", [("M_GRP", S), ("M_VALUE", INT)])
    b.add(_joiner(scope, join_type))
    b.connect("SQ_GRPS", "JNR_GRP", ["M_GRP", "M_VALUE"])
    b.connect(start, "JNR_GRP", ["ID", "GRP"])
    b.flat_target("OUT", [("ID", INT), ("GRP", S), ("M_VALUE", INT)])
    b.connect("JNR_GRP", "OUT", ["ID", "GRP", "M_VALUE"])
    b.with_session({})
    return b


@pytest.mark.spark
def test_joiner_of_transaction_scope_joins_rows_of_one_transaction(spark, tmp_path: Path) -> None:
    """Each row meets its own transaction's group total only: 1 A 40, 2 B 20, 3 A 40 | T1 rolled back |
    6 B 140, 7 A 70, 8 B 140 | 9 A 190, 10 A 190. Row scope: each detail row of a committed transaction
    with every master row of its group (GRPS: A=1, B=2), the master source has no transactions."""
    job, result = _run(_self_join_mapping({**TXN, "Sorted Input": "YES"}), spark, tmp_path / "txn")
    assert read_csv(tmp_path / "txn" / "tgt" / "out.out") == [
        ["1", "A", "40"],
        ["2", "B", "20"],
        ["3", "A", "40"],
        ["6", "B", "140"],
        ["7", "A", "70"],
        ["8", "B", "140"],
        ["9", "A", "190"],
        ["10", "A", "190"],
    ]
    assert result.target_rows == {"OUT": 8}
    write_csv(tmp_path / "row" / "src" / "grps.dat", ["M_GRP", "M_VALUE"], [["A", 1], ["B", 2], ["C", 3]])
    job, result = _run(_lookup_join_mapping({"Transformation Scope": "Row"}), spark, tmp_path / "row")
    assert read_csv(tmp_path / "row" / "tgt" / "out.out") == [
        [str(i), g, "1" if g == "A" else "2"] for i, g, _amt, _act in ROWS if i not in (4, 5)
    ]
    # All Input (the default): the Transaction Control is ineffective for OUT, every row is loaded
    write_csv(tmp_path / "all" / "src" / "grps.dat", ["M_GRP", "M_VALUE"], [["A", 1], ["B", 2]])
    job, result = _run(_lookup_join_mapping({}), spark, tmp_path / "all")
    assert "job.committed(" not in job.code
    assert sorted(_ids(tmp_path / "all" / "tgt" / "out.out")) == list(range(1, 11))


@pytest.mark.spark
def test_without_transaction_control_one_commit_interval_is_one_transaction(spark, tmp_path: Path) -> None:
    """No Transaction Control: the commit interval's transactions. 10 source rows in an interval of 10:
    one transaction, all the input (A=340 over 6 rows, B=210 over 4); an interval of 9: the job stops."""
    b = _aggregate_mapping(TXN, tc=False)
    b.with_session({"Commit Interval": "10"})
    job, result = _run(b, spark, tmp_path / "one")
    assert 'job.one_transaction("AGG_GRP", [sq_emp], 10)' in job.code
    assert sorted(read_csv(tmp_path / "one" / "tgt" / "out_agg.out")) == [
        ["A", "340", "6"],
        ["B", "210", "4"],
    ]
    b.with_session({"Commit Interval": "9", "Commit Type": "Source"})
    with pytest.raises(
        NotConverted, match="AGG_GRP: 10 source rows reach a transformation of Transaction scope"
    ):
        _run(b, spark, tmp_path / "two")


def test_commit_only_transaction_control_gives_a_per_transaction_aggregator_its_transactions() -> None:
    """A condition that only commits changes no target row, but the Aggregator after it groups per
    transaction: the transactions are computed for it."""
    b = MappingBuilder()
    b.flat_source("EMP", COLUMNS)
    b.add(_tc("IIF(ACT = 'CA', TC_COMMIT_AFTER, TC_CONTINUE_TRANSACTION)"))
    b.connect("SQ_EMP", "TC_ACT", [n for n, _ in COLUMNS])
    b.add(_aggregator(TXN))
    b.connect("TC_ACT", "AGG_GRP", ["GRP", "AMT"])
    b.flat_target("OUT_AGG", [("GRP", S), ("TOTAL", INT), ("N", INT)])
    b.connect("AGG_GRP", "OUT_AGG", ["GRP", "TOTAL", "N"])
    job = b.render()
    assert job.complete, job.gaps
    assert "job.transactions(" in job.code and 'job.with_transactions(agg_grp, "TC_ACT")' in job.code
    assert "job.committed(" not in job.code  # nothing can be rolled back


def test_joiner_of_transaction_scope_without_transaction_control_joins_one_source_in_one_interval() -> None:
    """Both pipelines from one Source Qualifier, no Transaction Control: the commit interval's
    transactions, checked to be one."""
    b = MappingBuilder()
    b.flat_source("EMP", COLUMNS)
    b.add(_aggregator({}))
    b.connect("SQ_EMP", "AGG_GRP", ["GRP", "AMT"])
    b.add(_joiner({**TXN, "Sorted Input": "YES"}))
    b.connect("AGG_GRP", "JNR_GRP", {"GRP": "M_GRP", "TOTAL": "M_VALUE"})
    b.connect("SQ_EMP", "JNR_GRP", ["ID", "GRP"])
    b.flat_target("OUT", [("ID", INT), ("GRP", S), ("M_VALUE", INT)])
    b.connect("JNR_GRP", "OUT", ["ID", "GRP", "M_VALUE"])
    job = b.with_session({"Commit Interval": "500"}).render()
    assert job.complete, job.gaps
    assert 'job.one_transaction("JNR_GRP", [sq_emp], 500)' in job.code


@pytest.mark.parametrize(
    ("build", "instance", "message"),
    [
        (
            lambda: _aggregate_mapping({"Transformation Scope": "Row"}),
            "AGG_GRP",
            "Transformation Scope 'row': the Aggregator has all input or transaction (Transformation Guide)",
        ),
        (
            lambda: _self_join_mapping(TXN),
            "JNR_GRP",
            "Transformation Scope Transaction without Sorted Input: PowerCenter fails the session "
            "(Transformation Guide, Joiner transactions)",
        ),
        (
            lambda: _lookup_join_mapping({**TXN, "Sorted Input": "YES"}),
            "JNR_GRP",
            "Transformation Scope Transaction: the master and detail pipelines do not come from the same "
            "Transaction Control; PowerCenter fails the session",
        ),
        (
            lambda: _lookup_join_mapping({**TXN, "Sorted Input": "YES"}, tc=False),
            "JNR_GRP",
            "Transformation Scope Transaction: the master and detail pipelines do not come from the same "
            "source (transaction generator); PowerCenter fails the session",
        ),
        (
            lambda: _lookup_join_mapping({"Transformation Scope": "Row"}, "Full Outer Join"),
            "JNR_GRP",
            "Transformation Scope Row keeps the detail transactions of a Normal or Master Outer Join of "
            "unsorted input only (Transformation Guide, Joiner transactions)",
        ),
    ],
)
def test_scopes_the_guide_does_not_allow_are_reported(build, instance: str, message: str) -> None:
    gaps = [(g.instance, g.message) for g in build().render().gaps]
    assert (instance, message) in gaps, gaps
