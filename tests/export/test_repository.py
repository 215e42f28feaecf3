"""Export sets: files and directories read as one repository (folders merge, references resolve across
files, equal definitions count once, different ones are reported with both places or settled by --prefer),
and missing references summarised one line per kind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.errors import InputError
from infaflow.export import find_export_files, load, load_repository
from infaflow.export.missing import summarize_missing
from infaflow.model import Session

ROOT = Path(__file__).resolve().parents[2]
SPLIT = ROOT / "samples" / "orders_split"
ORDERS = ROOT / "samples" / "orders" / "wf_orders_daily.xml"


def _export(folders: str, created: str = "03/01/2024 09:00:00") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<POWERMART CREATION_DATE="{created}" '
        f'REPOSITORY_VERSION="186.95">\n<REPOSITORY NAME="rep" VERSION="186" CODEPAGE="UTF-8" '
        f'DATABASETYPE="Oracle">\n{folders}</REPOSITORY>\n</POWERMART>\n'
    )


SHARED_SOURCE = """<FOLDER NAME="SHARED" OWNER="x" SHARED="SHARED">
<SOURCE DATABASETYPE="Oracle" DBDNAME="crm" NAME="CUSTOMERS" OWNERNAME="crm">
    <SOURCEFIELD DATATYPE="number" NAME="ID" NULLABLE="NULL" PRECISION="10" SCALE="0" KEYTYPE="NOT A KEY"/>
</SOURCE>
</FOLDER>
"""

APP_MAPPING = """<FOLDER NAME="APP" OWNER="x">
<SHORTCUT NAME="Shortcut_to_CUSTOMERS" REFOBJECTNAME="CUSTOMERS" FOLDERNAME="SHARED" REPOSITORYNAME="rep"
    REFERENCETYPE="LOCAL" OBJECTTYPE="SOURCE" DBDNAME="crm"/>
<MAPPING NAME="m_app" ISVALID="YES">
    <INSTANCE NAME="CUSTOMERS" TRANSFORMATION_NAME="Shortcut_to_CUSTOMERS" TRANSFORMATION_TYPE="Source Definition"
        TYPE="SOURCE" DBDNAME="crm"/>
</MAPPING>
</FOLDER>
"""

APP_WORKFLOW = """<FOLDER NAME="APP" OWNER="x">
<SHORTCUT NAME="Shortcut_to_m_lib" REFOBJECTNAME="m_lib" FOLDERNAME="SHARED" REPOSITORYNAME="rep"
    REFERENCETYPE="LOCAL" OBJECTTYPE="MAPPING"/>
<WORKFLOW NAME="wf_app" ISENABLED="YES">
    <SESSION NAME="s_app" MAPPINGNAME="m_app" REUSABLE="NO"/>
    <SESSION NAME="s_lib" MAPPINGNAME="Shortcut_to_m_lib" REUSABLE="NO"/>
    <TASKINSTANCE NAME="Start" TASKNAME="Start" TASKTYPE="Start" REUSABLE="NO"/>
    <TASKINSTANCE NAME="s_app" TASKNAME="s_app" TASKTYPE="Session" REUSABLE="NO"/>
    <TASKINSTANCE NAME="s_lib" TASKNAME="s_lib" TASKTYPE="Session" REUSABLE="NO"/>
    <WORKFLOWLINK FROMTASK="Start" TOTASK="s_app"/>
    <WORKFLOWLINK FROMTASK="s_app" TOTASK="s_lib"/>
</WORKFLOW>
</FOLDER>
"""

SHARED_MAPPING = """<FOLDER NAME="SHARED" OWNER="x" SHARED="SHARED">
<MAPPING NAME="m_lib" ISVALID="YES"/>
</FOLDER>
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def three_files(tmp_path: Path) -> Path:
    """A folder shared by two files, a folder with a mapping using a shortcut to it, a workflow in a
    third file whose sessions run that mapping and, through a shortcut, a mapping of the shared folder."""
    root = tmp_path / "exports"
    _write(root / "shared" / "SRC_CUSTOMERS.XML", _export(SHARED_SOURCE))
    _write(root / "shared" / "m_lib.xml", _export(SHARED_MAPPING))
    _write(root / "app" / "m_app.XML", _export(APP_MAPPING))
    _write(root / "app" / "wf_app.Xml", _export(APP_WORKFLOW))
    _write(root / "notes.xml", "<notes>not an export</notes>\n")
    _write(root / "README.txt", "ignored: not *.xml\n")
    return root


