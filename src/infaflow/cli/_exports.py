"""What every command that reads exports shares: the EXPORTS argument (files and directories), the
--prefer option, and loading them as one export set with the skipped files noted on stderr."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from infaflow.export.merge import PREFERENCES
from infaflow.model import Export

EXPORTS_ARGUMENT = click.argument("exports", nargs=-1, required=True, type=click.Path(), metavar="EXPORT...")

PREFER_OPTION = click.option(
    "--prefer",
    type=click.Choice(PREFERENCES),
    default=None,
    help="When two files define the same object differently: use the first or last file given (in name "
    "order within a directory), or the newest export (CREATION_DATE). Default: stop with both places.",
)


def exports_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The EXPORT... argument and the --prefer option."""
    return EXPORTS_ARGUMENT(PREFER_OPTION(command))


def load_exports(
    paths: Sequence[str],
    *,
    lenient: bool = False,
    prefer: str | None = None,
    keep_going: bool = False,
    quiet: bool = False,
) -> Export:
    """Load ``paths`` (files and directories) as one export set; print one line per skipped file."""
    from infaflow.export import load_repository

    export = load_repository(paths, lenient=lenient, prefer=prefer, keep_going=keep_going)
    if not quiet:
        for note in export.notes:
            click.echo(str(note), err=True)
    return export
