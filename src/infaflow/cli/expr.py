"""``infaflow expr``: evaluate, translate and check expressions of the transformation language."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import click

from infaflow.errors import InputError
from infaflow.expr import DEFAULT_DATE_FORMAT, DictEnvironment, ExprSyntaxError, Node, evaluate, parse
from infaflow.expr.spark import SparkContext, to_pyspark, to_pyspark_condition
from infaflow.expr.types import Value, type_name

SOURCE = "<expr>"


def _parse(text: str) -> Node:
    try:
        return parse(text, SOURCE, 1)
    except ExprSyntaxError as exc:
        click.echo(str(exc), err=True)
        click.echo(exc.pointer, err=True)
        raise click.exceptions.Exit(2) from None


def _variables(text: str | None) -> dict[str, Value]:
    if not text:
        return {}
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--vars-json is not valid JSON: {exc.msg} (column {exc.colno})", "--vars-json", 1
        ) from None
    if not isinstance(data, dict):
        raise InputError("--vars-json must be a JSON object mapping names to values", "--vars-json", 1)
    out: dict[str, Value] = {}
    for name, value in data.items():
        if isinstance(value, bool):
            value = int(value)
        if value is not None and not isinstance(value, (int, Decimal, str)):
            raise InputError(f"--vars-json: {name} must be a number, a string or null", "--vars-json", 1)
        out[name] = value
    return out


TYPE_NAMES = ("integer", "decimal", "double", "string", "date")


def _types(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        types = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--types-json is not valid JSON: {exc.msg}", "--types-json", 1) from None
    if not isinstance(types, dict) or not all(isinstance(v, str) and v in TYPE_NAMES for v in types.values()):
        raise InputError(f"--types-json must map names to one of {', '.join(TYPE_NAMES)}", "--types-json", 1)
    return types


def _plain(value: Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def value_json(value: Value) -> str:
    """``{"value": ..., "type": ...}`` with numbers as JSON numbers (decimals exactly) and dates in ISO
    8601."""
    kind = type_name(value)
    if isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else json.dumps(str(value))
    elif isinstance(value, float):
        text = json.dumps(value) if value == value and abs(value) != float("inf") else json.dumps(str(value))
    elif isinstance(value, datetime):
        text = json.dumps(value.isoformat())
    else:
        text = json.dumps(value, ensure_ascii=False)
    return f'{{"value": {text}, "type": "{kind}"}}'


@click.group("expr")
def expr_group() -> None:
    """Evaluate, translate and check Informatica transformation-language expressions."""


@expr_group.command("eval")
@click.argument("expression")
@click.option(
    "--vars-json",
    "vars_json",
    metavar="JSON",
    help='Values of names: {"$$X": 1, "$s1.Status": 1, "PORT": "x", "Y": null}.',
)
@click.option(
    "--types-json",
    metavar="JSON",
    help='Types of names whose value is NULL: {"PORT": "string"} (IIF without else needs them).',
)
@click.option("--json", "as_json", is_flag=True, help='Print {"value": ..., "type": ...}.')
@click.option(
    "--date-format",
    default=DEFAULT_DATE_FORMAT,
    show_default=True,
    help="Session DateTime Format String (strings meeting dates).",
)
@click.option("--high-precision", is_flag=True, help="Decimal arithmetic as with 'Enable high precision'.")
def eval_command(
    expression: str,
    vars_json: str | None,
    types_json: str | None,
    as_json: bool,
    date_format: str,
    high_precision: bool,
) -> None:
    """Print the value of EXPRESSION (conditions print 1/0, NULL prints NULL)."""
    node = _parse(expression)
    env = DictEnvironment(
        _variables(vars_json),
        date_format=date_format,
        high_precision=high_precision,
        types=_types(types_json),
    )
    value = evaluate(node, env)
    click.echo(value_json(value) if as_json else _plain(value))


class _CliContext(SparkContext):
    def __init__(self, types: dict[str, str]) -> None:
        self.types = {k.upper(): v for k, v in types.items()}

    def column_type(self, name: str) -> str:
        return self.types.get(name.upper(), "")

    def parameter(self, name: str) -> str:
        return f'F.lit(params["{name}"])'

    def parameter_type(self, name: str) -> str:
        return self.types.get(name.upper(), "")


@expr_group.command("pyspark")
@click.argument("expression")
@click.option(
    "--types-json",
    metavar="JSON",
    help='Types of ports and parameters: {"PRICE": "decimal", "NAME": "string", "$$D": "date"}.',
)
@click.option("--condition", is_flag=True, help="Translate as a boolean condition (filter, router, join).")
def pyspark_command(expression: str, types_json: str | None, condition: bool) -> None:
    """Print the PySpark Column expression computing EXPRESSION (F = pyspark.sql.functions; parameters
    are read from a ``params`` dict)."""
    node = _parse(expression)
    ctx = _CliContext(_types(types_json))
    click.echo(to_pyspark_condition(node, ctx) if condition else to_pyspark(node, ctx))


@expr_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts and every problem as JSON.")
def check_command(files: tuple[Path, ...], as_json: bool) -> None:
    """Parse every expression of export FILES and try translating each to PySpark; report what fails.

    Exit code 2 when an expression does not parse (or a file cannot be read), else 0."""
    from infaflow.expr.check import Summary, check_one
    from infaflow.expr.inventory import expressions_in

    summary = Summary()
    problems: list[dict[str, object]] = []
    unreadable: list[str] = []
    for path in files:
        try:
            found = expressions_in(path)
        except InputError as exc:
            unreadable.append(str(exc))
            continue
        for item in found:
            result = check_one(item)
            summary.add(result)
            if result.problem:
                problems.append(
                    {
                        "file": item.file,
                        "line": item.line,
                        "kind": item.kind,
                        "owner": item.owner,
                        "parsed": result.parsed,
                        "problem": result.problem,
                    }
                )
    syntax_errors = summary.total - summary.parsed
    if as_json:
        click.echo(
            json.dumps(
                {**summary.as_dict(), "unreadable": unreadable, "problems": problems},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for message in unreadable:
            click.echo(message, err=True)
        for p in problems:
            if p["parsed"]:
                click.echo(
                    f"{p['file']}:{p['line']}: {p['kind']} {p['owner']}: not translated: {p['problem']}"
                )
            else:
                click.echo(str(p["problem"]), err=True)
        share = 100.0 * summary.translated / summary.total if summary.total else 100.0
        click.echo(
            f"{summary.total} expressions: {summary.parsed} parse, {summary.translated} translate to "
            f"PySpark ({share:.1f}%); {summary.builtin_translated} of {summary.builtin_only} using only "
            "built-in functions"
        )
    if syntax_errors or unreadable:
        raise click.exceptions.Exit(2)


@expr_group.command("functions")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def functions_command(as_json: bool) -> None:
    """List the built-in functions: arguments, group, whether they translate to PySpark."""
    from infaflow.expr import REGISTRY

    rows = []
    for fn in sorted(REGISTRY.values(), key=lambda f: (f.group, f.name)):
        arity = (
            str(fn.min_args)
            if fn.min_args == fn.max_args
            else (f"{fn.min_args}+" if fn.max_args is None else f"{fn.min_args}-{fn.max_args}")
        )
        rows.append(
            {
                "name": fn.name,
                "group": fn.group,
                "arguments": arity,
                "returns": fn.returns if isinstance(fn.returns, str) else "by argument",
                "pyspark": fn.spark is not None,
                "note": fn.doc if fn.spark else fn.no_spark,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        spark = "pyspark" if row["pyspark"] else "no pyspark"
        click.echo(f"{row['name']:<17} {row['group']:<12} {row['arguments']:<5} {spark:<10} {row['note']}")


COMMANDS = [expr_group]
