"""One consistent command line: the same option names everywhere, examples in every --help, whole
one-line descriptions in the top-level help."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from infaflow.cli import main


def _commands(
    command: click.Command = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def _options(command: click.Command, name: str) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and p.name == name]


def test_every_command_has_examples_in_its_help() -> None:
    for path, _command in _commands():
        if not path:
            continue
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
        assert result.exit_code == 0, path
        assert "Examples:\n    infaflow " + path[0] in result.output, path


def test_the_same_option_names_everywhere() -> None:
    seen = {"state_dir": 0, "workflow": 0, "folder": 0, "as_json": 0}
    for path, command in _commands():
        for option in _options(command, "state_dir"):
            seen["state_dir"] += 1
            assert option.opts == ["--state-dir"], path
            assert isinstance(option.type, click.Path) and not option.type.file_okay, path
        for option in _options(command, "workflow"):
            seen["workflow"] += 1
            assert set(option.opts) == {"-w", "--workflow"}, path
        for option in _options(command, "folder"):
            seen["folder"] += 1
            assert set(option.opts) == {"-f", "--folder"}, path
        for option in _options(command, "as_json"):
            seen["as_json"] += 1
            assert option.opts == ["--json"] and option.help, path
    assert min(seen.values()) >= 3


def test_top_level_help_has_whole_descriptions() -> None:
    out = CliRunner().invoke(main, ["--help"], terminal_width=80).output
    commands = out.split("Commands:", 1)[1]
    assert "..." not in commands
    words = " ".join(commands.split())
    assert "stop Stop a live run from another shell, as Workflow Monitor does (resume continues it)" in words
    for name in main.commands:
        assert f"\n  {name} " in commands


def test_data_keeps_store_as_a_hidden_alias() -> None:
    out = CliRunner().invoke(main, ["data", "load", "--help"]).output
    assert "--state-dir DIRECTORY" in out and "--store" not in out and "--type COLUMN=TYPE" in out
