"""A flat-file source's `Datetime Format` (the definition's TABLEATTRIBUTE, or the mapping instance's
override of it) is the format its date/time fields are read with: ``A  10 MM/DD/YYYY`` reads
``03/11/2025``; the Designer's default ``A  19 mm/dd/yyyy hh24:mi:ss`` adds no argument."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, read_csv, run_job, write_csv

from infaflow.model import Attributes


def _mapping(instance_format: str = "", definition_format: str = "") -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("DATES", [("ID", "integer"), ("START_DATE", "date")])
    if definition_format:
        b.folder.sources[-1].table_attributes = Attributes({"Datetime Format": definition_format})
    if instance_format:
        b.mapping.instances[0].attributes = Attributes({"Datetime Format": instance_format})
    b.flat_target("OUT", [("ID", "integer"), ("START_DATE", "date")])
    b.connect("SQ_DATES", "OUT", ["ID", "START_DATE"])
    return b


@pytest.mark.parametrize(
    ("instance_format", "definition_format", "argument"),
    [
        ("A  10 MM/DD/YYYY", "A  19 mm/dd/yyyy hh24:mi:ss", 'date_format="MM/DD/YYYY",'),
        ("", "A  10 yyyy-mm-dd", 'date_format="YYYY-MM-DD",'),
        ("", "A  19 mm/dd/yyyy hh24:mi:ss", None),
        ("", "", None),
    ],
)
def test_the_source_datetime_format_is_the_readers(
    instance_format: str, definition_format: str, argument: str | None
) -> None:
    job = _mapping(instance_format, definition_format).render()
    assert job.complete, job.gaps
    reader = job.code[job.code.index("job.read_flat_file(") :]
    reader = reader[: reader.index("\n    )")]
    if argument is None:
        assert "date_format" not in reader
    else:
        assert argument in reader


@pytest.mark.spark
def test_dates_in_the_instance_format_are_read(spark, tmp_path: Path) -> None:
    job = _mapping("A  10 MM/DD/YYYY").render()
    write_csv(tmp_path / "src" / "dates.dat", ["ID", "START_DATE"], [[1, "03/11/2025"], [2, "12/31/1999"]])
    result = run_job(job, spark, tmp_path)
    assert sum(result.source_rejected_rows.values()) == 0
    rows = read_csv(tmp_path / "tgt" / "out.out")
    assert [(r[0], r[1][:10]) for r in rows] == [("1", "03/11/2025"), ("2", "12/31/1999")]
