"""A Source Qualifier whose rows reach no target (its pipeline ends nowhere) is not read: the session runs
the pipelines that load a target. The job keeps the step's comment, has no unused variable, and counts no
row for that source."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, run_job, write_csv

S = "string"


def _mapping() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("USED", [("A", S)])
    b.flat_source("DANGLING", [("B", S)])  # its Source Qualifier feeds nothing
    b.flat_target("OUT", [("A", S)])
    b.connect("SQ_USED", "OUT", ["A"])
    return b


def test_a_pipeline_that_ends_in_no_target_is_not_read() -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    code = job.code
    assert "# Source Qualifier SQ_DANGLING\n    # its rows reach no target: not read" in code
    assert "dangling.dat" not in code and "sq_dangling =" not in code
    assert "used.dat" in code
    compile(code, "job.py", "exec")


@pytest.mark.spark
def test_its_source_counts_no_row(spark, tmp_path: Path) -> None:
    job = _mapping().render()
    write_csv(tmp_path / "src" / "used.dat", ["A"], [["x"], ["y"]])
    result = run_job(job, spark, tmp_path)  # no dangling.dat: nothing reads it
    assert result.source_rows == {"USED": 2}
