"""Conformance: user-defined workflow and worklet variables (Advanced Workflow Guide "Workflow
Variables": start value order, datatype defaults, persistence, Date/Time value formats; "Parameter Files":
headings and scopes), Assignment and Decision tasks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import statuses
from runtime_xml import Flow

from infaflow.runtime import values as V


def test_datatype_defaults(run_flows) -> None:
    f = Flow("wf").var("$$I", "integer").var("$$D", "double").var("$$S", "string").var("$$N", "nstring")
    f.var("$$T", "date/time").cmd("ok", "true")
    f.link(
        "Start",
        "ok",
        "$$I = 0 AND $$D = 0 AND $$S = '' AND $$N = '' AND $$T = TO_DATE('01/01/1753', 'MM/DD/YYYY')",
    )
    result = run_flows(f)
    assert statuses(result)["ok"] == "SUCCEEDED"
    assert result.summary["variables"] == {
        "$$I": 0,
        "$$D": 0.0,
        "$$S": "",
        "$$N": "",
        "$$T": "1753-01-01T00:00:00",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/31/2024", dt.datetime(2024, 12, 31)),
        ("12-31-2024 23:59", dt.datetime(2024, 12, 31, 23, 59)),
        ("12.31.2024 23:59:58", dt.datetime(2024, 12, 31, 23, 59, 58)),
        ("12\\31\\2024 08:05:04.123", dt.datetime(2024, 12, 31, 8, 5, 4, 123000)),
        ("1/2/2024 1:02:03.123456", dt.datetime(2024, 1, 2, 1, 2, 3, 123456)),
        ("01/02/2024 01:02:03.123456789", dt.datetime(2024, 1, 2, 1, 2, 3, 123456)),
        ("  12/31/2024   10:00:00  ", dt.datetime(2024, 12, 31, 10, 0, 0)),
        ("12/31/24", dt.datetime(2024, 12, 31)),  # RR
        ("12/31/97 10:00", dt.datetime(1997, 12, 31, 10, 0)),
        ("2024-12-31 10:00:00", dt.datetime(2024, 12, 31, 10, 0)),  # ISO: accepted too
    ],
)
def test_date_time_values_in_documented_formats(text: str, expected: dt.datetime) -> None:
    """Advanced Workflow Guide, "Creating User-Defined Workflow Variables": MM/DD/RR or MM/DD/YYYY with an
    optional HH24:MI[:SS[.MS|.US|.NS]]; separators - / \\ : . and space; extra spaces ignored."""
    assert V.parse_datetime(text, today=dt.date(2026, 1, 1)) == expected


@pytest.mark.parametrize("text", ["12/31/202", "13/01/2024", "12/31/2024 25:00", "tomorrow", "12/31/2024 10"])
def test_date_time_values_outside_the_formats_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="not a date/time"):
        V.parse_datetime(text)


def test_date_default_value_with_dashes_starts_the_variable(run_flows) -> None:
    f = Flow("wf").var("$$T", "date/time", "06-15-2024 10:30:00").cmd("ok", "true")
    f.link("Start", "ok", "GET_DATE_PART($$T, 'MM') = 6 AND GET_DATE_PART($$T, 'HH24') = 10")
    result = run_flows(f)
    assert statuses(result)["ok"] == "SUCCEEDED"
    assert result.summary["variables"]["$$T"] == "2024-06-15T10:30:00"


def test_assignment_converts_to_the_variable_datatype(run_flows) -> None:
    """The value assigned takes the variable's datatype: a string meets an integer by its numeric prefix
    (Transformation Language Reference, implicit string to number), a string date by the date formats."""
    f = (
        Flow("wf")
        .var("$$I", "integer", "5")
        .var("$$J", "integer", "5")
        .var("$$T", "date/time")
        .var("$$S", "string")
    )
    f.add(
        "asg",
        "Assignment",
        pairs=[("$$I", "'12abc'"), ("$$J", "'abc'"), ("$$T", "'03-04-2025 05:06:07'"), ("$$S", "$$I + 1")],
    )
    f.cmd("ok", "true").link("Start", "asg").link("asg", "ok", "$$I = 12 AND $$S = '13'")
    result = run_flows(f)
    assert statuses(result) == {"Start": "SUCCEEDED", "asg": "SUCCEEDED", "ok": "SUCCEEDED"}
    assert result.summary["variables"] == {"$$I": 12, "$$J": 0, "$$T": "2025-03-04T05:06:07", "$$S": "13"}


def test_assignment_of_a_non_date_to_a_date_variable_fails_the_task(run_flows) -> None:
    f = Flow("wf").var("$$T", "date/time", "01/01/2024").add("asg", "Assignment", pairs=[("$$T", "'soon'")])
    f.cmd("on_fail", "true").link("Start", "asg").link("asg", "on_fail", "$asg.Status = FAILED")
    result = run_flows(f)
    assert statuses(result) == {"Start": "SUCCEEDED", "asg": "FAILED", "on_fail": "SUCCEEDED"}
    assert result.summary["variables"]["$$T"] == "2024-01-01T00:00:00"  # unchanged
    assert result.status == "SUCCEEDED"


def test_decision_with_a_null_condition_is_false_and_succeeds(run_flows) -> None:
    f = Flow("wf").var("$$S", "string").add("dec", "Decision", attrs={"Decision Name": "$$S = 'x'"})
    f.cmd("yes", "true").cmd("no", "true").cmd("null", "true")
    f.link("Start", "dec").link("dec", "yes", "$dec.Condition = TRUE").link(
        "dec", "no", "$dec.Condition = FALSE"
    )
    f.link("dec", "null", "ISNULL($dec.Condition)")
    result = run_flows(f, params={"$$S": ""})  # NULL
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "dec": "SUCCEEDED",
        "yes": "NOTSTARTED",
        "no": "SUCCEEDED",
        "null": "NOTSTARTED",
    }


def test_persistent_value_is_saved_at_the_end_of_every_run(run_flows) -> None:
    """ "If you declare the variable as persistent, the Integration Service saves the value of the variable
    to the repository at the end of the workflow run" (no condition on the run's status); a parameter file
    value beats the saved value; a non-persistent variable starts from its default again."""

    def flow(fail: bool) -> Flow:
        f = Flow("wf").var("$$N", "integer", "0", persistent=True).var("$$M", "integer", "0")
        f.add("asg", "Assignment", pairs=[("$$N", "$$N + 1"), ("$$M", "$$M + 1")])
        f.cmd(
            "c",
            "exit 1" if fail else "true",
            attrs={"Fail task if any command fails": "YES"},
            inst={"FAIL_PARENT_IF_INSTANCE_FAILS": "YES"},
        )
        return f.link("Start", "asg").link("asg", "c")

    first = run_flows(flow(fail=True))
    assert first.status == "FAILED"
    assert first.summary["variables"] == {"$$N": 1, "$$M": 1}
    second = run_flows(flow(fail=False))
    assert second.status == "SUCCEEDED"
    assert second.summary["variables"] == {"$$N": 2, "$$M": 1}
    third = run_flows(flow(fail=False), params={"$$N": "10"})
    assert third.summary["variables"]["$$N"] == 11
    assert run_flows(flow(fail=False)).summary["variables"]["$$N"] == 12


def test_parameter_file_scopes_narrowest_heading_wins(run_flows, tmp_path: Path) -> None:
    wli = Flow("wli", worklet=True).var("$$W", "string", "default").cmd("c", "echo $$W >> w.txt")
    wli.link("Start", "c")
    wlo = Flow("wlo", worklet=True).var("$$W", "string", "default").add("wl_i", "Worklet", worklet="wli")
    wlo.cmd("c", "echo $$W >> w.txt").link("Start", "wl_i").link("wl_i", "c")
    wf = Flow("wf").var("$$W", "string", "default").var("$$G", "string", "default")
    wf.add("wl_o", "Worklet", worklet="wlo").cmd("c", "echo $$W $$G >> w.txt").link("Start", "wl_o")
    wf.link("wl_o", "c")
    par = tmp_path / "p.par"
    par.write_text(
        "[Global]\n$$W=global\n$$G=global\n"
        "[RT.WF:wf]\n$$W=workflow\n"
        "[RT.WF:wf.WT:wl_o]\n$$W=outer worklet\n"
        "[rt.wf:WF.wt:WL_O.WT:wl_i]\n$$W=inner worklet\n",
        encoding="utf-8",
    )
    result = run_flows(wf, wlo, wli, param_files=[par])
    assert result.status == "SUCCEEDED"
    assert (tmp_path / "w.txt").read_text().splitlines() == [
        "inner worklet",
        "outer worklet",
        "workflow global",
    ]


def test_persistent_worklet_variable_is_shared_by_the_instances_of_the_worklet(
    run_flows, tmp_path: Path
) -> None:
    """Advanced Workflow Guide, "Persistent Worklet Variables": with two instances of a worklet, the value
    Worklet1 ends with is Worklet2's initial value, and Worklet2's final value is the next run's."""
    wl = Flow("wl_count", worklet=True).var("$$C", "integer", "0", persistent=True)
    wl.add("inc", "Assignment", pairs=[("$$C", "$$C + 1")]).cmd("show", "echo $$C >> c.txt")
    wl.link("Start", "inc").link("inc", "show")
    wf = (
        Flow("wf")
        .add("Worklet1", "Worklet", worklet="wl_count")
        .add("Worklet2", "Worklet", worklet="wl_count")
    )
    wf.link("Start", "Worklet1").link("Worklet1", "Worklet2")
    assert run_flows(wf, wl).status == "SUCCEEDED"
    assert run_flows(wf, wl).status == "SUCCEEDED"
    assert (tmp_path / "c.txt").read_text().split() == ["1", "2", "3", "4"]


def test_parameter_file_name_is_every_character_before_the_equals_sign(run_flows, tmp_path: Path) -> None:
    """Advanced Workflow Guide, "Parameter File Structure": a space between the name and '=' is part of the
    name, so ``$$A = x`` sets nothing; the value is everything after the first '=' (spaces, more '=')."""
    from infaflow.export import load
    from infaflow.runtime import paramcheck, paramfile

    f = Flow("wf").var("$$A", "string", "default").var("$$B", "string", "default").cmd("c", "true")
    f.link("Start", "c", "$$A = 'default' AND $$B = ' x=y '")
    par = tmp_path / "p.par"
    par.write_bytes(b"\xef\xbb\xbf[RT.WF:wf]\r\n$$A = set\r\n$$B= x=y \r\n")  # UTF-8 BOM, CRLF
    result = run_flows(f, param_files=[par])
    assert statuses(result) == {"Start": "SUCCEEDED", "c": "SUCCEEDED"}
    assert result.summary["variables"] == {"$$A": "default", "$$B": " x=y "}
    export = load(tmp_path / "export.xml")
    (problem,) = paramcheck.check_param_file(paramfile.load(par), export)
    assert problem.line == 2 and "'$$A ' has spaces before the '='" in problem.message
