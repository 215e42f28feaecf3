"""Where a generated DAG's Session tasks run (no Airflow, no Spark needed to read it): ``spark-submit`` (the
default: the provider's SparkSubmitOperator on an Airflow connection) or ``in-process`` (a Spark session of
the worker, for local tests), from the ``[airflow]`` table of the project's configuration file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.codegen.spark_target import load_config
from infaflow.errors import InputError

SPARK_SUBMIT = "spark-submit"
IN_PROCESS = "in-process"
MODES = (SPARK_SUBMIT, IN_PROCESS)
DEFAULT_CONN_ID = "spark_default"


@dataclass(frozen=True)
class SessionSettings:
    """Where a DAG's sessions run: ``run`` (spark-submit or in-process), the Airflow connection of
    spark-submit (its host is the master, its extra the deploy mode, queue, binary...), Spark settings."""

    run: str = SPARK_SUBMIT
    conn_id: str = DEFAULT_CONN_ID
    conf: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"run": self.run, "conn_id": self.conn_id, "conf": dict(self.conf)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> SessionSettings:
        """The settings a DAG file carries (``WORKFLOW["sessions"]``); none: the defaults."""
        data = data or {}
        run = str(data.get("run") or SPARK_SUBMIT)
        if run not in MODES:
            raise InputError(f"sessions run {run!r}: expected one of {', '.join(MODES)}")
        conf = {str(k): str(v) for k, v in (data.get("conf") or {}).items()}
        return cls(run, str(data.get("conn_id") or DEFAULT_CONN_ID), conf)


def project_settings(cwd: Path | None = None) -> SessionSettings:
    """The session settings of the project's configuration file (``infaflow.toml``): ``[airflow]``
    ``sessions`` and ``spark_conn_id``, and the ``[spark]`` table's ``conf``."""
    spark, path = load_config(cwd)
    if not path:
        return SessionSettings()
    with open(path, "rb") as fh:
        table = tomllib.load(fh).get("airflow", {})
    if not isinstance(table, dict):
        raise InputError("[airflow] must be a table", path)
    unknown = sorted(set(table) - {"sessions", "spark_conn_id"})
    if unknown:
        raise InputError(
            f"[airflow]: unknown setting(s) {', '.join(unknown)} (known: sessions, spark_conn_id)", path
        )
    conf = spark.get("conf", {}) if isinstance(spark.get("conf", {}), dict) else {}
    try:
        return SessionSettings.from_dict(
            {"run": table.get("sessions"), "conn_id": table.get("spark_conn_id"), "conf": conf}
        )
    except InputError as exc:
        raise InputError(f"[airflow] {exc}", path) from exc
