"""The HTML report's workflow section: tasks that never run drawn last and kept out of "Most slack"; a live
run shown as Monitor shows it."""

from __future__ import annotations

import datetime as dt
import re

from click.testing import CliRunner

from infaflow.cli import main

ORPHAN = (
    '<TASKINSTANCE NAME ="cmd_orphan" REUSABLE ="NO" TASKNAME ="cmd_verify_outputs" TASKTYPE ="Command"/>'
)


def test_never_running_task_is_drawn_last_and_not_listed_as_slack(orders_variant, tmp_path):
    path = orders_variant(ORPHAN)
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(path), "--lenient", "-o", str(out), "--no-recorded"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    slack = html[html.index("<h4>Most slack</h4>") :]
    slack = slack[: slack.index("</table>")]
    assert "eml_load_problem" in slack and "cmd_orphan" not in slack
    svg = html[html.index('class="dag"') : html.index("</svg>", html.index('class="dag"'))]
    caption = re.search(
        r'<text x="16" y="([\d.]+)"[^>]*>Never run: not reachable from the Start task</text>', svg
    )
    assert caption is not None
    tops = {
        name: float(y)
        for y, name in re.findall(
            r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" font-size="11" font-weight="bold"[^>]*>([^<]+)</text>',
            svg,
        )
    }
    assert len(tops) == 10
    assert tops["cmd_orphan"] > float(caption.group(1)) > max(v for k, v in tops.items() if k != "cmd_orphan")
    assert "COMMAND · NEVER RUNS" in svg


def test_a_live_run_reads_running_and_its_bars_end_now(orders_xml, tmp_path):
    from infaflow.runtime.store import RunStore

    store = RunStore(tmp_path / "state")
    started = dt.datetime.now() - dt.timedelta(seconds=90)
    run_id = store.create_run("wf_orders_daily", "ORDERS", str(orders_xml), {}, started)
    store.task_finished(run_id, "Start", "Start", "SUCCEEDED", started, started, 1, "", 0, {})
    store.task_finished(
        run_id,
        "cmd_prepare_target_dir",
        "Command",
        "SUCCEEDED",
        started,
        started + dt.timedelta(seconds=30),
        1,
        "",
        0,
        {},
    )
    store.task_started(run_id, "s_m_order_facts", "Session", 1, started + dt.timedelta(seconds=30), "")
    store.close()
    out = tmp_path / "live.html"
    res = CliRunner().invoke(
        main,
        [
            "report",
            str(orders_xml),
            "--run",
            str(run_id),
            "--state-dir",
            str(tmp_path / "state"),
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<th>status</th><td><b>RUNNING</b></td>" in html and "(still running or cut off)" in html
    row = re.search(r'data-path="s_m_order_facts">(.*?)</g>', html, flags=re.S).group(1)
    assert 'fill="#1e88e5"' in row and "RUNNING 1m 00s" in row  # from +30 s to now (+90 s)
    # the actual path so far: the running task, and what it waited for
    actual = re.findall(r'data-path="([^"]+)">(?:(?!</g>).)*class="bar actual"', html, flags=re.S)
    assert actual == ["Start", "cmd_prepare_target_dir", "s_m_order_facts"]


def test_a_run_of_a_workflow_whose_links_are_now_broken_still_gets_its_gantt(orders_variant, tmp_path):
    from infaflow.runtime.store import RunStore

    broken = orders_variant(
        '<WORKFLOWLINK CONDITION ="" FROMTASK ="cmd_verify_outputs" TOTASK ="Start"/>'
    )  # a cycle
    store = RunStore(tmp_path / "state")
    started = dt.datetime.now() - dt.timedelta(seconds=10)
    run_id = store.create_run("wf_orders_daily", "ORDERS", str(broken), {}, started)
    store.task_finished(run_id, "Start", "Start", "SUCCEEDED", started, started, 1, "", 0, {})
    store.finish_run(run_id, "FAILED", started + dt.timedelta(seconds=5))
    store.close()
    out = tmp_path / "broken.html"
    res = CliRunner().invoke(
        main,
        ["report", str(broken), "--run", str(run_id), "--state-dir", str(tmp_path / "state"), "-o", str(out)],
    )
    assert res.exit_code == 2 and "cycle" in res.output.lower()  # the broken links are reported...
    html = out.read_text(encoding="utf-8")
    assert html.count('class="gantt"') == 1  # ...and the run is drawn all the same
    assert "none: the workflow&#x27;s links are broken" in html and "<b>FAILED</b>" in html
