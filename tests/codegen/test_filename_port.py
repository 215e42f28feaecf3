"""A flat-file target whose FileName port (TARGETFIELD ISFILENAMEFIELD="YES") is connected writes a file per
transaction (Designer Guide, "Creating Target Files by Transaction" and "Running the Session"):

- a file per transaction of the Transaction Control upstream (commit before / after), named by the FileName
  value of the transaction's first row, relative names in the Output file directory;
- the FileName column is not written; header rows (Output field names) in every file;
- a row whose FileName is NULL is a row error and is not written; a NULL first value names the file with
  the session's Output filename;
- the same name in a later transaction overwrites the file;
- without a Transaction Control the commit interval places the commits: one file while the rows fit in it.

The expected files below are worked out by hand from those rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen import support
from infaflow.model import Attributes, Field, Transformation

INT, S = "integer", "string"
V, OUT = "LOCAL VARIABLE", "OUTPUT"


def _filename_field() -> Field:
    return Field("FileName", S, precision=200, attrs={"ISFILENAMEFIELD": "YES"})


def _tc_mapping(
    condition: str, *, filter_condition: str = "", session: dict[str, str] | None = None, header: bool = False
) -> MappingBuilder:
    """EMP(ID, DEPT, FLAG, FNAME) -> TC_DEPT(condition) [-> FIL_OUT] -> OUT(ID, DEPT, FileName <- FNAME)."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("DEPT", S), ("FLAG", INT), ("FNAME", S)])
    b.add(
        Transformation(
            "TC_DEPT",
            "Transaction Control",
            ports=[port("ID", INT), port("DEPT", S), port("FLAG", INT), port("FNAME", S)],
            attributes=Attributes({"Transaction Control Condition": condition}),
        )
    )
    b.connect("SQ_EMP", "TC_DEPT", ["ID", "DEPT", "FLAG", "FNAME"])
    last = "TC_DEPT"
    if filter_condition:
        b.add(
            Transformation(
                "FIL_OUT",
                "Filter",
                ports=[port("ID", INT), port("DEPT", S), port("FLAG", INT), port("FNAME", S)],
                attributes=Attributes({"Filter Condition": filter_condition}),
            )
        )
        b.connect("TC_DEPT", "FIL_OUT", ["ID", "DEPT", "FLAG", "FNAME"])
        last = "FIL_OUT"
    b.flat_target("OUT", [("ID", INT), ("DEPT", S)])
    b.folder.targets[-1].fields.append(_filename_field())
    b.connect(last, "OUT", {"ID": "ID", "DEPT": "DEPT", "FNAME": "FileName"})
    writer = {"OUT": {"Header Options": "Output Field Names"}} if header else None
    b.with_session(session or {}, writers=writer)
    return b


def _run(b: MappingBuilder, spark, tmp_path: Path, rows: list[list]) -> support.SessionResult:
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "DEPT", "FLAG", "FNAME"], rows)
    return run_job(job, spark, tmp_path)


def _files(tmp_path: Path) -> dict[str, list[list[str]]]:
    tgt = tmp_path / "tgt"
    return {p.name: read_csv(p) for p in sorted(tgt.iterdir()) if p.is_file() and not p.name.startswith(".")}


# -- the rules, without Spark --------------------------------------------------------------------------


def test_file_paths_relative_absolute_null_and_reused_names() -> None:
    files = [(0, "a.csv"), (1, None), (2, "/abs/b.csv"), (3, "a.csv"), (4, "")]
    assert support.file_paths("/t", "/t/out.out", files) == {
        3: "/t/a.csv",  # transaction 0's a.csv is overwritten by transaction 3
        1: "/t/out.out",
        2: "/abs/b.csv",
        4: "",
    }


def test_generated_code_names_the_transaction_control_and_keeps_the_port_out() -> None:
    job = _tc_mapping("IIF(FLAG = 1, TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)").render()
    assert job.complete, job.gaps
    assert "# each row's transaction and whether it is rolled back, kept for the targets OUT\n" in job.code
    assert "# (Commit On End Of File: YES)\n" in job.code
    assert "job.write_flat_files_by_transaction(" in job.code and "job.committed(" not in job.code
    assert 'file_name_port="FileName"' in job.code and 'transaction_control="TC_DEPT",' in job.code


def test_source_based_commit_without_transaction_control_is_reported() -> None:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("FNAME", S)])
    b.flat_target("OUT", [("ID", INT)])
    b.folder.targets[-1].fields.append(_filename_field())
    b.connect("SQ_EMP", "OUT", {"ID": "ID", "FNAME": "FileName"})
    b.with_session({"Commit Type": "Source"})
    job = b.render()
    [gap] = job.gaps
    assert gap.instance == "OUT" and "source-based commit" in gap.message, gap


