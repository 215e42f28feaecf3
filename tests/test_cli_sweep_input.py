"""Sweep of the command line over unreadable inputs and first-contact mistakes: each gets one sentence a
user can act on (file, line, what to do), exit code 2 and no traceback; a failed conversion keeps the
project converted before."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_sweep_structure import EXPORT

from infaflow.cli import main


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


LOADING_COMMANDS = ["validate", "inspect", "convert"]


@pytest.mark.parametrize("command", LOADING_COMMANDS)
def test_a_wide_encoding_declared_on_one_byte_text(tmp_path: Path, command: str) -> None:
    # libxml2 said only "Blank needed here": the declaration names UTF-16, the bytes are UTF-8.
    path = _write(tmp_path / "x.xml", EXPORT.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1))
    code, _out, err = _invoke(
        command, str(path), *(["-o", str(tmp_path / "o")] if command == "convert" else [])
    )
    assert code == 2
    assert err.startswith(
        f"{path}:1: the XML declaration says encoding 'UTF-16', but the file is written with one byte per "
        "character"
    )


def test_a_true_utf16_export_still_reads(tmp_path: Path) -> None:
    text = EXPORT.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    path = _write(tmp_path / "x.xml", text.encode("utf-16"))  # with its byte-order mark, as Windows writes
    assert _invoke("validate", str(path))[0] == 0


def test_an_attribute_beyond_the_parser_limit(tmp_path: Path) -> None:
    huge = "A" * 20_000_000
    text = EXPORT.replace('<MAPPING NAME="m_orders"', f'<MAPPING DESCRIPTION="{huge}" NAME="m_orders"')
    path = _write(tmp_path / "x.xml", text)
    code, _out, err = _invoke("validate", str(path))
    assert code == 2
    line = text.count("\n", 0, text.index("<MAPPING ")) + 1
    assert err.startswith(
        f"{path}:{line}: refused: a single attribute value or text over 10 MB "
        "(a limit for untrusted input; no PowerCenter export comes near it)"
    )
    assert "XML_PARSE_HUGE" not in err


def test_nesting_beyond_the_parser_limit(tmp_path: Path) -> None:
    deep = "<X>" * 300 + "</X>" * 300
    path = _write(tmp_path / "x.xml", EXPORT.replace("</FOLDER>", deep + "</FOLDER>"))
    code, _out, err = _invoke("inspect", str(path))
    assert code == 2
    assert "refused: elements nested more than 256 levels deep" in err
    assert "XML_PARSE_HUGE" not in err


@pytest.mark.parametrize("content", [None, {"notes.xml": "<notes/>"}, {"readme.txt": "hello"}])
def test_validate_with_no_export_is_an_input_error(tmp_path: Path, content: dict[str, str] | None) -> None:
    # Every other command stops here with exit code 2; validate said "0 files: 0 valid" and exit 0.
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, text in (content or {}).items():
        _write(folder / name, text)
    code, _out, err = _invoke("validate", str(folder))
    assert code == 2
    assert err.splitlines()[-1] == f"{folder}: no PowerCenter export found: nothing was validated"
    code, out, _err = _invoke("validate", "--json", str(folder))
    assert (code, out.strip()) == (2, "[]")


def test_validate_of_an_export_beside_other_files_still_passes(tmp_path: Path) -> None:
    _write(tmp_path / "exports" / "notes.xml", "<notes/>")
    _write(tmp_path / "exports" / "wf_orders.xml", EXPORT)
    assert _invoke("validate", str(tmp_path / "exports"))[0] == 0


def _without_workflow(text: str) -> str:
    return text[: text.index("    <WORKFLOW ")] + text[text.index("</FOLDER>") :]


def test_run_on_mapping_files_says_there_is_no_workflow(tmp_path: Path) -> None:
    path = _write(tmp_path / "m_orders.xml", _without_workflow(EXPORT))
    code, _out, err = _invoke("run", str(path), "--dry-run", "--state-dir", str(tmp_path / "state"))
    assert code == 2
    assert err == (
        f"{path}: no workflow in these exports (only 1 mapping): 'infaflow run' runs a workflow; add the "
        "export file that holds it, or convert the mappings with 'infaflow convert'\n"
    )


def test_run_on_a_worklet_file_names_the_worklets(tmp_path: Path) -> None:
    worklet = EXPORT[EXPORT.index("    <WORKFLOW ") : EXPORT.index("</FOLDER>")]
    worklet = worklet.replace("<WORKFLOW ", "<WORKLET ", 1).replace("</WORKFLOW>", "</WORKLET>")
    worklet = worklet.replace(
        'NAME="wf_orders" ISVALID="YES" ISENABLED="YES"', 'NAME="wl_orders" REUSABLE="YES"'
    )
    path = _write(tmp_path / "wl.xml", _without_workflow(EXPORT).replace("</FOLDER>", worklet + "</FOLDER>"))
    code, _out, err = _invoke("run", str(path), "--dry-run", "--state-dir", str(tmp_path / "state"))
    assert code == 2
    assert err.endswith(
        "no workflow in these exports; to run a worklet, name it with --workflow/-w: wl_orders\n"
    )
    code, _out, _err = _invoke(
        "run", str(path), "-w", "wl_orders", "--dry-run", "-q", "--state-dir", str(tmp_path)
    )
    assert code == 0


def test_a_failed_conversion_keeps_the_project_converted_before(tmp_path: Path) -> None:
    good = _write(tmp_path / "wf_orders.xml", EXPORT)
    out = tmp_path / "project"
    assert _invoke("convert", str(good), "-o", str(out))[0] == 0
    job = out / "s_m_orders.py"
    edited = job.read_text() + "# edited by hand\n"
    job.write_text(edited)
    before = sorted(p.name for p in out.iterdir())
    broken = _write(tmp_path / "broken" / "wf_orders.xml", EXPORT.replace("UPPER(STATUS)", "UPPER(STATUS"))
    code, _out, err = _invoke("convert", str(broken), "-o", str(out))
    assert code == 1
    assert "EXP_STATUS: expression 'UPPER(STATUS'" in err
    assert f"nothing written: {out} keeps the jobs converted before" in err
    assert sorted(p.name for p in out.iterdir()) == before
    assert job.read_text() == edited
    # --allow-partial replaces them on purpose: the job raises NotConverted at the gap.
    assert _invoke("convert", str(broken), "-o", str(out), "--allow-partial")[0] == 1
    assert "NotConverted" in job.read_text()


def test_a_failed_conversion_into_a_new_folder_writes_its_report(tmp_path: Path) -> None:
    broken = _write(tmp_path / "wf_orders.xml", EXPORT.replace("UPPER(STATUS)", "UPPER(STATUS"))
    out = tmp_path / "project"
    code, _out, err = _invoke("convert", str(broken), "-o", str(out))
    assert code == 1
    assert "no job written: use --allow-partial" in err
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "conversion_report.json"]


def test_run_summary_json_into_a_new_folder_and_into_an_impossible_place(tmp_path: Path) -> None:
    # The run ended, then writing --summary-json raised FileNotFoundError with a traceback.
    good = _write(tmp_path / "wf_orders.xml", EXPORT)
    state = str(tmp_path / "state")
    summary = tmp_path / "reports" / "run.json"
    assert (
        _invoke("run", str(good), "--dry-run", "-q", "--state-dir", state, "--summary-json", str(summary))[0]
        == 0
    )
    assert '"status": "SUCCEEDED"' in summary.read_text()
    blocked = _write(tmp_path / "a_file", "not a folder") / "run.json"
    code, _out, err = _invoke(
        "run", str(good), "--dry-run", "-q", "--state-dir", state, "--summary-json", str(blocked)
    )
    assert code == 2
    assert err.startswith(f"{blocked}: cannot write the run summary: ")


def test_an_expression_nested_thousands_deep_is_an_input_error() -> None:
    # The parser recursed past Python's limit: a RecursionError traceback and exit code 1.
    code, _out, err = _invoke("expr", "eval", "(" * 3000 + "1" + ")" * 3000)
    assert code == 2
    assert err == "error: the input is nested too deeply to read (thousands of levels)\n"
    assert _invoke("expr", "eval", "(" * 20 + "1" + ")" * 20)[0] == 0


def test_convert_refuses_a_folder_holding_modules_it_did_not_write(tmp_path: Path) -> None:
    # Writing a project replaces every *.py of the folder: `-o .` among one's own scripts deleted them.
    good = _write(tmp_path / "wf_orders.xml", EXPORT)
    out = tmp_path / "scripts"
    mine = _write(out / "etl_helpers.py", "print('mine')\n")
    code, _out, err = _invoke("convert", str(good), "-o", str(out))
    assert code == 2
    assert err == (
        f"{mine}: not a module infaflow wrote, and converting into this folder replaces every *.py file in "
        "it: move it, or choose another --output folder\n"
    )
    assert [p.name for p in out.iterdir()] == ["etl_helpers.py"]
    mine.unlink()
    assert _invoke("convert", str(good), "-o", str(out))[0] == 0
    assert _invoke("convert", str(good), "-o", str(out))[0] == 0  # its own jobs are replaced, as before
