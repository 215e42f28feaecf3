"""Levels, width, depth, critical path, slack, fan-in/out and decision points."""

from __future__ import annotations

import json

import pytest

from infaflow.errors import InputError
from infaflow.graph import DEFAULT_SECONDS, analyze, load_durations


@pytest.fixture
def diamond(make_workflow):
    # start -> s_a (long) -> s_join ; start -> s_b (short) -> s_join ; s_join -> dec -> s_ok / s_ko
    return make_workflow(
        "wf_diamond",
        ["start", "s_a", "s_b", "s_join", "dec_check", "s_ok", "s_ko"],
        [
            ("start", "s_a"),
            ("start", "s_b"),
            ("s_a", "s_join"),
            ("s_b", "s_join"),
            ("s_join", "dec_check"),
            ("dec_check", "s_ok", "$dec_check.Condition = TRUE"),
            ("dec_check", "s_ko", "$dec_check.Condition = FALSE"),
        ],
        decisions={"dec_check": "$s_join.TgtSuccessRows > 0"},
    )


def test_levels_width_depth(diamond):
    result = analyze(diamond)
    assert result.levels == [["start"], ["s_a", "s_b"], ["s_join"], ["dec_check"], ["s_ok", "s_ko"]]
    assert (result.depth, result.width) == (5, 2)
    assert (result.links, result.conditional_links) == (7, 2)


def test_critical_path_with_durations_and_slack(diamond):
    result = analyze(diamond, durations={"s_a": 100, "s_b": 40, "S_JOIN": 10, "s_ok": 5, "s_ko": 7})
    assert result.critical_path == ["start", "s_a", "s_join", "dec_check", "s_ko"]
    assert result.critical_length == 100 + 10 + DEFAULT_SECONDS["Decision"] + 7
    b = result.tasks["s_b"]
    assert (b.earliest_start, b.earliest_finish, b.slack) == (0, 40, 60)
    assert result.tasks["s_ok"].slack == 2
    assert result.tasks["s_a"].critical and not result.tasks["s_b"].critical
    assert all(result.tasks[n].slack == 0 for n in result.critical_path)


def test_default_durations_by_type_and_disabled_tasks_weigh_nothing(make_workflow):
    wf = make_workflow(
        "wf",
        ["start", "s_a", "cmd_b", "em_c"],
        [("start", "s_a"), ("s_a", "cmd_b"), ("cmd_b", "em_c")],
        disabled=("s_a",),
    )
    result = analyze(wf)
    assert result.tasks["s_a"].duration == 0
    assert result.tasks["cmd_b"].duration == DEFAULT_SECONDS["Command"]
    assert result.critical_length == DEFAULT_SECONDS["Command"] + DEFAULT_SECONDS["Email"]


def test_fan_in_fan_out_and_decision_points(diamond):
    result = analyze(diamond)
    assert (result.tasks["start"].fan_out, result.tasks["s_join"].fan_in) == (2, 2)
    assert (result.max_fan_in, result.max_fan_out) == (2, 2)
    [point] = result.decision_points
    assert point.path == "dec_check"
    assert point.decision == "$s_join.TgtSuccessRows > 0"
    assert point.branches == [
        ("s_ok", "$dec_check.Condition = TRUE"),
        ("s_ko", "$dec_check.Condition = FALSE"),
    ]


def test_conditional_link_makes_a_decision_point(make_workflow):
    wf = make_workflow(
        "wf", ["start", "s_a", "em_fail"], [("start", "s_a"), ("s_a", "em_fail", "$s_a.Status = FAILED")]
    )
    assert [(p.path, p.type, p.decision) for p in analyze(wf).decision_points] == [("s_a", "Session", "")]


def test_critical_path_runs_through_worklets_by_path(make_workflow):
    inner = make_workflow(
        "wl_load", ["start", "s_slow", "s_fast"], [("start", "s_slow"), ("start", "s_fast")], is_worklet=True
    )
    wf = make_workflow(
        "wf",
        ["start", "wl_load=wl_1", "s_side", "s_end"],
        [("start", "wl_1"), ("start", "s_side"), ("wl_1", "s_end"), ("s_side", "s_end")],
        worklets=[inner],
    )
    result = analyze(wf, durations={"wl_1/s_slow": 500, "s_fast": 1, "s_side": 200, "s_end": 10})
    assert result.critical_path == ["start", "wl_1/start", "wl_1/s_slow", "s_end"]
    assert result.critical_length == 510
    assert result.tasks["wl_1/s_fast"].slack == 499
    assert result.tasks["s_side"].slack == 300


def test_durations_match_the_task_name_of_a_reusable_task(make_workflow):
    wf = make_workflow(
        "wf",
        ["start", "s_shared=s_shared_A01", "s_shared=s_shared_A02"],
        [("start", "s_shared_A01"), ("s_shared_A01", "s_shared_A02")],
    )
    result = analyze(wf, durations={"s_shared": 50, "s_shared_A02": 20})
    assert (result.tasks["s_shared_A01"].duration, result.tasks["s_shared_A02"].duration) == (50, 20)


def test_analysis_of_a_cycle_is_an_input_error_with_a_line(make_workflow):
    wf = make_workflow("wf", ["start", "s_a", "s_b"], [("start", "s_a"), ("s_a", "s_b"), ("s_b", "s_a")])
    with pytest.raises(InputError) as err:
        analyze(wf)
    assert err.value.file == "wf.xml" and err.value.line in (14, 15)
    assert "link cycle" in err.value.message


def test_load_durations_json_csv_and_errors(tmp_path):
    j = tmp_path / "d.json"
    j.write_text(json.dumps({"s_a": 12, "wl/s_b": "3.5"}))
    assert load_durations(j) == {"s_a": 12.0, "wl/s_b": 3.5}
    lst = tmp_path / "runs.json"
    lst.write_text(json.dumps({"durations": [{"task": "s_a", "seconds": 7}]}))
    assert load_durations(lst) == {"s_a": 7.0}
    c = tmp_path / "d.csv"
    c.write_text("task,seconds\ns_a,12\n\n# comment\nwl/s_b, 4\n")
    assert load_durations(c) == {"s_a": 12.0, "wl/s_b": 4.0}
    bad = tmp_path / "bad.csv"
    bad.write_text("s_a,12\ns_b,soon\n")
    with pytest.raises(InputError) as err:
        load_durations(bad)
    assert (err.value.line, err.value.message) == (2, "duration of 's_b' is not a number of seconds: 'soon'")
    broken = tmp_path / "broken.json"
    broken.write_text('{\n"s_a": 1,\n}')
    with pytest.raises(InputError) as err:
        load_durations(broken)
    assert err.value.line == 3
    negative = tmp_path / "neg.json"
    negative.write_text('{"s_a": -1}')
    with pytest.raises(InputError, match=">= 0"):
        load_durations(negative)
    with pytest.raises(InputError, match="cannot read"):
        load_durations(tmp_path / "absent.csv")


def test_tasks_unreachable_from_start_never_run_and_weigh_nothing(make_workflow):
    wf = make_workflow(
        "wf", ["start", "s_a", "s_orphan", "s_after"], [("start", "s_a"), ("s_orphan", "s_after")]
    )
    result = analyze(wf, durations={"s_a": 10, "s_orphan": 500, "s_after": 500})
    assert (result.tasks["s_orphan"].duration, result.tasks["s_after"].duration) == (0, 0)
    assert result.critical_path == ["start", "s_a"] and result.critical_length == 10
