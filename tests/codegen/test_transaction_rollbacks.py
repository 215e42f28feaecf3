"""Transaction Control rollbacks (Transformation Guide, "Transaction Control Transformation" and "Using
Transaction Control Transformations in Mappings"; Advanced Workflow Guide, "User-Defined Commits",
"Rolling Back Transactions", "Setting Commit Properties"):

- TC_ROLLBACK_BEFORE rolls back the open transaction and the row starts the next one; TC_ROLLBACK_AFTER
  ends the transaction with the row and rolls it back; commits alike; TC_CONTINUE_TRANSACTION neither;
- the rows of a rolled-back transaction reach no target of the transaction control unit (every target the
  Transaction Control feeds through row-for-row transformations) and are not target rows;
- the transaction still open after the last row is committed (Commit On End Of File YES, the default) or
  rolled back (NO);
- a transformation with All Input scope (an Aggregator by default) makes the Transaction Control
  ineffective for the targets after it: their rows are not rolled back;
- a condition that returns anything but an action fails the session.

Every expected file and table below is worked out by hand from those rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen import transactions
from infaflow.codegen.support import store_table_path
from infaflow.expr import parse
from infaflow.model import Attributes, Field, FlatFile, Transformation

INT, S = "integer", "string"
# the action of each row, spelled by the source column ACT
CONDITION = (
    "DECODE(ACT, 'CB', TC_COMMIT_BEFORE, 'CA', TC_COMMIT_AFTER, 'RB', TC_ROLLBACK_BEFORE, "
    "'RA', TC_ROLLBACK_AFTER, TC_CONTINUE_TRANSACTION)"
)
# transactions: {1,2} committed after 2; {3} rolled back before 4; {4,5,6} rolled back after 6; an empty one
# committed before 7; {7,8} rolled back before 9; {9} committed before 10; {10,11} open at the end
ROWS = [
    [1, ""],
    [2, "CA"],
    [3, ""],
    [4, "RB"],
    [5, ""],
    [6, "RA"],
    [7, "CB"],
    [8, ""],
    [9, "RB"],
    [10, "CB"],
    [11, ""],
]


def _tc(name: str, ports: list[str], condition: str) -> Transformation:
    return Transformation(
        name,
        "Transaction Control",
        ports=[port(p, INT if p == "ID" else S) for p in ports],
        attributes=Attributes({"Transaction Control Condition": condition}),
    )


def _unit_mapping(condition: str = CONDITION, session: dict[str, str] | None = None) -> MappingBuilder:
    """EMP -> TC_ACT -> OUT (flat file), TC_ACT -> UPD_ID -> TGT (table, ID 5 rejected), TC_ACT -> AGG_ALL
    (All Input) -> OUT_SUM."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("ACT", S)])
    b.add(_tc("TC_ACT", ["ID", "ACT"], condition))
    b.connect("SQ_EMP", "TC_ACT", ["ID", "ACT"])
    b.flat_target("OUT", [("ID", INT), ("ACT", S)])
    b.connect("TC_ACT", "OUT", ["ID", "ACT"])
    b.add(
        Transformation(
            "UPD_ID",
            "Update Strategy",
            ports=[port("ID", INT)],
            attributes=Attributes({"Update Strategy Expression": "IIF(ID = 5, DD_REJECT, DD_INSERT)"}),
        )
    )
    b.connect("TC_ACT", "UPD_ID", ["ID"])
    b.table_target("TGT", [("ID", INT)])
    b.connect("UPD_ID", "TGT", ["ID"])
    b.add(
        Transformation(
            "AGG_ALL",
            "Aggregator",
            ports=[port("ID", INT, "INPUT"), port("TOTAL", INT, "OUTPUT", "SUM(ID)")],
        )
    )
    b.connect("TC_ACT", "AGG_ALL", ["ID"])
    b.flat_target("OUT_SUM", [("TOTAL", INT)])
    b.connect("AGG_ALL", "OUT_SUM", ["TOTAL"])
    b.with_session(
        {"Treat source rows as": "Data Driven", "$Target connection value": "DW", **(session or {})}
    )
    return b


