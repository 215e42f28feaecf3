"""``infaflow engine start|status|stop``: the warm local engine (a Spark Connect server in the background)
that ``infaflow run`` uses while it is up."""

from __future__ import annotations

import json
import sys

import click

from infaflow.errors import InputError

STATE_DIR = click.option(
    "--state-dir",
    default=".infaflow",
    show_default=True,
    envvar="INFAFLOW_STATE_DIR",
    help="Where the engine's pid, address and log are kept (the runs' state directory).",
)


@click.group("engine")
def engine_group() -> None:
    """A warm local Spark engine: runs skip the JVM start-up while it is up."""


@engine_group.command("start")
@STATE_DIR
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Loopback port of the server (default: 15002 when free, else any free port).",
)
@click.option(
    "--master", default=None, metavar="URL", help="The server's Spark master (default: local[CPUs])."
)
@click.option(
    "--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE", help="A server setting (repeatable)."
)
def start_command(state_dir: str, port: int | None, master: str | None, spark_conf: tuple[str, ...]) -> None:
    """Start the engine in the background and wait until it accepts sessions."""
    from infaflow.codegen import engine
    from infaflow.codegen.executor import driver_jars
    from infaflow.codegen.spark_target import parse_conf

    before = engine.running(state_dir)
    try:
        state = engine.start(
            state_dir, port=port, master=master, conf=parse_conf(spark_conf), jars=driver_jars()
        )
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    verb = "already running" if before is not None else "started"
    click.echo(f"engine {verb}: {state.url} (pid {state.pid}, log {state.log})")


@engine_group.command("status")
@STATE_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status_command(state_dir: str, as_json: bool) -> None:
    """Whether the engine is up (exit 0) or not (exit 1)."""
    from infaflow.codegen import engine

    state = engine.running(state_dir)
    data = {
        "running": state is not None,
        "url": state.url if state else None,
        "pid": state.pid if state else None,
        "log": state.log if state else None,
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
    elif state is not None:
        click.echo(f"engine running: {state.url} (pid {state.pid}, log {state.log})")
    else:
        click.echo("engine not running")
    sys.exit(0 if state is not None else 1)


@engine_group.command("stop")
@STATE_DIR
def stop_command(state_dir: str) -> None:
    """Stop the engine (sessions running on it are stopped with it)."""
    from infaflow.codegen import engine

    try:
        stopped = engine.stop(state_dir)
    except OSError as exc:
        raise InputError(f"could not stop the engine: {exc}", state_dir) from exc
    click.echo("engine stopped" if stopped else "engine not running")


COMMANDS = [engine_group]
