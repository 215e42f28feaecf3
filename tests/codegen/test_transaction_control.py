"""Transaction Control: a commit-only condition passes every row unchanged; a condition that rolls back
leaves the rows of rolled-back transactions out of the targets; a FileName target writes a file per
transaction."""

from __future__ import annotations

from pathlib import Path

from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Field, Transformation

INT, S = "integer", "string"


def _mapping(condition: str, filename_port: bool = False) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("EMP", [("ID", INT), ("DEPT", INT), ("NAME", S)])
    b.add(
        Transformation(
            "TC_DEPT",
            "Transaction Control",
            ports=[port("ID", INT), port("DEPT", INT), port("NAME", S)],
            attributes=Attributes({"Transaction Control Condition": condition}),
        )
    )
    b.connect("SQ_EMP", "TC_DEPT", ["ID", "DEPT", "NAME"])
    b.flat_target("OUT", [("ID", INT), ("DEPT", INT), ("NAME", S)])
    if filename_port:
        b.folder.targets[-1].fields.append(
            Field("FileName", "string", precision=100, attrs={"ISFILENAMEFIELD": "YES"})
        )
        b.connect("TC_DEPT", "OUT", {"NAME": "FileName"})
    b.connect("TC_DEPT", "OUT", ["ID", "DEPT", "NAME"])
    return b


def test_commit_only_condition_passes_rows_unchanged(spark, tmp_path: Path) -> None:
    job = _mapping("IIF(DEPT = 20, TC_COMMIT_BEFORE, TC_CONTINUE_TRANSACTION)").render()
    assert job.complete, job.gaps
    assert "Transaction Control TC_DEPT" in job.code and "TC_COMMIT_BEFORE" in job.code
    data = [[1, 10, "ann"], [2, 20, "bob"], [3, None, None], [4, 20, "dee"]]
    write_csv(tmp_path / "src" / "emp.dat", ["ID", "DEPT", "NAME"], data)
    result = run_job(job, spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["1", "10", "ann"],
        ["2", "20", "bob"],
        ["3", "", ""],
        ["4", "20", "dee"],
    ]
    assert result.target_rows == {"OUT": 4}


def test_rollback_condition_leaves_rolled_back_rows_out_of_the_target() -> None:
    job = _mapping(
        "IIF(ISNULL(NAME), TC_ROLLBACK_AFTER, TC_COMMIT_AFTER)"
    ).render()  # rows: test_transaction_rollbacks.py
    assert job.complete, job.gaps
    assert 'job.transactions(\n        "TC_DEPT",\n        tc_dept,' in job.code
    assert 'out = job.committed(out, "TC_DEPT")' in job.code


def test_filename_port_on_the_target_writes_a_file_per_transaction() -> None:
    job = _mapping("TC_COMMIT_AFTER", filename_port=True).render()  # the files: test_filename_port.py
    assert job.complete, job.gaps
    assert "job.write_flat_files_by_transaction(" in job.code
