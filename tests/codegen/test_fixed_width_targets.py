"""Fixed-width flat-file targets with numbers (Designer Guide, "Formatting Flat File Columns"; Workflow
Basics Guide, "Writing to Fixed-Width Files with Flat File Target Definitions"): a number's field width is
its PICTURETEXT width (``F  12``), else its precision; numbers are right-aligned with blanks on the left,
with the target's thousand and decimal separators; a number wider than its field is written to the reject
file (column indicator O) instead of the target; NULL is the null character."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, run_job, write_csv

from infaflow.codegen.handlers.target import fixed_width_layout
from infaflow.model import Field, FlatFile


def _target_flatfile(repeat: bool = False) -> FlatFile:
    return FlatFile(
        {
            "DELIMITED": "NO",
            "NULL_CHARACTER": "*",
            "REPEATABLE": "YES" if repeat else "NO",
            "PADBYTES": "0",
            "LINESEQUENTIAL": "NO",
        }
    )


def _mapping(thousand: str = "None", decimal: str = ".", repeat: bool = False) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("ID", "integer"), ("AMT", "decimal"), ("NAME", "string")])
    b.folder.mappings[0].transformations[0].ports[1].scale = 4
    b.flat_target("OUT", [("ID", "integer"), ("AMT", "decimal"), ("NAME", "string")])
    tgt = b.folder.targets[-1]
    tgt.flatfile = _target_flatfile(repeat)
    tgt.fields[0].precision = 5
    tgt.fields[1].precision, tgt.fields[1].scale = 10, 2
    tgt.fields[1].attrs = {"PICTURETEXT": "F  12"}
    tgt.fields[2].precision = 4
    tgt.table_attributes["Thousand Separator"] = thousand
    tgt.table_attributes["Decimal Separator"] = decimal
    b.connect("SQ_S", "OUT", ["ID", "AMT", "NAME"])
    return b


@pytest.mark.parametrize(
    ("picture", "kind", "expected"),
    [
        ("", "int", (5, "")),  # a number without a format: its precision
        ("F  12", "decimal(10,2)", (12, "")),
        ("A  9", "int", (9, "")),
        ("F  29 YYYY-MM-DD", "timestamp", (29, "YYYY-MM-DD")),
        ("", "timestamp", (19, "")),  # the target's Datetime Format width
        ("F  12", "string", (5, "")),  # strings: always their precision
    ],
)
def test_field_width_of_a_fixed_width_target_field(
    picture: str, kind: str, expected: tuple[int, str]
) -> None:
    field = Field("X", "number", precision=5, attrs={"PICTURETEXT": picture})
    assert fixed_width_layout(field, kind, 19) == expected


def test_generated_call_names_widths_and_separators() -> None:
    job = _mapping(thousand=",", decimal=".").render()
    assert job.complete, job.gaps
    start = job.code.index("job.write_fixed_width(")
    call = job.code[start : job.code.index("\n    )", start) + 6]
    assert call.splitlines() == [
        "job.write_fixed_width(",
        '        "OUT",',
        "        out,",
        '        job.path("$PMTargetFileDir", "out.out"),',
        "        [  # (field, type, width[, datetime format])",
        '            ("ID", "int", 5),',
        '            ("AMT", "decimal(10,2)", 12),',
        '            ("NAME", "string", 4),',
        "        ],",
        '        null_character="*",',
        "        repeat_null=False,",
        '        thousand_separator=",",',
        "    )",
    ]


ROWS = [
    [1, "12.5", "Ann"],
    [-123, "1234567.891", "Bob"],
    [None, None, None],
    [123456, "1", "Cy"],
    [7, "-0.5", "Dora Lee"],
]


def _run(spark, tmp_path: Path, b: MappingBuilder):  # type: ignore[no-untyped-def]
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp_path / "src" / "s.dat", ["ID", "AMT", "NAME"], ROWS)
    result = run_job(job, spark, tmp_path)
    return result, (tmp_path / "tgt" / "out.out").read_bytes()


@pytest.mark.spark
def test_numbers_are_right_aligned_with_separators_and_overflow_is_rejected(spark, tmp_path: Path) -> None:
    result, data = _run(spark, tmp_path, _mapping(thousand=","))
    assert data == (
        b"    1       12.50Ann \n -1231,234,567.89Bob \n*    *           *   \n    7       -0.50Dora\n"
    )
    # 123456 is "123,456" with the separator, 7 bytes for a 5-byte field: the writer rejects the row
    # (column indicator O) instead of cutting it.
    assert result.target_rows == {"OUT": 4} and result.rejected_rows == {"OUT": 1}
    assert (tmp_path / "bad" / "out.bad").read_text() == '0,"123,456",O,1.00,D,Cy,D\n'


@pytest.mark.spark
def test_european_separators_and_repeated_null_character(spark, tmp_path: Path) -> None:
    _result, data = _run(spark, tmp_path, _mapping(thousand=".", decimal=",", repeat=True))
    assert data.splitlines() == [
        b"    1       12,50Ann ",
        b" -1231.234.567,89Bob ",
        b"*" * 21,  # NULL: the null character repeated over each field
        b"    7       -0,50Dora",
    ]


@pytest.mark.spark
def test_a_date_field_with_its_own_format_and_width(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("S", [("DAY", "date"), ("N", "integer")])
    b.flat_target("OUT", [("DAY", "date"), ("N", "integer")])
    tgt = b.folder.targets[-1]
    tgt.flatfile = _target_flatfile()
    tgt.fields[0].attrs = {"PICTURETEXT": "F  12 YYYY-MM-DD"}  # 10 bytes of date, 2 blanks after
    tgt.fields[1].precision = 3
    b.connect("SQ_S", "OUT", ["DAY", "N"])
    job = b.render()
    assert '("DAY", "timestamp", 12, "YYYY-MM-DD"),' in job.code
    write_csv(tmp_path / "src" / "s.dat", ["DAY", "N"], [["01/31/2024 10:20:30", 7], [None, -12]])
    run_job(job, spark, tmp_path)
    assert (tmp_path / "tgt" / "out.out").read_bytes() == b"2024-01-31    7\n*           -12\n"