def _call(code: str, start: str) -> list[str]:
    """The lines of the statement of ``code`` that begins with ``start`` (up to its closing parenthesis)."""
    begin = code.index(start)
    end = code.index("\n    )", begin) + 6
    return [line.strip() for line in code[begin:end].splitlines()]


# -- the rules, without Spark --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "actions"),
    [
        ("TC_COMMIT_AFTER", {2}),
        ("IIF(X = 1, TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)", {0, 1}),
        ("IIF(X = 1, TC_ROLLBACK_AFTER)", {4, 0}),  # no else: NULL, which continues
        (CONDITION, {0, 1, 2, 3, 4}),
        ("DECODE(X, 1, tc_rollback_before)", {3, 0}),
        ("IIF(X = 1, 2, 7)", {2, 7}),  # 7 is no action: the session fails at such a row
        ("IIF(X = 1, TC_COMMIT_AFTER, X)", None),  # a port: anything
        ("X + 1", None),
    ],
)
def test_the_actions_a_condition_can_return(condition: str, actions: set[int] | None) -> None:
    got = transactions.possible_actions(parse(condition))
    assert got == (None if actions is None else frozenset(actions))


def test_rollback_condition_computes_transactions_once_for_every_target_of_its_unit() -> None:
    job = _unit_mapping(session={"Commit On End Of File": "NO"}).render()
    assert job.complete, job.gaps
    assert _call(job.code, "job.transactions(") == [
        "job.transactions(",
        '"TC_ACT",',
        "tc_act,",
        'F.when(F.col("ACT").eqNullSafe(F.lit("CB")), F.lit(1))'
        '.when(F.col("ACT").eqNullSafe(F.lit("CA")), F.lit(2))'
        '.when(F.col("ACT").eqNullSafe(F.lit("RB")), F.lit(3))'
        '.when(F.col("ACT").eqNullSafe(F.lit("RA")), F.lit(4))'
        ".otherwise(F.lit(0)),",
        "commit_on_end_of_file=False,",
        ")",
    ]
    assert job.code.count("job.transactions(") == 1
    committed = [
        "# Transaction Control TC_ACT: the rows of rolled-back transactions are not loaded",
        'out = job.committed(out, "TC_ACT")',
        'tgt = job.committed(tgt, "TC_ACT")',
    ]
    lines = [line.strip() for line in job.code.splitlines()]
    assert all(line in lines for line in committed)
    # the Aggregator (All Input) makes TC_ACT ineffective for OUT_SUM: nothing rolled back there
    assert "out_sum = job.committed(" not in job.code
    assert "commits and rollbacks per row" in job.code and "for the targets OUT, TGT" in job.code


def test_commit_only_condition_adds_no_transactions_and_no_check() -> None:
    b = _unit_mapping("IIF(ACT = 'CB', TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)")
    job = b.render()
    assert job.complete, job.gaps
    assert "job.transactions(" not in job.code and "job.committed(" not in job.code
    assert "job.check_transaction_actions(" not in job.code


