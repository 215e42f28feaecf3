"""bench/conversion_share.py: the share of mappings converted fully in a directory of exports, the gap
reasons it counts (normalised and sorted into open, accepted and other areas' gaps), the repository view
in which a session finds its mapping in a sibling file, and the lint of every generated module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "conversion_share.py"


@pytest.fixture(scope="module")
def share():  # noqa: ANN201 - the bench module
    spec = importlib.util.spec_from_file_location("conversion_share", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["conversion_share"] = module
    spec.loader.exec_module(module)
    return module


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="01/02/2025 10:00:00" REPOSITORY_VERSION="187.96">
<REPOSITORY NAME="REP" VERSION="187" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="F" GROUP="" OWNER="x" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--">
"""
TAIL = "</FOLDER>\n</REPOSITORY>\n</POWERMART>\n"
FLAT = (
    '<FLATFILE CODEPAGE="UTF-8" DELIMITED="YES" DELIMITERS="," QUOTE_CHARACTER="NONE" SKIPROWS="0" '
    'NULL_CHARACTER="*" ROWDELIMITER="0"/>'
)


def _definitions() -> str:
    return f"""<SOURCE DATABASETYPE="Flat File" DBDNAME="FlatFile" NAME="SRC" OWNERNAME="">
{FLAT}
<SOURCEFIELD DATATYPE="number" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ID" NULLABLE="NULL" PRECISION="5" SCALE="0"/>
</SOURCE>
<TARGET DATABASETYPE="Flat File" NAME="TGT">
{FLAT}
<TARGETFIELD DATATYPE="number" FIELDNUMBER="1" KEYTYPE="NOT A KEY" NAME="ID2" NULLABLE="NULL" PRECISION="6" SCALE="0"/>
</TARGET>
"""


def _mapping(name: str, middle: str, middle_type: str, middle_out: str) -> str:
    """SRC -> SQ_SRC -> one transformation (``middle``) -> TGT."""
    return f"""<MAPPING ISVALID="YES" NAME="{name}">
<TRANSFORMATION NAME="SQ_SRC" REUSABLE="NO" TYPE="Source Qualifier">
<TRANSFORMFIELD DATATYPE="decimal" NAME="ID" PORTTYPE="INPUT/OUTPUT" PRECISION="5" SCALE="0"/>
</TRANSFORMATION>
{middle}
<INSTANCE NAME="SRC" TRANSFORMATION_NAME="SRC" TRANSFORMATION_TYPE="Source Definition" TYPE="SOURCE" DBDNAME="FlatFile"/>
<INSTANCE NAME="SQ_SRC" TRANSFORMATION_NAME="SQ_SRC" TRANSFORMATION_TYPE="Source Qualifier" TYPE="TRANSFORMATION">
<ASSOCIATED_SOURCE_INSTANCE NAME="SRC"/>
</INSTANCE>
<INSTANCE NAME="MID" TRANSFORMATION_NAME="MID" TRANSFORMATION_TYPE="{middle_type}" TYPE="TRANSFORMATION"/>
<INSTANCE NAME="TGT" TRANSFORMATION_NAME="TGT" TRANSFORMATION_TYPE="Target Definition" TYPE="TARGET"/>
<CONNECTOR FROMFIELD="ID" FROMINSTANCE="SRC" FROMINSTANCETYPE="Source Definition" TOFIELD="ID" TOINSTANCE="SQ_SRC" TOINSTANCETYPE="Source Qualifier"/>
<CONNECTOR FROMFIELD="ID" FROMINSTANCE="SQ_SRC" FROMINSTANCETYPE="Source Qualifier" TOFIELD="ID" TOINSTANCE="MID" TOINSTANCETYPE="{middle_type}"/>
<CONNECTOR FROMFIELD="{middle_out}" FROMINSTANCE="MID" FROMINSTANCETYPE="{middle_type}" TOFIELD="ID2" TOINSTANCE="TGT" TOINSTANCETYPE="Target Definition"/>
</MAPPING>
"""


EXPRESSION = """<TRANSFORMATION NAME="MID" REUSABLE="NO" TYPE="Expression">
<TRANSFORMFIELD DATATYPE="decimal" NAME="ID" PORTTYPE="INPUT" PRECISION="5" SCALE="0"/>
<TRANSFORMFIELD DATATYPE="decimal" EXPRESSION="ID % 7 + 1" NAME="O_ID" PORTTYPE="OUTPUT" PRECISION="6" SCALE="0"/>
</TRANSFORMATION>"""

JAVA = """<TRANSFORMATION NAME="MID" REUSABLE="NO" TYPE="Custom Transformation" TEMPLATENAME="Java Transformation">
<GROUP NAME="INPUT" ORDER="1" TYPE="INPUT"/>
<GROUP NAME="OUTPUT" ORDER="2" TYPE="OUTPUT"/>
<TRANSFORMFIELD DATATYPE="decimal" GROUP="INPUT" NAME="ID" PORTTYPE="INPUT" PRECISION="5" SCALE="0"/>
<TRANSFORMFIELD DATATYPE="decimal" GROUP="OUTPUT" NAME="O_ID" PORTTYPE="OUTPUT" PRECISION="6" SCALE="0"/>
</TRANSFORMATION>"""

