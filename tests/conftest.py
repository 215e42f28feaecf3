"""Shared fixtures: the sample and corpus folders and one SparkSession for the whole test session."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()


@pytest.fixture(scope="session", autouse=True)
def _hermetic_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands default to a run store in a temporary folder, never a .infaflow left in the working tree
    (recorded durations from an earlier manual run would change what inspect prints)."""
    old = os.environ.get("INFAFLOW_STATE_DIR")
    os.environ["INFAFLOW_STATE_DIR"] = str(tmp_path_factory.mktemp("state"))
    yield
    if old is None:
        os.environ.pop("INFAFLOW_STATE_DIR", None)
    else:
        os.environ["INFAFLOW_STATE_DIR"] = old


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real exports of ../shared/corpus; tests using it skip when it is absent."""
    if not (CORPUS / "manifest.tsv").is_file():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_manifest(corpus_dir: Path) -> list[dict[str, str]]:
    with open(corpus_dir / "manifest.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local SparkSession shared by every test that needs Spark."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("infaflow-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
