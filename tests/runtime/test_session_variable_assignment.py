"""Values moving between workflows, worklets and sessions (Advanced Workflow Guide, "Assigning Parameter
and Variable Values in a Session", "Assigning Variable Values in a Worklet", "Passing Parameter and
Variable Values between Sessions"; Designer Guide, "Mapping Parameters and Variables", start values).

Each test writes a small export shaped like real ones (SESSIONCOMPONENT with its Command TASK and the
VALUEPAIRs beside it, MAPPINGVARIABLEs on the mapping) and runs it with a recording session executor:
what a session received is in its request's parameters, and the mapping variable values it returns
stand for the job's final values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from conftest import statuses

from infaflow.export import load
from infaflow.runtime.api import RunResult, run_workflow
from infaflow.runtime.executor import SessionOutcome, SessionRequest
from infaflow.runtime.scheduler import RunOptions

# -- a small export writer -------------------------------------------------------------------------------


def _a(**kw: str) -> str:
    return " ".join(f"{k} ={quoteattr(v)}" for k, v in kw.items())


def _pairs(pairs: list[tuple[str, str]], reverse: bool = False) -> str:
    rev = "YES" if reverse else "NO"
    return "".join(
        f"<VALUEPAIR {_a(EXECORDER=str(i), NAME=n, REVERSEASSIGNMENT=rev, VALUE=v)}/>"
        for i, (n, v) in enumerate(pairs, 1)
    )


READER = dict(
    DSQINSTNAME="SQ_src",
    DSQINSTTYPE="Source Qualifier",
    NAME="File Reader",
    SINSTANCENAME="src",
    SUBTYPE="File Reader",
    TRANSFORMATIONTYPE="Source Definition",
    TYPE="READER",
)
START = dict(DESCRIPTION="", NAME="Start", REUSABLE="NO", TASKNAME="Start", TASKTYPE="Start")


def components_xml(
    pre: list[tuple[str, str]], post_success: list[tuple[str, str]], post_failure: list[tuple[str, str]]
) -> str:
    """Variable assignment SESSIONCOMPONENTs as real exports write them: an empty Command TASK, then the
    VALUEPAIRs."""
    parts: list[str] = []
    kinds = (
        ("Pre-session variable assignment", "presession_variable_assignment", pre),
        ("Post-session success variable assignment", "postsession_success_variable_assignment", post_success),
        ("Post-session failure variable assignment", "postsession_failure_variable_assignment", post_failure),
    )
    for kind, ref, pairs in kinds:
        if not pairs:
            continue
        task = _a(DESCRIPTION="", NAME=ref, REUSABLE="NO", TYPE="Command", VERSIONNUMBER="1")
        parts.append(f"<SESSIONCOMPONENT {_a(REFOBJECTNAME=ref, REUSABLE='NO', TYPE=kind)}>")
        parts.append(
            f"<TASK {task}><ATTRIBUTE {_a(NAME='Fail task if any command fails', VALUE='NO')}/></TASK>"
        )
        parts.append(_pairs(pairs) + "</SESSIONCOMPONENT>")
    return "".join(parts)


@dataclass
class Sess:
    """A non-reusable session and its mapping (mapping parameters/variables: name, datatype, default,
    is_param)."""

    name: str
    mapping_vars: list[tuple[str, str, str, bool]] = field(default_factory=list)
    pre: list[tuple[str, str]] = field(default_factory=list)
    post_success: list[tuple[str, str]] = field(default_factory=list)
    post_failure: list[tuple[str, str]] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)
    source_file: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    reusable: bool = False

    def mapping_xml(self) -> str:
        out = [f"<MAPPING {_a(DESCRIPTION='', ISVALID='YES', NAME='m_' + self.name, VERSIONNUMBER='1')}>"]
        for name, datatype, default, is_param in self.mapping_vars:
            kw = dict(
                AGGFUNCTION="MAX" if not is_param and datatype != "string" else "NONE",
                DATATYPE=datatype,
                DEFAULTVALUE=default,
                DESCRIPTION="",
                ISEXPRESSIONVARIABLE="NO",
                ISPARAM="YES" if is_param else "NO",
                NAME=name,
                PRECISION="20",
                SCALE="0",
                USERDEFINED="YES",
            )
            out.append(f"<MAPPINGVARIABLE {_a(**kw)}/>")
        out.append("</MAPPING>")
        return "".join(out)

    def session_xml(self) -> str:
        head = _a(
            DESCRIPTION="",
            ISVALID="YES",
            MAPPINGNAME="m_" + self.name,
            NAME=self.name,
            REUSABLE="YES" if self.reusable else "NO",
            SORTORDER="Binary",
            VERSIONNUMBER="1",
        )
        parts = [f"<SESSION {head}>"]
        if self.config:
            parts.append(
                f"<CONFIGREFERENCE {_a(REFOBJECTNAME='default_session_config', TYPE='Session config')}>"
            )
            parts += [f"<ATTRIBUTE {_a(NAME=k, VALUE=v)}/>" for k, v in self.config.items()]
            parts.append("</CONFIGREFERENCE>")
        parts.append(components_xml(self.pre, self.post_success, self.post_failure))
        if self.source_file:
            parts.append(
                f"<SESSIONEXTENSION {_a(**READER)}>"
                f"<ATTRIBUTE {_a(NAME='Source filename', VALUE=self.source_file)}/></SESSIONEXTENSION>"
            )
        parts += [f"<ATTRIBUTE {_a(NAME=k, VALUE=v)}/>" for k, v in self.attrs.items()]
        parts.append("</SESSION>")
        return "".join(parts)


@dataclass
class Wf:
    """A workflow or worklet: sessions, Assignment tasks, worklet instances, links and user variables."""

    name: str
    worklet: bool = False
    sessions: list[Sess] = field(default_factory=list)
    assignments: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    worklets: dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = field(
        default_factory=dict
    )  # instance -> (worklet, pre-worklet pairs, post-worklet pairs)
    shared: dict[str, tuple[str, list[tuple[str, str]]]] = field(
        default_factory=dict
    )  # instance -> (reusable session, the instance's pre-session variable assignment)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    variables: list[tuple[str, str, str]] = field(default_factory=list)

    def xml(self) -> str:
        tag = "WORKLET" if self.worklet else "WORKFLOW"
        head = {
            "DESCRIPTION": "",
            "ISVALID": "YES",
            "NAME": self.name,
            "REUSABLE": "YES",
            "VERSIONNUMBER": "1",
        }
        if not self.worklet:
            head = {k: v for k, v in head.items() if k != "REUSABLE"}
            head.update(ISENABLED="YES", SERVERNAME="IS_local", SUSPEND_ON_ERROR="NO")
        parts = [f"<{tag} {_a(**head)}>"]
        parts.append(
            f"<TASK {_a(DESCRIPTION='', NAME='Start', REUSABLE='NO', TYPE='Start', VERSIONNUMBER='1')}/>"
        )
        for name, pairs in self.assignments.items():
            parts.append(
                f"<TASK {_a(DESCRIPTION='', NAME=name, REUSABLE='NO', TYPE='Assignment', VERSIONNUMBER='1')}>"
            )
            parts.append(f"<ATTRIBUTE {_a(NAME='Assignment Condition', VALUE='')}/>{_pairs(pairs)}</TASK>")
        for name, command in self.commands.items():
            parts.append(
                f"<TASK {_a(DESCRIPTION='', NAME=name, REUSABLE='NO', TYPE='Command', VERSIONNUMBER='1')}>"
            )
            parts.append(_pairs([("c1", command)]) + "</TASK>")
        parts += [s.session_xml() for s in self.sessions]
        inst = {"DESCRIPTION": "", "ISENABLED": "YES", "REUSABLE": "NO", "TREAT_INPUTLINK_AS_AND": "YES"}
        parts.append(f"<TASKINSTANCE {_a(**START)}/>")
        for name, kind in [
            *((n, "Assignment") for n in self.assignments),
            *((n, "Command") for n in self.commands),
            *((s.name, "Session") for s in self.sessions),
        ]:
            parts.append(f"<TASKINSTANCE {_a(**inst, NAME=name, TASKNAME=name, TASKTYPE=kind)}/>")
        for name, (session_name, pre) in self.shared.items():
            kw = {**inst, "REUSABLE": "YES", "NAME": name, "TASKNAME": session_name, "TASKTYPE": "Session"}
            parts.append(f"<TASKINSTANCE {_a(**kw)}>{components_xml(pre, [], [])}</TASKINSTANCE>")
        for name, (worklet, pre, post) in self.worklets.items():
            kw = {**inst, "REUSABLE": "YES", "NAME": name, "TASKNAME": worklet, "TASKTYPE": "Worklet"}
            parts.append(f"<TASKINSTANCE {_a(**kw)}>{_pairs(pre)}{_pairs(post, reverse=True)}</TASKINSTANCE>")
        for a, b, cond in self.links:
            parts.append(f"<WORKFLOWLINK {_a(CONDITION=cond, FROMTASK=a, TOTASK=b)}/>")
        for name, datatype, default in self.variables:
            kw = dict(DATATYPE=datatype, DEFAULTVALUE=default, DESCRIPTION="", ISNULL="NO", ISPERSISTENT="NO")
            parts.append(f"<WORKFLOWVARIABLE {_a(**kw, NAME=name, USERDEFINED='YES')}/>")
        parts.append(f"</{tag}>")
        return "".join(parts)


def export_xml(*flows: Wf, reusable: tuple[Sess, ...] = ()) -> str:
    sessions = [*reusable, *(s for f in flows for s in f.sessions)]
    mappings = "".join(s.mapping_xml() for s in sessions) + "".join(s.session_xml() for s in reusable)
    body = "".join(f.xml() for f in sorted(flows, key=lambda f: not f.worklet))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">\n'
        '<POWERMART CREATION_DATE="01/01/2024 00:00:00" REPOSITORY_VERSION="184.93">\n'
        '<REPOSITORY NAME="REP_TEST" VERSION="184" CODEPAGE="UTF-8" DATABASETYPE="Oracle">\n'
        '<FOLDER NAME="RT" GROUP="" OWNER="tester" SHARED="NOTSHARED" DESCRIPTION=""'
        ' PERMISSIONS="rwx---r--">\n'
        f"{mappings}\n{body}\n</FOLDER>\n</REPOSITORY>\n</POWERMART>\n"
    )


class Recorder:
    """A session executor that records each request and returns, per session name, (succeeded, final
    mapping variable values)."""

    def __init__(self, outcomes: dict[str, tuple[bool, dict[str, Any]]] | None = None) -> None:
        self.outcomes = outcomes or {}
        self.requests: dict[str, SessionRequest] = {}

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        self.requests[request.instance_path] = request
        ok, values = self.outcomes.get(request.session.name, (True, {}))
        if not ok:
            return SessionOutcome(
                False, error="target table missing", first_error_code=7, first_error_msg="missing"
            )
        return SessionOutcome(True, src_success_rows=12, tgt_success_rows=10, mapping_variables=dict(values))

    def close(self) -> None: ...

    def params(self, path: str) -> dict[str, Any]:
        """The parameters a session received, by lower-case name."""
        return {k.lower(): v for k, v in self.requests[path].params.items()}


def run(
    tmp_path: Path,
    *flows: Wf,
    executor: Recorder,
    param_files: list[Path] | None = None,
    reusable: tuple[Sess, ...] = (),
) -> RunResult:
    path = tmp_path / "export.xml"
    path.write_text(export_xml(*flows, reusable=reusable), encoding="utf-8")
    opts = RunOptions()
    opts.working_dir = str(tmp_path)
    name = next(f.name for f in flows if not f.worklet)
    return run_workflow(
        load(path),
        name,
        options=opts,
        state_dir=tmp_path / ".infaflow",
        session_executor=executor,
        param_files=param_files or [],
    )


# -- workflow variables in session properties ------------------------------------------------------------


def test_a_session_sees_the_current_value_of_its_workflow_variables(tmp_path: Path) -> None:
    # $$SRC_FILE starts as 'first.csv'; an Assignment task changes it before the session starts.
    s = Sess("s_load", source_file="$$SRC_FILE")
    wf = Wf(
        "wf_files",
        sessions=[s],
        assignments={
            "asg_file": [("$$SRC_FILE", "'orders_' || TO_CHAR($$RUN_NO) || '.csv'"), ("$$SUFFIX", "NULL")]
        },
        variables=[
            ("$$SRC_FILE", "string", "first.csv"),
            ("$$RUN_NO", "integer", "7"),
            ("$$SUFFIX", "string", "x"),
        ],
        links=[("Start", "asg_file", ""), ("asg_file", "s_load", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor)
    assert statuses(result)["s_load"] == "SUCCEEDED"
    params = executor.params("s_load")
    assert params["$$src_file"] == "orders_7.csv"
    assert params["$$run_no"] == 7
    assert params["$$suffix"] == ""  # NULL expands to nothing


def test_a_session_heading_in_the_parameter_file_beats_the_current_value(tmp_path: Path) -> None:
    # The workflow heading gives the start value (then changed by the Assignment task); only the heading
    # of the session itself wins over the variable's current value.
    par = tmp_path / "run.par"
    par.write_text(
        "[RT.WF:wf_files]\n$$SRC_FILE=from_workflow_heading.csv\n"
        "[RT.WF:wf_files.ST:s_own]\n$$SRC_FILE=from_session_heading.csv\n"
    )
    wf = Wf(
        "wf_files",
        sessions=[Sess("s_own", source_file="$$SRC_FILE"), Sess("s_other", source_file="$$SRC_FILE")],
        assignments={"asg_file": [("$$SRC_FILE", "'assigned.csv'")]},
        variables=[("$$SRC_FILE", "string", "default.csv")],
        links=[("Start", "asg_file", ""), ("asg_file", "s_own", ""), ("asg_file", "s_other", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor, param_files=[par])
    assert result.summary["tasks"]["s_own"]["status"] == "SUCCEEDED"
    assert executor.params("s_own")["$$src_file"] == "from_session_heading.csv"
    assert executor.params("s_other")["$$src_file"] == "assigned.csv"


def test_the_session_parameter_file_name_uses_the_current_value(tmp_path: Path) -> None:
    (tmp_path / "day2.par").write_text("[RT.WF:wf_pf.ST:s_load]\n$$MP_DAY=second day\n")
    (tmp_path / "day1.par").write_text("[RT.WF:wf_pf.ST:s_load]\n$$MP_DAY=first day\n")
    s = Sess(
        "s_load",
        mapping_vars=[("$$MP_DAY", "string", "", True)],
        attrs={"Parameter Filename": "$$PAR_DIR/$$PAR_FILE"},
    )
    wf = Wf(
        "wf_pf",
        sessions=[s],
        assignments={"asg_day": [("$$PAR_FILE", "'day2.par'")]},
        variables=[("$$PAR_DIR", "string", str(tmp_path)), ("$$PAR_FILE", "string", "day1.par")],
        links=[("Start", "asg_day", ""), ("asg_day", "s_load", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor)
    assert result.warnings == []
    assert executor.params("s_load")["$$mp_day"] == "second day"


def test_a_mapping_parameter_does_not_take_a_workflow_variable_of_the_same_name(tmp_path: Path) -> None:
    # Without a parameter file or a pre-session variable assignment the mapping's initial value is used:
    # the job gets no value for it.
    s = Sess("s_load", mapping_vars=[("$$REGION", "string", "EU", True)])
    wf = Wf(
        "wf_same", sessions=[s], variables=[("$$REGION", "string", "US")], links=[("Start", "s_load", "")]
    )
    executor = Recorder()
    run(tmp_path, wf, executor=executor)
    assert "$$region" not in executor.params("s_load")


def test_a_worklet_session_sees_worklet_variables_not_the_parent_workflow_variables(tmp_path: Path) -> None:
    inner = Wf(
        "wl_load",
        worklet=True,
        sessions=[Sess("s_in")],
        variables=[("$$WL_DIR", "string", "worklet_dir")],
        links=[("Start", "s_in", "")],
    )
    outer = Wf(
        "wf_outer",
        worklets={"wl_a": ("wl_load", [], [])},
        variables=[("$$WF_ONLY", "string", "parent")],
        links=[("Start", "wl_a", "")],
    )
    executor = Recorder()
    result = run(tmp_path, inner, outer, executor=executor)
    assert statuses(result)["wl_a/s_in"] == "SUCCEEDED"
    params = executor.params("wl_a/s_in")
    assert params["$$wl_dir"] == "worklet_dir"
    assert "$$wf_only" not in params


# -- pre-session variable assignment ---------------------------------------------------------------------


def test_pre_session_assignment_gives_the_current_value_converted_to_the_parameter_datatype(
    tmp_path: Path,
) -> None:
    s = Sess(
        "s_load",
        mapping_vars=[
            ("$$MP_COUNT_TEXT", "string", "", True),
            ("$$MP_DAY", "string", "", True),
            ("$$MP_FROM", "date/time", "", True),
            ("$$MP_NUM", "integer", "", True),
            ("$$MP_AMOUNT", "decimal", "", True),
            ("$$MV_LAST", "integer", "0", False),
        ],
        pre=[
            ("$$MP_COUNT_TEXT", "$$WF_COUNT"),
            ("$$MP_DAY", "$$WF_DATE"),
            ("$$MP_FROM", "$$WF_FROM_TEXT"),
            ("$$MP_NUM", "$$WF_CODE"),
            ("$$MP_AMOUNT", "$$WF_COUNT * 1.5"),
            ("$$MV_LAST", "$$WF_COUNT - 2"),
            ("$DBConnection_Src", "$$WF_CONN"),  # a session parameter: no datatype, the value as is
        ],
        config={"DateTime Format String": "YYYY-MM-DD"},
    )
    wf = Wf(
        "wf_pre",
        sessions=[s],
        assignments={"asg_count": [("$$WF_COUNT", "$$WF_COUNT + 1")]},
        variables=[
            ("$$WF_COUNT", "integer", "41"),
            ("$$WF_DATE", "date/time", "03/15/2024 10:20:30"),
            ("$$WF_FROM_TEXT", "string", "2024-01-02"),
            ("$$WF_CODE", "string", "17abc"),
            ("$$WF_CONN", "string", "ORA_SALES"),
        ],
        links=[("Start", "asg_count", ""), ("asg_count", "s_load", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor)
    assert statuses(result)["s_load"] == "SUCCEEDED"
    params = executor.params("s_load")
    assert params["$$mp_count_text"] == "42"
    assert params["$$mp_day"] == "2024-03-15"  # the session's DateTime Format String
    assert params["$$mp_from"] == dt.datetime(2024, 1, 2)  # read with that format too
    assert params["$$mp_num"] == 17  # a string's numeric prefix
    assert params["$$mp_amount"] == Decimal("63")
    assert params["$$mv_last"] == 40
    assert params["$dbconnection_src"] == "ORA_SALES"


def test_pre_session_assignment_that_cannot_convert_fails_the_session(tmp_path: Path) -> None:
    s = Sess("s_load", mapping_vars=[("$$MP_NUM", "integer", "", True)], pre=[("$$MP_NUM", "$$WF_DATE")])
    wf = Wf(
        "wf_bad",
        sessions=[s],
        variables=[("$$WF_DATE", "date/time", "03/15/2024")],
        links=[("Start", "s_load", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor)
    task = result.summary["tasks"]["s_load"]
    assert task["status"] == "FAILED"
    assert task["error"] == (
        "pre-session variable assignment $$MP_NUM: cannot assign a date/time to a integer variable"
    )
    assert executor.requests == {}  # the mapping never ran


def test_a_parameter_file_value_beats_the_pre_session_assignment(tmp_path: Path) -> None:
    par = tmp_path / "run.par"
    par.write_text("[RT.WF:wf_pre.ST:s_load]\n$$MP_A=from the file\n")
    s = Sess(
        "s_load",
        mapping_vars=[("$$MP_A", "string", "", True), ("$$MP_B", "string", "", True)],
        pre=[("$$MP_A", "$$WF_V"), ("$$MP_B", "$$WF_V")],
    )
    wf = Wf(
        "wf_pre", sessions=[s], variables=[("$$WF_V", "string", "assigned")], links=[("Start", "s_load", "")]
    )
    executor = Recorder()
    run(tmp_path, wf, executor=executor, param_files=[par])
    params = executor.params("s_load")
    assert (params["$$mp_a"], params["$$mp_b"]) == ("from the file", "assigned")


def test_each_instance_of_a_reusable_session_has_its_own_assignment(tmp_path: Path) -> None:
    # The instance's component replaces the session's; each instance is its own session for the
    # parameter file too.
    shared = Sess(
        "s_shared",
        reusable=True,
        mapping_vars=[("$$MP_REGION", "string", "none", True)],
        pre=[("$$MP_REGION", "'from the session'")],
    )
    par = tmp_path / "run.par"
    par.write_text("[RT.WF:wf_shared.ST:s_shared_c]\n$$MP_REGION=from the file\n")
    wf = Wf(
        "wf_shared",
        shared={
            "s_shared_a": ("s_shared", [("$$MP_REGION", "$$WF_A")]),
            "s_shared_b": ("s_shared", []),
            "s_shared_c": ("s_shared", [("$$MP_REGION", "$$WF_A")]),
        },
        variables=[("$$WF_A", "string", "EU")],
        links=[("Start", "s_shared_a", ""), ("Start", "s_shared_b", ""), ("Start", "s_shared_c", "")],
    )
    executor = Recorder()
    result = run(tmp_path, wf, executor=executor, reusable=(shared,), param_files=[par])
    assert result.status == "SUCCEEDED", result.summary
    assert executor.params("s_shared_a")["$$mp_region"] == "EU"
    assert executor.params("s_shared_b")["$$mp_region"] == "from the session"
    assert executor.params("s_shared_c")["$$mp_region"] == "from the file"


# -- post-session variable assignment and passing values between sessions --------------------------------


def _passing_flow(first_succeeds: bool) -> tuple[Wf, Recorder]:
    s1 = Sess(
        "s_new_customers",
        mapping_vars=[
            ("$$COUNT1", "integer", "0", False),
            ("$$BATCH", "string", "B-default", True),
            ("$$LOADED_AT", "string", "", False),
        ],
        pre=[("$$BATCH", "'B-' || TO_CHAR($$PASS_COUNT)")],
        post_success=[
            ("$$PASS_COUNT", "$$COUNT1"),
            ("$$PASS_BATCH", "$$BATCH"),
            ("$$PASS_TIME", "$$LOADED_AT"),
        ],
        post_failure=[("$$FAILED_COUNT", "$$COUNT1"), ("$$PASS_BATCH", "$$BATCH")],
    )
    s2 = Sess(
        "s_merge_customers",
        mapping_vars=[("$$COUNT2", "integer", "0", False)],
        pre=[("$$COUNT2", "$$PASS_COUNT")],
    )
    wf = Wf(
        "wf_pass",
        sessions=[s1, s2],
        commands={"cmd_check": "true"},
        variables=[
            ("$$PASS_COUNT", "integer", "5"),
            ("$$PASS_BATCH", "string", ""),
            ("$$PASS_TIME", "date/time", ""),
            ("$$FAILED_COUNT", "integer", "-1"),
        ],
        links=[
            ("Start", "s_new_customers", ""),
            ("s_new_customers", "s_merge_customers", ""),
            ("s_new_customers", "cmd_check", "$$PASS_COUNT = 120"),
        ],
    )
    values = {"$$COUNT1": 120, "$$LOADED_AT": "06/30/2024 23:59:58"}
    return wf, Recorder({"s_new_customers": (first_succeeds, values)})


def test_post_session_on_success_assignment_passes_a_mapping_variable_to_the_next_session(
    tmp_path: Path,
) -> None:
    wf, executor = _passing_flow(first_succeeds=True)
    result = run(tmp_path, wf, executor=executor)
    got = statuses(result)
    assert got["s_new_customers"] == got["s_merge_customers"] == "SUCCEEDED"
    assert got["cmd_check"] == "SUCCEEDED"  # assigned before the session's output links are evaluated
    assert executor.params("s_merge_customers")["$$count2"] == 120
    variables = result.summary["variables"]
    assert variables["$$PASS_COUNT"] == 120  # the final value of $$COUNT1
    assert variables["$$PASS_BATCH"] == "B-5"  # a mapping parameter: the value the session ran with
    assert variables["$$PASS_TIME"] == "2024-06-30T23:59:58"  # converted to the variable's Date/Time
    assert variables["$$FAILED_COUNT"] == -1  # the failure assignment did not run


def test_post_session_on_failure_assignment_runs_only_when_the_session_fails(tmp_path: Path) -> None:
    wf, executor = _passing_flow(first_succeeds=False)
    result = run(tmp_path, wf, executor=executor)
    got = statuses(result)
    assert got["s_new_customers"] == "FAILED"
    assert got["cmd_check"] == "NOTSTARTED"
    variables = result.summary["variables"]
    assert variables["$$PASS_COUNT"] == 5  # the success assignment did not run
    # No final value comes back from a failed session: the mapping variable's start value (its initial
    # value here) is assigned, and the mapping parameter's value.
    assert variables["$$FAILED_COUNT"] == 0
    assert variables["$$PASS_BATCH"] == "B-5"


def test_post_session_assignment_reads_the_session_own_task_variables(tmp_path: Path) -> None:
    # While the session ends its task variables are not recorded yet; its assignments see them.
    def flow(name: str) -> Wf:
        s = Sess(
            name,
            post_success=[("$$ROWS", f"${name}.TgtSuccessRows + ${name}.SrcSuccessRows")],
            post_failure=[("$$ERROR", f"TO_CHAR(${name}.FirstErrorCode) || ': ' || ${name}.ErrorMsg")],
        )
        return Wf(
            "wf_task_vars",
            sessions=[s],
            variables=[("$$ROWS", "integer", "0"), ("$$ERROR", "string", "none")],
            links=[("Start", name, "")],
        )

    ok = run(tmp_path, flow("s_ok"), executor=Recorder())
    assert ok.summary["variables"] == {"$$ROWS": 22, "$$ERROR": "none"}
    failed = run(tmp_path, flow("s_bad"), executor=Recorder({"s_bad": (False, {})}))
    assert failed.summary["variables"] == {"$$ROWS": 0, "$$ERROR": "7: target table missing"}


# -- worklets: pre- and post-worklet variable assignment -------------------------------------------------


def test_values_pass_into_a_worklet_through_a_session_and_back_to_the_parent(tmp_path: Path) -> None:
    # Parent $$P_START -> worklet $$WL_IN (pre-worklet) -> session mapping parameter $$MP_IN (pre-session);
    # the session's final $$MV_OUT -> worklet $$WL_OUT (post-session) -> parent $$P_BACK (post-worklet).
    inner = Wf(
        "wl_calc",
        worklet=True,
        sessions=[
            Sess(
                "s_calc",
                mapping_vars=[("$$MP_IN", "string", "", True), ("$$MV_OUT", "integer", "0", False)],
                pre=[("$$MP_IN", "$$WL_IN")],
                post_success=[("$$WL_OUT", "$$MV_OUT")],
            )
        ],
        variables=[("$$WL_IN", "string", ""), ("$$WL_OUT", "integer", "0")],
        links=[("Start", "s_calc", "")],
    )
    outer = Wf(
        "wf_parent",
        worklets={"wl_a": ("wl_calc", [("$$WL_IN", "$$P_START * 2")], [("$$WL_OUT", "$$P_BACK")])},
        commands={"cmd_after": "true"},
        variables=[("$$P_START", "integer", "21"), ("$$P_BACK", "integer", "0")],
        links=[("Start", "wl_a", ""), ("wl_a", "cmd_after", "$$P_BACK = 99")],
    )
    executor = Recorder({"s_calc": (True, {"$$MV_OUT": 99})})
    result = run(tmp_path, inner, outer, executor=executor)
    got = statuses(result)
    assert got["wl_a"] == got["wl_a/s_calc"] == got["cmd_after"] == "SUCCEEDED"
    assert executor.params("wl_a/s_calc")["$$mp_in"] == "42"  # integer 42 -> string worklet variable
    assert result.summary["variables"]["$$P_BACK"] == 99


# -- which parameter file value is the session's own ---------------------------------------------------------


def test_session_heading_names_follow_file_precedence() -> None:
    from infaflow.runtime import paramfile

    high = paramfile.parse_text("[RT.WF:wf]\n$$A=wf\n[s_load]\n$$B=session\n", "high.par")
    low = paramfile.parse_text("[RT.WF:wf.ST:s_load]\n$$A=session\n$$C=session\n[Global]\n$$D=g\n", "low.par")
    scope = paramfile.Scope("RT", "wf", (), "s_load")
    # $$A: the higher-precedence file gives it under the workflow heading, and that value wins.
    assert paramfile.session_heading_names([high, low], scope) == {"$$b", "$$c"}
    assert paramfile.session_heading_names([low, high], scope) == {"$$a", "$$b", "$$c"}
    # Another session's heading is not this session's.
    assert paramfile.session_heading_names([high, low], paramfile.Scope("RT", "wf", (), "s_other")) == set()
