"""Child processes of a run: each command runs in its own process group so it can be stopped whole."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

#: Environment variable set in every child so that `resume` can find the orphans of a killed run.
RUN_MARKER = "INFAFLOW_RUN_ID"


class ProcessRegistry:
    """The running child processes by task path, for stop (SIGTERM, then SIGKILL) and abort (SIGKILL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: dict[str, set[subprocess.Popen[bytes]]] = {}

    def add(self, path: str, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._by_path.setdefault(path, set()).add(proc)

    def remove(self, path: str, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            procs = self._by_path.get(path)
            if procs is not None:
                procs.discard(proc)
                if not procs:
                    del self._by_path[path]

    def signal(self, path: str, sig: int) -> None:
        with self._lock:
            procs = list(self._by_path.get(path, ()))
        for proc in procs:
            kill_group(proc.pid, sig)

    def terminate(self, path: str, grace: float) -> None:
        """SIGTERM the task's process groups, SIGKILL whatever is left after ``grace`` seconds."""
        self.signal(path, signal.SIGTERM)
        if grace <= 0:
            self.signal(path, signal.SIGKILL)
            return
        timer = threading.Timer(grace, self.signal, (path, signal.SIGKILL))
        timer.daemon = True
        timer.start()


def kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_shell(
    command: str,
    *,
    path: str,
    registry: ProcessRegistry,
    cancel: threading.Event,
    log_path: Path,
    env: Mapping[str, str],
    cwd: str | None = None,
    timeout: float | None = None,
) -> tuple[int | None, str]:
    """Run ``command`` with ``/bin/sh -c`` in a new process group, output appended to ``log_path``.

    Returns ``(exit status, problem)``: ``(None, reason)`` when it was stopped or timed out.
    """
    if cancel.is_set():
        return None, "stopped before it started"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(env),
            cwd=cwd,
        )
    registry.add(path, proc)
    try:
        if cancel.is_set():  # stop requested between the check and the registration
            kill_group(proc.pid, signal.SIGTERM)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_group(proc.pid, signal.SIGKILL)
                proc.wait()
            return None, f"timed out after {timeout:g} s"
    finally:
        registry.remove(path, proc)
    if cancel.is_set() and code != 0:  # ended by the stop (a command that completed keeps its status)
        return None, "stopped"
    return code, ""


def orphans_of_run(run_id: int) -> list[int]:
    """Process groups (Linux /proc) still running commands of ``run_id`` (after the runner was killed)."""
    marker = f"{RUN_MARKER}={run_id}".encode()
    found: set[int] = set()
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        return []
    for entry in proc_dir.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            try:
                found.add(os.getpgid(int(entry.name)))
            except ProcessLookupError:
                continue
    return sorted(found)


def is_alive(pid: int | None, host: str) -> bool:
    """Whether process ``pid`` of ``host`` still runs (on this host only; a zombie is not alive)."""
    if not pid or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