def test_a_transformation_after_the_transaction_control_decides_by_its_transformation_scope() -> None:
    """A Sorter with Transaction scope keeps the Transaction Control's boundaries and sorts each
    transaction apart: the files are those of its transactions. With All Input scope (its default) it
    drops them: the Transaction Control is ineffective for the target, whose commit interval places the
    commits (Designer Guide: the rows go to one file, named by the first FileName)."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("FNAME", S)])
    b.add(
        Transformation(
            "TC",
            "Transaction Control",
            ports=[port("ID", INT), port("FNAME", S)],
            attributes=Attributes({"Transaction Control Condition": "TC_COMMIT_AFTER"}),
        )
    )
    b.connect("SQ_EMP", "TC", ["ID", "FNAME"])
    b.add(
        Transformation(
            "SRT",
            "Sorter",
            ports=[port("ID", INT), port("FNAME", S)],
            attributes=Attributes({"Transformation Scope": "Transaction"}),
        )
    )
    b.connect("TC", "SRT", ["ID", "FNAME"])
    b.flat_target("OUT", [("ID", INT)])
    b.folder.targets[-1].fields.append(_filename_field())
    b.connect("SRT", "OUT", {"ID": "ID", "FNAME": "FileName"})
    job = b.render()
    assert job.complete, job.gaps
    assert 'transaction_control="SRT",' in job.code and 'job.keep_transactions("SRT", srt)' in job.code
    b.mapping.transformations[-1].attributes = Attributes({})
    job = b.render()
    assert job.complete, job.gaps
    assert "commit_interval=10000" in job.code and "job.transactions(" not in job.code


# -- on Spark ------------------------------------------------------------------------------------------


@pytest.mark.spark
def test_commit_before_on_a_key_change(spark, tmp_path: Path) -> None:
    """An Expression flags the first row of each department (previous-row state); the Transaction Control
    commits before it: one file per department, named by its first row, header in each file."""
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("DEPT", S)])
    b.add(
        Transformation(
            "EXP_NEW",
            "Expression",
            ports=[
                port("ID", INT, "INPUT/OUTPUT"),
                port("DEPT", S, "INPUT/OUTPUT"),
                port("v_NEW", INT, V, "IIF(ISNULL(v_PREV) OR DEPT != v_PREV, 1, 0)"),
                port("v_PREV", S, V, "DEPT"),
                port("NEW_DEPT", INT, OUT, "v_NEW"),
                port("FNAME", S, OUT, "'dept_' || DEPT || '.csv'"),
            ],
        )
    )
    b.connect("SQ_EMP", "EXP_NEW", ["ID", "DEPT"])
    b.add(
        Transformation(
            "TC_DEPT",
            "Transaction Control",
            ports=[port("ID", INT), port("DEPT", S), port("NEW_DEPT", INT), port("FNAME", S)],
            attributes=Attributes(
                {
                    "Transaction Control Condition": (
                        "IIF(NEW_DEPT = 1, TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)"
                    )
                }
            ),
        )
    )
    b.connect("EXP_NEW", "TC_DEPT", ["ID", "DEPT", "NEW_DEPT", "FNAME"])
    b.flat_target("OUT", [("ID", INT), ("DEPT", S)])
    b.folder.targets[-1].fields.append(_filename_field())
    b.connect("TC_DEPT", "OUT", {"ID": "ID", "DEPT": "DEPT", "FNAME": "FileName"})
    b.with_session({}, writers={"OUT": {"Header Options": "Output Field Names"}})
    job = b.render()
    assert job.complete, job.gaps
    rows = [[1, "A"], [2, "A"], [3, "B"], *[[i, "C"] for i in range(4, 404)]]  # row order kept in big files
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "DEPT"], rows)
    result = run_job(job, spark, tmp_path)
    assert _files(tmp_path) == {
        "dept_A.csv": [["#ID", "DEPT"], ["1", "A"], ["2", "A"]],
        "dept_B.csv": [["#ID", "DEPT"], ["3", "B"]],
        "dept_C.csv": [["#ID", "DEPT"], *[[str(i), "C"] for i in range(4, 404)]],
    }
    assert result.target_rows == {"OUT": 403}


@pytest.mark.spark
def test_commit_after_names_each_file_by_its_first_row_and_reuse_overwrites(spark, tmp_path: Path) -> None:
    """TC_COMMIT_AFTER on FLAG = 1: transactions {1,2}, {3}, {4,5}, {6,7}; the FileName of rows 2, 5 and 7
    differs from their transaction's first row and names nothing; transaction {6,7} names a.txt again and
    overwrites transaction {1,2}'s file; a name with a directory of its own is used as it is."""
    absolute = tmp_path / "elsewhere" / "abs.txt"
    rows = [
        [1, "d1", 0, "a.txt"],
        [2, "d1", 1, "x.txt"],
        [3, "d2", 1, str(absolute)],
        [4, "d3", 0, "b.txt"],
        [5, "d3", 1, "y.txt"],
        [6, "d4", 0, "a.txt"],
        [7, "d4", 0, "z.txt"],
    ]
    result = _run(
        _tc_mapping("IIF(FLAG = 1, TC_COMMIT_AFTER, TC_CONTINUE_TRANSACTION)"), spark, tmp_path, rows
    )
    assert _files(tmp_path) == {"a.txt": [["6", "d4"], ["7", "d4"]], "b.txt": [["4", "d3"], ["5", "d3"]]}
    assert read_csv(absolute) == [["3", "d2"]]
    assert result.target_rows == {"OUT": 7}  # committed, then overwritten: still loaded rows


