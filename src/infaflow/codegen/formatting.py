"""Format generated modules as a Spark engineer's editor would: ruff's formatter (black style) at the
project's line length. Formatting never changes what a module computes, so the in-memory code that
``infaflow run`` executes and the files that ``infaflow convert`` writes behave the same."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

#: the line length of generated code (the project's own, see pyproject.toml)
LINE_LENGTH = 110

#: ``ruff`` arguments of the lint every generated module passes (the tests of tests/codegen and
#: bench/conversion_share.py run it). E501: jobs checked before formatting keep long expressions on one
#: line; UP034: the expression translator nests parentheses in ``eqNullSafe((...))``, harmless.
LINT_ARGS: tuple[str, ...] = (
    "check",
    "--isolated",
    "--no-force-exclude",
    "--select",
    "E,F,W,I,B,UP",
    "--line-length",
    str(LINE_LENGTH),
    "--ignore",
    "E501,UP034",
)


def find_ruff() -> str | None:
    """The ruff executable: the Python package's binary, one beside this interpreter, or one on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        pass
    else:
        try:
            return str(find_ruff_bin())
        except FileNotFoundError:
            pass
    beside = Path(sys.executable).parent / "ruff"
    return str(beside) if beside.is_file() else shutil.which("ruff")


def format_modules(paths: list[Path]) -> bool:
    """Format ``paths`` in place; False when no formatter is installed (the modules stay as generated).
    A module the formatter rejects is left untouched and the error raised: generated code must parse."""
    if not paths:
        return True
    ruff = find_ruff()
    if ruff is None:
        return False
    result = subprocess.run(
        [
            ruff,
            "format",
            "--isolated",
            "--line-length",
            str(LINE_LENGTH),
            "--target-version",
            "py311",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed on generated code: {result.stderr.strip()[-2000:]}")
    return True
