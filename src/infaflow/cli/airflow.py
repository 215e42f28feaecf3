"""``infaflow airflow``: workflows as Airflow 3 DAGs (``test``: render a workflow's DAG and run it once
in-process with ``dag.test()``). Airflow is an optional extra: ``pip install 'infaflow[airflow]'``."""

from __future__ import annotations

from pathlib import Path

import click

EXIT_OK, EXIT_FAILED = 0, 1


@click.group("airflow")
def airflow_group() -> None:
    """Workflows as Airflow 3 DAGs (one Airflow task per task instance, PowerCenter's semantics)."""


@airflow_group.command("test")
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...", type=click.Path())
@click.option(
    "--workflow", "-w", default=None, help="Workflow to run (may be left out when the exports hold only one)."
)
@click.option("--folder", "-f", default=None, help="Folder of the workflow (when several have it).")
@click.option(
    "--param-file",
    "param_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="PowerCenter parameter file (repeatable; earlier ones win).",
)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter or variable value.")
@click.option(
    "--state-dir",
    default=".infaflow",
    show_default=True,
    envvar="INFAFLOW_STATE_DIR",
    help="Run store, logs and persistent variables (as for infaflow run).",
)
@click.option(
    "--airflow-home",
    type=click.Path(file_okay=False),
    default=None,
    help="Airflow home for the test run (default: a new temporary folder with a SQLite database).",
)
@click.option(
    "--summary-json", type=click.Path(dir_okay=False), default=None, help="Write the run summary as JSON."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def test_command(
    ctx: click.Context,
    exports: tuple[str, ...],
    workflow: str | None,
    folder: str | None,
    param_files: tuple[str, ...],
    params: tuple[str, ...],
    state_dir: str,
    airflow_home: str | None,
    summary_json: str | None,
    as_json: bool,
) -> None:
    """Render the workflow's DAG and run it once with dag.test() in this process (sessions on a local
    Spark session); prints and writes the same summary as infaflow run (exit 0 when the workflow
    SUCCEEDED, 1 when not)."""
    from infaflow.airflow.testing import test_workflow, use_airflow_home
    from infaflow.cli.run import print_outcome, write_summary
    from infaflow.runtime.api import parse_param

    values = dict(parse_param(p) for p in params)
    use_airflow_home(airflow_home)
    from infaflow.airflow.config import SharedExecutor
    from infaflow.codegen.executor import SparkSessionExecutor

    executor = SharedExecutor(SparkSessionExecutor())
    try:
        run = test_workflow(
            [str(Path(e)) for e in exports],
            workflow,
            folder,
            param_files=list(param_files),
            params=values,
            state_dir=state_dir,
            session_executor=executor,
        )
    finally:
        executor.shutdown()
    write_summary(run.summary, summary_json, as_json)
    if not as_json:
        print_outcome(run.summary)
        click.echo(f"  Airflow: DAG run {run.dag_state} ({run.dag_file})")
    ctx.exit(EXIT_OK if run.status == "SUCCEEDED" else EXIT_FAILED)


COMMANDS = [airflow_group]
