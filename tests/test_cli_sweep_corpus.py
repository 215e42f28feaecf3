"""The sweep over the real exports of ../shared/corpus (skipped when absent): the structure checks accept
every real export, and every command run on each file alone ends with a contract exit code, never a
traceback, and an error message that names the file."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.export.loader import read_file
from infaflow.export.structure import structure_problems

pytestmark = pytest.mark.corpus

#: Files generated to look like exports (they list no INSTANCE and fail the schema): structure is not checked.
NOT_EXPORTED = ("ad25343__",)


def _files(corpus_dir: Path) -> list[Path]:
    return sorted(p for p in (corpus_dir / "files").iterdir() if p.suffix.lower() == ".xml")


def test_no_real_export_trips_a_structure_check(corpus_dir: Path) -> None:
    found = {}
    for path in _files(corpus_dir):
        export = read_file(str(path), lenient=True, validate=False)
        problems = structure_problems(export)
        if problems and not path.name.startswith(NOT_EXPORTED):
            found[path.name] = [str(p) for p in problems[:3]]
    assert found == {}


@pytest.mark.slow
def test_every_command_on_every_corpus_file(corpus_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    broken = []
    for i, path in enumerate(_files(corpus_dir)):
        commands = [
            ["validate", str(path)],
            ["inspect", str(path), "--json"],
            ["report", str(path), "-o", str(tmp_path / f"r{i}.html")],
            ["convert", str(path), "-o", str(tmp_path / f"c{i}"), "--allow-partial"],
            ["run", str(path), "--dry-run", "-q", "--state-dir", str(tmp_path / "state")],
        ]
        for args in commands:
            result = runner.invoke(main, args)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                broken.append((path.name, args[0], "".join(traceback.format_exception(result.exception))))
            elif result.exit_code not in (0, 1, 2) or "Traceback" in result.stderr:
                broken.append((path.name, args[0], result.stderr[-500:]))
            elif result.exit_code == 2 and str(path) not in result.stderr:
                broken.append((path.name, args[0], f"exit 2 without the file: {result.stderr[-300:]}"))
    assert broken == []
