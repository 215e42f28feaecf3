"""Sweep of the command line over damaged mappings: each structural fault of a mapping or folder (a name
defined twice, a CONNECTOR naming an instance or port the mapping lacks, a data flow that loops) is an
input error at its line, exit code 2 and no traceback, for every command that loads exports; --lenient
turns it into a warning. Before, validate passed these files and convert silently dropped the connector
(the port became NULL) or kept the first of two definitions."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="12/05/2026 09:00:00" REPOSITORY_VERSION="188.97">
<REPOSITORY NAME="rep_sweep" VERSION="188" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="SWEEP" OWNER="qa" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--" UUID="">
    <SOURCE DATABASETYPE="Oracle" DBDNAME="ora" NAME="ORDERS" OWNERNAME="app">
        <SOURCEFIELD DATATYPE="number" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ORDER_ID"
            NULLABLE="NULL" PRECISION="10" SCALE="0"/>
        <SOURCEFIELD DATATYPE="varchar2" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="STATUS"
            NULLABLE="NULL" PRECISION="10" SCALE="0"/>
    </SOURCE>
    <TARGET DATABASETYPE="Oracle" NAME="ORDERS_OUT">
        <TARGETFIELD DATATYPE="number" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ORDER_ID"
            NULLABLE="NULL" PRECISION="10" SCALE="0"/>
        <TARGETFIELD DATATYPE="varchar2" FIELDNUMBER="2" KEYTYPE="NOT A KEY" NAME="STATUS"
            NULLABLE="NULL" PRECISION="10" SCALE="0"/>
    </TARGET>
    <MAPPING NAME="m_orders" ISVALID="YES">
        <TRANSFORMATION NAME="SQ_ORDERS" TYPE="Source Qualifier" REUSABLE="NO">
            <TRANSFORMFIELD DATATYPE="decimal" NAME="ORDER_ID" PORTTYPE="INPUT/OUTPUT" PRECISION="10"
                SCALE="0"/>
            <TRANSFORMFIELD DATATYPE="string" NAME="STATUS" PORTTYPE="INPUT/OUTPUT" PRECISION="10"
                SCALE="0"/>
        </TRANSFORMATION>
        <TRANSFORMATION NAME="EXP_STATUS" TYPE="Expression" REUSABLE="NO">
            <TRANSFORMFIELD DATATYPE="decimal" NAME="ORDER_ID" PORTTYPE="INPUT/OUTPUT"
                EXPRESSION="ORDER_ID" PRECISION="10" SCALE="0"/>
            <TRANSFORMFIELD DATATYPE="string" NAME="STATUS" PORTTYPE="INPUT" PRECISION="10" SCALE="0"/>
            <TRANSFORMFIELD DATATYPE="string" NAME="STATUS_UP" PORTTYPE="OUTPUT"
                EXPRESSION="UPPER(STATUS)" PRECISION="10" SCALE="0"/>
        </TRANSFORMATION>
        <INSTANCE NAME="ORDERS" TRANSFORMATION_NAME="ORDERS" TRANSFORMATION_TYPE="Source Definition"
            TYPE="SOURCE" DBDNAME="ora"/>
        <INSTANCE NAME="SQ_ORDERS" TRANSFORMATION_NAME="SQ_ORDERS" TRANSFORMATION_TYPE="Source Qualifier"
            TYPE="TRANSFORMATION">
            <ASSOCIATED_SOURCE_INSTANCE NAME="ORDERS"/>
        </INSTANCE>
        <INSTANCE NAME="EXP_STATUS" TRANSFORMATION_NAME="EXP_STATUS" TRANSFORMATION_TYPE="Expression"
            TYPE="TRANSFORMATION"/>
        <INSTANCE NAME="ORDERS_OUT" TRANSFORMATION_NAME="ORDERS_OUT"
            TRANSFORMATION_TYPE="Target Definition" TYPE="TARGET"/>
        <CONNECTOR FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" FROMFIELD="ORDER_ID"
            TOINSTANCE="SQ_ORDERS" TOINSTANCETYPE="Source Qualifier" TOFIELD="ORDER_ID"/>
        <CONNECTOR FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" FROMFIELD="STATUS"
            TOINSTANCE="SQ_ORDERS" TOINSTANCETYPE="Source Qualifier" TOFIELD="STATUS"/>
        <CONNECTOR FROMINSTANCE="SQ_ORDERS" FROMINSTANCETYPE="Source Qualifier" FROMFIELD="ORDER_ID"
            TOINSTANCE="EXP_STATUS" TOINSTANCETYPE="Expression" TOFIELD="ORDER_ID"/>
        <CONNECTOR FROMINSTANCE="SQ_ORDERS" FROMINSTANCETYPE="Source Qualifier" FROMFIELD="STATUS"
            TOINSTANCE="EXP_STATUS" TOINSTANCETYPE="Expression" TOFIELD="STATUS"/>
        <CONNECTOR FROMINSTANCE="EXP_STATUS" FROMINSTANCETYPE="Expression" FROMFIELD="ORDER_ID"
            TOINSTANCE="ORDERS_OUT" TOINSTANCETYPE="Target Definition" TOFIELD="ORDER_ID"/>
        <CONNECTOR FROMINSTANCE="EXP_STATUS" FROMINSTANCETYPE="Expression" FROMFIELD="STATUS_UP"
            TOINSTANCE="ORDERS_OUT" TOINSTANCETYPE="Target Definition" TOFIELD="STATUS"/>
    </MAPPING>
    <WORKFLOW NAME="wf_orders" ISVALID="YES" ISENABLED="YES">
        <TASK NAME="Start" TYPE="Start" REUSABLE="NO"/>
        <SESSION NAME="s_m_orders" MAPPINGNAME="m_orders" REUSABLE="NO" ISVALID="YES"/>
        <TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>
        <TASKINSTANCE NAME="s_m_orders" TASKNAME="s_m_orders" TASKTYPE="Session" REUSABLE="NO"
            ISENABLED="YES"/>
        <WORKFLOWLINK FROMTASK="Start" TOTASK="s_m_orders" CONDITION=""/>
    </WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""

#: The start of the connector SQ_ORDERS.ORDER_ID -> EXP_STATUS.ORDER_ID, which the damaged copies change.
SQ_TO_EXP_ID = 'FROMINSTANCE="SQ_ORDERS" FROMINSTANCETYPE="Source Qualifier" FROMFIELD="ORDER_ID"'
EXP_BLOCK_START = '        <TRANSFORMATION NAME="EXP_STATUS"'


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The line of the element whose start tag holds ``needle``: where the tag ends, as libxml2 counts."""
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, text.index(">", at)) + 1


