"""Row counts read from observations with public API only, exact also when Spark completes an observation
without values (a global sort's sampling job runs the observed plan before the write)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import Observation
from pyspark.sql import functions as F

from infaflow.codegen.support import _observed_rows

pytestmark = [pytest.mark.spark]


@pytest.mark.parametrize("sorted_globally", [False, True])
def test_observed_rows_are_exact(spark, tmp_path: Path, sorted_globally: bool) -> None:  # noqa: ANN001
    df = spark.range(1000).repartition(4).withColumn("k", F.rand(1)).where(F.col("id") % 10 != 3)
    obs = Observation("rows_under_test")
    observed = df.observe(obs, F.count(F.lit(1)).alias("rows"))
    out = observed.orderBy("k") if sorted_globally else observed
    out.write.mode("overwrite").parquet(str(tmp_path / "out"))
    assert _observed_rows(obs, observed, F.count(F.lit(1))) == 900


def test_an_observation_no_action_ran_is_counted(spark, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Classic Spark's Observation.get waits for a first action; the count must not wait for ever."""
    from infaflow.codegen import support

    monkeypatch.setattr(support, "_OBSERVATION_WAIT", 0.5)
    obs = Observation("never_run")
    observed = spark.range(40).observe(obs, F.count(F.lit(1)).alias("rows"))
    assert _observed_rows(obs, observed, F.count(F.lit(1))) == 40
