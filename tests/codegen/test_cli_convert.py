"""`infaflow convert` and `infaflow data load` from the command line: outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

ROOT = Path(__file__).resolve().parents[2]
ORDERS = str(ROOT / "samples" / "orders" / "wf_orders_daily.xml")


def test_convert_writes_the_project(tmp_path: Path) -> None:
    out = tmp_path / "proj"
    result = CliRunner().invoke(main, ["convert", ORDERS, "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["jobs"] == report["summary"]["jobs_complete"] == 3
    assert {p.name for p in out.iterdir()} >= {
        "s_m_order_facts.py",
        "infaflow_support.py",
        "README.md",
        "conversion_report.json",
        "workflow_wf_orders_daily.json",
    }
    manifest = json.loads((out / "workflow_wf_orders_daily.json").read_text())
    assert manifest["sessions"]["s_m_order_facts"]["module"] == "s_m_order_facts.py"
    assert (out / Path(manifest["export"])).resolve() == Path(ORDERS).resolve()

    from infaflow.codegen.project import open_project

    modules = open_project(out).modules("wf_orders_daily")
    assert modules["s_m_customer_dim"] == out / "s_m_customer_dim.py"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["convert", "/nonexistent/x.xml"], "x.xml"),
        (["convert", ORDERS, "--folder", "NOPE"], "no folder 'NOPE'"),
        (["convert", ORDERS, "--workflow", "wf_nope"], "no workflow 'wf_nope'"),
        (["data", "load", "CONN", "/nonexistent/dir"], "names no table"),
        (["data", "load", "CONN.T", "/nonexistent/t.csv"], "no such CSV file"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*args] + (["-o", str(tmp_path)] if args[0] == "convert" else []))
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.corpus
def test_gaps_exit_1_and_jobs_only_with_allow_partial(corpus_dir: Path, tmp_path: Path) -> None:
    export = corpus_dir / "files" / "BharatChandora__informatica_miniproject__xml_files_m_MINI_PROJECT.XML"
    if not export.is_file():
        pytest.skip("corpus file absent")
    strict = CliRunner().invoke(main, ["convert", str(export), "-o", str(tmp_path / "a")])
    assert strict.exit_code == 1
    assert "Java Transformation is not supported" in strict.output and f"{export}:" in strict.output
    assert not list((tmp_path / "a").glob("*.py"))
    assert "No job was written" in (tmp_path / "a" / "README.md").read_text()
    partial = CliRunner().invoke(main, ["convert", str(export), "-o", str(tmp_path / "b"), "--allow-partial"])
    assert partial.exit_code == 1
    job = next(p for p in (tmp_path / "b").glob("*.py") if p.name != "infaflow_support.py").read_text()
    assert "job.not_converted(" in job


def test_a_mapping_run_through_a_shortcut_gets_no_module_of_its_own() -> None:
    """retail_dw's session s_m_stores_dim runs SHARED_RETAIL's m_stores_dim through a shortcut: the mapping is
    converted once, as that session's job."""
    import infaflow
    from infaflow.codegen.project import convert_export

    root = Path(__file__).resolve().parents[2]
    conv = convert_export(infaflow.load(str(root / "samples" / "retail_dw" / "wf_retail_nightly.xml")))
    jobs = [(j.folder, j.session, j.mapping) for j in conv.jobs]
    assert [j for j in jobs if j[2] == "m_stores_dim"] == [("RETAIL_DW", "s_m_stores_dim", "m_stores_dim")]
    assert all(session for _f, session, _m in jobs)  # every mapping of the sample is run by a session
