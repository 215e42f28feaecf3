"""The run store: SQLite in WAL mode (``synchronous=NORMAL``), shared safely by several processes.

It records runs, task runs, attempts, workflow variable values, persistent variables and events as they
happen; ``resume`` reads it after a failure or a crash. Writes use ``BEGIN IMMEDIATE`` with a generous
busy timeout, so concurrent ``infaflow run`` processes on one state directory queue instead of failing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infaflow.runtime import values as V

DB_NAME = "runs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow    TEXT NOT NULL,
    folder      TEXT NOT NULL,
    export_path TEXT NOT NULL,
    status      TEXT NOT NULL,
    started     TEXT NOT NULL,
    ended       TEXT,
    pid         INTEGER,
    host        TEXT,
    options     TEXT NOT NULL DEFAULT '{}',
    error       TEXT NOT NULL DEFAULT '',
    resumes     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS task_runs (
    run_id     INTEGER NOT NULL,
    path       TEXT NOT NULL,
    task_type  TEXT NOT NULL,
    status     TEXT NOT NULL,
    started    TEXT,
    ended      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    error_code INTEGER NOT NULL DEFAULT 0,
    log_path   TEXT NOT NULL DEFAULT '',
    vars       TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, path)
);
CREATE TABLE IF NOT EXISTS attempts (
    run_id   INTEGER NOT NULL,
    path     TEXT NOT NULL,
    attempt  INTEGER NOT NULL,
    status   TEXT NOT NULL,
    started  TEXT NOT NULL,
    ended    TEXT,
    error    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, path, attempt)
);
CREATE TABLE IF NOT EXISTS variables (
    run_id INTEGER NOT NULL,
    scope  TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, scope, name)
);
CREATE TABLE IF NOT EXISTS persistent (
    folder   TEXT NOT NULL,
    workflow TEXT NOT NULL,
    scope    TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    run_id   INTEGER NOT NULL,
    updated  TEXT NOT NULL,
    PRIMARY KEY (folder, workflow, scope, name)
);
CREATE TABLE IF NOT EXISTS events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    path   TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS run_attempts (
    run_id  INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    status  TEXT NOT NULL,
    started TEXT NOT NULL,
    ended   TEXT,
    error   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, attempt)
);
CREATE TABLE IF NOT EXISTS requests (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time   TEXT NOT NULL,
    mode   TEXT NOT NULL,
    taken  TEXT
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
CREATE INDEX IF NOT EXISTS runs_workflow ON runs (workflow, folder);
"""


#: Columns added after a store's first release: (table, column, declaration), added when missing.
_ADDED_COLUMNS = [
    ("task_runs", "message", "TEXT NOT NULL DEFAULT ''"),
]

#: How a run attempt began: a new run, ``resume``, ``resume --restart TASK``.
ATTEMPT_RUN = "run"
ATTEMPT_RESUME = "resume"
ATTEMPT_RESTART = "restart"


def _ts(when: dt.datetime | None) -> str | None:
    return when.isoformat(timespec="microseconds") if when else None