def test_a_directory_is_one_repository_and_references_resolve_across_files(three_files: Path) -> None:
    export = load_repository([three_files], validate=False)
    assert [Path(f.path).name for f in export.files] == [
        "m_app.XML",
        "wf_app.Xml",
        "SRC_CUSTOMERS.XML",
        "m_lib.xml",
    ]
    assert [f.name for f in export.folders] == ["APP", "SHARED"]
    shared = export.folder("SHARED")
    assert [s.name for s in shared.sources] == ["CUSTOMERS"] and [m.name for m in shared.mappings] == [
        "m_lib"
    ]
    app = export.folder("APP")
    m_app = app.mapping("m_app")
    assert m_app.instance("CUSTOMERS").definition is shared.sources[0]  # shortcut across files and folders
    sessions = {s.name: s for s in app.all_sessions()}
    assert sessions["s_app"].mapping is m_app
    assert sessions["s_lib"].mapping is shared.mappings[0]  # a session's mapping through a shortcut
    assert export.missing == []
    assert [(Path(n.file).name, n.message) for n in export.notes] == [
        ("notes.xml", "skipped: root element is <notes>, expected <POWERMART>: not a PowerCenter export")
    ]
    # each object keeps the file it came from
    assert Path(m_app.location.file).name == "m_app.XML" and m_app.location.line == 7


def test_files_and_directories_mix_and_no_file_is_read_twice(three_files: Path) -> None:
    wf_file = three_files / "app" / "wf_app.Xml"
    found = find_export_files([wf_file, three_files, three_files / "app"])
    assert found.files[0] == str(wf_file) and len(found.files) == 5  # with notes.xml, skipped when read
    assert len(set(found.files)) == 5


def test_a_missing_path_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_repository([tmp_path / "nope"])
    assert err.value.file == str(tmp_path / "nope") and "no such file or directory" in err.value.message


def test_equal_definitions_in_two_files_count_once() -> None:
    # The whole-folder export and the PowerCenter-style split files define the same objects.
    export = load_repository([ORDERS, SPLIT])
    folder = export.folder("ORDERS")
    assert len(export.files) == 5
    assert sorted(m.name for m in folder.mappings) == ["m_customer_dim", "m_customer_orders", "m_order_facts"]
    assert len(folder.workflows) == 1 and len(folder.sources) == len(load(ORDERS).folder("ORDERS").sources)
    assert not [p for p in export.problems if p.severity == "error"] and export.missing == []


def test_the_split_sample_resolves_every_session_mapping() -> None:
    export = load_repository([SPLIT])
    folder = export.folder("ORDERS")
    sessions = [s for s in folder.all_sessions() if isinstance(s, Session)]
    assert len(sessions) == 3 and all(s.mapping is not None for s in sessions)
    assert all(Path(s.mapping.location.file).name == f"{s.mapping.name}.XML" for s in sessions)
    alone = load(SPLIT / "wf_orders_daily.XML")
    assert sorted(m.name for m in alone.missing if m.kind == "mapping") == [
        "m_customer_dim",
        "m_customer_orders",
        "m_order_facts",
    ]


def _changed_copy(tmp_path: Path, created: str | None = None) -> Path:
    """m_customer_dim.XML with one expression changed (and optionally another CREATION_DATE)."""
    text = (SPLIT / "m_customer_dim.XML").read_bytes().decode("cp1252")
    changed = text.replace("UPPER(", "LOWER(", 1)
    assert changed != text
    if created is not None:
        changed = changed.replace('CREATION_DATE="03/01/2024 09:00:00"', f'CREATION_DATE="{created}"')
    out = tmp_path / "newer" / "m_customer_dim.XML"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(changed.encode("cp1252"))
    return out


def _line_of(path: Path, needle: str) -> int:
    return next(
        i for i, line in enumerate(path.read_bytes().decode("cp1252").splitlines(), 1) if needle in line
    )


def test_different_definitions_are_an_error_naming_both_places(tmp_path: Path) -> None:
    changed = _changed_copy(tmp_path)
    with pytest.raises(InputError) as err:
        load_repository([SPLIT, changed])
    mapping_line = _line_of(changed, "<MAPPING ")
    original = SPLIT / "m_customer_dim.XML"
    assert err.value.file == str(changed) and err.value.line == mapping_line
    assert err.value.message == (
        f"mapping 'm_customer_dim' of folder 'ORDERS' is defined differently here and in "
        f"{original}:{_line_of(original, '<MAPPING ')} (choose one with --prefer first|last|newest, "
        "or remove one file)"
    )


