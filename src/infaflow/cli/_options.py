"""Options spelled the same in every command: ``-w/--workflow``, ``-f/--folder``, ``--state-dir`` (a
directory), ``--json``; and the examples shown at the end of each command's ``--help``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

STATE_DIR_HELP = "Where runs are recorded: run store, task logs, outbox."


def state_dir_option(help_text: str = STATE_DIR_HELP) -> Callable[..., Any]:
    """``--state-dir DIRECTORY`` (default ``.infaflow``, or ``$INFAFLOW_STATE_DIR``)."""
    return click.option(
        "--state-dir",
        default=".infaflow",
        show_default=True,
        envvar="INFAFLOW_STATE_DIR",
        type=click.Path(file_okay=False),
        help=help_text,
    )


def workflow_option(help_text: str) -> Callable[..., Any]:
    return click.option("--workflow", "-w", default=None, help=help_text)


def folder_option(
    help_text: str = "Folder of the workflow (when several folders have one of that name).",
) -> Callable[..., Any]:
    return click.option("--folder", "-f", default=None, help=help_text)


def json_option(help_text: str) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def examples(*lines: str) -> str:
    """A click ``epilog``: the examples, one per line, kept as written (``\\b`` stops click rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
