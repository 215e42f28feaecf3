"""A PostgreSQL server started on loopback for the tests that need a real database (Debian's postgresql and
libpostgresql-jdbc-java; skipped when absent), and the spark-submit that runs generated jobs against it."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

JAR = Path("/usr/share/java/postgresql.jar")
# spark-submit of the pyspark installed beside this interpreter (a venv's bin is not always on PATH).
SPARK_SUBMIT = (
    str(Path(sys.executable).parent / "spark-submit")
    if (Path(sys.executable).parent / "spark-submit").is_file()
    else shutil.which("spark-submit")
)
PG_BIN = (
    next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
    if Path("/usr/lib/postgresql").is_dir()
    else None
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", name="postgres")
def postgres_server() -> Iterator[dict[str, str]]:
    """A PostgreSQL server for the test module: its port and JDBC URL (user postgres, no password)."""
    if PG_BIN is None or not JAR.is_file() or SPARK_SUBMIT is None:
        pytest.skip("PostgreSQL, its JDBC driver or spark-submit is not installed")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres system user to run the server")
    root = Path(tempfile.mkdtemp(prefix="infaflow-pg-"))
    shutil.chown(root, "postgres")
    data, port_no = root / "data", _free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*as_pg, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_pg,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(root / "log"),
            "-o",
            f"-p {port_no} -k {root} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    info = {"port": str(port_no), "url": f"jdbc:postgresql://127.0.0.1:{port_no}/postgres"}
    try:
        yield info
    finally:
        subprocess.run(
            [*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def psql(pg: dict[str, str], sql: str) -> list[list[str]]:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", pg["port"], "-U", "postgres", "-At", "-F", ",", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return [line.split(",") for line in out.stdout.splitlines() if line]


def submit_job(
    project: Path,
    params: dict[str, str],
    log: Path,
    *,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: int = 600,
) -> subprocess.CompletedProcess[str]:
    """Run a converted project's ``job.py`` with spark-submit on ``local[1]`` with the PostgreSQL driver,
    its connections from ``project/connections.toml``, ``--param NAME=VALUE`` for each of ``params`` and
    ``args`` after them; spark-submit's output is kept in ``log``."""
    command = [SPARK_SUBMIT or "spark-submit", "--master", "local[1]", "--jars", str(JAR)]
    command += ["--conf", "spark.ui.enabled=false", "job.py"]
    for name, value in params.items():
        command += ["--param", f"{name}={value}"]
    run = subprocess.run(
        [*command, *args],
        cwd=project,
        env={
            **os.environ,
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "INFAFLOW_CONNECTIONS": str(project / "connections.toml"),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    log.write_text(run.stderr + "\n=== stdout\n" + run.stdout)
    return run
