"""The runtime's step API run by hand, for what a serial ``dag.test()`` cannot show: a Control task that
stops its parent while a parallel task runs stops that task, as in ``infaflow run``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow, write_export

from infaflow.runtime import steps
from infaflow.runtime.scheduler import RunOptions


@pytest.mark.parametrize(
    ("option", "status"), [("Stop Parent", "STOPPED"), ("Abort top-level workflow", "ABORTED")]
)
def test_a_control_task_running_beside_a_task_stops_it(tmp_path: Path, option: str, status: str) -> None:
    f = Flow("wf_ctl").add("ctl", "Control", attrs={"Control Option": option}).cmd("par", "sleep 20")
    f.cmd("after_par", "true").link("Start", "ctl").link("Start", "par").link("par", "after_par")
    config = steps.StepConfig(
        [str(write_export(tmp_path, f))],
        "wf_ctl",
        state_dir=str(tmp_path / "st"),
        options=RunOptions(working_dir=str(tmp_path)),
    )
    start, _ = steps.run_task(config, "Start", steps.begin(config))
    after_ctl, ctl_status = steps.run_task(config, "ctl", start)
    t0 = time.monotonic()
    config.stop_probe = lambda: after_ctl if time.monotonic() - t0 > 0.3 else None
    config.probe_interval = 0.1
    after_par, par_status = steps.run_task(config, "par", start)
    assert time.monotonic() - t0 < 10
    assert (ctl_status, par_status) == ("SUCCEEDED", status)
    config.stop_probe = None
    merged = steps.merge([after_par, after_ctl])
    after, after_status = steps.run_task(config, "after_par", merged)
    assert after_status is None  # a stopped scope starts nothing
    end, final = steps.close_scope(config, "", after)
    assert final == status
    summary = steps.run_summary(config, end)
    assert statuses(summary) == {
        "Start": "SUCCEEDED",
        "ctl": "SUCCEEDED",
        "par": status,
        "after_par": "NOTSTARTED",
    }
    assert summary["status"] == status
