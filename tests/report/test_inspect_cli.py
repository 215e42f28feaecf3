"""``infaflow inspect`` on the orders sample: every format, and broken links giving exit 2."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of ``needle`` in ``path``."""
    lines = path.read_bytes().decode("cp1252").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_text_shows_overview_and_workflow_detail(orders_xml):
    res = run("inspect", str(orders_xml))
    assert res.exit_code == 0, res.output
    out = res.output
    for expected in (
        "Folders",
        "Workflows",
        "Mappings",
        "Sessions",
        "Tasks",
        "Links",
        "Decision points",
        "wf_orders_daily",
        "m_order_facts",
        "$dec_loads_ok.Condition = TRUE",
        "critical path length",
        "11m 02s",
    ):
        assert expected in out, expected
    assert "Start -> cmd_prepare_target_dir -> s_m_customer_dim -> dec_loads_ok" in out


def test_json_has_analysis_and_complexity(orders_xml):
    res = run("inspect", str(orders_xml), "--format", "json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    [wf] = data["workflows"]
    a = wf["analysis"]
    assert a["critical_path"] == [
        "Start",
        "cmd_prepare_target_dir",
        "s_m_customer_dim",
        "dec_loads_ok",
        "asg_record_load",
        "s_m_customer_orders",
        "cmd_verify_outputs",
    ]
    assert a["critical_path_seconds"] == 30 + 300 + 1 + 1 + 300 + 30
    assert (a["depth"], a["width"]) == (7, 2)
    assert a["levels"][2] == ["s_m_customer_dim", "s_m_order_facts"]
    email = next(t for t in wf["tasks"] if t["path"] == "eml_load_problem")
    assert (email["fan_in"], email["slack"], email["critical"]) == (2, 25, False)
    assert {lk["condition"] for lk in wf["links"]} >= {
        "$$LOADED_ORDERS > 0",
        "$dec_loads_ok.Condition = FALSE",
    }
    assert [m["name"] for m in data["mappings"]] == ["m_customer_dim", "m_order_facts", "m_customer_orders"]
    assert wf["complexity"]["score"] == wf["complexity"]["orchestration_score"] + sum(
        m["score"] for m in data["mappings"]
    )
    assert run("inspect", str(orders_xml), "--json").output == res.output


def test_durations_file_changes_the_critical_path(orders_xml, tmp_path):
    durations = tmp_path / "d.csv"
    durations.write_text("task,seconds\ns_m_order_facts,900\ns_m_customer_dim,10\n")
    data = json.loads(run("inspect", str(orders_xml), "--json", "--durations", str(durations)).output)
    a = data["workflows"][0]["analysis"]
    assert a["critical_path"][2] == "s_m_order_facts"
    assert a["critical_path_seconds"] == 30 + 900 + 1 + 1 + 300 + 30


def test_dot_and_mermaid(orders_xml):
    dot = run("inspect", str(orders_xml), "--format", "dot").output
    assert dot.startswith('digraph "wf_orders_daily" {') and "rankdir=LR" in dot
    assert '"dec_loads_ok" -> "asg_record_load" [label="$dec_loads_ok.Condition = TRUE"' in dot
    assert '"dec_loads_ok" [label="dec_loads_ok\\n(Decision)", shape=diamond' in dot
    mer = run("inspect", str(orders_xml), "--format", "mermaid").output
    assert mer.startswith("flowchart LR\n")
    assert 't_dec_loads_ok{"dec_loads_ok<br/>Decision"}' in mer
    assert 't_asg_record_load -->|"$$LOADED_ORDERS #gt; 0"| t_s_m_customer_orders' in mer
    assert "class t_Start,t_cmd_prepare_target_dir,t_s_m_customer_dim," in mer


def test_unknown_workflow_and_folder_are_bad_input(orders_xml):
    res = run("inspect", str(orders_xml), "--workflow", "wf_nope")
    assert res.exit_code == 2
    assert (
        res.output.strip()
        == f"{orders_xml}: no workflow 'wf_nope' in this export (workflows: wf_orders_daily)"
    )
    assert run("inspect", str(orders_xml), "--folder", "NOPE").exit_code == 2


def test_link_cycle_is_exit_2_with_file_and_line(orders_variant):
    path = orders_variant(
        '<WORKFLOWLINK CONDITION ="" FROMTASK ="cmd_verify_outputs" TOTASK ="s_m_customer_dim"/>'
    )
    start = time.monotonic()
    res = run("inspect", str(path), "--format", "json")
    assert time.monotonic() - start < 5
    assert res.exit_code == 2
    [message] = res.output.strip().splitlines()
    first_link_of_cycle = line_of(path, 'FROMTASK ="s_m_customer_dim" TOTASK ="dec_loads_ok"')
    assert message == (
        f"{path}:{first_link_of_cycle}: workflow wf_orders_daily: link cycle s_m_customer_dim -> "
        "dec_loads_ok -> asg_record_load -> s_m_customer_orders -> cmd_verify_outputs -> "
        "s_m_customer_dim"
    )


def test_link_to_missing_task_is_exit_2_with_the_link_line(orders_variant):
    path = orders_variant('<WORKFLOWLINK CONDITION ="" FROMTASK ="cmd_verify_outputs" TOTASK ="s_ghost"/>')
    res = run("inspect", str(path))
    assert res.exit_code == 2
    line = line_of(path, 'TOTASK ="s_ghost"')
    assert res.output.strip() == (
        f"{path}:{line}: workflow wf_orders_daily: link cmd_verify_outputs -> s_ghost "
        "names unknown task 's_ghost'"
    )


def test_report_lists_bad_files_and_broken_workflows_and_keeps_the_rest(orders_xml, orders_variant, tmp_path):
    variant = orders_variant('<WORKFLOWLINK CONDITION ="" FROMTASK ="cmd_verify_outputs" TOTASK ="s_ghost"/>')
    # The same folder again, with the workflow renamed: its mappings are equal and count once.
    broken = tmp_path / "broken.xml"
    broken.write_bytes(
        variant.read_bytes().replace(
            b'NAME ="wf_orders_daily" REUSABLE_SCHEDULER', b'NAME ="wf_orders_broken" REUSABLE_SCHEDULER'
        )
    )
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(empty), str(orders_xml), str(broken), "-o", str(out)])
    assert res.exit_code == 2
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"{empty}:1: ")
    ghost_line = line_of(broken, 'TOTASK ="s_ghost"')
    assert errors[1].startswith(f"{broken}:{ghost_line}: ")
    assert (
        res.stdout.strip()
        == f"{out}: 2 export file(s), 2 workflow(s), 3 mapping(s), 2 problem(s) in the input"
    )
    html = out.read_text(encoding="utf-8")
    assert "Input problems (2)" in html and "names unknown task &#x27;s_ghost&#x27;" in html
    assert html.count('class="dag"') == 1  # the good workflow is drawn, the broken one is not


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (1.53333e-05, "<0.1s"),
        (0.2, "0.2s"),
        (1.0, "1s"),
        (9.94, "9.9s"),
        (16.9016, "17s"),
        (45, "45s"),
        (300, "5m 00s"),
        (662, "11m 02s"),
        (3720, "1h 02m"),
    ],
)
def test_durations_read_as_people_write_them(seconds: float, text: str) -> None:
    from infaflow.report.summary import seconds_text

    assert seconds_text(seconds) == text


