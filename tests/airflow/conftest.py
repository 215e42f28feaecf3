"""The Airflow tests: the runtime tests' exports (tests/runtime/runtime_xml.py), and one Airflow home (a
SQLite metadata database in a temporary folder) per test session for ``dag.test()`` runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from infaflow.airflow import airflow_available  # noqa: E402


def statuses(result) -> dict[str, str]:  # noqa: ANN001 - a RunResult or a summary
    summary = result if isinstance(result, dict) else result.summary
    return {path: t["status"] for path, t in summary["tasks"].items()}


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Airflow configured for in-process ``dag.test()`` runs (skips when Airflow is not installed)."""
    if not airflow_available():
        pytest.skip("Airflow is not installed (pip install 'infaflow[airflow]')")
    from infaflow.airflow.testing import use_airflow_home

    return use_airflow_home(tmp_path_factory.mktemp("airflow_home"))
