"""Every generated DAG imports in an Airflow ``DagBag`` with no error: the samples converted with
``infaflow convert --airflow`` (DAGs reading the converted project) and every workflow of the corpus
(DAGs reading the export files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.airflow.dags import dag_text
from infaflow.errors import InputError
from infaflow.export import load

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    ("orders", "wf_orders_daily.xml"),
    ("inventory", "wf_inventory_alerts.xml"),
    ("retail_dw", "wf_retail_nightly.xml"),
]


def _dagbag(folder: Path):  # noqa: ANN202
    from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(folder), include_examples=False, safe_mode=False)


@pytest.mark.parametrize(("sample", "xml"), SAMPLES)
def test_converted_samples_dags_import(airflow_home: Path, tmp_path: Path, sample: str, xml: str) -> None:
    from infaflow.cli import main

    work = tmp_path / sample
    shutil.copytree(ROOT / "samples" / sample, work)
    out = tmp_path / "project"
    result = CliRunner().invoke(main, ["convert", str(work / xml), "-o", str(out), "--airflow"])
    assert result.exit_code == 0, result.output
    dag_files = sorted((out / "dags").glob("*.py"))
    assert [f.stem for f in dag_files] == [Path(xml).stem]
    bag = _dagbag(out / "dags")
    assert bag.import_errors == {}
    dag = bag.dags[Path(xml).stem]
    assert dag.task_dict["Start"].workflow["project"] == str(out.resolve())
    closing = dag.task_dict[Path(xml).stem]
    assert closing.kind == "close" and not closing.downstream_task_ids  # the one leaf


@pytest.mark.corpus
def test_every_corpus_workflow_dag_imports(
    airflow_home: Path, corpus_dir: Path, corpus_manifest: list[dict[str, str]], tmp_path: Path
) -> None:
    files = [row["file"] for row in corpus_manifest if row["n_workflows"] not in ("", "0")]
    written, refused, failures = 0, [], []
    for index, name in enumerate(files):
        path = corpus_dir / "files" / name
        export = load(path, lenient=True)
        folder_dir = tmp_path / f"f{index}"
        ids = []
        for folder, wf in export.workflows():
            try:
                text = dag_text(folder, wf, exports=[str(path)])
            except InputError as exc:  # the same refusal as infaflow run's (no Start task, a cycle...)
                refused.append(f"{name}: {exc}")
                continue
            folder_dir.mkdir(exist_ok=True)
            (folder_dir / f"{wf.name}_{len(ids)}.py").write_text(text, encoding="utf-8")
            ids.append(wf.name)
        if not ids:
            continue
        bag = _dagbag(folder_dir)
        if bag.import_errors or sorted(bag.dag_ids) != sorted(set(ids)):
            failures.append(f"{name}: {bag.import_errors or sorted(bag.dag_ids)}")
        written += len(ids)
    print(f"\ncorpus: {written} DAGs imported, {len(refused)} workflows refused as by infaflow run")
    assert not failures, "\n".join(failures[:5])
    assert written > 50
