"""Workflows as Airflow 3 DAGs: one Airflow task per PowerCenter task instance, run through infaflow's
own runtime (see docs/airflow.md).

Only :mod:`infaflow.airflow.operators` and :mod:`infaflow.airflow.testing` import Airflow; building and
rendering DAG files works without it.
"""

from __future__ import annotations

INSTALL_HINT = "Airflow is not installed: pip install 'infaflow[airflow]'"


def airflow_available() -> bool:
    """Whether Airflow 3 is installed (checked without importing it: importing Airflow reads its
    configuration, which :func:`infaflow.airflow.testing.use_airflow_home` must set first)."""
    from importlib import metadata

    try:
        return int(metadata.version("apache-airflow-core").split(".")[0]) >= 3
    except (metadata.PackageNotFoundError, ValueError):
        return False
