"""``infaflow run DIR``: a project written by ``infaflow convert`` runs under the workflow's semantics with
its own (possibly edited) session modules."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main
from infaflow.codegen import executor as spark_executor

ROOT = Path(__file__).resolve().parents[2]
ORDERS = ROOT / "samples" / "orders"
pytestmark = pytest.mark.spark


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if rows:
        rows[0] = [rows[0][0].lstrip("#"), *rows[0][1:]]  # PowerCenter's header line starts with '#'
    return rows


def test_run_converted_project_with_an_edited_module(spark, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The run's executor uses the test run's one SparkSession and leaves it open.
    monkeypatch.setattr(spark_executor, "local_spark", lambda *a, **k: spark)
    monkeypatch.setattr(spark_executor.SparkSessionExecutor, "close", lambda self: None)
    runner = CliRunner()
    project = tmp_path / "proj"
    converted = runner.invoke(main, ["convert", str(ORDERS / "wf_orders_daily.xml"), "-o", str(project)])
    assert converted.exit_code == 0, converted.output
    # A user edit: electronics orders go to another file. The run must execute the edited module.
    module = project / "s_m_order_facts.py"
    code = module.read_text()
    assert code.count('"electronics_orders.csv"') == 1
    module.write_text(code.replace('"electronics_orders.csv"', '"electronics_orders_edited.csv"'))

    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "run",
            str(project),
            "--workflow",
            "wf_orders_daily",
            "--param-file",
            str(ORDERS / "params" / "wf_orders_daily.par"),
            "--param",
            f"$PMSourceFileDir={ORDERS / 'data'}",
            "--param",
            f"$PMTargetFileDir={out}",
            "--state-dir",
            str(tmp_path / "state"),
            "--json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["status"] == "SUCCEEDED"
    from infaflow.runtime.store import RunStore

    store = RunStore(tmp_path / "state")
    record = store.run(summary["run_id"])
    store.close()
    assert record.options["project_dir"] == str(project.resolve())  # what `infaflow resume` reads
    expected = ORDERS / "expected"
    for name, status in [r[:2] for r in _rows(expected / "task_statuses.csv")[1:]]:
        if name in summary["tasks"]:
            assert summary["tasks"][name]["status"] == status, name
    assert not (out / "electronics_orders.csv").exists()
    assert _rows(out / "electronics_orders_edited.csv") == _rows(expected / "electronics_orders.csv")
    for file in sorted(expected.glob("*.csv")):
        if file.name not in ("task_statuses.csv", "electronics_orders.csv"):
            assert _rows(out / file.name) == _rows(file), file.name


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "no PowerCenter export files (*.xml) found"),  # neither exports nor a project
        ("{}", "not an infaflow workflow manifest"),
    ],
)
def test_run_dir_that_is_not_a_project_is_bad_input(
    tmp_path: Path, manifest: str | None, message: str
) -> None:
    if manifest is not None:
        (tmp_path / "workflow_x.json").write_text(manifest)
    result = CliRunner().invoke(main, ["run", str(tmp_path), "-w", "wf", "--state-dir", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_run_dir_unknown_workflow_is_bad_input(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    assert (
        CliRunner()
        .invoke(main, ["convert", str(ORDERS / "wf_orders_daily.xml"), "-o", str(project)])
        .exit_code
        == 0
    )
    result = CliRunner().invoke(
        main, ["run", str(project), "-w", "wf_nope", "--state-dir", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    assert "no workflow 'wf_nope' in the project" in result.output


def test_resume_of_a_project_run_uses_the_project_modules(tmp_path: Path, monkeypatch) -> None:
    """A run started from a converted project records it; `infaflow resume` runs the same (edited) modules
    instead of converting the sessions again."""
    import datetime as dt

    from infaflow.runtime import api
    from infaflow.runtime.store import RunStore

    runner = CliRunner()
    project = tmp_path / "proj"
    assert (
        runner.invoke(main, ["convert", str(ORDERS / "wf_orders_daily.xml"), "-o", str(project)]).exit_code
        == 0
    )
    state = tmp_path / "state"
    store = RunStore(state)
    run_id = store.create_run(
        "wf_orders_daily",
        "ORDERS",
        str(ORDERS / "wf_orders_daily.xml"),
        {"project_dir": str(project)},
        dt.datetime.now(),
    )
    store.finish_run(run_id, "FAILED", dt.datetime.now(), "a session failed")
    store.close()

    seen: dict[str, object] = {}

    def fake_resume(run: int, **kw: object) -> api.RunResult:
        seen.update(kw, run=run)
        return api.RunResult(
            run,
            "SUCCEEDED",
            {
                "run_id": run,
                "workflow": "wf_orders_daily",
                "status": "SUCCEEDED",
                "tasks": {},
                "variables": {},
            },
        )

    monkeypatch.setattr(api, "resume_run", fake_resume)
    result = runner.invoke(main, ["resume", str(run_id), "--state-dir", str(state), "--json"])
    assert result.exit_code == 0, result.output
    factory = seen["session_executor"]
    modules = factory.keywords["modules"]  # functools.partial(SparkSessionExecutor, modules=...)
    assert {Path(p).resolve() for p in modules.values()} == {
        (project / f"{name}.py").resolve()
        for name in ("s_m_customer_dim", "s_m_order_facts", "s_m_customer_orders")
    }
