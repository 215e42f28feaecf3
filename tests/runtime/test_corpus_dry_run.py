"""Every workflow of ../shared/corpus runs with --dry-run without an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from infaflow.export import load
from infaflow.runtime.api import run_workflow
from infaflow.runtime.scheduler import RunOptions

pytestmark = pytest.mark.corpus


def test_every_corpus_workflow_dry_runs(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    files = [row["file"] for row in corpus_manifest if row["n_workflows"] not in ("", "0")]
    expected = sum(int(row["n_workflows"]) for row in corpus_manifest if row["n_workflows"] not in ("", "0"))
    ran = 0
    failures: list[str] = []
    for name in files:
        export = load(corpus_dir / "files" / name, lenient=True)
        for folder, wf in export.workflows():
            result = run_workflow(
                export, wf.name, folder.name, options=RunOptions(dry_run=True), state_dir=None
            )
            ran += 1
            bad = {
                p: t["status"]
                for p, t in result.summary["tasks"].items()
                if t["status"] not in ("SUCCEEDED", "DISABLED", "NOTSTARTED")
            }
            if result.status != "SUCCEEDED" or bad:
                failures.append(f"{name}: {wf.name}: {result.status} {bad} {result.summary.get('error')}")
    assert not failures, "\n".join(failures[:10])
    assert ran == expected  # every workflow of the manifest (96 when this was written)


def test_dry_run_evaluates_links(corpus_dir: Path) -> None:
    """A real export whose links test statuses: the dry run follows the success links."""
    name = "thomasluizzi__Informatica_XML_Parser_v2__Informatica_XML_Parser_v2_Employee.XML"
    path = corpus_dir / "files" / name
    if not path.is_file():
        pytest.skip("corpus file absent")
    export = load(path, lenient=True)
    folder, wf = next(iter(export.workflows()))
    result = run_workflow(export, wf.name, folder.name, options=RunOptions(dry_run=True), state_dir=None)
    assert result.status == "SUCCEEDED"
    assert (
        result.summary["tasks"]["HumanResources/s_Employee"]["status"] == "SUCCEEDED"
    )  # inside a worklet, through 3 "= succeeded" links