@pytest.mark.parametrize(
    ("prefer", "created", "kept"),
    [
        ("first", None, "UPPER("),
        ("last", None, "LOWER("),
        ("newest", "03/02/2024 09:00:00", "LOWER("),  # the changed copy was exported a day later
        ("newest", "02/28/2024 09:00:00", "UPPER("),  # ... or a day earlier
    ],
)
def test_prefer_settles_a_conflict_and_says_which_definition_is_used(
    tmp_path: Path, prefer: str, created: str | None, kept: str
) -> None:
    changed = _changed_copy(tmp_path, created)
    export = load_repository([SPLIT, changed], prefer=prefer)
    mapping = export.folder("ORDERS").mapping("m_customer_dim")
    expressions = " ".join(p.expression for t in mapping.transformations for p in t.ports)
    assert kept in expressions
    [note] = export.notes
    assert "defined differently" in note.message and f"(--prefer {prefer})" in note.message
    used = changed if kept == "LOWER(" else SPLIT / "m_customer_dim.XML"
    assert note.file == str(used) and mapping.location.file == str(used)


def test_missing_references_are_summarised_one_line_per_kind() -> None:
    export = load(SPLIT / "wf_orders_daily.XML")
    [line] = summarize_missing(export.missing)
    assert line.severity == "warning" and line.file == str(SPLIT / "wf_orders_daily.XML")
    assert line.message == (
        "3 mappings not loaded: m_customer_dim, m_order_facts, m_customer_orders; "
        "needed by 3 sessions (s_m_customer_dim, s_m_order_facts, s_m_customer_orders)"
    )


def test_summary_names_the_first_few_and_counts_the_rest(three_files: Path) -> None:
    (three_files / "shared" / "SRC_CUSTOMERS.XML").unlink()
    (three_files / "shared" / "m_lib.xml").unlink()
    export = load_repository([three_files], validate=False)
    lines = {p.message.split(" not loaded")[0]: p.message for p in summarize_missing(export.missing, limit=1)}
    assert lines == {
        "1 source": "1 source not loaded: CUSTOMERS; needed by 1 shortcut (Shortcut_to_CUSTOMERS)",
        "1 mapping": "1 mapping not loaded: m_lib; needed by 1 shortcut (Shortcut_to_m_lib)",
    }