WORKFLOW = """<SESSION ISVALID="YES" MAPPINGNAME="m_plain" NAME="s_m_plain" REUSABLE="NO">
<SESSTRANSFORMATIONINST PIPELINE="0" SINSTANCENAME="SRC" STAGE="0" TRANSFORMATIONNAME="SRC" TRANSFORMATIONTYPE="Source Definition"/>
</SESSION>
<WORKFLOW ISVALID="YES" NAME="wf_plain">
<TASK NAME="Start" TYPE="Start"/>
<TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start"/>
<TASKINSTANCE NAME="s_m_plain" TASKNAME="s_m_plain" TASKTYPE="Session"/>
<WORKFLOWLINK FROMTASK="Start" TOTASK="s_m_plain"/>
</WORKFLOW>
"""


def _write(root: Path) -> None:
    root.mkdir()
    (root / "m_plain.XML").write_text(
        HEAD + _definitions() + _mapping("m_plain", EXPRESSION, "Expression", "O_ID") + TAIL
    )
    (root / "m_java.xml").write_text(
        HEAD + _definitions() + _mapping("m_java", JAVA, "Custom Transformation", "O_ID") + TAIL
    )
    (root / "wf_plain.XML").write_text(HEAD + WORKFLOW + TAIL)
    (root / "notes.txt").write_text("not an export")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "expression 'EXP_A': unknown function FOO (at 3:14)",
            "expression <name>: unknown function FOO (at <n>:<n>)",
        ),
        ('port $$LAST_RUN of "SQ_X" is 12 long; the rest is detail', "port <param> of <name> is <n> long"),
    ],
)
def test_normalise_replaces_particulars(share, message: str, expected: str) -> None:
    assert share.normalise(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Java Transformation is not supported: it runs Java code per row", "accepted: Java transformation"),
        (
            "Http Transformation is not supported: it calls a web service per row",
            "accepted: HTTP / web service",
        ),
        (
            "SQL Transform is not supported: it runs SQL per row against a database",
            "other area: SQL transformation",
        ),
        ("XML Source Qualifier is not supported: it reads XML sources", "other area: XML source/target"),
        ("no targets; the export marks mapping m_x invalid (ISVALID=NO)", "accepted: mapping marked invalid"),
        (
            "definition of expression 'EXP' is not in the export",
            "other area: look-alike or incomplete export",
        ),
        ("expression 'E': unknown function SOUNDEXX (at 1:1)", "open"),
    ],
)
def test_category(share, message: str, expected: str) -> None:
    assert share.category(message) == expected


def test_measures_a_directory_per_file_and_as_one_repository(share, tmp_path: Path) -> None:
    root = tmp_path / "exports"
    _write(root)
    per_file = share.measure_files(share.export_files(root))
    s = share.summary(per_file)
    assert (s["files"], s["mapping_files"], s["mappings"], s["mappings_complete"]) == (3, 2, 2, 1)
    assert s["mappings_blocked_only_by_accepted_gaps"] == 1
    assert s["sessions_without_mapping"] == 1  # wf_plain.XML alone does not define m_plain
    [(reason, entry)] = s["histogram"].items()
    assert entry["category"] == "accepted: Java transformation" and "Java" in reason
    assert entry["mappings"] == ["m_java.xml:F.m_java"]
    assert s["incomplete"] == ["m_java.xml:F.m_java"]

    repo = share.summary(share.measure_repository(root))
    assert repo["files"] == 3 and repo["mappings"] == 2 and repo["mappings_complete"] == 1
    assert repo["sessions_without_mapping"] == 0  # the session found m_plain in its sibling file

    failures = share.lint(per_file.modules)
    assert failures == {"py_compile": [], "ruff": []}, failures


def test_lint_reports_a_module_that_does_not_compile(share) -> None:
    failures = share.lint([("broken", "def f(:\n    pass\n"), ("unused", "import os\n")])
    assert len(failures["py_compile"]) == 1 and failures["py_compile"][0].startswith("broken:")
    assert any("F401" in line for line in failures["ruff"]), failures


def test_main_writes_json_and_rejects_a_missing_directory(share, tmp_path: Path, capsys) -> None:
    root = tmp_path / "exports"
    _write(root)
    out = tmp_path / "share.json"
    assert share.main([str(root), "--json", str(out), "--no-lint"]) == 0
    printed = capsys.readouterr().out
    assert "mappings fully converted: 1/2 (50.0%)" in printed
    assert '"mappings_complete": 1' in out.read_text()
    assert share.main([str(tmp_path / "missing")]) == 2


def test_files_of_different_repositories_are_not_merged(share) -> None:
    files = [Path("a__r1__x.XML"), Path("a__r1__sub_y.XML"), Path("b__r1__x.XML"), Path("plain.xml")]
    assert share.repositories(files) == {
        "a__r1": [Path("a__r1__x.XML"), Path("a__r1__sub_y.XML")],
        "b__r1": [Path("b__r1__x.XML")],
        "<directory>": [Path("plain.xml")],
    }
