"""The row contract between generated steps and the support module, and the support module's version.

``support.py`` is copied into every generated project (``infaflow_support.py``), so it cannot import
infaflow: it repeats the row-contract names and the version, and these tests check the copies agree. A
generated job calls ``require_version`` as it imports its support module and refuses an older one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infaflow.codegen import rowcontract, support

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "generated" / "inventory"  # a converted project kept in the repository
JOB = "s_m_stock_alerts"


@pytest.mark.parametrize("name", ["ROW_ID", "ROW_TYPE", "ROW_ERROR", "SUPPORT_VERSION"])
def test_the_support_module_repeats_the_contract_of_codegen(name: str) -> None:
    assert getattr(support, name) == getattr(rowcontract, name)


def test_every_generated_job_requires_the_version_it_was_converted_for() -> None:
    jobs = [p for p in (ROOT / "generated").glob("*/*.py") if p.name != "infaflow_support.py"]
    assert jobs
    for job in jobs:
        text = job.read_text()
        assert "from infaflow_support import Job, SessionResult, main, require_version\n" in text, job
        assert f"\nrequire_version({rowcontract.SUPPORT_VERSION})  #" in text, job


def _import_job(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"import {JOB}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(project), "PATH": ""},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    return copy


def test_a_job_imports_with_the_support_module_of_its_conversion(project: Path) -> None:
    result = _import_job(project)
    assert result.returncode == 0, result.stderr


def test_a_job_refuses_an_older_support_module(project: Path) -> None:
    module = project / "infaflow_support.py"
    text = module.read_text()
    current = f"\nSUPPORT_VERSION = {rowcontract.SUPPORT_VERSION}\n"
    assert current in text
    module.write_text(text.replace(current, "\nSUPPORT_VERSION = 0\n"))
    result = _import_job(project)
    assert result.returncode == 1
    assert (
        f"ImportError: {module} is version 0 of the infaflow support module; this job needs version "
        f"{rowcontract.SUPPORT_VERSION} or later: copy infaflow_support.py from the same conversion"
    ) in result.stderr


def test_a_support_module_from_before_versions_is_refused_by_name(project: Path) -> None:
    module = project / "infaflow_support.py"
    text = module.read_text()
    start = text.index("def require_version(")
    module.write_text(text[:start] + text[text.index("_PROCESS_DIRS = {") :])
    result = _import_job(project)
    assert result.returncode == 1
    assert "ImportError: cannot import name 'require_version' from 'infaflow_support'" in result.stderr
