"""Stopping and aborting a run from another process (``infaflow stop`` / ``abort``), like Workflow Monitor.

The request is recorded in the run store; the process running the run looks for requests every
``RunOptions.control_poll`` seconds and applies them with PowerCenter's semantics (PowerCenter 10.x Advanced
Workflow Guide, "Stopping and Aborting"):

- stop: no task starts any more; a running Command task finishes the command it runs and starts no
  other; a running session is asked to stop (``SessionRequest.cancel``: PowerCenter's session stops
  reading and commits what it read; a Spark job cannot stop reading part-way, so the executor cancels the
  job and the session ends STOPPED, to be run again by ``resume``); Email tasks finish. Tasks and the
  workflow end STOPPED.
- abort: command processes are killed at once; a running session is asked to stop and killed when it
  has not ended after ``RunOptions.abort_timeout`` seconds (PowerCenter: 60). Tasks and the workflow end
  ABORTED.

A SUSPENDED run (its process has ended, waiting for ``resume``) is marked STOPPED or ABORTED at once, as
Monitor stops or aborts a suspended workflow. ``infaflow resume RUN_ID`` continues a stopped or aborted run.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

from infaflow.errors import InputError
from infaflow.runtime.processes import is_alive
from infaflow.runtime.status import ABORTED, STARTED, STOPPED, SUSPENDED
from infaflow.runtime.store import DB_NAME, RunRecord, RunStore

MODES = {"stop": STOPPED, "abort": ABORTED}


def _open(state_dir: str | Path) -> RunStore:
    if not (Path(state_dir) / DB_NAME).is_file():
        raise InputError(
            f"no run store in {state_dir} (run a workflow first, or pass --state-dir)", str(state_dir)
        )
    return RunStore(state_dir)


def request(state_dir: str | Path, run_id: int, mode: str) -> RunRecord:
    """Record a stop (``STOPPED``) or abort (``ABORTED``) request for the live run ``run_id``.

    An :class:`InputError` when there is no such run, it has ended, or its process is gone.
    """
    store = _open(state_dir)
    try:
        record = store.run(run_id)
        if record is None:
            raise InputError(f"no run {run_id} in {state_dir}", str(state_dir))
        if record.status == SUSPENDED:  # Monitor stops or aborts a suspended workflow: no process to ask
            store.finish_run(
                run_id, mode, dt.datetime.now(), f"{mode.lower()} while suspended ({record.error})"
            )
            store.add_event(run_id, "stop-request", "", f"{mode} while suspended")
            return record
        if record.status != STARTED:
            raise InputError(f"run {run_id} is not running: it ended {record.status}", str(state_dir))
        if record.host and record.host != socket.gethostname():
            raise InputError(f"run {run_id} runs on host {record.host}: stop it from there", str(state_dir))
        if not is_alive(record.pid, record.host):
            raise InputError(
                f"run {run_id} is not running: its process {record.pid} on {record.host or '?'} is gone "
                f"(continue it with 'infaflow resume {run_id}')",
                str(state_dir),
            )
        store.request_control(run_id, mode)
        return record
    finally:
        store.close()


def wait_for_end(
    state_dir: str | Path, run_id: int, timeout: float | None = None, poll: float = 0.2
) -> RunRecord:
    """The run's record once it is no longer STARTED (or when ``timeout`` seconds have passed)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    store = _open(state_dir)
    try:
        while True:
            record = store.run(run_id)
            if record is None:
                raise InputError(f"no run {run_id} in {state_dir}", str(state_dir))
            if record.status != STARTED or not is_alive(record.pid, record.host):
                return record
            if deadline is not None and time.monotonic() >= deadline:
                return record
            time.sleep(poll)
    finally:
        store.close()
