"""The ``infaflow`` command line: a thin click layer over the library.

Each module in this package owns one command group or command and exposes ``COMMANDS`` (a list of click
commands); they are discovered here, so adding a command never touches this file. Errors a user caused
(:class:`~infaflow.errors.InputError`) are printed as ``file:line: message`` with exit code 2 and no
traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from typing import Any

import click

from infaflow import __version__
from infaflow.cli._consistency import format_commands, harmonise
from infaflow.errors import InputError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class _Group(click.Group):
    """A click group that maps input errors to exit code 2 with a one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (KeyboardInterrupt, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except MemoryError:
            click.echo("error: out of memory", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except RecursionError:  # e.g. an expression of thousands of nested parentheses
            click.echo("error: the input is nested too deeply to read (thousands of levels)", err=True)
            ctx.exit(EXIT_BAD_INPUT)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Whole one-line descriptions, wrapped rather than cut (see cli/_consistency.py)."""
        format_commands(self, ctx, formatter)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="infaflow")
def main() -> None:
    """Inspect, run and convert Informatica PowerCenter workflow exports."""


def _register() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            harmonise(command)
            main.add_command(command)


_register()


def run() -> None:  # pragma: no cover - console entry helper
    sys.exit(main())
