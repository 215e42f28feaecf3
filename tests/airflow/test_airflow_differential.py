"""Differential test: every runtime test that runs a workflow (tests/runtime, through its ``run_flows``
fixture) runs here again, and its workflow also runs as its Airflow DAG task by task (the generated
operator's code, :func:`infaflow.airflow.execute.execute`, in an order Airflow could choose): the two
agree on every task's status, on the workflow's status and on the final variables. The runtime test's own
assertions still check the ``infaflow run`` result.

The same comparison through a real ``dag.test()`` (``infaflow airflow test``) is in
test_airflow_dagtest.py.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from typing import Any

import pytest
import test_paramfile
import test_recovery
import test_scheduler
import test_tasks
from conftest import statuses
from driver import run_dag
from runtime_xml import Flow, write_export

from infaflow.export import load
from infaflow.runtime.api import RunResult, run_workflow
from infaflow.runtime.scheduler import RunOptions

#: Runtime tests whose workflows cannot run twice the same way; each with the reason.
NOT_COMPARED = {
    "test_session_executor_factory_called_once": "counts the executor factory's calls within one run",
    "test_scarce_workers_take_the_most_critical_task_first": "about the runtime's worker pool, not semantics",
    "test_dependency_driven_no_level_barrier": "about the runtime's timing, not semantics",
    "test_dry_run_executes_nothing": "dry runs are a runtime option the DAG does not have",
    "test_email_through_smtp_on_loopback": "counts the mails one run sends to the test's SMTP server",
    "test_session_with_executor": "its fake executor expects the sessions of one run",
    "test_stop_parent_inside_a_worklet_stops_only_the_worklet": "a Control task stops a running parallel task",
    "test_file_watch_with_delete": "the test creates the watched file during the infaflow run, which deletes it"
    " (test_airflow_dagtest.py watches a file under Airflow)",
}
#: Parametrised runtime tests compared only for some parameters: a Control task that stops or aborts its
#: parent while a parallel task is running stops that task; run task by task, the parallel task has
#: either finished or not started (test_airflow_steps.py stops a task running beside a Control task).
STOPS_A_RUNNING_TASK = {"test_control_options": lambda params: params["wf_status"] in ("STOPPED", "ABORTED")}


def _compared(node: pytest.Item) -> bool:
    name = node.originalname  # type: ignore[attr-defined]
    if name in NOT_COMPARED:
        return False
    skip = STOPS_A_RUNNING_TASK.get(name)
    return not (skip and skip(node.callspec.params))  # type: ignore[attr-defined]


def _runtime_tests() -> dict[str, Any]:
    found = {}
    for module in (test_scheduler, test_tasks, test_recovery, test_paramfile):
        for name, fn in vars(module).items():
            if name.startswith("test_") and callable(fn) and "run_flows" in inspect.signature(fn).parameters:
                found[name] = fn
    return found


globals().update(_runtime_tests())


def _copy_inputs(source: Path, target: Path) -> None:
    """The files a test prepared for its run (commands of the DAG run work on copies of them)."""
    target.mkdir()
    for item in source.iterdir():
        if item.name in (".infaflow", ".infaflow-dag", target.name):
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        else:
            shutil.copy2(item, target / item.name)


def _variables(summary: dict[str, Any]) -> dict[str, Any]:
    return summary["variables"]


@pytest.fixture
def run_flows(tmp_path: Path, request: pytest.FixtureRequest):  # noqa: ANN201
    """The runtime tests' fixture, running each workflow both ways and comparing."""
    compare = _compared(request.node)

    def run(
        *flows: Flow, workflow: str | None = None, options: RunOptions | None = None, **kw: Any
    ) -> RunResult:
        path = write_export(tmp_path, *flows)
        name = workflow or next(f.name for f in flows if not f.worklet)
        dag_dir = tmp_path / "dag_wd"
        if compare:
            if dag_dir.exists():
                shutil.rmtree(dag_dir)
            _copy_inputs(tmp_path, dag_dir)
        opts = options or RunOptions()
        opts.working_dir = str(tmp_path)
        kw.setdefault("state_dir", tmp_path / ".infaflow")
        result = run_workflow(load(path), name, options=opts, **kw)
        if compare and not opts.dry_run:
            dag_opts = RunOptions(
                retries=opts.retries,
                retry_backoff=opts.retry_backoff,
                command_timeout=opts.command_timeout,
                poll_interval=opts.poll_interval,
            )
            summary = run_dag(
                [str(path)],
                name,
                state_dir=tmp_path / ".infaflow-dag",
                working_dir=dag_dir,
                param_files=[str(p) for p in kw.get("param_files", [])],
                params=kw.get("params"),
                executor=kw.get("session_executor"),
                no_executor_reason=kw.get("no_executor_reason", "none was given"),
                options=dag_opts,
            )
            assert statuses(summary) == statuses(result), (
                "task statuses differ between infaflow run and the DAG"
            )
            assert summary["status"] == result.status
            assert _variables(summary) == _variables(result.summary)
        return result

    return run