def test_condition_of_unknown_actions_is_checked_row_by_row() -> None:
    """A condition returning a port's value: rows unchanged when it only commits, but a value that is no
    action must fail the session, and a value 3 or 4 would roll back: transactions are computed."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("CODE", INT)])
    b.add(_tc("TC_CODE", ["ID", "CODE"], "CODE"))
    b.connect("SQ_EMP", "TC_CODE", ["ID", "CODE"])
    b.flat_target("OUT", [("ID", INT)])
    b.connect("TC_CODE", "OUT", ["ID"])
    job = b.render()
    assert job.complete, job.gaps
    assert '    job.transactions(\n        "TC_CODE",\n        tc_code,\n' in job.code
    assert 'out = job.committed(out, "TC_CODE")' in job.code
    b = _unit_mapping("IIF(ACT = 'CB', 1, 7)")  # no rollback possible: only the check
    job = b.render()
    assert (
        '    tc_act = job.check_transaction_actions("TC_ACT", tc_act, '
        'F.when((F.col("ACT") == F.lit("CB")), F.lit(1)).otherwise(F.lit(7)))'
    ) in job.code
    assert "job.transactions(" not in job.code


def test_a_sorter_after_the_transaction_control_decides_by_its_transformation_scope() -> None:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("ACT", S)])
    b.add(_tc("TC_ACT", ["ID", "ACT"], CONDITION))
    b.connect("SQ_EMP", "TC_ACT", ["ID", "ACT"])
    b.add(
        Transformation(
            "SRT_ID",
            "Sorter",
            ports=[port("ID", INT, is_sort_key=True, sort_direction="ASCENDING"), port("ACT", S)],
            attributes=Attributes({"Transformation Scope": "Transaction"}),
        )
    )
    b.connect("TC_ACT", "SRT_ID", ["ID", "ACT"])
    b.flat_target("OUT", [("ID", INT), ("ACT", S)])
    b.connect("SRT_ID", "OUT", ["ID", "ACT"])
    job = b.render()  # Transaction: sorted per transaction, TC_ACT's rollbacks still apply at OUT
    assert job.complete, job.gaps
    assert 'out = job.committed(out, "SRT_ID")' in job.code
    b.mapping.transformations[-1].attributes = Attributes({"Transformation Scope": "All Input"})
    job = b.render()  # All Input: TC_ACT is ineffective for OUT, whose rows are all loaded
    assert job.complete, job.gaps
    assert "job.committed(" not in job.code and "job.transactions(" not in job.code


def test_source_based_commit_rolling_back_the_open_transaction_is_reported() -> None:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT)])
    b.flat_target("OUT", [("ID", INT)])
    b.connect("SQ_EMP", "OUT", ["ID"])
    b.with_session({"Commit Type": "Source", "Commit On End Of File": "NO"})
    [gap] = b.render().gaps
    assert gap.instance == "OUT" and gap.message.startswith("Commit On End Of File is NO with a source-based")
    b.with_session({"Commit Type": "Target", "Commit On End Of File": "NO"})  # cannot be disabled: commits
    assert b.render().complete


def test_transactions_of_rows_in_no_defined_order_are_reported() -> None:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("ACT", S)])
    b.add(
        Transformation(
            "AGG_ACT",
            "Aggregator",
            ports=[
                port("ACT", S, expression_type="GROUPBY"),
                port("ID_IN", INT, "INPUT"),
                port("ID", INT, "OUTPUT", "MAX(ID_IN)"),
            ],
        )
    )
    b.connect("SQ_EMP", "AGG_ACT", {"ID": "ID_IN", "ACT": "ACT"})
    b.add(_tc("TC_ACT", ["ID", "ACT"], CONDITION))
    b.connect("AGG_ACT", "TC_ACT", ["ID", "ACT"])
    b.flat_target("OUT", [("ID", INT), ("ACT", S)])
    b.connect("TC_ACT", "OUT", ["ID", "ACT"])
    job = b.render()
    assert [(g.instance, g.message) for g in job.gaps] == [
        (
            "TC_ACT",
            "the rows enter the Transaction Control from an Aggregator or a Union in no defined order: its "
            "transactions, which follow the row order, are not defined",
        )
    ]


def test_rollback_of_transactions_on_errors_is_reported() -> None:
    job = _unit_mapping(session={"Rollback Transactions on Errors": "YES"}).render()
    assert [(g.instance, g.message) for g in job.gaps] == [
        (
            "TC_ACT",
            "Rollback Transactions on Errors is YES: a row error after this Transaction Control rolls back "
            "its whole transaction into the reject file (row indicators 4-6); not supported",
        )
    ]
    assert "job.transactions(" not in job.code  # the partial job keeps no unused variable


# -- on Spark ------------------------------------------------------------------------------------------


@pytest.mark.spark
@pytest.mark.parametrize(("end_of_file", "last"), [("YES", [10, 11]), ("NO", [])])
def test_commits_and_rollbacks_reach_every_target_of_the_unit(
    spark, tmp_path: Path, end_of_file: str, last: list[int]
) -> None:
    """OUT and TGT (through an Update Strategy) load the committed transactions {1,2}, {9} and, with Commit
    On End Of File YES, the open {10,11}; TGT's row 5 is rejected as it arrives (reject file) although its
    transaction is rolled back; OUT_SUM, after an All Input Aggregator, sums every row (1..11 = 66)."""
    job = _unit_mapping(session={"Commit On End Of File": end_of_file}).render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "ACT"], ROWS)
    result = run_job(job, spark, tmp_path)
    loaded = [1, 2, 9, *last]
    acts = {r[0]: r[1] for r in ROWS}
    assert read_csv(tmp_path / "tgt" / "out.out") == [[str(i), acts[i]] for i in loaded]
    table = spark.read.parquet(str(store_table_path(tmp_path / "store", "DW", "TGT")))
    assert sorted(r["ID"] for r in table.collect()) == loaded
    assert read_csv(tmp_path / "bad" / "tgt.bad") == [["3", "5", "D"]]
    assert read_csv(tmp_path / "tgt" / "out_sum.out") == [["66"]]
    assert result.target_rows == {"OUT": len(loaded), "TGT": len(loaded), "OUT_SUM": 1}
    assert result.rejected_rows == {"TGT": 1}


@pytest.mark.spark
def test_a_value_that_is_no_action_fails_the_session(spark, tmp_path: Path) -> None:
    job = _unit_mapping("IIF(ACT = 'CB', 1, IIF(ACT = 'RB', 3, IIF(ACT = '', 0, 9)))").render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "ACT"], [[1, ""], [2, "RB"], [3, "??"]])
    with pytest.raises(Exception, match="TC_ACT: the transaction control expression returned 9"):
        run_job(job, spark, tmp_path)


def _fixed_width_files_mapping() -> MappingBuilder:
    """EMP(ID, NAME, CITY, ACT) -> TC_CITY -> OUT fixed width: ID 4 wide, NAME 5 wide, FileName <- CITY."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("NAME", S), ("CITY", S), ("ACT", S)])
    b.add(
        _tc(
            "TC_CITY",
            ["ID", "NAME", "CITY", "ACT"],
            "IIF(ACT = 'C', TC_COMMIT_AFTER, IIF(ACT = 'R', TC_ROLLBACK_AFTER, TC_CONTINUE_TRANSACTION))",
        )
    )
    b.connect("SQ_EMP", "TC_CITY", ["ID", "NAME", "CITY", "ACT"])
    b.flat_target("OUT", [("ID", INT), ("NAME", S)])
    tgt = b.folder.targets[-1]
    tgt.flatfile = FlatFile({"DELIMITED": "NO", "NULL_CHARACTER": "*", "REPEATABLE": "NO"})
    tgt.fields[0].precision, tgt.fields[1].precision = 4, 5
    tgt.fields.append(Field("FileName", S, precision=100, attrs={"ISFILENAMEFIELD": "YES"}))
    b.connect("TC_CITY", "OUT", {"ID": "ID", "NAME": "NAME", "CITY": "FileName"})
    return b