def _exp_block(text: str) -> str:
    start = text.index(EXP_BLOCK_START)
    end = text.index("</TRANSFORMATION>", start) + len("</TRANSFORMATION>\n")
    return text[start:end]


def _duplicate_transformation(text: str) -> str:
    block = _exp_block(text)
    return text.replace(block, block + block)


def _duplicate_mapping(text: str) -> str:
    start = text.index("    <MAPPING ")
    end = text.index("</MAPPING>", start) + len("</MAPPING>\n")
    return text[:end] + text[start:end] + text[end:]


def _unknown_instance(text: str) -> str:
    return text.replace(SQ_TO_EXP_ID, SQ_TO_EXP_ID.replace('"SQ_ORDERS"', '"SQ_NOPE"'))


def _unknown_port(text: str) -> str:
    return text.replace(SQ_TO_EXP_ID, SQ_TO_EXP_ID.replace('FROMFIELD="ORDER_ID"', 'FROMFIELD="ORDER_NO"'))


def _cycle(text: str) -> str:
    # The source qualifier reads from the expression it feeds: a loop PowerCenter's Designer refuses.
    return text.replace(
        'FROMINSTANCE="ORDERS" FROMINSTANCETYPE="Source Definition" FROMFIELD="STATUS"',
        'FROMINSTANCE="EXP_STATUS" FROMINSTANCETYPE="Expression" FROMFIELD="STATUS_UP"',
    )


