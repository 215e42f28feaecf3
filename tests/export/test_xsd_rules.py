"""The XSD's rules on small exports, one rule per test, and the wording of each problem."""

from __future__ import annotations

import pytest
from lxml import etree

from infaflow.export.validate import describe, validate_tree
from infaflow.model import TASK_TYPES, normalize_task_type


def _problems(folder_body: str) -> list[tuple[int, str]]:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">\n'
        '<POWERMART CREATION_DATE="11/25/2026 04:00:00" REPOSITORY_VERSION="188.97">\n'
        '<REPOSITORY NAME="rep" VERSION="188" CODEPAGE="UTF-8" DATABASETYPE="Oracle">\n'
        '<FOLDER NAME="F" SHARED="NOTSHARED">\n'
        f"{folder_body}\n"
        "</FOLDER>\n</REPOSITORY>\n</POWERMART>\n"
    )
    tree = etree.fromstring(text.encode()).getroottree()
    return [(p.line, p.message) for p in validate_tree(tree, "t.xml")]


def _workflow(instances: str, tag: str = "WORKFLOW") -> str:
    reusable = ' REUSABLE="YES"' if tag == "WORKLET" else ""
    return f'<{tag} NAME="wf_x"{reusable}>\n{instances}\n</{tag}>'


def _instance(name: str, task_type: str = "Command") -> str:
    return f'<TASKINSTANCE NAME="{name}" TASKNAME="{name}" TASKTYPE="{task_type}" REUSABLE="YES"/>'


@pytest.mark.parametrize(
    "spelling", [*TASK_TYPES, "Event-wait", "Event-raise", "EVENT_WAIT", "eventraise", "session", "START"]
)
def test_every_powercenter_task_type_spelling_the_model_knows_is_valid(spelling: str) -> None:
    assert normalize_task_type(spelling) is not None
    assert _problems(_workflow(_instance("t", spelling))) == []
    assert _problems(f'<TASK NAME="t" TYPE="{spelling}" REUSABLE="YES"/>') == []


@pytest.mark.parametrize("spelling", ["Kommand", "Event", "Sessions", "Lookup", "", "Event Wait x"])
def test_unknown_task_types_are_rejected_with_the_list_of_known_ones(spelling: str) -> None:
    assert normalize_task_type(spelling) is None
    problems = _problems(_workflow(_instance("t", spelling)))
    assert problems == [
        (
            7,
            f'<TASKINSTANCE>: unknown task type TASKTYPE="{spelling}" (PowerCenter\'s '
            "are Start, Session, Command, Decision, Assignment, Timer, Email, Control, "
            "Event Wait, Event Raise, Worklet)",
        )
    ]


@pytest.mark.parametrize("tag", ["WORKFLOW", "WORKLET"])
def test_duplicate_task_instance_names_are_rejected(tag: str) -> None:
    body = _workflow("\n".join([_instance("Start", "Start"), _instance("s1"), _instance("s1")]), tag)
    assert _problems(body) == [
        (9, f"<TASKINSTANCE>: duplicate task instance name 's1' in <{tag} NAME=\"wf_x\">")
    ]


def test_the_same_instance_name_in_nested_worklets_is_fine() -> None:
    inner = (
        _workflow("\n".join([_instance("Start", "Start"), _instance("cmd")]), "WORKLET")
        .replace('REUSABLE="YES"', 'REUSABLE="NO"', 1)
        .replace("wf_x", "wl_inner")
    )
    body = _workflow(
        "\n".join(
            [
                inner,
                _instance("Start", "Start"),
                _instance("cmd"),
                '<TASKINSTANCE NAME="wl_inner" TASKNAME="wl_inner" TASKTYPE="Worklet" REUSABLE="NO"/>',
            ]
        ),
        "WORKLET",
    )
    assert _problems(body) == []


def test_required_attribute_missing() -> None:
    assert _problems('<SOURCE NAME="s"/>') == [(6, "<SOURCE>: required attribute DATABASETYPE is missing")]


def test_attribute_the_dtd_does_not_declare() -> None:
    assert _problems('<SOURCE NAME="s" DATABASETYPE="Oracle" COLOUR="red"/>') == [
        (6, "<SOURCE>: attribute COLOUR is not allowed (powrmart.dtd does not declare it)")
    ]


def test_enumerated_value() -> None:
    assert _problems('<TASK NAME="t" TYPE="Command" REUSABLE="yes"/>') == [
        (6, '<TASK>: REUSABLE="yes" is not one of YES, NO')
    ]


def test_missing_child_element() -> None:
    assert _problems('<SCHEDULER NAME="s" REUSABLE="YES"/>') == [
        (6, "<SCHEDULER>: missing child element SCHEDULEINFO")
    ]


def test_element_of_the_format_in_the_wrong_place() -> None:
    assert _problems(
        '<SOURCE NAME="s" DATABASETYPE="Oracle"><TASK NAME="t" TYPE="Command" REUSABLE="NO"/></SOURCE>'
    ) == [
        (
            6,
            '<TASK> is not allowed here inside <SOURCE NAME="s">; expected one of FLATFILE, XMLINFO, '
            "ERPSRCINFO, GROUP, TABLEATTRIBUTE, SOURCEFIELD, METADATAEXTENSION",
        )
    ]


def test_unknown_element() -> None:
    assert _problems("<PLUGIN/>") == [
        (
            6,
            "<PLUGIN> is not an element of the PowerCenter export format (powrmart.dtd) inside "
            '<FOLDER NAME="F">; expected one of FOLDERVERSION, CONFIG, SCHEDULER, TASK, SESSION, WORKLET, '
            "WORKFLOW, SOURCE, TARGET, TRANSFORMATION, ...",
        )
    ]


def test_text_inside_an_element() -> None:
    assert _problems('<SOURCE NAME="s" DATABASETYPE="Oracle">hello</SOURCE>') == [
        (6, "<SOURCE>: text is not allowed inside this element")
    ]


def test_folder_children_in_any_order_as_real_exports_write_them() -> None:
    body = "\n".join(
        [
            '<WORKFLOW NAME="wf"/>',
            '<SOURCE NAME="s" DATABASETYPE="Oracle"/>',
            '<CONFIG NAME="default_session_config"/>',
            '<MAPPING NAME="m"/>',
            '<SOURCE NAME="s2" DATABASETYPE="Oracle"/>',
        ]
    )
    assert _problems(body) == []


def test_unrecognised_messages_keep_libxml2_text_in_the_same_shape() -> None:
    assert describe("Element 'X', attribute 'Y': something odd happened.") == "<X> Y: something odd happened"
    assert describe("Something without an element.") == "Something without an element"
