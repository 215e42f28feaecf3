"""Over ../shared/corpus: every real export gives ``inspect --format json`` and an HTML report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main

FDM = "thomasluizzi__Informatica_XML_Parser_v2__Informatica_XML_Parser_v2_FinancialDataMart.XML"


@pytest.mark.corpus
def test_every_exported_file_inspects_as_json_and_reports(
    corpus_dir: Path, corpus_manifest: list[dict[str, str]], tmp_path: Path
) -> None:
    runner = CliRunner()
    counts: Counter[str] = Counter()
    for row in corpus_manifest:
        path = str(corpus_dir / "files" / row["file"])
        res = runner.invoke(main, ["inspect", path, "--format", "json"])
        report = runner.invoke(main, ["report", path, "-o", str(tmp_path / "r.html")])
        if row["looks_exported"] != "yes":
            assert res.exit_code == 2 and report.exit_code == 2, row["file"]
            assert "Traceback" not in res.output and res.output.count("\n") == 1, res.output
            counts["look-alikes rejected"] += 1
            continue
        assert res.exit_code == 0, (row["file"], res.output[-500:])
        assert report.exit_code == 0, (row["file"], report.output[-500:])
        data = json.loads(res.output)
        assert len(data["workflows"]) == int(row["n_workflows"]), row["file"]
        assert len(data["mappings"]) == int(row["n_mappings"]), row["file"]
        for wf in data["workflows"]:
            assert wf["analysis"] is not None, (row["file"], wf["problems"])
            assert wf["analysis"]["critical_path"][0] in {
                t["path"] for t in wf["tasks"] if t["type"] == "Start"
            }
            counts["workflows analysed"] += 1
            counts["tasks"] += len(wf["tasks"])
            counts["graph warnings"] += len(wf["problems"])
        counts["mappings scored"] += len(data["mappings"])
        counts["files"] += 1
        html = (tmp_path / "r.html").read_text(encoding="utf-8")
        assert html.count('class="dag"') >= len(data["workflows"])
    print(f"\ncorpus inspect/report: {dict(counts)}")
    assert counts["files"] == sum(1 for r in corpus_manifest if r["looks_exported"] == "yes")


@pytest.mark.corpus
def test_financial_data_mart_analysis(corpus_dir: Path) -> None:
    res = CliRunner().invoke(main, ["inspect", str(corpus_dir / "files" / FDM), "--json"])
    [wf] = json.loads(res.output)["workflows"]
    a = wf["analysis"]
    sessions = [t for t in wf["tasks"] if t["type"] == "Session"]
    assert len(sessions) == 114
    assert (a["depth"], a["width"]) == (110, 14)
    assert len(a["critical_path"]) == 110 and a["critical_path"][0] == "Start"
    decisions = [d for d in a["decision_points"] if d["type"] == "Decision"]
    assert {d["task"] for d in decisions} == {
        "decisionStagingLoadsComplete",
        "decisionDimensionLoadsComplete",
        "Decision_FactTablesComplete",
    }
    assert all(d["decision"] for d in decisions)  # read from ATTRIBUTE "Decision Name"
    # the 13 tasks without input links are never run by PowerCenter: reported, and their slack is the whole run
    unreachable = [p for p in wf["problems"] if "not reachable" in p["message"]]
    assert len(unreachable) == 13 and all(p["severity"] == "warning" for p in unreachable)


@pytest.mark.corpus
def test_financial_data_mart_drawing_fits_beside_the_analysis(corpus_dir: Path) -> None:
    import infaflow
    from infaflow.graph import build_graph
    from infaflow.graph.analysis import reachable
    from infaflow.report.layout import layout

    export = infaflow.load(str(corpus_dir / "files" / FDM))
    folder, wf = next(export.workflows())
    graph = build_graph(wf, folder)
    never = [n for n in graph.nodes if n not in reachable(graph)]
    lay = layout(graph, last=never)
    assert lay.width <= 1200  # fits a 1600 px window next to the 360 px analysis panel
    assert lay.bands >= 15  # 110 levels wrapped into lines read top to bottom
    assert len(lay.boxes) == 135
    # the 13 tasks that never run fill the last band, not the first
    assert len(never) == 13 and lay.last_top is not None
    assert all(
        lay.boxes[n].y >= lay.last_top > lay.boxes[m].y for n in never for m in graph.nodes if m not in never
    )