def _dt(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def encode_export_paths(paths: list[str]) -> str:
    """The ``export_path`` column: one file as its path, an export set of several files as a JSON list."""
    return paths[0] if len(paths) == 1 else json.dumps(paths)


@dataclass
class RunRecord:
    run_id: int
    workflow: str
    folder: str
    export_path: str  # see encode_export_paths
    status: str
    started: dt.datetime
    ended: dt.datetime | None
    pid: int | None
    host: str
    options: dict[str, Any]
    error: str
    resumes: int

    @property
    def export_paths(self) -> list[str]:
        """The files of the export set the run was started from."""
        if self.export_path.startswith("["):
            return [str(p) for p in json.loads(self.export_path)]
        return [self.export_path]


@dataclass
class RunAttempt:
    """One start of a run: the first (``run``), or a continuation (``resume``, ``restart``)."""

    attempt: int
    kind: str
    status: str
    started: dt.datetime
    ended: dt.datetime | None
    error: str


@dataclass
class TaskRecord:
    path: str
    task_type: str
    status: str
    started: dt.datetime | None
    ended: dt.datetime | None
    attempts: int
    error: str
    error_code: int
    log_path: str
    vars: dict[str, V.Value] = field(default_factory=dict)
    message: str = ""  # what the task reports besides errors (where an email went)

    @property
    def duration(self) -> float | None:
        if self.started and self.ended:
            return (self.ended - self.started).total_seconds()
        return None


class RunStore:
    """One connection to the store of a state directory (``None``: an in-memory store, for dry runs).

    Methods are safe to call from several threads of one process; several processes may open the same
    directory at once.
    """

    def __init__(self, state_dir: str | Path | None) -> None:
        self.state_dir = Path(state_dir) if state_dir is not None else None
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            target = str(self.state_dir / DB_NAME)
        else:
            target = ":memory:"
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(target, timeout=120.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 120000")
        if self.state_dir is not None:
            self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        with self.transaction() as cur:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    cur.execute(statement)
            for table, column, declaration in _ADDED_COLUMNS:
                present = {row[1] for row in cur.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    cur.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        self._depth = 0

    # -- transactions ---------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """A write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one."""
        with self._lock:
            depth = getattr(self, "_depth", 0)
            cur = self._conn.cursor()
            if depth == 0:
                cur.execute("BEGIN IMMEDIATE")
            self._depth = depth + 1
            try:
                yield cur
            except BaseException:
                self._depth = depth
                if depth == 0:
                    self._conn.rollback()
                raise
            self._depth = depth
            if depth == 0:
                self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- runs -----------------------------------------------------------------------------------------

    def create_run(
        self, workflow: str, folder: str, export_path: str, options: dict[str, Any], started: dt.datetime
    ) -> int:
        """Record a new run (status STARTED, this process) and return its id."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO runs (workflow, folder, export_path, status, started, pid, host, options)"
                " VALUES (?, ?, ?, 'STARTED', ?, ?, ?, ?)",
                (
                    workflow,
                    folder,
                    export_path,
                    _ts(started),
                    os.getpid(),
                    socket.gethostname(),
                    json.dumps(options),
                ),
            )
            run_id = int(cur.lastrowid or 0)
            cur.execute(
                "INSERT INTO run_attempts (run_id, attempt, kind, status, started)"
                " VALUES (?, 1, ?, 'STARTED', ?)",
                (run_id, ATTEMPT_RUN, _ts(started)),
            )
            return run_id

    def claim_run(
        self, run_id: int, expected_status: str, expected_pid: int | None, kind: str = ATTEMPT_RESUME
    ) -> bool:
        """Mark ``run_id`` as continued by this process (``resume``), only if nobody else did since it
        was read (status and pid unchanged); False when another process got there first. The
        continuation is recorded as a new attempt of the run (``kind``: resume or restart)."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE runs SET status='STARTED', ended=NULL, pid=?, host=?, error='', resumes=resumes+1"
                " WHERE run_id=? AND status=? AND pid IS ?",
                (os.getpid(), socket.gethostname(), run_id, expected_status, expected_pid),
            )
            if cur.rowcount != 1:
                return False
            row = cur.execute(
                "SELECT COALESCE(MAX(attempt), 0) FROM run_attempts WHERE run_id=?", (run_id,)
            ).fetchone()
            cur.execute(
                "INSERT INTO run_attempts (run_id, attempt, kind, status, started)"
                " VALUES (?, ?, ?, 'STARTED', ?)",
                (run_id, int(row[0]) + 1, kind, _ts(dt.datetime.now())),
            )
            return True

    def finish_run(self, run_id: int, status: str, ended: dt.datetime, error: str = "") -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE runs SET status=?, ended=?, error=? WHERE run_id=?",
                (status, _ts(ended), error, run_id),
            )
            cur.execute(
                "UPDATE run_attempts SET status=?, ended=?, error=? WHERE run_id=? AND attempt ="
                " (SELECT MAX(attempt) FROM run_attempts WHERE run_id=?)",
                (status, _ts(ended), error, run_id, run_id),
            )

    def run_attempts(self, run_id: int) -> list[RunAttempt]:
        """Each start of the run (the first, then every ``resume``), in order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT attempt, kind, status, started, ended, error FROM run_attempts"
                " WHERE run_id=? ORDER BY attempt",
                (run_id,),
            ).fetchall()
        return [RunAttempt(r[0], r[1], r[2], _dt(r[3]) or dt.datetime.min, _dt(r[4]), r[5]) for r in rows]

    # -- stop and abort requests from other processes ------------------------------------------------

    def request_control(self, run_id: int, mode: str) -> None:
        """Ask the process running ``run_id`` to stop (STOPPED) or abort (ABORTED) it."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO requests (run_id, time, mode) VALUES (?, ?, ?)",
                (run_id, _ts(dt.datetime.now()), mode),
            )

    def take_control_requests(self, run_id: int) -> list[str]:
        """The stop/abort requests for ``run_id`` not yet taken, oldest first; marks them taken. Polled
        often: it only reads (no write lock on the shared store) unless there is a request."""
        query = "SELECT id, mode FROM requests WHERE run_id=? AND taken IS NULL ORDER BY id"
        with self._lock:
            if not self._conn.execute(query, (run_id,)).fetchone():
                return []
        with self.transaction() as cur:
            rows = cur.execute(query, (run_id,)).fetchall()
            cur.executemany(
                "UPDATE requests SET taken=? WHERE id=?", [(_ts(dt.datetime.now()), r[0]) for r in rows]
            )
        return [mode for _, mode in rows]

    def _run_record(self, row: tuple[Any, ...]) -> RunRecord:
        return RunRecord(
            run_id=row[0],
            workflow=row[1],
            folder=row[2],
            export_path=row[3],
            status=row[4],
            started=_dt(row[5]) or dt.datetime.min,
            ended=_dt(row[6]),
            pid=row[7],
            host=row[8] or "",
            options=json.loads(row[9] or "{}"),
            error=row[10] or "",
            resumes=row[11],
        )

    _RUN_COLUMNS = (
        "run_id, workflow, folder, export_path, status, started, ended, pid, host, options, error, resumes"
    )

    def run(self, run_id: int) -> RunRecord | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {self._RUN_COLUMNS} FROM runs WHERE run_id=?", (run_id,)
            ).fetchone()
        return self._run_record(row) if row else None

    def runs(self, limit: int = 20, workflow: str | None = None) -> list[RunRecord]:
        """The most recent runs first."""
        sql = f"SELECT {self._RUN_COLUMNS} FROM runs"
        args: tuple[Any, ...] = ()
        if workflow:
            sql += " WHERE workflow=?"
            args = (workflow,)
        sql += " ORDER BY run_id DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, (*args, limit)).fetchall()
        return [self._run_record(r) for r in rows]

    # -- tasks ----------------------------------------------------------------------------------------

    def task_started(
        self, run_id: int, path: str, task_type: str, attempt: int, started: dt.datetime, log_path: str
    ) -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO task_runs (run_id, path, task_type, status, started, ended, attempts, log_path)"
                " VALUES (?, ?, ?, 'STARTED', ?, NULL, ?, ?)"
                " ON CONFLICT (run_id, path) DO UPDATE SET status='STARTED', ended=NULL,"
                " attempts=excluded.attempts, started=COALESCE(task_runs.started, excluded.started),"
                " log_path=excluded.log_path, error=''",
                (run_id, path, task_type, _ts(started), attempt, log_path),
            )
            cur.execute(
                "INSERT OR REPLACE INTO attempts (run_id, path, attempt, status, started)"
                " VALUES (?, ?, ?, 'STARTED', ?)",
                (run_id, path, attempt, _ts(started)),
            )

    def attempt_finished(
        self,
        run_id: int,
        path: str,
        attempt: int,
        status: str,
        ended: dt.datetime,
        error: str,
        started: dt.datetime | None = None,
    ) -> None:
        """Record an attempt's end (and its real start, when it waited for a worker)."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE attempts SET status=?, ended=?, error=?, started=COALESCE(?, started)"
                " WHERE run_id=? AND path=? AND attempt=?",
                (status, _ts(ended), error, _ts(started), run_id, path, attempt),
            )

    def task_finished(
        self,
        run_id: int,
        path: str,
        task_type: str,
        status: str,
        started: dt.datetime | None,
        ended: dt.datetime | None,
        attempts: int,
        error: str,
        error_code: int,
        task_vars: dict[str, V.Value],
        log_path: str = "",
        message: str = "",
    ) -> None:
        """Record a task's final state (any status, including DISABLED and NOTSTARTED)."""
        encoded = json.dumps({k: V.encode(v) for k, v in task_vars.items()})
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO task_runs (run_id, path, task_type, status, started, ended, attempts, error,"
                " error_code, log_path, vars, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, path) DO UPDATE SET task_type=excluded.task_type,"
                " status=excluded.status, started=excluded.started, ended=excluded.ended,"
                " attempts=excluded.attempts, error=excluded.error,"
                " error_code=excluded.error_code, vars=excluded.vars, message=excluded.message,"
                " log_path=CASE WHEN excluded.log_path='' THEN task_runs.log_path ELSE excluded.log_path END",
                (
                    run_id,
                    path,
                    task_type,
                    status,
                    _ts(started),
                    _ts(ended),
                    attempts,
                    error,
                    error_code,
                    log_path,
                    encoded,
                    message,
                ),
            )

    def reset_tasks(self, run_id: int, paths: set[str]) -> None:
        """Mark tasks that will run again NOTSTARTED (their attempts are kept): ``resume --restart``."""
        with self.transaction() as cur:
            cur.executemany(
                "UPDATE task_runs SET status='NOTSTARTED', started=NULL, ended=NULL, error='', message=''"
                " WHERE run_id=? AND path=?",
                [(run_id, path) for path in sorted(paths)],
            )

    def forget_task(self, run_id: int, path: str) -> None:
        """Drop a task's record (``resume`` plans it again)."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM task_runs WHERE run_id=? AND path=?", (run_id, path))

    def tasks(self, run_id: int, with_vars: bool = True) -> list[TaskRecord]:
        """The recorded tasks of a run (``with_vars=False``: without their task variables, faster)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT path, task_type, status, started, ended, attempts, error, error_code, log_path,"
                " vars, message FROM task_runs WHERE run_id=? ORDER BY started IS NULL, started, path",
                (run_id,),
            ).fetchall()
        return [
            TaskRecord(
                path=r[0],
                task_type=r[1],
                status=r[2],
                started=_dt(r[3]),
                ended=_dt(r[4]),
                attempts=r[5],
                error=r[6],
                error_code=r[7],
                log_path=r[8],
                vars={k: V.decode(v) for k, v in json.loads(r[9] or "{}").items()} if with_vars else {},
                message=r[10] or "",
            )
            for r in rows
        ]

    def attempts(self, run_id: int, path: str) -> list[tuple[int, str, str, str | None, str]]:
        """(attempt, status, started, ended, error) of one task, in order."""
        with self._lock:
            return self._conn.execute(
                "SELECT attempt, status, started, ended, error FROM attempts"
                " WHERE run_id=? AND path=? ORDER BY attempt",
                (run_id, path),
            ).fetchall()

    # -- variables ------------------------------------------------------------------------------------

    def set_variables(self, run_id: int, scope: str, values: dict[str, V.Value]) -> None:
        with self.transaction() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO variables (run_id, scope, name, value) VALUES (?, ?, ?, ?)",
                [(run_id, scope, name, V.encode(value)) for name, value in values.items()],
            )

    def variables(self, run_id: int) -> dict[str, dict[str, V.Value]]:
        """scope path ('' = the workflow) -> name -> value, as last recorded."""
        out: dict[str, dict[str, V.Value]] = {}
        with self._lock:
            rows = self._conn.execute(
                "SELECT scope, name, value FROM variables WHERE run_id=?", (run_id,)
            ).fetchall()
        for scope, name, value in rows:
            out.setdefault(scope, {})[name] = V.decode(value)
        return out

    def persistent_values(self, folder: str, workflow: str, scope: str) -> dict[str, V.Value]:
        """Saved values of persistent variables (by name as declared)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, value FROM persistent WHERE folder=? AND workflow=? AND scope=?",
                (folder, workflow, scope),
            ).fetchall()
        return {name: V.decode(value) for name, value in rows}

    def save_persistent(
        self, folder: str, workflow: str, scope: str, values: dict[str, V.Value], run_id: int
    ) -> None:
        now = _ts(dt.datetime.now())
        with self.transaction() as cur:
            cur.executemany(
                "INSERT OR REPLACE INTO persistent (folder, workflow, scope, name, value, run_id, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(folder, workflow, scope, name, V.encode(v), run_id, now) for name, v in values.items()],
            )

    # -- events ---------------------------------------------------------------------------------------

    def add_event(self, run_id: int, kind: str, path: str = "", detail: str = "") -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO events (run_id, time, kind, path, detail) VALUES (?, ?, ?, ?, ?)",
                (run_id, _ts(dt.datetime.now()), kind, path, detail),
            )

    def events(self, run_id: int) -> list[tuple[str, str, str, str]]:
        """(time, kind, path, detail) in order."""
        with self._lock:
            return self._conn.execute(
                "SELECT time, kind, path, detail FROM events WHERE run_id=? ORDER BY id", (run_id,)
            ).fetchall()

    # -- durations for the critical path -------------------------------------------------------------

    def recorded_durations(self, workflow: str, folder: str | None = None, runs: int = 5) -> dict[str, float]:
        """Mean duration in seconds of each task path over the last ``runs`` runs where it SUCCEEDED.

        ``infaflow runs --durations`` prints them for ``inspect``/``report --durations`` (critical path).
        """
        recent = "SELECT run_id FROM runs WHERE workflow = ? AND options NOT LIKE '%\"dry_run\": true%'"
        args: list[Any] = [workflow]
        if folder:
            recent += " AND folder = ?"
            args.append(folder)
        recent += " ORDER BY run_id DESC LIMIT ?"
        args.append(max(runs * 4, 20))  # the recent runs only: the store may hold thousands
        sql = (
            "SELECT t.path, t.started, t.ended FROM task_runs t"
            f" WHERE t.run_id IN ({recent}) AND t.status = 'SUCCEEDED'"
            " AND t.started IS NOT NULL AND t.ended IS NOT NULL ORDER BY t.run_id DESC"
        )
        samples: dict[str, list[float]] = {}
        with self._lock:
            for path, started, ended in self._conn.execute(sql, args):
                bucket = samples.setdefault(path, [])
                if len(bucket) < runs:
                    bucket.append(
                        (
                            dt.datetime.fromisoformat(ended) - dt.datetime.fromisoformat(started)
                        ).total_seconds()
                    )
        return {path: sum(v) / len(v) for path, v in samples.items()}

    def recorded_run_seconds(self, workflow: str, folder: str | None = None, runs: int = 5) -> float | None:
        """Mean wall time of the last ``runs`` runs of ``workflow`` that SUCCEEDED in one go (the live
        view's expected time); None before a first one."""
        with self._lock:
            return _mean_run_seconds(self._conn, workflow, folder, runs)


def _mean_run_seconds(conn: sqlite3.Connection, workflow: str, folder: str | None, runs: int) -> float | None:
    sql = (
        "SELECT started, ended FROM runs WHERE workflow = ? AND status = 'SUCCEEDED' AND resumes = 0"
        " AND ended IS NOT NULL AND options NOT LIKE '%\"dry_run\": true%'"
    )
    args: list[Any] = [workflow]
    if folder:
        sql += " AND folder = ?"
        args.append(folder)
    rows = conn.execute(sql + " ORDER BY run_id DESC LIMIT ?", (*args, runs)).fetchall()
    spans = [(dt.datetime.fromisoformat(e) - dt.datetime.fromisoformat(s)).total_seconds() for s, e in rows]
    return sum(spans) / len(spans) if spans else None


def recorded_durations(state_dir: str | Path, workflow: str, folder: str | None = None) -> dict[str, float]:
    """Recorded task durations (seconds, by instance path) of ``workflow`` in the store of ``state_dir``;
    empty when there is no store yet."""
    if not (Path(state_dir) / DB_NAME).is_file():
        return {}
    store = RunStore(state_dir)
    try:
        return store.recorded_durations(workflow, folder)
    finally:
        store.close()
