"""The shape and the text of generated DAGs (no Airflow needed): ids, groups, closing tasks, edges."""

from __future__ import annotations

import py_compile
import subprocess
import sys
from pathlib import Path

import pytest
from runtime_xml import Flow, write_export

from infaflow.airflow.dags import dag_text, workflow_shape
from infaflow.airflow.graph import safe_id
from infaflow.export import load


def _shape(tmp_path: Path, *flows: Flow):  # noqa: ANN202
    export = load(write_export(tmp_path, *flows))
    folder, wf = next((f, w) for f, w in export.workflows() if w.name == flows[0].name)
    return workflow_shape(folder, wf), (folder, wf)


def nested() -> list[Flow]:
    inner = Flow("wl_inner", worklet=True).cmd("leaf", "true").link("Start", "leaf")
    outer = Flow("wl_outer", worklet=True).add("wl_in", "Worklet", worklet="wl_inner").cmd("after", "true")
    outer.link("Start", "wl_in").link("wl_in", "after")
    top = Flow("wf_top").add("wl_out", "Worklet", worklet="wl_outer").cmd("done", "true")
    top.add("ctl", "Control", attrs={"Control Option": "Stop Parent"}).cmd(
        "j", "true", inst={"TREAT_INPUTLINK_AS_AND": "NO"}
    )
    top.link("Start", "wl_out").link("wl_out", "done", "$wl_out.Status = SUCCEEDED").link("Start", "ctl")
    top.link("done", "j").link("ctl", "j")
    return [top, outer, inner]


def test_tasks_groups_and_edges(tmp_path: Path) -> None:
    (shape, first), _ = _shape(tmp_path, *nested())
    got = {t.task_id: (t.kind, t.path, sorted(t.upstream)) for t in shape.tasks}
    assert got == {
        "Start": ("task", "Start", []),
        "wl_out.Start": ("task", "wl_out/Start", ["Start"]),
        "wl_out.wl_in.Start": ("task", "wl_out/wl_in/Start", ["wl_out.Start"]),
        "wl_out.wl_in.leaf": ("task", "wl_out/wl_in/leaf", ["wl_out.wl_in.Start"]),
        "wl_out.wl_in.wl_in": ("close", "wl_out/wl_in", ["wl_out.wl_in.leaf"]),
        "wl_out.after": ("task", "wl_out/after", ["wl_out.wl_in.wl_in"]),
        "wl_out.wl_out": ("close", "wl_out", ["wl_out.after"]),
        "done": ("task", "done", ["wl_out.wl_out"]),
        "ctl": ("task", "ctl", ["Start"]),
        "j": ("task", "j", ["ctl", "done"]),
        "wf_top": ("close", "", ["j"]),
    }
    assert first == "Start"
    reads = {t.task_id: t.reads for t in shape.tasks}
    assert reads["done"] == ["ctl"] and reads["j"] == [] and reads["ctl"] == []  # every task sees a stop


def test_event_wait_waits_for_the_raise_of_its_event(tmp_path: Path) -> None:
    f = Flow("wf_ev").cmd("slow", "true").add("raise", "Event Raise", attrs={"Event Name": "EV"})
    f.add("wait", "Event Wait", attrs={"User Defined Event": "YES", "Event Name": "ev"}).cmd("after", "true")
    f.add("other", "Event Wait", attrs={"User Defined Event": "YES", "Event Name": "not_raised"})
    f.link("Start", "slow").link("slow", "raise").link("Start", "wait").link("wait", "after").link(
        "Start", "other"
    )
    (shape, _), _ = _shape(tmp_path, f)
    ups = {t.task_id: sorted(t.upstream) for t in shape.tasks}
    assert ups["wait"] == ["Start", "raise"]  # names match case-insensitively
    assert ups["other"] == ["Start"]


def test_a_raise_after_its_wait_adds_no_cycle(tmp_path: Path) -> None:
    f = Flow("wf_cyc").add("wait", "Event Wait", attrs={"User Defined Event": "YES", "Event Name": "ev"})
    f.add("raise", "Event Raise", attrs={"Event Name": "ev"}).link("Start", "wait").link("wait", "raise")
    (shape, _), _ = _shape(tmp_path, f)
    assert {t.task_id: t.upstream for t in shape.tasks}["wait"] == ["Start"]


@pytest.mark.parametrize(
    ("name", "expected"), [("s_load", "s_load"), ("s load.x", "s_load_x"), ("wl-1", "wl-1"), ("", "_")]
)
def test_safe_ids(name: str, expected: str) -> None:
    assert safe_id(name) == expected


def test_closing_task_never_takes_an_instance_name(tmp_path: Path) -> None:
    f = Flow("wf_same").cmd("wf_same", "true").link("Start", "wf_same")
    (shape, _), _ = _shape(tmp_path, f)
    assert [t.task_id for t in shape.tasks] == ["Start", "wf_same", "wf_same_end"]


def test_dag_file_text(tmp_path: Path) -> None:
    _, (folder, wf) = _shape(tmp_path, *nested())
    text = dag_text(folder, wf, project="..")
    for line in (
        '    "project": str((HERE / "..").resolve()),',
        '    dag_id="wf_top",',
        '    with TaskGroup("wl_out", tooltip="worklet instance wl_out"):',
        '        with TaskGroup("wl_in", tooltip="worklet instance wl_out/wl_in"):',
        "            # Command task wl_out/wl_in/leaf",
        "    # the end of workflow wf_top",
        "    [done, ctl] >> j",
        "    wl_out__wl_out >> done",
        "    j >> wf_top",
    ):
        assert line in text.splitlines(), line
    path = tmp_path / "wf_top.py"
    path.write_text(text)
    py_compile.compile(str(path), doraise=True)
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        check = subprocess.run(
            [str(ruff), "check", "--isolated", "--line-length", "110", str(path)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout
