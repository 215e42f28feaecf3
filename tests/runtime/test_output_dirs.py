"""A local run creates the output process directories a PowerCenter node always has, never input ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from runtime_xml import Flow, write_export

from infaflow.cli import main


def _flow() -> Flow:
    return (
        Flow("wf_dirs")
        .add("Start", "Start")
        .cmd("cmd_flag", "touch $PMTargetFileDir/done.flag")
        .link("Start", "cmd_flag")
    )


def _run(export: Path, tmp_path: Path, *extra: str) -> dict:
    summary = tmp_path / "summary.json"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(export),
            "--workflow",
            "wf_dirs",
            "--state-dir",
            str(tmp_path / "state"),
            "-q",
            "--param",
            f"$PMTargetFileDir={tmp_path / 'tgt' / 'nested'}",
            "--param",
            f"$PMSourceFileDir={tmp_path / 'src'}",
            "--summary-json",
            str(summary),
            *extra,
        ],
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(summary.read_text(encoding="utf-8"))


def test_target_dir_is_created_source_dir_is_not(tmp_path: Path) -> None:
    export = write_export(tmp_path, _flow())
    summary = _run(export, tmp_path)
    assert summary["status"] == "SUCCEEDED", summary
    assert (tmp_path / "tgt" / "nested" / "done.flag").is_file()
    assert not (tmp_path / "src").exists()


def test_dry_run_creates_nothing(tmp_path: Path) -> None:
    export = write_export(tmp_path, _flow())
    summary = _run(export, tmp_path, "--dry-run")
    assert summary["status"] == "SUCCEEDED"
    assert not (tmp_path / "tgt").exists()
