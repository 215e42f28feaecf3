"""The converted samples in generated/ are up to date, compile, pass ruff and use no Python UDF."""

from __future__ import annotations

import py_compile
import subprocess
from pathlib import Path

import pytest
from toolpaths import find_tool

from infaflow.codegen.formatting import LINE_LENGTH, LINT_ARGS
from infaflow.codegen.project import convert_export, write_project
from infaflow.export import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {
    "orders": "samples/orders/wf_orders_daily.xml",
    "retail_dw": "samples/retail_dw/wf_retail_nightly.xml",
    "inventory": "samples/inventory/wf_inventory_alerts.xml",
}
UDF_MARKERS = ("udf(", "pandas_udf", "@F.udf", "mapInPandas", ".rdd.map", "applyInPandas")


def _regenerate(name: str, export: str, out: Path) -> Path:
    exp = load(export)
    exp.path = export  # locations relative to the repository root, as in generated/
    conv = convert_export(exp, Path(export).stem)
    assert conv.complete, [str(g) for g in conv.gaps]
    return write_project(conv, out / name, export)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_generated_is_up_to_date(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # locations in the code are relative to the repository root
    fresh = _regenerate(name, SAMPLES[name], tmp_path / "generated")
    # write_project writes paths relative to the project: compare from the same depth.
    committed = ROOT / "generated" / name
    fresh_files = sorted(p.name for p in fresh.iterdir() if p.is_file())
    assert fresh_files == sorted(p.name for p in committed.iterdir() if p.is_file())
    for file in fresh_files:
        if file.endswith(".json"):
            continue  # export paths differ by location; checked below
        assert (fresh / file).read_text() == (committed / file).read_text(), (
            f"generated/{name}/{file} is stale: run python3 -m infaflow.codegen.regenerate"
        )


def test_generated_modules_compile_pass_ruff_and_use_no_udf(tmp_path: Path) -> None:
    modules = sorted((ROOT / "generated").glob("*/*.py"))
    assert len(modules) >= 10
    for module in modules:
        py_compile.compile(str(module), cfile=str(tmp_path / "x.pyc"), doraise=True)
        text = module.read_text()
        if module.name != "infaflow_support.py":
            assert not any(marker in text for marker in UDF_MARKERS), module
            assert "# Source" in text and "def run(spark" in text
    ruff = find_tool("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    out = subprocess.run(
        [ruff, *LINT_ARGS, *map(str, modules)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout


def test_generated_jobs_are_formatted_within_the_line_length() -> None:
    """The jobs read as a Spark engineer would write them: ruff's formatter leaves them unchanged and no
    line is longer than 110 characters (long queries are split clause by clause)."""
    jobs = sorted(p for p in (ROOT / "generated").glob("*/*.py") if p.name != "infaflow_support.py")
    ruff = find_tool("ruff")
    assert ruff is not None, "ruff is installed with the test extra"
    out = subprocess.run(
        [ruff, "format", "--check", "--isolated", "--line-length", str(LINE_LENGTH), *map(str, jobs)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    long = [
        f"{p.name}:{i}"
        for p in jobs
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if len(line) > LINE_LENGTH
    ]
    assert not long, long


def test_expression_ports_carry_their_powercenter_expression() -> None:
    text = (ROOT / "generated" / "orders" / "s_m_order_facts.py").read_text()
    assert "# o_LINE_AMOUNT = ROUND(QUANTITY * UNIT_PRICE * (100 - v_DISCOUNT) / 100, 2)\n" in text
    assert "# v_DISCOUNT = IIF(ISNULL(DISCOUNT_PCT), 0, DISCOUNT_PCT)\n" in text
