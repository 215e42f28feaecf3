"""The loader: model objects, reference resolution, problems with lines, over inline exports and the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

import infaflow
from infaflow.errors import InputError
from infaflow.export.loader import load
from infaflow.model import Attributes, Mapplet, Session, Task, Workflow, normalize_task_type

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">\n'

TWO_FOLDERS = (
    HEAD
    + """<POWERMART CREATION_DATE="01/02/2024 10:00:00" REPOSITORY_VERSION="186.95">
<REPOSITORY NAME="rep" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="SHARED_OBJ" OWNER="admin" SHARED="SHARED">
  <SOURCE NAME="CUSTOMERS" DATABASETYPE="Oracle" DBDNAME="crm" OWNERNAME="CRM">
    <SOURCEFIELD NAME="ID" DATATYPE="number" PRECISION="10" SCALE="0" NULLABLE="NOTNULL" KEYTYPE="PRIMARY KEY"/>
    <SOURCEFIELD NAME="NAME" DATATYPE="varchar2" PRECISION="40" SCALE="0" NULLABLE="NULL" KEYTYPE="NOT A KEY"/>
  </SOURCE>
  <MAPPING NAME="m_load" ISVALID="YES">
    <TRANSFORMATION NAME="EXP_X" TYPE="Expression" REUSABLE="NO">
      <TRANSFORMFIELD NAME="ID" DATATYPE="decimal" PORTTYPE="INPUT/OUTPUT" PRECISION="10" SCALE="0" EXPRESSION="ID"/>
      <TRANSFORMFIELD NAME="v_prev" DATATYPE="decimal" PORTTYPE="LOCAL VARIABLE" PRECISION="10" SCALE="0" EXPRESSION="ID"/>
      <TABLEATTRIBUTE NAME="Tracing Level" VALUE="Normal"/>
    </TRANSFORMATION>
    <INSTANCE NAME="CUSTOMERS" TYPE="SOURCE" TRANSFORMATION_NAME="CUSTOMERS" TRANSFORMATION_TYPE="Source Definition" DBDNAME="crm"/>
    <INSTANCE NAME="EXP_X" TYPE="TRANSFORMATION" TRANSFORMATION_NAME="EXP_X" TRANSFORMATION_TYPE="Expression" REUSABLE="NO"/>
    <CONNECTOR FROMINSTANCE="CUSTOMERS" FROMINSTANCETYPE="Source Definition" FROMFIELD="ID" TOINSTANCE="EXP_X" TOINSTANCETYPE="Expression" TOFIELD="ID"/>
  </MAPPING>
