"""Indirect flat-file sources (Workflow Basics Guide, "Using a File List"): the session's source file is a
file list, one file name or path per line; leading blanks are ignored and blank lines skipped; a name
without a directory is in the list's directory; every file is read with the source's properties (its
header rows too), in list order. Seen outside the corpus: a session reading employees through
`Source filetype = Indirect`."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, FlatFile, SessionExtension, Transformation

INT, S = "integer", "string"


def _mapping(list_dir: str, fixed_width: bool = False) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("NAME", S)])
    if fixed_width:
        src = b.folder.sources[0]
        src.flatfile = FlatFile({"DELIMITED": "NO", "LINESEQUENTIAL": "YES", "SKIPROWS": "0"})
        src.fields[0].precision, src.fields[1].precision = 3, 5
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("NAME", S),
                port("v_N", INT, "LOCAL VARIABLE", "v_N + 1"),
                port("O_N", INT, "OUTPUT", "v_N"),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["ID", "NAME"])
    b.flat_target("OUT", [("O_N", INT), ("ID", INT), ("NAME", S)])
    b.connect("EXP", "OUT", ["O_N", "ID", "NAME"])
    b.with_session()
    assert b.session is not None
    b.session.extensions.append(
        SessionExtension(
            type="READER",
            subtype="File Reader",
            sinstance_name="SRC",
            attributes=Attributes(
                {
                    "Source filetype": "Indirect",
                    "Source file directory": list_dir,
                    "Source filename": "employees.lst",
                }
            ),
        )
    )
    return b


def test_indirect_source_reads_the_files_of_its_list() -> None:
    code = _mapping("/data/in").render().code
    assert 'job.file_list(job.path("/data/in", "employees.lst"))' in code
    assert "lambda path: job.read_flat_file(" in code
    assert "indirect: every file that the list employees.lst names, in list order" in code


def test_indirect_fixed_width_source() -> None:
    job = _mapping("/data/in", fixed_width=True).render()
    assert job.complete, job.gaps
    assert "lambda path: job.read_fixed_width(" in job.code


@pytest.mark.spark
def test_file_list_rules_and_order(spark, tmp_path: Path) -> None:
    lists, other = tmp_path / "lists", tmp_path / "elsewhere"
    write_csv(lists / "b.csv", ["ID", "NAME"], [[3, "c"], [4, "d"]])
    write_csv(other / "a.csv", ["ID", "NAME"], [[1, "a"], [2, "b"]])
    write_csv(lists / "c.csv", ["ID", "NAME"], [[5, "e"]])
    # A relative name (the list's directory), an absolute path, blank lines and leading blanks.
    (lists / "employees.lst").write_text(f"b.csv\n\n   {other / 'a.csv'}\n  \nc.csv\n")
    job = _mapping(str(lists)).render()
    assert job.complete, job.gaps
    result = run_job(job, spark, tmp_path)
    # Each file's header line is skipped; rows come file by file in list order (the counter shows it).
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["1", "3", "c"],
        ["2", "4", "d"],
        ["3", "1", "a"],
        ["4", "2", "b"],
        ["5", "5", "e"],
    ]
    assert result.source_rows == {"SRC": 5}


@pytest.mark.spark
def test_an_empty_file_list_stops_the_job(spark, tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "employees.lst").write_text("\n   \n")
    job = _mapping(str(tmp_path / "lists")).render()
    with pytest.raises(RuntimeError, match="names no file"):
        run_job(job, spark, tmp_path)


def test_a_command_generating_the_source_is_reported() -> None:
    b = _mapping("/data/in")
    assert b.session is not None
    b.session.extensions[0].attributes = Attributes({"Input Type": "Command", "Command": "ls -1 *.dat"})
    job = b.render()
    assert not job.complete
    assert any("command that generates the source data" in g.message for g in job.gaps), job.gaps