# (case, how the export is damaged, the line the error names, the exact message)
CASES = [
    (
        "duplicate transformation",
        _duplicate_transformation,
        lambda t: _line_of(t, EXP_BLOCK_START, 2),
        f"mapping m_orders: transformation 'EXP_STATUS' is defined twice (first at line "
        f"{_line_of(EXPORT, EXP_BLOCK_START)}); PowerCenter keeps names unique: rename or remove one",
    ),
    (
        "duplicate mapping",
        _duplicate_mapping,
        lambda t: _line_of(t, "    <MAPPING ", 2),
        f"folder SWEEP: mapping 'm_orders' is defined twice (first at line {_line_of(EXPORT, '<MAPPING ')}); "
        "PowerCenter keeps names unique: rename or remove one",
    ),
    (
        "connector from an unknown instance",
        _unknown_instance,
        lambda t: _line_of(t, "SQ_NOPE"),
        "mapping m_orders: connector SQ_NOPE.ORDER_ID -> EXP_STATUS.ORDER_ID names instance 'SQ_NOPE', which "
        "the mapping does not have",
    ),
    (
        "connector from an unknown port",
        _unknown_port,
        lambda t: _line_of(t, "ORDER_NO"),
        "mapping m_orders: connector SQ_ORDERS.ORDER_NO -> EXP_STATUS.ORDER_ID: SQ_ORDERS has no port "
        "'ORDER_NO'",
    ),
    (
        "data flow cycle",
        _cycle,
        lambda t: _line_of(t, "<MAPPING "),
        "mapping m_orders: the data flow has a cycle: SQ_ORDERS -> EXP_STATUS -> SQ_ORDERS",
    ),
]


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good" / "wf_orders.xml"
    path.parent.mkdir()
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_the_undamaged_export_is_valid_and_converts(good: Path, tmp_path: Path) -> None:
    assert _invoke("validate", str(good))[0] == 0
    assert _invoke("convert", str(good), "-o", str(tmp_path / "out"))[0] == 0


@pytest.mark.parametrize(("case", "damage", "line_of", "message"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["validate", "inspect", "report", "convert", "run"])
def test_structural_fault_is_an_input_error_at_its_line(
    tmp_path: Path, command: str, case: str, damage: object, line_of: object, message: str
) -> None:
    text = damage(EXPORT)  # type: ignore[operator]
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    extra = {
        "report": ["-o", str(tmp_path / "r.html")],
        "convert": ["-o", str(tmp_path / "out")],
        # Not --dry-run: a dry run reads leniently on purpose (it plans the workflow and runs no session).
        "run": ["-q", "--state-dir", str(tmp_path / "state")],
    }.get(command, [])
    code, _out, err = _invoke(command, str(path), *extra)
    assert code == 2
    assert f"{path}:{line_of(text)}: " in err  # type: ignore[operator]
    assert message in err
    assert "Traceback" not in err
    if command == "convert":
        assert not (tmp_path / "out").exists()  # nothing written from a mapping PowerCenter would refuse


@pytest.mark.parametrize(("case", "damage", "line_of", "message"), CASES[2:3], ids=[CASES[2][0]])
def test_lenient_reports_the_fault_as_a_warning(
    tmp_path: Path, case: str, damage: object, line_of: object, message: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(damage(EXPORT), encoding="utf-8")  # type: ignore[operator]
    code, _out, err = _invoke("validate", "--lenient", str(path))
    assert code == 0
    assert f"warning: {message}" in err


def test_a_source_and_a_target_may_share_a_name(tmp_path: Path) -> None:
    # Real exports name a flat-file source and its target alike; FROM/TOINSTANCETYPE tell them apart.
    text = (
        EXPORT.replace('NAME="ORDERS_OUT"', 'NAME="ORDERS"')
        .replace('TRANSFORMATION_NAME="ORDERS_OUT"', 'TRANSFORMATION_NAME="ORDERS"')
        .replace('TOINSTANCE="ORDERS_OUT"', 'TOINSTANCE="ORDERS"')
    )
    path = tmp_path / "same_name.xml"
    path.write_text(text, encoding="utf-8")
    code, _out, err = _invoke("validate", str(path))
    assert (code, err) == (0, "")


def test_a_look_alike_without_instances_is_left_to_lenient_reading(tmp_path: Path) -> None:
    # Hand-written look-alikes list no INSTANCE: the connectors name transformations, which --lenient reads.
    start = EXPORT.index('        <INSTANCE NAME="ORDERS"')
    end = EXPORT.index("        <CONNECTOR")
    path = tmp_path / "lookalike.xml"
    path.write_text(EXPORT[:start] + EXPORT[end:], encoding="utf-8")
    code, _out, err = _invoke("validate", "--lenient", str(path))
    assert "connector" not in err
    assert "cycle" not in err