</FOLDER>
<FOLDER NAME="WORK" OWNER="admin" SHARED="NOTSHARED">
  <SHORTCUT NAME="Shortcut_to_m_load" REFOBJECTNAME="m_load" FOLDERNAME="SHARED_OBJ" REPOSITORYNAME="rep" REFERENCETYPE="LOCAL" OBJECTTYPE="MAPPING"/>
  <SHORTCUT NAME="Shortcut_to_gone" REFOBJECTNAME="m_gone" FOLDERNAME="ELSEWHERE" REPOSITORYNAME="rep" REFERENCETYPE="GLOBAL" OBJECTTYPE="MAPPING"/>
  <TASK NAME="cmd_shared" TYPE="Command" REUSABLE="YES">
    <ATTRIBUTE NAME="Fail task if any command fails" VALUE="YES"/>
    <VALUEPAIR NAME="second" VALUE="echo two" EXECORDER="2" REVERSEASSIGNMENT="NO"/>
    <VALUEPAIR NAME="first" VALUE="echo one" EXECORDER="1" REVERSEASSIGNMENT="NO"/>
  </TASK>
  <SESSION NAME="s_load" MAPPINGNAME="Shortcut_to_m_load" REUSABLE="YES" ISVALID="YES">
    <SESSTRANSFORMATIONINST SINSTANCENAME="CUSTOMERS" TRANSFORMATIONNAME="CUSTOMERS" TRANSFORMATIONTYPE="Source Definition" PIPELINE="1" STAGE="1"/>
    <ATTRIBUTE NAME="Treat source rows as" VALUE="Insert"/>
  </SESSION>
  <WORKFLOW NAME="wf_main" ISENABLED="YES" SUSPEND_ON_ERROR="NO" SERVERNAME="is">
    <TASK NAME="Start" TYPE="Start" REUSABLE="NO"/>
    <TASK NAME="dec_ok" TYPE="Decision" REUSABLE="NO">
      <ATTRIBUTE NAME="Decision Name" VALUE="$s_load.Status = SUCCEEDED&#xD;&#xA;AND $$RUN = 1"/>
    </TASK>
    <TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>
    <TASKINSTANCE NAME="s_load" TASKNAME="s_load" TASKTYPE="Session" REUSABLE="YES" FAIL_PARENT_IF_INSTANCE_FAILS="YES"/>
    <TASKINSTANCE NAME="dec_ok" TASKNAME="dec_ok" TASKTYPE="Decision" REUSABLE="NO" TREAT_INPUTLINK_AS_AND="NO"/>
    <TASKINSTANCE NAME="cmd_a" TASKNAME="cmd_shared" TASKTYPE="Command" REUSABLE="YES" ISENABLED="NO"/>
    <TASKINSTANCE NAME="ew" TASKNAME="ew" TASKTYPE="Event-wait" REUSABLE="NO"/>
    <WORKFLOWLINK FROMTASK="Start" TOTASK="s_load" CONDITION=""/>
    <WORKFLOWLINK FROMTASK="s_load" TOTASK="dec_ok" CONDITION="$s_load.Status = FAILED"/>
    <WORKFLOWVARIABLE NAME="$$RUN" DATATYPE="integer" DEFAULTVALUE="1" ISNULL="NO" ISPERSISTENT="YES" USERDEFINED="YES"/>
    <WORKFLOWVARIABLE NAME="$s_load.Status" DATATYPE="integer" DEFAULTVALUE="" ISNULL="NO" ISPERSISTENT="NO" USERDEFINED="NO"/>
  </WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""
)


@pytest.fixture()
def two_folders(tmp_path: Path) -> Path:
    path = tmp_path / "two_folders.xml"
    path.write_text(TWO_FOLDERS, encoding="utf-8")
    return path


def test_model_objects_and_lines(two_folders: Path) -> None:
    export = load(two_folders, validate=False)
    assert export.creation_date == "01/02/2024 10:00:00"
    assert [f.name for f in export.folders] == ["SHARED_OBJ", "WORK"]
    work = export.folder("WORK")
    assert work is not None
    wf = work.workflow("wf_main")
    assert isinstance(wf, Workflow)
    assert (
        wf.location.line
        == TWO_FOLDERS.splitlines().index(
            '  <WORKFLOW NAME="wf_main" ISENABLED="YES" SUSPEND_ON_ERROR="NO" SERVERNAME="is">'
        )
        + 1
    )
    source = export.folder("SHARED_OBJ").sources[0]
    assert [(f.name, f.nullable, f.key_type) for f in source.fields] == [
        ("ID", False, "PRIMARY KEY"),
        ("NAME", True, "NOT A KEY"),
    ]


def test_task_instances_resolve_local_and_reusable(two_folders: Path) -> None:
    export = load(two_folders, validate=False)
    wf = export.folder("WORK").workflow("wf_main")
    s_load = wf.instance("s_load")
    assert isinstance(s_load.task, Session) and s_load.task.reusable
    assert s_load.fail_parent_if_instance_fails and not s_load.fail_parent_if_instance_did_not_run
    dec = wf.instance("dec_ok")
    assert isinstance(dec.task, Task) and dec.task.type == "Decision"
    assert dec.treat_input_link_as_and is False
    # &#xD;&#xA; inside an attribute is a real CRLF in the condition
    assert dec.task.attributes["decision name"] == "$s_load.Status = SUCCEEDED\r\nAND $$RUN = 1"
    cmd = wf.instance("cmd_a")
    assert cmd.is_enabled is False and cmd.task.name == "cmd_shared"
    assert [v.value for v in cmd.task.ordered_value_pairs()] == ["echo one", "echo two"]
    assert wf.instance("ew").task_type == "Event Wait"


