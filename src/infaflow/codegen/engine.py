"""The warm local engine: a Spark Connect server started in the background (``infaflow engine start``), so
``infaflow run`` skips the JVM start-up that a local SparkSession pays on every run.

The server is pyspark's own (``org.apache.spark.sql.connect.service.SparkConnectServer`` through
``spark-submit``), bound to loopback, in its own process group. Its pid, address and log live in
``<state dir>/engine/``; ``status`` trusts the pid only while the process is that server and its port
answers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from infaflow.errors import InputError
from infaflow.runtime.processes import is_alive

CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
DEFAULT_PORT = 15002
ENGINE_DIR = "engine"

# Session settings every infaflow Spark session uses, whatever runs it (see executor.local_spark): a run gives
# the same rows locally, on a cluster and through Spark Connect.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
}


@dataclass(frozen=True)
class EngineState:
    """A started engine as recorded in ``engine.json``."""

    pid: int
    port: int
    url: str
    log: str
    started: float


def spark_home() -> Path:
    """``SPARK_HOME``, else the installed pyspark package (it ships ``bin/spark-submit`` and the jars)."""
    if os.environ.get("SPARK_HOME"):
        return Path(os.environ["SPARK_HOME"])
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def spark_env() -> dict[str, str]:
    """The environment for Spark's own scripts: SPARK_HOME, and this Python for the Python workers."""
    env = dict(os.environ)
    env.setdefault("SPARK_HOME", str(spark_home()))
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    env.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return env


def engine_dir(state_dir: str | Path) -> Path:
    return Path(state_dir) / ENGINE_DIR


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_server(pid: int) -> bool:
    """The process is alive on this host and (where /proc tells) is a Spark Connect server."""
    if not is_alive(pid, socket.gethostname()):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.is_file():
        try:
            return CONNECT_SERVER.encode() in cmdline.read_bytes()
        except OSError:
            return False
    return True


def read_state(state_dir: str | Path) -> EngineState | None:
    """The recorded engine, if any (whether or not it still runs)."""
    path = engine_dir(state_dir) / "engine.json"
    if not path.is_file():
        return None
    try:
        return EngineState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def running(state_dir: str | Path) -> EngineState | None:
    """The engine of this state directory when it is up (process alive and port answering), else None."""
    state = read_state(state_dir)
    if state is None or not _is_server(state.pid) or not port_open(state.port):
        return None
    return state


def server_command(port: int, master: str, conf: dict[str, str], jars: list[str]) -> list[str]:
    """The ``spark-submit`` command line that runs a Spark Connect server on loopback ``port``."""
    settings = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": str(max(2, (os.cpu_count() or 2) * 2)),
        # Generated code compiled once is kept for the next runs (engine_sessions): one session of the orders
        # sample alone compiles more than the default 100 classes.
        "spark.sql.codegen.cache.maxEntries": "2000",
        "spark.driver.host": "127.0.0.1",
        **SESSION_CONF,
        **conf,
    }
    cmd = [
        str(spark_home() / "bin" / "spark-submit"),
        "--class",
        CONNECT_SERVER,
        "--name",
        "infaflow engine",
        "--master",
        master,
    ]
    if jars:
        cmd += ["--jars", ",".join(jars)]
    for key, value in settings.items():
        cmd += ["--conf", f"{key}={value}"]
    return cmd


def start(
    state_dir: str | Path,
    *,
    port: int | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    jars: list[str] | None = None,
    timeout: float = 180.0,
) -> EngineState:
    """Start the engine in the background and wait until it accepts connections. Starting an engine that
    is already up returns it unchanged."""
    current = running(state_dir)
    if current is not None:
        return current
    port = port or (DEFAULT_PORT if not port_open(DEFAULT_PORT) else free_port())
    if port_open(port):
        raise InputError(f"port {port} is in use; choose another with --port")
    folder = engine_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "engine.log"
    cmd = server_command(port, master or f"local[{os.cpu_count() or 2}]", conf or {}, jars or [])
    env = spark_env()
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    state = EngineState(
        pid=proc.pid, port=port, url=f"sc://127.0.0.1:{port}", log=str(log), started=time.time()
    )
    (folder / "engine.json").write_text(json.dumps(asdict(state), indent=2) + "\n", encoding="utf-8")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the engine exited with code {proc.returncode} while starting; see {log}")
        if port_open(port):
            return state
        time.sleep(0.25)
    stop(state_dir)
    raise RuntimeError(f"the engine did not accept connections within {timeout:.0f}s; see {log}")


def stop(state_dir: str | Path, timeout: float = 30.0) -> bool:
    """Stop the engine (SIGTERM to its process group, SIGKILL after ``timeout``). False when none ran."""
    state = read_state(state_dir)
    if state is None:
        return False
    was_running = _is_server(state.pid)
    if was_running:
        _signal_group(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(state.pid):
            time.sleep(0.2)
        if _alive(state.pid):
            _signal_group(state.pid, signal.SIGKILL)
    (engine_dir(state_dir) / "engine.json").unlink(missing_ok=True)
    return was_running


def _alive(pid: int) -> bool:
    try:
        waited, _status = os.waitpid(pid, os.WNOHANG)  # reap it when it is our child
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the server leads its own process group (start_new_session)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, sig)