def test_unreachable_tasks_are_marked_in_every_format(orders_variant) -> None:
    # A second instance of an existing Command task that no link reaches: PowerCenter never runs it.
    path = orders_variant(
        '<TASKINSTANCE NAME ="cmd_orphan" REUSABLE ="NO" TASKNAME ="cmd_verify_outputs" TASKTYPE ="Command"/>'
    )
    text = run("inspect", str(path), "--lenient", "--workflow", "wf_orders_daily")
    assert text.exit_code == 0, text.output
    row = next(line for line in text.stdout.splitlines() if "cmd_orphan" in line)
    assert row.split()[0] == "-" and "(unreachable: never runs)" in row
    tasks = {
        t["path"]: t
        for t in json.loads(run("inspect", str(path), "--lenient", "--json").stdout)["workflows"][0]["tasks"]
    }
    assert tasks["cmd_orphan"]["reachable"] is False and tasks["cmd_verify_outputs"]["reachable"] is True
    dot = run("inspect", str(path), "--lenient", "--format", "dot").stdout
    assert (
        '"cmd_orphan" [label="cmd_orphan\\n(Command)\\nunreachable"' in dot and 'style="filled,dotted"' in dot
    )
    mermaid = run("inspect", str(path), "--lenient", "--format", "mermaid").stdout
    assert "class t_cmd_orphan unreachable" in mermaid