def test_session_mapping_through_shortcut_across_folders(two_folders: Path) -> None:
    export = load(two_folders, validate=False)
    session = export.folder("WORK").sessions[0]
    assert session.mapping is not None and session.mapping.name == "m_load"
    assert session.mapping.folder == "SHARED_OBJ"
    mapping = session.mapping
    assert mapping.instance("CUSTOMERS").definition is export.folder("SHARED_OBJ").sources[0]
    exp = mapping.instance("EXP_X").definition
    assert exp is mapping.transformation("EXP_X")
    assert [p.is_variable for p in exp.ports] == [False, True]


def test_missing_objects_are_reported_not_fatal(two_folders: Path) -> None:
    export = load(two_folders, validate=False)
    messages = [(m.location.line, m.message) for m in export.missing]
    gone = next(m for m in messages if "Shortcut_to_gone" in m[1])
    assert "m_gone" in gone[1] and "ELSEWHERE" in gone[1]
    assert (
        gone[0]
        == TWO_FOLDERS.splitlines().index(
            next(line for line in TWO_FOLDERS.splitlines() if "Shortcut_to_gone" in line)
        )
        + 1
    )
    assert any("'ew'" in m for _, m in messages)  # Event Wait task definition absent


def test_unknown_task_type_is_an_error_with_line(tmp_path: Path) -> None:
    text = TWO_FOLDERS.replace('TASKTYPE="Event-wait"', 'TASKTYPE="Teleport"')
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(path, validate=False)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "Teleport" in s)
    assert err.value.line == line and err.value.file == str(path)
    assert "Teleport" in str(err.value)
    lenient = load(path, validate=False, lenient=True)
    assert any("Teleport" in p.message and p.line == line for p in lenient.problems)


def test_attributes_are_case_insensitive() -> None:
    attrs = Attributes({"Output is deterministic": "YES", "Sql Query": ""})
    assert attrs.get("OUTPUT IS DETERMINISTIC") == "YES"
    assert "sql query" in attrs and "Source Filter" not in attrs
    assert attrs.flag("Output Is Deterministic") is True
    merged = attrs.merged({"SQL QUERY": "select 1"})
    assert merged["Sql Query"] == "select 1" and len(merged) == 2


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Event-wait", "Event Wait"),
        ("EVENT WAIT", "Event Wait"),
        ("Event-raise", "Event Raise"),
        ("session", "Session"),
        ("Worklet", "Worklet"),
        ("Bogus", None),
    ],
)
def test_task_type_normalisation(raw: str, canonical: str | None) -> None:
    assert normalize_task_type(raw) == canonical


def _walk(wfs: list[Workflow]):
    for wf in wfs:
        yield wf
        yield from _walk(wf.worklets)


@pytest.mark.corpus
def test_corpus_counts_match_manifest(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    """Every corpus file loads (leniently) and holds exactly the objects the manifest counted."""
    checked = 0
    for row in corpus_manifest:
        export = infaflow.load(str(corpus_dir / "files" / row["file"]), lenient=True)
        folders = export.folders
        got = (
            sum(len(f.workflows) for f in folders),
            sum(1 for f in folders for w in _walk(f.workflows + f.worklets) if w.is_worklet),
            sum(1 for f in folders for _ in f.all_sessions()),
            sum(len(f.mappings) for f in folders),
            sum(len(f.mapplets) for f in folders),
        )
        expected = tuple(
            int(row[k] or 0) for k in ("n_workflows", "n_worklets", "n_sessions", "n_mappings", "n_mapplets")
        )
        assert got == expected, row["file"]
        assert all(isinstance(m, Mapplet) for f in folders for m in f.mapplets)
        checked += 1
    print(f"corpus: {checked} files loaded, counts match the manifest")
    assert checked == len(corpus_manifest)


def test_flat_file_lookup_keeps_its_flatfile_definition(samples_dir: Path) -> None:
    """A flat-file Lookup's FLATFILE (header lines, quoting) is read: its cache must skip the header row."""
    export = load(samples_dir / "orders" / "wf_orders_daily.xml")
    mapping = export.folders[0].mapping("m_customer_dim")
    lookup = mapping.transformation("lkp_country")
    assert lookup.type == "Lookup Procedure" and lookup.flatfile is not None
    assert lookup.flatfile.skip_rows == 1 and lookup.flatfile.quote_character == "DOUBLE"
