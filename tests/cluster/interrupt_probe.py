"""Run by test_stop.py in a child process (a process holds classic or Spark Connect sessions, not both):
one endless session through the executor on a Spark Connect server, stopped while its job runs, with the
Connect session kept open. Prints what happened as JSON.

    python interrupt_probe.py sc://127.0.0.1:PORT http://127.0.0.1:UI_PORT WORK_DIR
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

from infaflow.codegen.executor import SparkSessionExecutor, remote_spark
from infaflow.codegen.spark_target import SparkTarget
from infaflow.runtime.executor import SessionRequest

ENDLESS = 'spark.range(0, 10**15, numPartitions=1).selectExpr("sum(id % 7) AS s").collect()'


def jobs(ui: str, status: str = "") -> list[dict]:
    def get(url: str) -> list[dict]:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return json.loads(response.read().decode("utf-8"))

    query = f"?status={status}" if status else ""
    return [
        job
        for app in get(f"{ui}/api/v1/applications")
        for job in get(f"{ui}/api/v1/applications/{app['id']}/jobs{query}")
    ]


def main(url: str, ui: str, work: Path) -> dict:
    module = work / "s_endless.py"
    module.write_text(f"def run(spark, params):\n    {ENDLESS}\n", encoding="utf-8")
    spark = remote_spark(url)
    executor = SparkSessionExecutor(spark, modules={"s_endless": module}, target=SparkTarget(remote=url))
    request = SessionRequest(
        None,
        None,
        None,
        "s_endless",
        None,
        None,  # type: ignore[arg-type]
        run_id="7",
        state_dir=work,
    )
    before = {job["jobId"] for job in jobs(ui)}
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(executor.run_session(request)))
    worker.start()
    report: dict = {"job_started": False}
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not report["job_started"]:
        report["job_started"] = any(j["jobId"] not in before for j in jobs(ui, "running"))
        time.sleep(0.5)
    request.cancel.set()
    worker.join(120)
    report["session_returned"] = not worker.is_alive()
    report["stopped"] = bool(outcome and outcome[0].stopped and not outcome[0].succeeded)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and jobs(ui, "running"):
        time.sleep(0.5)
    report["running_after"] = len(jobs(ui, "running"))
    report["ended"] = sorted({j["status"] for j in jobs(ui) if j["jobId"] not in before})
    report["session_usable"] = spark.range(3).count() == 3  # still open: the stop alone ended the job
    spark.stop()
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))))
