"""One consistent command line, whichever module defines a command.

Applied to every command when it is registered (:func:`harmonise`):

- each command's ``--help`` ends with examples (:data:`EXAMPLES`, unless the command set its own epilog);
- ``--state-dir`` is a directory everywhere (``click.Path(file_okay=False)``).

And the top-level ``--help`` lists each command with its whole first sentence (:func:`short_help`),
wrapped instead of cut with "...".
"""

from __future__ import annotations

import types

import click

from infaflow.cli._options import examples

#: A first sentence longer than this is shown up to its colon, when it has one.
LONG_SENTENCE = 140

#: Command path (space-separated) -> example command lines for its ``--help``.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "inspect": (
        "infaflow inspect exports/                          # folders, workflows, sessions, complexity",
        "infaflow inspect exports/ -w wf_orders             # tasks, levels, critical path",
        "infaflow inspect exports/ -w wf_orders --format dot | dot -Tsvg > wf.svg",
    ),
    "report": (
        "infaflow report exports/ -o report.html",
        "infaflow report exports/ -o report.html --durations durations.json",
    ),
    "validate": (
        "infaflow validate exports/",
        "infaflow validate exports/ --param-file params.txt --json",
    ),
    "convert": (
        "infaflow convert exports/ -o out/                  # a project: one PySpark job per session",
        "infaflow convert exports/ -w wf_orders -o out/ --airflow",
        "infaflow run out/                                  # run the converted project",
    ),
    "data": ("infaflow data load RETAIL_OLTP.CUSTOMERS customers.csv",),
    "expr": (
        "infaflow expr eval \"IIF(ISNULL(X), 'none', X)\" --vars-json '{\"X\": null}'",
        'infaflow expr pyspark "SUBSTR(NAME, 1, 3)"',
    ),
    "expr eval": (
        "infaflow expr eval \"TO_CHAR(TO_DATE('2024-01-31','YYYY-MM-DD'), 'MON DD')\"",
        'infaflow expr eval "$$N + 1" --vars-json \'{"$$N": 41}\' --json',
    ),
    "expr pyspark": (
        'infaflow expr pyspark "LTRIM(RTRIM(NAME))"',
        'infaflow expr pyspark "AMOUNT > 100" --condition --types-json \'{"AMOUNT": "decimal"}\'',
    ),
    "expr check": ("infaflow expr check exports/*.xml --json",),
    "expr functions": ("infaflow expr functions --json",),
    "engine": ("infaflow engine start", "infaflow engine status --json", "infaflow engine stop"),
    "engine start": ("infaflow engine start --master local[4]",),
    "engine status": ("infaflow engine status --json",),
    "engine stop": ("infaflow engine stop",),
    "airflow": ("infaflow airflow test exports/ -w wf_orders",),
    "airflow test": ("infaflow airflow test exports/ -w wf_orders --param-file params.txt --json",),
}


def harmonise(command: click.Command, path: str = "") -> None:
    """Apply the rules above to ``command`` and, for a group, to its subcommands."""
    path = f"{path} {command.name}".strip()
    if not command.epilog and path in EXAMPLES:
        command.epilog = examples(*EXAMPLES[path])
    for param in command.params:
        if (
            isinstance(param, click.Option)
            and param.name == "state_dir"
            and not isinstance(param.type, click.Path)
        ):
            param.type = click.Path(file_okay=False)
    if isinstance(command, click.Group):
        command.format_commands = types.MethodType(format_commands, command)  # type: ignore[method-assign]
        for sub in command.commands.values():
            harmonise(sub, path)


#: One-line descriptions for commands whose first sentence does not read well alone.
SHORT_HELP: dict[str, str] = {
    "report": "Write a self-contained HTML report: workflows and mappings ranked by complexity, each DAG and "
    "its analysis",
}


def short_help(command: click.Command) -> str:
    """The command's one-line description: its ``short_help``, else the whole first sentence of its help."""
    if command.name in SHORT_HELP:
        return SHORT_HELP[command.name]
    if command.short_help:
        return command.short_help.rstrip(".")
    text = " ".join((command.help or "").split("\n\n", 1)[0].split())
    text = text.partition(". ")[0]
    if len(text) > LONG_SENTENCE:  # a long sentence: its main clause, when it has one
        text = text.partition(": ")[0]
    return text.rstrip(".")


def format_commands(group: click.Group, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """The Commands section of a group's ``--help``: whole first sentences, wrapped (not cut)."""
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        rows.append((name, short_help(command)))
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)
