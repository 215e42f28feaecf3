"""Parameter values given to a converted module on its command line (``--submit``, Airflow's
SparkSubmitOperator) read back as the values the run holds: a date/time in PowerCenter's
MM/DD/YYYY HH24:MI:SS (with microseconds when it has them), NULL as empty text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from infaflow.codegen import support
from infaflow.codegen.submit import job_arguments


def test_date_time_values_are_written_in_powercenter_form(tmp_path: Path) -> None:
    args = job_arguments(
        {
            "$$LAST_RUN": dt.datetime(2024, 1, 5, 10, 30),
            "$$STAMP": dt.datetime(2024, 1, 5, 10, 30, 0, 120000),
            "$$EMPTY": None,
            "$$N": 7,
        },
        tmp_path / "result.json",
        "infaflow s",
    )
    assert args[:8] == [
        "--param",
        "$$LAST_RUN=01/05/2024 10:30:00",
        "--param",
        "$$STAMP=01/05/2024 10:30:00.120000",
        "--param",
        "$$EMPTY=",
        "--param",
        "$$N=7",
    ]


@pytest.mark.spark
def test_the_job_reads_them_back(spark) -> None:
    types = {
        "$$LAST_RUN": ("timestamp", None),
        "$$STAMP": ("timestamp", None),
        "$$EMPTY": ("timestamp", None),
    }
    params = {"$$LAST_RUN": "01/05/2024 10:30:00", "$$STAMP": "01/05/2024 10:30:00.120000", "$$EMPTY": ""}
    job = support.Job(spark, "s_params", params, types)
    row = spark.range(1).select(*[job.param(name).alias(name) for name in params]).first()
    assert row[0] == dt.datetime(2024, 1, 5, 10, 30)
    assert row[1] == dt.datetime(2024, 1, 5, 10, 30, 0, 120000)
    assert row[2] is None
