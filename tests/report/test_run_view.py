"""``infaflow report EXPORT --run RUN_ID``: a Gantt chart of a run recorded by ``infaflow run``, with the
actual critical path (the chain of tasks that decided the end) beside the planned one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.report.runview import TaskSpan, actual_critical_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from runtime_xml import Flow, write_export  # noqa: E402


def gantt_export(tmp_path: Path) -> Path:
    """prep, then fast and slow side by side, then a worklet of two loads (one slow), then a Decision."""
    worklet = (
        Flow("wl_loads", worklet=True)
        .cmd("load_a", "true")
        .cmd("load_b", "sleep 0.4")
        .link("Start", "load_a")
        .link("Start", "load_b")
    )
    wf = (
        Flow("wf_gantt")
        .cmd("prep", "sleep 0.1")
        .cmd("fast", "true")
        .cmd("slow", "sleep 0.6")
        .add("wl", "Worklet", worklet="wl_loads")
        .add("dec", "Decision", attrs={"Decision Name": "1 = 1"})
        .cmd("on_true", "true")
        .cmd("on_false", "true")
        .cmd("broken", "exit 3", attrs={"Fail task if any command fails": "YES"})
        .link("Start", "prep")
        .link("prep", "fast")
        .link("prep", "slow")
        .link("fast", "wl")
        .link("slow", "wl")
        .link("wl", "dec")
        .link("dec", "on_true", "$dec.Condition = TRUE")
        .link("dec", "on_false", "$dec.Condition = FALSE")
        .link("prep", "broken")
    )
    return write_export(tmp_path, worklet, wf)


def run_cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def recorded(tmp_path: Path) -> tuple[Path, Path]:
    export = gantt_export(tmp_path)
    state = tmp_path / "state"
    res = run_cli("run", str(export), "--state-dir", str(state))
    assert "run 1:" in res.output, res.output
    return export, state


def spans(html: str) -> dict[str, str]:
    """data-path -> the markup of its row."""
    return dict(re.findall(r'<g class="span" data-path="([^"]+)">(.*?)</g>', html, flags=re.S))


def test_gantt_of_a_real_run_with_planned_and_actual_critical_paths(recorded, tmp_path):
    export, state = recorded
    out = tmp_path / "run.html"
    res = run_cli("report", str(export), "--run", "1", "--state-dir", str(state), "-o", str(out))
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert html.count('class="gantt"') == 1 and 'id="run-1"' in html
    rows = spans(html)
    # every recorded task has a row, the worklet and its tasks included, in the order they started
    assert set(rows) == {
        "Start",
        "prep",
        "fast",
        "slow",
        "broken",
        "wl",
        "wl/Start",
        "wl/load_a",
        "wl/load_b",
        "dec",
        "on_true",
        "on_false",
    }
    order = list(rows)
    assert (
        order.index("prep")
        < order.index("slow")
        < order.index("wl")
        < order.index("wl/load_b")
        < order.index("dec")
    )
    assert order[-1] == "on_false"  # never started: last, without a bar
    assert 'class="bar' not in rows["on_false"] and "NOTSTARTED" in rows["on_false"]
    assert 'fill="#e53935"' in rows["broken"] and "FAILED" in rows["broken"]  # failed: red
    assert 'fill="#43a047"' in rows["slow"]  # succeeded: green
    # the actual critical path: the slow branch and the slow load decided when the run ended
    actual = [p for p, row in rows.items() if 'class="bar actual"' in row]
    assert actual == ["Start", "prep", "slow", "wl/Start", "wl/load_b", "dec", "on_true"]
    assert "fast" not in actual and "wl/load_a" not in actual
    # the planned path is marked (◇) and listed beside the actual one
    assert all("◇" in rows[p] for p in ("Start", "prep", "wl/Start"))
    panel = html[
        html.index("Planned critical path") : html.index("</aside>", html.index("Planned critical path"))
    ]
    assert "Actual critical path" in panel and "7 tasks, ended at" in panel
    # bars are proportional to the recorded durations: slow (0.6 s) is several times fast (true)
    width = {
        p: float(re.search(r'class="bar[^"]*" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', rows[p]).group(1))
        for p in ("slow", "fast")
    }
    assert width["slow"] > 3 * width["fast"]


def test_the_run_view_needs_a_recorded_run_of_a_workflow_of_the_exports(recorded, tmp_path):
    export, state = recorded
    out = str(tmp_path / "r.html")
    res = run_cli("report", str(export), "--run", "9", "--state-dir", str(state), "-o", out)
    assert res.exit_code == 2 and "no run 9 in this run store (runs 1 to 1)" in res.output
    assert "Traceback" not in res.output
    res = run_cli("report", str(export), "--run", "1", "--state-dir", str(tmp_path / "empty"), "-o", out)
    assert res.exit_code == 2 and "no run store here" in res.output
    other = write_export(tmp_path, Flow("wf_other").cmd("x", "true").link("Start", "x"), name="other.xml")
    res = run_cli("report", str(other), "--run", "1", "--state-dir", str(state), "-o", out)
    assert res.exit_code == 2 and "run 1 is of workflow wf_gantt (folder RT)" in res.output


def span(path: str, start: float, end: float, status: str = "SUCCEEDED") -> TaskSpan:
    return TaskSpan(path, "Command", status, start, end, 1, "")


def test_actual_path_follows_the_input_each_task_waited_for():
    g = nx.DiGraph([("Start", "a"), ("Start", "b"), ("a", "join"), ("b", "join"), ("join", "end")])
    # AND input: join waited for b, which ended last
    and_input = [span("Start", 0, 0), span("a", 0, 2), span("b", 0, 5), span("join", 5, 6), span("end", 6, 7)]
    assert actual_critical_path(g, and_input) == ["Start", "b", "join", "end"]
    # OR input: join started when a ended; b ended later and did not hold it up
    or_input = [
        span("Start", 0, 0),
        span("a", 0, 2),
        span("b", 0, 3.5),
        span("join", 2, 3),
        span("end", 3, 4),
    ]
    assert actual_critical_path(g, or_input) == ["Start", "a", "join", "end"]
    # the run's end is decided by b, the task that ended last, although its branch has no successor run
    cut = [span("Start", 0, 0), span("a", 0, 2), span("b", 0, 9, "FAILED"), span("join", 2, 3)]
    assert actual_critical_path(g, cut) == ["Start", "b"]
    # a task waiting for a worker started after its predecessor ended: still the one it waited for
    queued = [span("Start", 0, 0), span("a", 1.5, 2), span("b", 0.5, 1)]
    assert actual_critical_path(g, queued) == ["Start", "a"]
    assert actual_critical_path(g, []) == []


def test_a_task_retried_shows_each_attempt(tmp_path):
    marker = tmp_path / "tried"
    flaky = f"test -f {marker} || {{ touch {marker}; sleep 0.2; exit 1; }}"
    wf = (
        Flow("wf_retry")
        .cmd(
            "flaky",
            flaky,
            attrs={"Fail task if any command fails": "YES", "Recovery Strategy": "Restart task"},
        )
        .cmd("after", "true")
        .link("Start", "flaky")
        .link("flaky", "after", "$flaky.Status = SUCCEEDED")
    )
    export = write_export(tmp_path, wf)
    state = tmp_path / "state"
    res = run_cli("run", str(export), "--state-dir", str(state), "--retries", "1", "--retry-backoff", "0.3")
    assert "run 1:" in res.output, res.output
    out = tmp_path / "retry.html"
    assert (
        run_cli("report", str(export), "--run", "1", "--state-dir", str(state), "-o", str(out)).exit_code == 0
    )
    row = spans(out.read_text(encoding="utf-8"))["flaky"]
    tries = re.findall(
        r'<rect class="attempt" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="([^"]+)">'
        r"<title>attempt (\d): (\w+)</title>",
        row,
    )
    assert [(k, status) for *_, k, status in tries] == [("1", "FAILED"), ("2", "SUCCEEDED")]
    assert tries[0][2] == "#e53935" and tries[1][2] == "#43a047"
    first_end = float(tries[0][0]) + float(tries[0][1])
    assert float(tries[1][0]) > first_end  # the backoff between them shows as a gap
    assert "SUCCEEDED" in row and "(2 attempts)" in row
