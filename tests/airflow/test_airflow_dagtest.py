"""Workflows run by Airflow itself: the generated DAG under ``dag.test()`` (``infaflow airflow test``)
against ``infaflow run`` on the same export, the Airflow states that show PowerCenter's statuses, the
command line, and the orders sample end to end with its sessions on Spark.

The long ones are marked ``slow``; .ci/run runs them (``pytest -m slow tests/airflow``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import statuses
from runtime_xml import Flow, write_export

from infaflow.export import load
from infaflow.runtime.api import run_workflow
from infaflow.runtime.scheduler import RunOptions

ROOT = Path(__file__).resolve().parents[2]
FAIL = {"Fail task if any command fails": "YES"}


def kitchen_sink() -> list[Flow]:
    """Joins, a failure branch, an unreached branch, a disabled task, a decision, an assignment to a
    persistent variable, a parameter, a worklet with values passed in and out, a user-defined event, a
    file watch and a timer."""
    wl = Flow("wl_part", worklet=True).var("$$IN", "string", "").var("$$OUT", "string", "")
    wl.add("mark", "Assignment", pairs=[("$$OUT", "$$IN || '+wl'")]).cmd("leaf", "echo $$IN > leaf.txt")
    wl.link("Start", "mark").link("mark", "leaf")
    f = Flow("wf_sink").var("$$N", "integer", "0", persistent=True).var("$$LABEL", "string", "none")
    f.var("$$BACK", "string", "")
    f.cmd("a", "true").cmd("bad", "exit 1", attrs=FAIL).cmd("on_fail", "true")
    f.cmd("or_j", "true", inst={"TREAT_INPUTLINK_AS_AND": "NO"}).cmd("and_j", "true").cmd("after_and", "true")
    f.cmd("off", "exit 1", inst={"ISENABLED": "NO"}).cmd("after_off", "true")
    f.add("dec", "Decision", attrs={"Decision Name": "$$N >= 0 AND $$LABEL = 'daily'"})
    f.add("asg", "Assignment", pairs=[("$$N", "$$N + 1")])
    f.add(
        "wl", "Worklet", worklet="wl_part", inst_pairs=[("$$IN", "$$LABEL", False), ("$$OUT", "$$BACK", True)]
    )
    f.events.append("ev_done")
    f.cmd("slow", "sleep 0.2").add("raise", "Event Raise", attrs={"Event Name": "ev_done"})
    f.add("wait", "Event Wait", attrs={"User Defined Event": "YES", "Event Name": "ev_done"})
    f.add("watch", "Event Wait", attrs={"User Defined Event": "NO", "Filewatch Name": "flag.txt"})
    f.add(
        "timer",
        "Timer",
        timer=("START_AT_ABSOLUTE_TIME", {"STARTDATE": "9/30/2009", "STARTTIME": "16:26"}, {}),
    )
    f.link("Start", "a").link("Start", "bad").link("bad", "on_fail", "$bad.Status = FAILED")
    f.link("a", "or_j", "$a.Status = SUCCEEDED").link("bad", "or_j", "$bad.Status = SUCCEEDED")
    f.link("a", "and_j", "$a.Status = SUCCEEDED").link("bad", "and_j", "$bad.Status = SUCCEEDED").link(
        "and_j", "after_and"
    )
    f.link("a", "off").link("off", "after_off", "$off.PrevTaskStatus = SUCCEEDED")
    f.link("Start", "dec").link("dec", "asg", "$dec.Condition = TRUE").link("asg", "wl")
    f.link("Start", "slow").link("slow", "raise").link("Start", "wait").link("Start", "watch").link(
        "Start", "timer"
    )
    return [f, wl]


EXPECTED_SINK = {
    "Start": "SUCCEEDED",
    "a": "SUCCEEDED",
    "bad": "FAILED",
    "on_fail": "SUCCEEDED",
    "or_j": "SUCCEEDED",
    "and_j": "NOTSTARTED",
    "after_and": "NOTSTARTED",
    "off": "DISABLED",
    "after_off": "SUCCEEDED",
    "dec": "SUCCEEDED",
    "asg": "SUCCEEDED",
    "wl": "SUCCEEDED",
    "slow": "SUCCEEDED",
    "raise": "SUCCEEDED",
    "wait": "SUCCEEDED",
    "watch": "SUCCEEDED",
    "timer": "SUCCEEDED",
    "wl/Start": "SUCCEEDED",
    "wl/mark": "SUCCEEDED",
    "wl/leaf": "SUCCEEDED",
}


def _both(tmp_path: Path, flows: list[Flow], **kw) -> tuple[dict, object]:  # noqa: ANN003
    """The workflow run by ``infaflow run`` and by ``dag.test()`` (each in its own working folder)."""
    from infaflow.airflow.testing import test_workflow

    path = write_export(tmp_path, *flows)
    runs = {}
    for way in ("run", "dag"):
        work = tmp_path / way
        work.mkdir(exist_ok=True)
        (work / "flag.txt").write_text("go")
        runs[way] = work
    name = flows[0].name
    result = run_workflow(
        load(path),
        name,
        state_dir=runs["run"] / ".infaflow",
        options=RunOptions(working_dir=str(runs["run"])),
        **kw,
    )
    dag = test_workflow(
        [str(path)], name, state_dir=runs["dag"] / ".infaflow", working_dir=str(runs["dag"]), **kw
    )
    return result.summary, dag


@pytest.mark.slow  # two runs of a 25-task DAG: about a minute on an idle machine
def test_dag_test_agrees_with_infaflow_run(airflow_home: Path, tmp_path: Path) -> None:
    par = tmp_path / "sink.par"
    par.write_text("[RT.WF:wf_sink]\n$$LABEL=daily\n")
    for run in (1, 2):  # the persistent variable is saved where the next run reads it
        ran, dag = _both(tmp_path, kitchen_sink(), param_files=[par])
        assert statuses(ran) == EXPECTED_SINK
        assert statuses(dag.summary) == statuses(ran)
        assert dag.status == ran["status"] == "SUCCEEDED"
        assert dag.summary["variables"] == ran["variables"]
        assert ran["variables"] == {"$$N": run, "$$LABEL": "daily", "$$BACK": "daily+wl"}
    assert (tmp_path / "dag" / "leaf.txt").read_text().strip() == "daily"
    airflow = dag.task_states
    assert dag.dag_state == "success"
    assert (airflow["and_j"], airflow["after_and"], airflow["off"]) == ("skipped", "skipped", "skipped")
    assert (airflow["bad"], airflow["on_fail"], airflow["wl.mark"], airflow["wl.wl"]) == (
        "failed",
        "success",
        "success",
        "success",
    )
    assert airflow["wf_sink"] == "success"


def test_a_failed_workflow_fails_the_dag_run(airflow_home: Path, tmp_path: Path) -> None:
    f = Flow("wf_fails").cmd("bad", "exit 1", attrs=FAIL, inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"})
    f.cmd("other", "true").link("Start", "bad").link("Start", "other")
    ran, dag = _both(tmp_path, [f])
    assert (
        statuses(dag.summary)
        == statuses(ran)
        == {"Start": "SUCCEEDED", "bad": "FAILED", "other": "SUCCEEDED"}
    )
    assert dag.status == ran["status"] == "FAILED"
    assert dag.dag_state == "failed"
    assert dag.task_states["wf_fails"] == "failed"


def test_command_prints_and_writes_the_run_summary(airflow_home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from infaflow.cli import main

    f = (
        Flow("wf_cli")
        .var("$$X", "integer", "1")
        .add("asg", "Assignment", pairs=[("$$X", "$$X * 7")])
        .link("Start", "asg")
    )
    path = write_export(tmp_path, f)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "summary.json"
    result = CliRunner().invoke(
        main,
        [
            "airflow",
            "test",
            str(path),
            "-w",
            "wf_cli",
            "--param",
            "$$X=6",
            "--state-dir",
            str(tmp_path / "st"),
            "--summary-json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    assert summary["status"] == "SUCCEEDED"
    assert summary["variables"] == {"$$X": 42}
    assert summary["airflow"]["dag_run"] == "success"
    assert "workflow wf_cli SUCCEEDED (2 SUCCEEDED)" in result.output


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows:
        rows[0] = [rows[0][0].lstrip("#"), *rows[0][1:]]
    return rows


@pytest.mark.slow
@pytest.mark.spark
def test_orders_sample_end_to_end_under_dag_test(
    airflow_home: Path, spark, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    from infaflow.airflow.config import SharedExecutor
    from infaflow.airflow.testing import test_workflow
    from infaflow.codegen.executor import SparkSessionExecutor

    monkeypatch.chdir(ROOT)  # the parameter file names directories relative to the repository root
    expected = ROOT / "samples" / "orders" / "expected"
    executor = SharedExecutor(SparkSessionExecutor(spark))
    run = test_workflow(
        ["samples/orders/wf_orders_daily.xml"],
        "wf_orders_daily",
        param_files=["samples/orders/params/wf_orders_daily.par"],
        params={"$PMTargetFileDir": str(tmp_path / "out")},
        state_dir=tmp_path / "state",
        working_dir=str(ROOT),
        session_executor=executor,
    )
    with open(expected / "task_statuses.csv", newline="") as fh:
        want = {row["TASK_INSTANCE"]: row["STATUS"] for row in csv.DictReader(fh)}
    assert run.status == want.pop("wf_orders_daily") == "SUCCEEDED"
    assert statuses(run.summary) == want
    assert run.dag_state == "success"
    for file in sorted(expected.glob("*.csv")):
        if file.name != "task_statuses.csv":
            assert _rows(tmp_path / "out" / file.name) == _rows(file), file.name


def test_a_timer_waits_deferred(airflow_home: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import datetime as dt

    from infaflow.airflow.operators import PowerCenterTask
    from infaflow.airflow.testing import test_workflow

    resumed: list[str] = []
    original = PowerCenterTask.resume_after_timer

    def spy(self, context, event=None):  # noqa: ANN001, ANN202
        resumed.append(self.instance_path)
        return original(self, context, event)

    monkeypatch.setattr(PowerCenterTask, "resume_after_timer", spy)
    f = Flow("wf_timer").var("$$AT", "date/time", "")
    f.add("t", "Timer", attrs={"Variable": "$$AT"}, timer=("START_AT_ABSOLUTE_VARIABLE", {}, {})).cmd(
        "after", "true"
    )
    f.link("Start", "t").link("t", "after")
    # far enough ahead that the Timer task starts before it, even when dag.test takes 15 s to start on a
    # loaded machine (a deadline already passed would succeed at once, without deferring)
    at = (dt.datetime.now() + dt.timedelta(seconds=25)).replace(microsecond=0)
    run = test_workflow(
        [str(write_export(tmp_path, f))],
        "wf_timer",
        state_dir=tmp_path / "st",
        params={"$$AT": at.strftime("%m/%d/%Y %H:%M:%S")},
        working_dir=str(tmp_path),
    )
    assert statuses(run.summary) == {"Start": "SUCCEEDED", "t": "SUCCEEDED", "after": "SUCCEEDED"}
    assert dt.datetime.fromisoformat(run.summary["tasks"]["t"]["ended"]) >= at
    assert resumed == ["t"]  # it waited in the trigger, not in the task