def test_fixed_width_target_named_by_its_filename_port_generates_a_file_per_transaction() -> None:
    job = _fixed_width_files_mapping().render()
    assert job.complete, job.gaps
    assert _call(job.code, "job.write_fixed_width_files_by_transaction(") == [
        "job.write_fixed_width_files_by_transaction(",
        '"OUT",',
        "out,",
        '"$PMTargetFileDir",',
        'job.path("$PMTargetFileDir", "out.out"),  # a transaction whose first FileName is NULL',
        "[  # (field, type, width[, datetime format])",
        '("ID", "int", 4),',
        '("NAME", "string", 5),',
        "],",
        'file_name_port="FileName",',
        'transaction_control="TC_CITY",',
        'null_character="*",',
        "repeat_null=False,",
        ")",
    ]


@pytest.mark.spark
def test_fixed_width_files_by_transaction_with_a_rollback(spark, tmp_path: Path) -> None:
    """Transactions {1,2} committed after 2 (bne.txt), {3,4} rolled back after 4 (no sfo.txt),
    {5,60000,7} open at the end, committed (tib.txt, named by its first row; row 7's FileName names
    nothing); a NULL name is the null character padded to the width; an ID wider than 4 is rejected."""
    job = _fixed_width_files_mapping().render()
    write_csv(
        tmp_path / "src" / "emp.dat",
        ["ID", "NAME", "CITY", "ACT"],
        [
            [1, "ann", "bne.txt", ""],
            [2, "bob", "x.txt", "C"],
            [3, "cid", "sfo.txt", ""],
            [4, "dee", "sfo.txt", "R"],
            [5, None, "tib.txt", ""],
            [60000, "fay", "tib.txt", ""],
            [7, "gus", "y.txt", ""],
        ],
    )
    result = run_job(job, spark, tmp_path)
    files = {p.name: p.read_text() for p in (tmp_path / "tgt").iterdir() if not p.name.startswith(".")}
    assert files == {
        "bne.txt": "   1ann  \n   2bob  \n",
        "tib.txt": "   5*    \n   7gus  \n",
    }
    assert result.target_rows == {"OUT": 4}
    assert result.rejected_rows == {"OUT": 1}
    assert read_csv(tmp_path / "bad" / "out.bad") == [["0", "60000", "O", "fay", "D"]]


