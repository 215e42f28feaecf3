"""``infaflow stop`` and ``abort``: end a live run from another shell, as Workflow Monitor does.

The semantics are PowerCenter's (see :mod:`infaflow.runtime.control`); ``infaflow resume RUN_ID``
continues the run afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from infaflow.cli._options import examples, state_dir_option
from infaflow.runtime.status import ABORTED, STOPPED, SUSPENDED

EXIT_OK = 0
EXIT_NOT_ENDED = 1


def _control(run_id: int, state_dir: str, mode: str, wait: bool, timeout: float | None) -> None:
    from infaflow.runtime import control

    record = control.request(state_dir, run_id, mode)
    verb = "stop" if mode == STOPPED else "abort"
    if record.status == SUSPENDED:
        click.echo(f"run {run_id} ({record.folder}/{record.workflow}) was SUSPENDED: now {mode}")
        return
    click.echo(f"run {run_id} ({record.folder}/{record.workflow}, process {record.pid}): {verb} requested")
    if not wait:
        return
    ended = control.wait_for_end(state_dir, run_id, timeout)
    if ended.status == "STARTED":
        click.echo(f"run {run_id} is still running after {timeout:g} s", err=True)
        raise SystemExit(EXIT_NOT_ENDED)
    click.echo(f"run {run_id}: workflow {ended.status}" + (f" ({ended.error})" if ended.error else ""))


def _wait_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--timeout",
        type=click.FloatRange(0),
        default=None,
        metavar="SECONDS",
        help="With --wait: give up waiting after this many seconds (exit 1).",
    )(command)
    return click.option("--wait", is_flag=True, help="Wait until the run has ended and print its status.")(
        command
    )


@click.command(
    "stop",
    short_help="Stop a live run from another shell, as Workflow Monitor does (resume continues it).",
    epilog=examples(
        "infaflow stop 12           # from another shell than the one running the run",
        "infaflow stop 12 --wait    # and wait until it has stopped",
    ),
)
@click.argument("run_id", type=int)
@state_dir_option()
@_wait_options
def stop_command(run_id: int, state_dir: str, wait: bool, timeout: float | None) -> None:
    """Stop a live run: no task starts any more, a running command finishes its current command, a running
    session is cancelled; tasks and workflow end STOPPED (resume continues the run)."""
    _control(run_id, state_dir, STOPPED, wait, timeout)


@click.command(
    "abort",
    short_help="Abort a live run from another shell: commands killed, sessions after 60 s.",
    epilog=examples(
        "infaflow abort 12 --wait",
    ),
)
@click.argument("run_id", type=int)
@state_dir_option()
@_wait_options
def abort_command(run_id: int, state_dir: str, wait: bool, timeout: float | None) -> None:
    """Abort a live run: commands are killed, sessions are cancelled and killed if not ended within 60
    seconds; tasks and workflow end ABORTED (resume continues the run)."""
    _control(run_id, state_dir, ABORTED, wait, timeout)


COMMANDS = [stop_command, abort_command]