def _cli(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_validate_summarises_and_verbose_lists_every_reference() -> None:
    wf = SPLIT / "wf_orders_daily.XML"
    res = _cli("validate", str(wf))
    assert res.exit_code == 0
    line = _line_of(wf, 'NAME ="s_m_customer_dim"')
    assert res.stderr.splitlines() == [
        f"{wf}:{line}: warning: 3 mappings not "
        "loaded: m_customer_dim, m_order_facts, m_customer_orders; needed by 3 sessions "
        "(s_m_customer_dim, s_m_order_facts, s_m_customer_orders)"
    ]
    verbose = _cli("validate", "--verbose", str(wf))
    assert len(verbose.stderr.splitlines()) == 3
    assert all(
        "refers to mapping" in line and "which is not loaded" in line for line in verbose.stderr.splitlines()
    )
    whole = _cli("validate", str(SPLIT))
    assert whole.exit_code == 0 and whole.stderr == ""
    assert whole.stdout.strip() == "4 files: 4 valid, 0 with errors (0 errors, 0 warnings)"


def test_validate_reports_a_conflict_and_exits_2(tmp_path: Path) -> None:
    changed = _changed_copy(tmp_path)
    res = _cli("validate", str(SPLIT), str(changed))
    assert res.exit_code == 2
    assert (
        "1 object(s) are defined differently in two files: mapping 'm_customer_dim' of folder 'ORDERS'"
        in res.stderr
    )
    assert _cli("validate", "--prefer", "last", str(SPLIT), str(changed)).exit_code == 0


def test_inspect_marks_sessions_whose_mapping_is_not_loaded() -> None:
    res = _cli("inspect", str(SPLIT / "wf_orders_daily.XML"))
    assert res.exit_code == 0
    assert res.stdout.count("(mapping not loaded)") >= 6  # the sessions table and the workflow's task table
    assert "3 mappings not loaded" in res.stdout
    together = _cli("inspect", str(SPLIT))
    assert together.exit_code == 0 and "mapping not loaded" not in together.stdout
    assert "4 export files" in together.stdout


def test_report_of_a_directory_marks_absent_mappings(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(SPLIT / "wf_orders_daily.XML", alone)
    out = tmp_path / "r.html"
    res = _cli("report", str(alone), "-o", str(out))
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert html.count("(mapping not loaded)") == 3 and "3 mappings not loaded" in html


def test_run_picks_the_only_workflow_and_dry_runs_a_directory(tmp_path: Path) -> None:
    res = _cli("run", str(SPLIT), "--dry-run", "--json", "--state-dir", str(tmp_path / "s"))
    assert res.exit_code == 0, res.output
    assert '"workflow": "wf_orders_daily"' in res.stdout


def test_run_asks_for_a_workflow_when_there_are_several(tmp_path: Path) -> None:
    res = _cli("run", str(ROOT / "samples"), "--dry-run", "--state-dir", str(tmp_path / "s"))
    assert res.exit_code == 2
    assert "name the workflow to run with --workflow/-w" in res.output
    assert "INVENTORY/wf_inventory_alerts" in res.output and "ORDERS/wf_orders_daily" in res.output


def test_convert_a_directory_records_every_file(tmp_path: Path) -> None:
    import json

    out = tmp_path / "proj"
    res = _cli("convert", str(SPLIT), "-o", str(out))
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "workflow_wf_orders_daily.json").read_text())
    assert sorted(Path(p).name for p in manifest["exports"]) == sorted(p.name for p in SPLIT.iterdir())
    assert all((out / p).resolve().is_file() for p in manifest["exports"])
    report = json.loads((out / "conversion_report.json").read_text())
    assert report["summary"]["sessions_without_mapping"] == 0 and report["summary"]["jobs_complete"] == 3
    assert all(job["mapping_loaded"] for job in report["jobs"])
    alone = tmp_path / "alone"
    assert _cli("convert", str(SPLIT / "wf_orders_daily.XML"), "-o", str(alone)).exit_code == 1
    marked = json.loads((alone / "conversion_report.json").read_text())
    assert [j["mapping_loaded"] for j in marked["jobs"]] == [False, False, False]
    assert marked["summary"]["sessions_without_mapping"] == 3
    # The same jobs as from the one-file export, but for the comment naming where the workflow is defined.
    whole = tmp_path / "whole"
    assert _cli("convert", str(ORDERS), "-o", str(whole)).exit_code == 0
    for job in ("s_m_customer_dim.py", "s_m_order_facts.py", "s_m_customer_orders.py"):

        def body(path: Path) -> list[str]:
            return [line for line in path.read_text().splitlines() if not line.startswith("Defined at")]

        assert body(out / job) == body(whole / job), job


def test_validate_a_directory_skips_files_that_are_not_exports(three_files: Path) -> None:
    res = _cli("validate", str(three_files))
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines() == [
        f"{three_files / 'notes.xml'}:1: warning: skipped: root element is <notes>, "
        "expected <POWERMART>: not a PowerCenter export"
    ]
    assert res.stdout.strip() == "4 files: 4 valid, 0 with errors (0 errors, 0 warnings), 1 skipped"
    named = _cli("validate", str(three_files / "notes.xml"))  # named on the command line: an error
    assert named.exit_code == 2


@pytest.mark.spark
def test_a_run_fails_a_session_whose_mapping_is_not_loaded_with_one_message(tmp_path: Path) -> None:
    import json

    res = _cli(
        "run",
        str(SPLIT / "wf_orders_daily.XML"),
        str(SPLIT / "m_customer_dim.XML"),
        "--json",
        "-q",
        "--param-file",
        str(ROOT / "samples" / "orders" / "params" / "wf_orders_daily.par"),
        "--param",
        f"$PMTargetFileDir={tmp_path / 'out'}",
        "--state-dir",
        str(tmp_path / "s"),
    )
    summary = json.loads(res.stdout)
    tasks = summary["tasks"]
    assert tasks["s_m_customer_dim"]["status"] == "SUCCEEDED"  # its mapping file was given
    assert tasks["s_m_order_facts"]["status"] == "FAILED"
    assert tasks["s_m_order_facts"]["error"] == (
        "mapping 'm_order_facts' is not loaded: none of the 2 export "
        "file(s) defines it (load the file that holds it together "
        "with the workflow)"
    )


def test_validate_json_flag_is_the_json_format() -> None:
    import json

    res = _cli("validate", "--json", str(SPLIT))
    assert res.exit_code == 0
    assert [Path(r["file"]).name for r in json.loads(res.stdout)] == sorted(p.name for p in SPLIT.iterdir())