@pytest.mark.spark
def test_null_file_names_and_commits_of_filtered_rows(spark, tmp_path: Path) -> None:
    """A row whose FileName is NULL is a row error; a transaction whose first row's FileName is NULL goes to
    the Output filename (out.out). A commit row that a Filter then drops still ends its transaction."""
    rows = [
        [1, "d1", 0, None],
        [2, "d1", 0, "n.txt"],
        [3, "d1", 1, "drop"],
        [4, "d2", 0, "m.txt"],
        [5, "d2", 0, None],
        [6, "d2", 0, "k.txt"],
    ]
    b = _tc_mapping("IIF(FLAG = 1, TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)", filter_condition="ID != 3")
    result = _run(b, spark, tmp_path, rows)
    assert _files(tmp_path) == {"out.out": [["2", "d1"]], "m.txt": [["4", "d2"], ["6", "d2"]]}
    assert result.target_rows == {"OUT": 3}
    assert result.trans_errors == 2


@pytest.mark.spark
def test_without_transaction_control_one_file_within_the_commit_interval(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("FNAME", S)])
    b.flat_target("OUT", [("ID", INT)])
    b.folder.targets[-1].fields.append(_filename_field())
    b.connect("SQ_EMP", "OUT", {"ID": "ID", "FNAME": "FileName"})
    b.with_session({"Commit Interval": "3"})
    job = b.render()
    assert job.complete, job.gaps
    assert "commit_interval=3" in job.code
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "FNAME"], [[1, "first.dat"], [2, "second.dat"], [3, "x"]])
    result = run_job(job, spark, tmp_path)
    assert _files(tmp_path) == {"first.dat": [["1"], ["2"], ["3"]]}
    assert result.target_rows == {"OUT": 3}
    write_csv(tmp_path / "more" / "src" / "emp.dat", ["ID", "FNAME"], [[i, "f.dat"] for i in range(1, 5)])
    with pytest.raises(support.NotConverted, match="4 rows reach a target named by its FileName port"):
        run_job(job, spark, tmp_path / "more")


@pytest.mark.spark
def test_rolled_back_transactions_write_no_file(spark, tmp_path: Path) -> None:
    """FLAG 1 commits after the row, 2 rolls back before it: transactions {1,2} committed (a.txt), {3}
    rolled back before 4 (no b.txt, its NULL-named row 3 still a row error), {4,5} rolled back after 5,
    whose name a.txt does not overwrite the committed file, {6} open at the end, committed (c.txt)."""
    rows = [
        [1, "d1", 0, "a.txt"],
        [2, "d1", 1, "x.txt"],
        [3, "d2", 0, None],
        [4, "d3", 2, "a.txt"],
        [5, "d3", 3, "y.txt"],
        [6, "d4", 0, "c.txt"],
    ]
    condition = "DECODE(FLAG, 1, TC_COMMIT_AFTER, 2, TC_ROLLBACK_BEFORE, 3, TC_ROLLBACK_AFTER)"
    result = _run(_tc_mapping(condition, header=True), spark, tmp_path, rows)
    assert _files(tmp_path) == {
        "a.txt": [["#ID", "DEPT"], ["1", "d1"], ["2", "d1"]],
        "c.txt": [["#ID", "DEPT"], ["6", "d4"]],
    }
    assert result.target_rows == {"OUT": 3}
    assert result.trans_errors == 1
