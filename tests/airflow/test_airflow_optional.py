"""Airflow is optional: infaflow never imports it outside its airflow package, and the command says how
to install it when it is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def test_infaflow_does_not_import_airflow() -> None:
    code = (
        "import sys, infaflow.cli, infaflow.runtime.steps, infaflow.airflow.dags, infaflow.codegen.project;"
        "from click.testing import CliRunner;"
        "CliRunner().invoke(infaflow.cli.main, ['airflow', '--help']);"
        "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_the_command_says_how_to_install_airflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from infaflow.airflow import testing
    from infaflow.cli import main

    monkeypatch.setattr(testing, "_HOME", [])
    monkeypatch.setattr(testing, "airflow_available", lambda: False)
    export = tmp_path / "x.xml"
    export.write_text("<POWERMART/>")
    result = CliRunner().invoke(main, ["airflow", "test", str(export)])
    assert result.exit_code == 2
    assert "pip install 'infaflow[airflow]'" in result.output
