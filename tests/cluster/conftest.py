"""Real Spark components for the cluster tests, started on loopback from pyspark's own distribution and
always stopped: a standalone master with one worker (1 core, small memory) and a Spark Connect server (the
warm engine's own start/stop). Each is started once per test session and only when a test asks for it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from infaflow.codegen import engine

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300.0  # the JVMs start slowly on a loaded 2-core machine


@dataclass(frozen=True)
class Standalone:
    master: str  # spark://127.0.0.1:PORT
    ui: str  # the master's web UI (its /json/ lists workers and applications)


@dataclass(frozen=True)
class ConnectServer:
    url: str  # sc://127.0.0.1:PORT
    ui: str  # the server's Spark UI (REST API under /api/v1)
    state_dir: Path


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read().decode("utf-8"))


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of an ``infaflow`` child process: this checkout first on the path, loopback Spark."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SPARK_REMOTE", "INFAFLOW_CONFIG", "INFAFLOW_STATE_DIR")
    }
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def _start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = engine.spark_env()
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env["SPARK_WORKER_DIR"] = str(log.parent / "work")
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def _wait(check, what: str, log: Path, procs: list[subprocess.Popen[bytes]]) -> None:  # noqa: ANN001
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{what}: exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what}: not up after {START_TIMEOUT:.0f}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    """A Spark standalone master and one worker (a separate executor JVM: 1 core, 1 GiB)."""
    folder = tmp_path_factory.mktemp("standalone")
    port, ui, worker_ui = engine.free_port(), engine.free_port(), engine.free_port()
    spark_class = str(engine.spark_home() / "bin" / "spark-class")
    master_log, worker_log = folder / "master.log", folder / "worker.log"
    procs = [
        _start(
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(ui),
            ],
            master_log,
        )
    ]
    try:
        _wait(lambda: engine.port_open(port) and engine.port_open(ui), "standalone master", master_log, procs)
        master = f"spark://127.0.0.1:{port}"
        procs.append(
            _start(
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--webui-port",
                    str(worker_ui),
                    master,
                ],
                worker_log,
            )
        )
        status_url = f"http://127.0.0.1:{ui}/json/"
        _wait(
            lambda: get_json(status_url).get("aliveworkers", 0) >= 1, "standalone worker", worker_log, procs
        )
        yield Standalone(master, f"http://127.0.0.1:{ui}")
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectServer]:
    """A Spark Connect server (``infaflow engine start``'s own code) on local[1], its UI on for the REST API."""
    state = tmp_path_factory.mktemp("engine")
    ui = engine.free_port()
    conf = {"spark.ui.enabled": "true", "spark.ui.port": str(ui), "spark.driver.memory": "1g"}
    try:
        started = engine.start(
            state, port=engine.free_port(), master="local[1]", conf=conf, timeout=START_TIMEOUT
        )
        yield ConnectServer(started.url, f"http://127.0.0.1:{ui}", state)
    finally:
        engine.stop(state)