def _reference(actions: list[int | None], commit_on_end_of_file: bool) -> list[tuple[int, bool]]:
    """Each row's (transaction, rolled back), row by row as the guide states the actions."""
    txn, fates, rows = 0, {}, []
    for action in actions:
        if action in (1, 3):  # TC_COMMIT_BEFORE, TC_ROLLBACK_BEFORE: end the open transaction first
            fates[txn] = action == 3
            txn += 1
        rows.append(txn)
        if action in (2, 4):  # TC_COMMIT_AFTER, TC_ROLLBACK_AFTER: end it with the row
            fates[txn] = action == 4
            txn += 1
    fates.setdefault(txn, not commit_on_end_of_file)
    return [(t, fates[t]) for t in rows]


@pytest.mark.spark
def test_transactions_agree_with_a_row_by_row_reading_of_the_rules(spark) -> None:
    """Random action sequences (NULLs, boundaries in a row, a boundary on the first and the last row)."""
    import random

    from pyspark.sql import functions as F

    from infaflow.codegen.support import Job

    rng = random.Random(9)
    cases = [[rng.choice([None, 0, 0, 0, 1, 2, 3, 4]) for _ in range(300)], [3], [2, 4], [1, 1, 3, 3, 0]]
    rows = [(case, i, a) for case, actions in enumerate(cases) for i, a in enumerate(actions)]
    frame = spark.createDataFrame(rows, "case int, pos int, act int")
    for end in (True, False):
        job = Job(spark, "s_test", {})
        got: dict[int, list[tuple[int, bool]]] = {}
        for case in range(len(cases)):
            one = frame.where(F.col("case") == case).select(F.col("pos").cast("long").alias("_row_id"), "act")
            out = job.transactions("TC", one, F.col("act"), commit_on_end_of_file=end).orderBy("_row_id")
            got[case] = [(r["_txn"], r["_rolled_back"]) for r in out.collect()]
        job.release()
        assert got == {case: _reference(actions, end) for case, actions in enumerate(cases)}
