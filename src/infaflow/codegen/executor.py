"""Runs Session tasks for ``infaflow run``: the session's converted job in one local SparkSession per run.

Each session runs under its own Spark job group, so a stop (``request.cancel``) cancels its jobs; the
job's row counts fill the session's task variables (SrcSuccessRows, TgtSuccessRows...); a job error
fails the task with the error's message. A session with logic that could not be converted fails with
the list of gaps: it is never run partially.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import types
import uuid
from pathlib import Path
from typing import Any

from infaflow.codegen import support
from infaflow.codegen.job import JobSource, render_session
from infaflow.codegen.naming import identifier
from infaflow.runtime.executor import SessionOutcome, SessionRequest


def load_job_module(job: JobSource) -> types.ModuleType:
    """The generated module as a Python module (it imports the support module under its shipped name)."""
    sys.modules.setdefault("infaflow_support", support)
    module = types.ModuleType(f"infaflow_job_{job.module}_{uuid.uuid4().hex[:6]}")
    module.__file__ = f"<infaflow job {job.module}>"
    exec(compile(job.code, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our generated code
    return module


def local_spark(app_name: str = "infaflow-run", jvm_log: Path | None = None) -> Any:
    """A local SparkSession sized for this machine (no UI, few shuffle partitions), bound to loopback.

    With ``jvm_log``, the JVM's own output (start-up warnings, log4j lines) goes to that file instead of
    the terminal, so a run's progress stays readable; without it the JVM shares this process's output.
    """
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    cores = os.cpu_count() or 2
    conf = (
        SparkConf()
        .setMaster(f"local[{cores}]")
        .setAppName(app_name)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .set("spark.sql.session.timeZone", "UTC")
    )
    jars = driver_jars()
    if jars:
        conf = conf.set("spark.jars", ",".join(jars))
    if jvm_log is not None and SparkContext._gateway is None:  # no JVM yet in this process: start ours
        from pyspark.java_gateway import launch_gateway

        jvm_log.parent.mkdir(parents=True, exist_ok=True)
        with open(jvm_log, "ab") as out:  # the JVM keeps its own copy of the descriptor
            gateway = launch_gateway(conf, popen_kwargs={"stdout": out, "stderr": subprocess.STDOUT})
        SparkContext(conf=conf, gateway=gateway)
    spark = SparkSession.builder.config(conf=conf).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def driver_jars() -> list[str]:
    """JDBC driver jars listed in the connections file (``jars = [...]``), for the local SparkSession."""
    import tomllib

    path = Path(os.environ.get("INFAFLOW_CONNECTIONS") or "connections.toml")
    if not path.is_file():
        return []
    try:
        with open(path, "rb") as fh:
            return [str(j) for j in tomllib.load(fh).get("jars", [])]
    except (OSError, tomllib.TOMLDecodeError):
        return []


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    first = next((line.strip() for line in text.splitlines() if line.strip()), text)
    return first[:500]


class SparkSessionExecutor:
    """:class:`~infaflow.runtime.executor.SessionExecutor` running converted jobs on local Spark."""

    def __init__(self, spark: Any = None, modules: dict[str, Path] | None = None) -> None:
        """``modules``: session instance path -> job file of a converted project (``infaflow run DIR``:
        the project's code runs, edits included); other sessions are converted on the fly."""
        self._spark = spark
        self._owned = spark is None
        self._lock = threading.Lock()
        self._modules = {k.lower(): v for k, v in (modules or {}).items()}

    def spark(self, jvm_log: Path | None = None) -> Any:
        with self._lock:
            if self._spark is None:
                from pyspark import SparkContext

                # A session this process already runs (a notebook's, a test suite's) is borrowed, never stopped.
                borrowed = SparkContext._active_spark_context is not None
                self._spark = local_spark(jvm_log=jvm_log)
                self._owned = self._owned and not borrowed
            return self._spark

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        project_file = self._modules.get(request.instance_path.lower())
        session = request.session
        if project_file is None and session.mapping is None and (
                request.folder is None or request.folder.mapping(session.mapping_name) is None):
            files = len(request.export.paths)
            message = (f"mapping {session.mapping_name!r} is not loaded: none of the {files} export file(s) "
                       "defines it (load the file that holds it together with the workflow)")
            return SessionOutcome(False, error=message, first_error_msg=message, first_error_code=1)
        if project_file is not None:
            job = JobSource(project_file.stem, project_file.read_text(encoding="utf-8"), None, [])
        else:
            job = render_session(request.session, request.folder, identifier(request.session.name),
                                 request.export.path, request.instance)
        if job.gaps:
            reasons = "; ".join(str(g) for g in job.gaps[:5])
            return SessionOutcome(False, error=f"session not converted to Spark: {reasons}",
                                  first_error_msg=reasons, first_error_code=1)
        if request.cancel.is_set():
            return SessionOutcome(False, error="stopped before start", stopped=True)
        run_dir = request.log_path.parent.parent if request.log_path else Path(request.state_dir)
        spark = self.spark(run_dir / "spark.log")
        sc = spark.sparkContext
        group = f"{request.run_id or 'run'}:{request.instance_path}:{uuid.uuid4().hex[:6]}"
        params = {**self._params(request), support.CANCEL_KEY: request.cancel}
        done = threading.Event()

        def watch() -> None:
            # Keep cancelling: a job the session submits after the stop request is cancelled too.
            while not done.wait(0.1):
                if request.cancel.is_set():
                    sc.cancelJobGroup(group)

        watcher = threading.Thread(target=watch, name=f"cancel-{group}", daemon=True)
        try:
            module = load_job_module(job)
            sc.setJobGroup(group, f"session {request.instance_path}", interruptOnCancel=True)
            watcher.start()
            result: support.SessionResult = module.run(spark, params)
        except Exception as exc:  # a job error fails the task with its message
            stopped = request.cancel.is_set()
            msg = "stopped" if stopped else _message(exc)
            return SessionOutcome(False, error=msg, first_error_code=1, first_error_msg=msg, stopped=stopped)
        finally:
            done.set()
            sc.setLocalProperty("spark.jobGroup.id", None)
        return SessionOutcome(
            True,
            src_success_rows=result.src_success_rows,
            src_failed_rows=getattr(result, "src_failed_rows", 0),  # a project converted before row errors
            tgt_success_rows=result.tgt_success_rows,
            tgt_failed_rows=result.tgt_failed_rows,
            total_trans_errors=result.trans_errors,
            mapping_variables=dict(result.mapping_variables),
        )

    @staticmethod
    def _params(request: SessionRequest) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.params)
        lower = {k.lower() for k in params}
        state = Path(request.state_dir)
        if "$pmstoragedir" not in lower:
            params["$PMStorageDir"] = str(state / "storage")
        if "$infaflowstore" not in lower and not os.environ.get("INFAFLOW_STORE"):
            params["$INFAFLOWSTORE"] = str(state / "store")
        return params

    def close(self) -> None:
        with self._lock:
            if self._spark is not None and self._owned:
                self._spark.stop()
            self._spark = None
