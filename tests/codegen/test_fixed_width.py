"""Fixed-width flat files (FLATFILE DELIMITED="NO"): sources read by PHYSICALOFFSET/PHYSICALLENGTH with
native Spark (text + substring), line sequential or fixed records with bytes to skip between them; targets
padded to their field widths."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, run_job

from infaflow.model import Field, FlatFile

pytestmark = pytest.mark.spark

INT, S = "integer", "string"
# ID: 0-3, NAME: 4-11, AMOUNT: 12-17, DAY: 18-36 (MM/DD/YYYY HH24:MI:SS)
LAYOUT = [("ID", INT, 0, 4), ("NAME", S, 4, 8), ("AMOUNT", "decimal", 12, 6), ("DAY", "date", 18, 19)]


def _fixed(attrs: dict[str, str]) -> FlatFile:
    return FlatFile(
        {
            "DELIMITED": "NO",
            "NULL_CHARACTER": "*",
            "REPEATABLE": "NO",
            "PADBYTES": "0",
            "LINESEQUENTIAL": "NO",
            "SKIPROWS": "0",
            "STRIPTRAILINGBLANKS": "NO",
            **attrs,
        }
    )


def _mapping(source_attrs: dict[str, str], target: list[tuple[str, str]] | None = None) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [(n, t) for n, t, _o, _l in LAYOUT])
    src = b.folder.sources[-1]
    src.flatfile = _fixed(source_attrs)
    for f, (_n, _t, offset, length) in zip(src.fields, LAYOUT, strict=True):
        f.attrs = {"PHYSICALOFFSET": str(offset), "PHYSICALLENGTH": str(length)}
    src.fields[2].precision, src.fields[2].scale = 10, 2
    names = [n for n, _t in (target or [(n, t) for n, t, _o, _l in LAYOUT])]
    b.flat_target("OUT", target or [(n, t) for n, t, _o, _l in LAYOUT])
    b.connect("SQ_S", "OUT", names)
    return b


RECORDS = [
    "0001Ann     012.50" + "01/31/2024 00:00:00",
    "0002*       ******" + "02/29/2024 13:45:00",
    "  03Bob Lee  7.25 " + "*******************",
]


def _out(tmp: Path) -> list[str]:
    return (tmp / "tgt" / "out.out").read_text().splitlines()


def test_line_sequential_source_to_delimited_target(spark, tmp_path: Path) -> None:
    job = _mapping({"LINESEQUENTIAL": "YES", "SKIPROWS": "1"}).render()
    assert job.complete, job.gaps
    assert "udf" not in job.code.lower() and "job.read_fixed_width(" in job.code
    src = tmp_path / "src" / "s.dat"
    src.parent.mkdir(parents=True)
    # A header line to skip; CRLF line ends; the last line is short (its last field is cut off).
    src.write_bytes(("HEADER\r\n" + "\r\n".join(RECORDS) + "\r\n0004Zed\r\n").encode())
    result = run_job(job, spark, tmp_path)
    assert result.source_rows == {"S": 4}
    # NULL character fields are NULL; strings keep trailing blanks; numbers and dates are trimmed.
    assert _out(tmp_path) == [
        "1,Ann     ,12.5000,01/31/2024 00:00:00",
        "2,,,02/29/2024 13:45:00",
        "3,Bob Lee ,7.2500,",
        "4,Zed,,",
    ]


def test_fixed_records_with_bytes_between_them_and_stripped_blanks(spark, tmp_path: Path) -> None:
    job = _mapping({"PADBYTES": "1", "STRIPTRAILINGBLANKS": "YES"}).render()
    assert job.complete, job.gaps
    src = tmp_path / "src" / "s.dat"
    src.parent.mkdir(parents=True)
    src.write_text("\n".join(RECORDS))  # record length 37, one byte between records, none after the last
    run_job(job, spark, tmp_path)
    assert _out(tmp_path) == [
        "1,Ann,12.5000,01/31/2024 00:00:00",
        "2,,,02/29/2024 13:45:00",
        "3,Bob Lee,7.2500,",
    ]


def test_fixed_width_target_pads_fields_and_writes_the_null_character(spark, tmp_path: Path) -> None:
    b = _mapping({"LINESEQUENTIAL": "YES"}, target=[("NAME", S), ("DAY", "date")])
    tgt = b.folder.targets[-1]
    tgt.flatfile = _fixed({})
    tgt.fields[0].precision = 10
    job = b.render()
    assert job.complete, job.gaps
    src = tmp_path / "src" / "s.dat"
    src.parent.mkdir(parents=True)
    src.write_text("\n".join(RECORDS) + "\n")
    run_job(job, spark, tmp_path)
    assert _out(tmp_path) == [
        "Ann       01/31/2024 00:00:00",
        "*         02/29/2024 13:45:00",
        "Bob Lee   *                  ",
    ]


def test_field_positions_fall_back_to_precisions() -> None:
    from infaflow.codegen.handlers.source import field_positions

    fields = [Field("A", "string", precision=3), Field("B", "string", precision=5)]
    assert field_positions(fields) == [(0, 3), (3, 5)]


def test_a_field_that_does_not_convert_rejects_the_row(spark, tmp_path: Path) -> None:
    """As for delimited files, the reader rejects the row (SrcFailedRows) instead of reading NULL."""
    job = _mapping({"LINESEQUENTIAL": "YES"}).render()
    src = tmp_path / "src" / "s.dat"
    src.parent.mkdir(parents=True)
    bad = "0005Eve     12,5x " + "01/31/2024 00:00:00"  # AMOUNT is not a number
    src.write_text("\n".join([RECORDS[0], bad, RECORDS[2]]) + "\n")
    result = run_job(job, spark, tmp_path)
    assert result.source_rows == {"S": 2}
    assert result.source_rejected_rows == {"S": 1}
    assert [line.split(",")[0] for line in _out(tmp_path)] == ["1", "3"]
    errors = Path(result.row_error_file).read_text()
    assert "AMOUNT" in errors and "12,5x" in errors


def test_numbers_with_the_sources_thousand_and_decimal_separators(spark, tmp_path: Path) -> None:
    """A fixed-width source's Thousand Separator and Decimal Separator (SOURCE TABLEATTRIBUTEs) are read back
    to the number: "1.234,5" with "." and "," is 1234.5."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMOUNT", "decimal")])
    src = b.folder.sources[-1]
    src.flatfile = _fixed({"LINESEQUENTIAL": "YES"})
    for f, (offset, length) in zip(src.fields, [(0, 2), (2, 8)], strict=True):
        f.attrs = {"PHYSICALOFFSET": str(offset), "PHYSICALLENGTH": str(length)}
    src.table_attributes["Thousand Separator"] = "."
    src.table_attributes["Decimal Separator"] = ","
    b.flat_target("OUT", [("ID", INT), ("AMOUNT", "decimal")])
    b.connect("SQ_S", "OUT", ["ID", "AMOUNT"])
    job = b.render()
    assert 'thousand_separator=".",\n        decimal_separator=",",\n' in job.code
    src_file = tmp_path / "src" / "s.dat"
    src_file.parent.mkdir(parents=True)
    src_file.write_text(" 1 1.234,5\n 2   -7,25\n 3********\n")
    result = run_job(job, spark, tmp_path)
    assert result.source_rejected_rows == {"S": 0}
    assert _out(tmp_path) == ["1,1234.5000", "2,-7.2500", "3,"]
