"""``infaflow run --submit``: each session runs as its own ``spark-submit`` application of its converted
module (the module and ``infaflow_support.py`` as a converted project ships them).

The job writes its result (row counts, mapping variables, or its error) to a JSON file the run names
(``--result-file``); a stop ends the spark-submit process group, which stops the application's driver and
with it its jobs. Client deploy mode on standalone masters and local (Spark runs no Python driver in
cluster mode there); cluster deploy mode on YARN and Kubernetes, where the result file must be on storage
the driver and this machine share.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from infaflow.codegen import support
from infaflow.codegen.engine import SESSION_CONF, spark_env, spark_home
from infaflow.codegen.job import JobSource
from infaflow.codegen.spark_target import SparkTarget
from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.values import format_value


def deploy_mode(master: str) -> str:
    """``cluster`` where Spark runs Python drivers on the cluster (YARN, Kubernetes), else ``client``."""
    return "cluster" if master == "yarn" or master.startswith("k8s://") else "client"


def submit_command(
    target: SparkTarget,
    job_file: Path,
    support_file: Path,
    params: dict[str, Any],
    result_file: Path,
    jars: list[str],
    name: str,
) -> list[str]:
    """The spark-submit command line that runs one session's module."""
    master = target.master or f"local[{os.cpu_count() or 2}]"
    cmd = [
        str(spark_home() / "bin" / "spark-submit"),
        "--master",
        master,
        "--deploy-mode",
        deploy_mode(master),
        "--name",
        name,
        "--py-files",
        str(support_file),
    ]
    if jars:
        cmd += ["--jars", ",".join(jars)]
    settings = {"spark.ui.showConsoleProgress": "false", **SESSION_CONF, **target.conf}
    if master.startswith("local"):
        settings = {"spark.ui.enabled": "false", **settings}
    for key, value in settings.items():
        cmd += ["--conf", f"{key}={value}"]
    return [*cmd, str(job_file), *job_arguments(params, result_file, name)]


def job_arguments(params: dict[str, Any], result_file: Path, name: str) -> list[str]:
    """The command-line arguments of a converted module run as an application: its parameter values, where
    it writes its result, its application name."""
    args: list[str] = []
    for key, value in params.items():
        args += ["--param", f"{key}={format_value(value)}"]  # as Job.param parses it back
    return [*args, "--result-file", str(result_file), "--app-name", name]


def write_job(job: JobSource, folder: Path) -> tuple[Path, Path]:
    """The session's module and the support module, as files spark-submit ships."""
    folder.mkdir(parents=True, exist_ok=True)
    job_file = folder / f"{job.module}.py"
    job_file.write_text(job.code, encoding="utf-8")
    support_file = folder / "infaflow_support.py"
    support_file.write_text(Path(support.__file__).read_text(encoding="utf-8"), encoding="utf-8")
    return job_file, support_file


def run_submitted(
    job: JobSource,
    request: SessionRequest,
    params: dict[str, Any],
    target: SparkTarget,
    folder: Path,
    log: Path,
    jars: list[str],
) -> SessionOutcome:
    """Run the session's module with spark-submit; its output goes to ``log``."""
    job_file, support_file = write_job(job, folder)
    result_file = folder / "result.json"
    result_file.unlink(missing_ok=True)
    values = {k: v for k, v in params.items() if k != support.CANCEL_KEY and v is not None}
    cmd = submit_command(
        target, job_file, support_file, values, result_file, jars, f"infaflow {request.instance_path}"
    )
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=spark_env(),
            start_new_session=True,
        )
    done = threading.Event()
    threading.Thread(
        target=lambda: _until(done, request.cancel, proc), daemon=True, name=f"submit-{request.instance_path}"
    ).start()
    try:
        code = proc.wait()
    finally:
        done.set()
    if request.cancel.is_set():
        return SessionOutcome(
            False, error="stopped", stopped=True, first_error_code=1, first_error_msg="stopped"
        )
    result = read_result(result_file)
    if code != 0 or "error" in result or not result:
        message = result.get("error") or f"spark-submit exited with code {code}; see {log}"
        return SessionOutcome(False, error=message, first_error_code=1, first_error_msg=message)
    return session_outcome(result)


def _until(done: threading.Event, cancel: threading.Event, proc: subprocess.Popen[bytes]) -> None:
    """End the application when the run is stopped before it finished."""
    while not done.wait(0.1):
        if cancel.is_set():
            _end(proc)
            return


def _end(proc: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """SIGTERM to the spark-submit process group (the driver stops its SparkContext and its jobs), SIGKILL
    after ``grace`` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def read_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def session_outcome(result: dict[str, Any]) -> SessionOutcome:
    """A succeeded session's outcome from the job's result record (row counts and mapping variables, as
    the job writes them with ``--result-file``)."""
    return SessionOutcome(
        True,
        src_success_rows=int(result["SrcSuccessRows"]),
        src_failed_rows=int(result["SrcFailedRows"]),
        tgt_success_rows=int(result["TgtSuccessRows"]),
        tgt_failed_rows=int(result["TgtFailedRows"]),
        total_trans_errors=int(result["TotalTransErrors"]),
        mapping_variables=dict(result.get("mapping_variables") or {}),
    )
