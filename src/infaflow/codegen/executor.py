"""Runs Session tasks for ``infaflow run``: the session's converted job, where the run's
:class:`~infaflow.codegen.spark_target.SparkTarget` says: one local SparkSession per run (the default), a
SparkSession on a cluster master, a Spark Connect server (``--spark-remote``, the warm engine), or one
``spark-submit`` application per session (``--submit``).

Each session's Spark work carries a job tag of its own (the session's under Spark Connect, the
SparkContext's under classic Spark, where this process is the driver), so a stop (``request.cancel``)
interrupts its jobs; the job's row counts fill the session's task variables (SrcSuccessRows,
TgtSuccessRows...); a job error fails the task with the error's message. A session with logic that could
not be converted fails with the list of gaps: it is never run partially.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import threading
import types
import uuid
import warnings
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from infaflow.codegen import support
from infaflow.codegen.engine import SESSION_CONF
from infaflow.codegen.job import JobSource, render_session
from infaflow.codegen.naming import identifier
from infaflow.codegen.spark_target import SparkTarget
from infaflow.runtime.executor import SessionOutcome, SessionRequest

# Process directories a session resolves paths against: made absolute before they reach Spark, whose JVM
# (a Spark Connect server, a cluster driver) does not share this process's working directory.
_DIR_PARAMS = {name.lower() for name in support._PROCESS_DIRS} | {"$infaflowstore"}


def load_job_module(job: JobSource) -> types.ModuleType:
    """The generated module as a Python module (it imports the support module under its shipped name)."""
    sys.modules.setdefault("infaflow_support", support)
    module = types.ModuleType(f"infaflow_job_{job.module}_{uuid.uuid4().hex[:6]}")
    module.__file__ = f"<infaflow job {job.module}>"
    exec(compile(job.code, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our generated code
    return module


def local_spark(
    app_name: str = "infaflow-run",
    jvm_log: Path | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
) -> Any:
    """A classic SparkSession: local (sized for this machine, no UI, few shuffle partitions, bound to
    loopback) unless ``master`` names a cluster (``spark://``, ``yarn``, ``k8s://``); ``conf`` wins over
    the defaults.

    With ``jvm_log``, the JVM's own output (start-up warnings, log4j lines) goes to that file instead of
    the terminal, so a run's progress stays readable; without it the JVM shares this process's output.
    """
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    local = master is None or master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    cores = os.cpu_count() or 2
    conf_ = (
        SparkConf()
        .setMaster(master or f"local[{cores}]")
        .setAppName(app_name)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
    )
    for key, value in SESSION_CONF.items():
        conf_ = conf_.set(key, value)
    jars = driver_jars()
    if jars:
        conf_ = conf_.set("spark.jars", ",".join(jars))
    for key, value in (conf or {}).items():
        conf_ = conf_.set(key, value)
    if jvm_log is not None and SparkContext._gateway is None:  # no JVM yet in this process: start ours
        from pyspark.java_gateway import launch_gateway

        jvm_log.parent.mkdir(parents=True, exist_ok=True)
        with open(jvm_log, "ab") as out:  # the JVM keeps its own copy of the descriptor
            gateway = launch_gateway(conf_, popen_kwargs={"stdout": out, "stderr": subprocess.STDOUT})
        SparkContext(conf=conf_, gateway=gateway)
    spark = SparkSession.builder.config(conf=conf_).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def remote_spark(url: str, conf: dict[str, str] | None = None) -> Any:
    """A Spark Connect session on ``url`` (``sc://host:port``) with infaflow's session settings; ``conf``
    (runtime SQL settings only: the server owns the rest) wins over them. The generic builder switches
    the process's ``pyspark.sql.functions`` to Spark Connect, so a process holds classic or Connect
    sessions, not both (pyspark's rule)."""
    from pyspark.sql import SparkSession

    # The jobs' whole-flow windows (PowerCenter's row order) are meant; classic Spark logs this at WARN,
    # which a local run's log level hides, and the Connect client would print it on every session.
    warnings.filterwarnings(
        "ignore", message="WARN WindowExpression: No Partition Defined", category=UserWarning
    )
    from infaflow.codegen import engine_sessions

    def connect(address: str) -> Any:
        builder = SparkSession.builder.remote(address)
        for key, value in {**SESSION_CONF, **(conf or {})}.items():
            builder = builder.config(key, value)
        return builder.getOrCreate()

    try:
        return connect(url)
    except Exception as exc:
        if not (engine_sessions.leased_session(url) and engine_sessions.is_closed_session(exc)):
            raise
    # The warm engine closed the slot's session (left idle too long): forget the client of the closed one
    # (pyspark made it the default session before the server refused it) and open a new one in the slot.
    closed = SparkSession.getActiveSession()
    if closed is not None:
        with contextlib.suppress(Exception):
            closed.stop()
    return connect(engine_sessions.renew(url))


def open_spark(target: SparkTarget, jvm_log: Path | None = None) -> Any:
    """The SparkSession a run's in-process sessions share, for ``target`` (the one :func:`prewarm` opened,
    when it did)."""
    if target.remote:
        future = _take_prewarmed(target)
        return future.result() if future is not None else remote_spark(target.remote, target.conf)
    return local_spark(jvm_log=jvm_log, master=target.master, conf=target.conf)


_PREWARMED: dict[tuple[str, tuple[tuple[str, str], ...]], Future[Any]] = {}
_PREWARM_LOCK = threading.Lock()


def _prewarm_key(target: SparkTarget) -> tuple[str, tuple[tuple[str, str], ...]]:
    return str(target.remote), tuple(sorted(target.conf.items()))


def prewarm(target: SparkTarget) -> None:
    """Start opening ``target``'s Spark Connect session in the background (importing the Connect client,
    the handshake and the session settings take a second or more), so it overlaps the export load and the
    run's first tasks; the run's first session takes it (:func:`open_spark`). Classic targets are left
    alone: their JVM's log goes to the run's folder, which is not known yet."""
    if not target.remote or target.submit:
        return
    key = _prewarm_key(target)
    with _PREWARM_LOCK:
        if key in _PREWARMED:
            return
        future: Future[Any] = Future()
        _PREWARMED[key] = future

    def open_session() -> None:
        try:
            future.set_result(remote_spark(str(target.remote), target.conf))
        except BaseException as exc:  # noqa: BLE001 - the session that takes it raises it
            future.set_exception(exc)

    threading.Thread(target=open_session, name="infaflow-spark-connect", daemon=True).start()


def _take_prewarmed(target: SparkTarget) -> Future[Any] | None:
    with _PREWARM_LOCK:
        return _PREWARMED.pop(_prewarm_key(target), None)


@atexit.register
def _close_unused() -> None:
    """A prewarmed session no run took (a workflow without sessions) is closed, not left on the server."""
    with _PREWARM_LOCK:
        futures = list(_PREWARMED.values())
        _PREWARMED.clear()
    for future in futures:
        with contextlib.suppress(Exception):  # one still opening is waited for, then closed
            spark = future.result(timeout=10)
            if not _kept_on_server(spark):
                spark.stop()


def _kept_on_server(spark: Any) -> bool:
    """A session of a warm-engine slot (:mod:`engine_sessions`) stays open on the server when the run ends:
    the next run reuses its compiled code. Closing this process's connection is left to its exit."""
    from infaflow.codegen import engine_sessions

    return engine_sessions.held_session(getattr(spark, "session_id", "")) is not None


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


class TagCancellation:
    """Spark Connect: the session thread's operations carry a job tag; interrupting the tag interrupts
    them on the server (``addTag``/``interruptTag``, public API)."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def begin(self, tag: str, description: str) -> None:  # noqa: ARG002 - the tag says it
        self.spark.addTag(tag)

    def interrupt(self, tag: str) -> None:
        self.spark.interruptTag(tag)

    def end(self, tag: str) -> None:
        self.spark.removeTag(tag)


class ContextTagCancellation:
    """Classic Spark (this process is the driver): the session thread's jobs carry a SparkContext job tag,
    cancelled with task interruption (``addJobTag``/``cancelJobsWithTag``, public API of pyspark's
    SparkContext). The SparkSession tag API is no use here: measured with pyspark 4.3, a classic session
    scopes a tag to the thread that added it (the job's real tag embeds that JVM thread's id), so
    ``interruptTag`` from the watcher thread finds nothing; and a cancelled job whose tasks are not
    interrupted keeps its running task (a long scan) going."""

    def __init__(self, spark: Any) -> None:
        self.context = spark.sparkContext

    def begin(self, tag: str, description: str) -> None:  # noqa: ARG002 - the tag says it
        self.context.addJobTag(tag)
        self.context.setInterruptOnCancel(True)

    def interrupt(self, tag: str) -> None:
        self.context.cancelJobsWithTag(tag)

    def end(self, tag: str) -> None:
        self.context.removeJobTag(tag)


def cancellation(spark: Any) -> TagCancellation | ContextTagCancellation:
    """How a stop reaches the jobs of a session run in ``spark``: job tags in every mode, the session's
    under Spark Connect, the SparkContext's under classic Spark."""
    if type(spark).__module__.startswith("pyspark.sql.connect"):
        return TagCancellation(spark)
    return ContextTagCancellation(spark)


def _release(job: support.Job) -> None:
    """Free what a session's job kept in the Spark session; a failure to do so (a stopped or lost
    connection) must not hide the session's own outcome."""
    try:
        job.release()
    except Exception:  # noqa: BLE001, S110 - the session already has its outcome
        pass


def session_tag(request: SessionRequest) -> str:
    """The job tag of one session run: names the run and the session, unique per attempt (Spark forbids
    commas in tags)."""
    name = f"infaflow-{request.run_id or 'run'}-{request.instance_path}-{uuid.uuid4().hex[:6]}"
    return name.replace(",", "_")


def _absolute(value: Any) -> Any:
    """A directory relative to this process's working directory made absolute; values naming another
    variable ($PMRootDir/...), absolute paths and URLs (hdfs://, s3a://...) are kept."""
    if not isinstance(value, str) or not value or value.startswith("$") or "://" in value:
        return value
    return value if os.path.isabs(value) else os.path.abspath(value)


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    first = next((line.strip() for line in text.splitlines() if line.strip()), text)
    return first[:500]


def session_job(request: SessionRequest, modules: dict[str, Path]) -> JobSource | SessionOutcome:
    """The converted job of the session ``request`` runs: the project's module when ``modules`` (instance
    path, lower case -> job file) has one, else converted now; or the failed outcome when it cannot run (its
    mapping not loaded, logic not converted) or the run was stopped before it started."""
    project_file = modules.get(request.instance_path.lower())
    session = request.session
    if (
        project_file is None
        and session.mapping is None
        and (request.folder is None or request.folder.mapping(session.mapping_name) is None)
    ):
        files = len(request.export.paths)
        message = (
            f"mapping {session.mapping_name!r} is not loaded: none of the {files} export file(s) "
            "defines it (load the file that holds it together with the workflow)"
        )
        return SessionOutcome(False, error=message, first_error_msg=message, first_error_code=1)
    if project_file is not None:
        job = JobSource(project_file.stem, project_file.read_text(encoding="utf-8"), None, [])
    else:
        job = render_session(
            request.session,
            request.folder,
            identifier(request.session.name),
            request.export.path,
            request.instance,
        )
    if job.gaps:
        reasons = "; ".join(str(g) for g in job.gaps[:5])
        return SessionOutcome(
            False,
            error=f"session not converted to Spark: {reasons}",
            first_error_msg=reasons,
            first_error_code=1,
        )
    if request.cancel.is_set():
        return SessionOutcome(False, error="stopped before start", stopped=True)
    return job


def session_params(request: SessionRequest) -> dict[str, Any]:
    """The parameter values a session's job receives: the request's, plus the run's storage, embedded store
    and root directories where none is given, directories made absolute."""
    params: dict[str, Any] = dict(request.params)
    lower = {k.lower() for k in params}
    state = Path(request.state_dir)
    if "$pmstoragedir" not in lower:
        params["$PMStorageDir"] = str(state / "storage")
    if "$infaflowstore" not in lower and not os.environ.get("INFAFLOW_STORE"):
        params["$INFAFLOWSTORE"] = str(state / "store")
    if "$pmrootdir" not in lower:
        params["$PMRootDir"] = "."
    return {
        name: _absolute(value) if name.lower() in _DIR_PARAMS else value for name, value in params.items()
    }


class SparkSessionExecutor:
    """:class:`~infaflow.runtime.executor.SessionExecutor` running converted jobs on local Spark."""

    def __init__(
        self, spark: Any = None, modules: dict[str, Path] | None = None, target: SparkTarget | None = None
    ) -> None:
        """``modules``: session instance path -> job file of a converted project (``infaflow run DIR``:
        the project's code runs, edits included); other sessions are converted on the fly. ``target``:
        where sessions run (default: a local SparkSession, opened at the first session)."""
        self._spark = spark
        self._owned = spark is None
        self._lock = threading.Lock()
        self._modules = {k.lower(): v for k, v in (modules or {}).items()}
        self.target = target or SparkTarget()

    def spark(self, jvm_log: Path | None = None) -> Any:
        with self._lock:
            if self._spark is None:
                from pyspark import SparkContext

                # A session this process already runs (a notebook's, a test suite's) is borrowed, never
                # stopped.
                borrowed = SparkContext._active_spark_context is not None
                self._spark = open_spark(self.target, jvm_log)
                self._owned = self._owned and not borrowed
            return self._spark

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        job = session_job(request, self._modules)
        if isinstance(job, SessionOutcome):
            return job
        run_dir = request.log_path.parent.parent if request.log_path else Path(request.state_dir)
        params = session_params(request)
        if self.target.submit:
            from infaflow.codegen.submit import run_submitted

            folder = run_dir / "submit" / identifier(request.instance_path)
            log = (
                request.log_path.with_suffix(".spark.log")
                if request.log_path
                else folder / "spark-submit.log"
            )
            return run_submitted(job, request, params, self.target, folder, log, driver_jars())
        spark = self.spark(run_dir / "spark.log")
        tag = session_tag(request)
        cancel = cancellation(spark)
        params[support.CANCEL_KEY] = request.cancel
        jobs: list[support.Job] = []
        params[support.JOBS_KEY] = jobs  # the Job joins it: its shared frames are released on failure too
        done = threading.Event()

        def watch() -> None:
            # Keep interrupting: a job the session submits after the stop request is interrupted too.
            while not done.wait(0.1):
                if request.cancel.is_set():
                    cancel.interrupt(tag)

        watcher = threading.Thread(target=watch, name=f"cancel-{tag}", daemon=True)
        try:
            module = load_job_module(job)
            cancel.begin(tag, f"session {request.instance_path}")
            watcher.start()
            result: support.SessionResult = module.run(spark, params)
        except Exception as exc:  # a job error fails the task with its message
            stopped = request.cancel.is_set()
            msg = "stopped" if stopped else _message(exc)
            return SessionOutcome(False, error=msg, first_error_code=1, first_error_msg=msg, stopped=stopped)
        finally:
            done.set()
            cancel.end(tag)
            for started in jobs:
                _release(started)
        return SessionOutcome(
            True,
            src_success_rows=result.src_success_rows,
            src_failed_rows=getattr(result, "src_failed_rows", 0),  # a project converted before row errors
            tgt_success_rows=result.tgt_success_rows,
            tgt_failed_rows=result.tgt_failed_rows,
            total_trans_errors=result.trans_errors,
            mapping_variables=dict(result.mapping_variables),
        )

    def close(self) -> None:
        with self._lock:
            if self._spark is not None and self._owned and not _kept_on_server(self._spark):
                self._spark.stop()
            self._spark = None
