"""End to end through a real converted job: a workflow variable names the session's source file, a
pre-session variable assignment gives a mapping parameter the workflow variable's current value (used in a
Filter and written to the target), and a post-session assignment brings a mapping variable's final value
back to the workflow, where a link condition reads it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import statuses

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples" / "_generator"))


def _export(path: Path) -> Path:
    """orders(ID, AMOUNT) -> fil_min (AMOUNT >= $$MIN_AMOUNT) -> exp_tag ($$BATCH, SETCOUNTVARIABLE)
    -> picked; wf_pass: asg_prepare ($$SRC_NAME, $$THRESHOLD) -> s_pick -> cmd_done when $$PICKED = 2."""
    from pcxml import (
        Col,
        FileIO,
        Flow,
        Mapping,
        assignment,
        command,
        config,
        folder,
        port,
        powermart,
        render,
        session,
        session_component,
        source_flatfile,
        sq_attrs,
        target_flatfile,
        transformation,
        user_variable,
    )

    orders = [Col("ID", "number", 5), Col("AMOUNT", "number", 7)]
    picked = [Col("ID", "number", 5), Col("AMOUNT", "number", 7), Col("BATCH", "string", 10)]
    m = Mapping("m_pick")
    m.variable("$$MIN_AMOUNT", "integer", 10, "0")
    m.variable("$$BATCH", "string", 10, "none")
    m.variable("$$PICKED_ROWS", "integer", 10, "0", is_param=False, agg="COUNT")
    m.source("orders")
    both = [port("ID", "decimal", "INPUT/OUTPUT", 5), port("AMOUNT", "decimal", "INPUT/OUTPUT", 7)]
    m.transform(transformation("SQ_orders", "Source Qualifier", both, sq_attrs()), associated=["orders"])
    m.connect("orders", "SQ_orders", ["ID", "AMOUNT"])
    m.transform(transformation("fil_min", "Filter", both, [("Filter Condition", "AMOUNT >= $$MIN_AMOUNT")]))
    m.connect("SQ_orders", "fil_min", ["ID", "AMOUNT"])
    m.transform(
        transformation(
            "exp_tag",
            "Expression",
            [
                port("ID", "decimal", "INPUT/OUTPUT", 5, expr="ID"),
                port("AMOUNT", "decimal", "INPUT/OUTPUT", 7, expr="AMOUNT"),
                port("o_BATCH", "string", "OUTPUT", 10, expr="$$BATCH"),
                port("v_N", "integer", "LOCAL VARIABLE", 10, expr="SETCOUNTVARIABLE($$PICKED_ROWS)"),
            ],
        )
    )
    m.connect("fil_min", "exp_tag", ["ID", "AMOUNT"])
    m.target("picked")
    m.connect("exp_tag", "picked", ["ID", "AMOUNT", ("o_BATCH", "BATCH")])

    wf = Flow("wf_pass")
    wf.start()
    wf.add_task(
        assignment(
            "asg_prepare",
            [("$$SRC_NAME", "'orders_' || $$DAY || '.csv'"), ("$$THRESHOLD", "$$THRESHOLD * 2")],
        )
    )
    wf.instance("asg_prepare", "Assignment")
    wf.add_task(
        session(
            "s_pick",
            m,
            files={
                "orders": FileIO("$PMSourceFileDir/", "$$SRC_NAME"),
                "picked": FileIO("$PMTargetFileDir/", "picked.csv"),
            },
            components=[
                session_component(
                    "Pre-session variable assignment",
                    [("$$MIN_AMOUNT", "$$THRESHOLD"), ("$$BATCH", "'B' || TO_CHAR($$THRESHOLD)")],
                ),
                session_component(
                    "Post-session success variable assignment", [("$$PICKED", "$$PICKED_ROWS")]
                ),
            ],
        )
    )
    wf.instance("s_pick", "Session")
    wf.add_task(command("cmd_done", [("c1", "echo done > done.txt")]))
    wf.instance("cmd_done", "Command")
    wf.link("Start", "asg_prepare")
    wf.link("asg_prepare", "s_pick")
    wf.link("s_pick", "cmd_done", "$$PICKED = 2")
    wf.variables += [
        user_variable("$$SRC_NAME", "string", "missing.csv"),
        user_variable("$$DAY", "string", "20240105"),
        user_variable("$$THRESHOLD", "integer", "15"),
        user_variable("$$PICKED", "integer", "0"),
    ]
    fld = folder("PASS", "7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d")
    fld.add(
        source_flatfile("orders", orders), target_flatfile("picked", picked), m.node(), config(), wf.node()
    )
    path.write_bytes(render(powermart("rep_test", [fld]), "UTF-8"))
    return path


@pytest.mark.spark
def test_workflow_variables_reach_a_converted_job_and_come_back(spark, tmp_path: Path) -> None:
    from infaflow.codegen.executor import SparkSessionExecutor
    from infaflow.export import load
    from infaflow.runtime.api import run_workflow
    from infaflow.runtime.scheduler import RunOptions

    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    (src / "orders_20240105.csv").write_text("ID,AMOUNT\n1,12\n2,30\n3,45\n4,29\n")
    (src / "missing.csv").write_text("ID,AMOUNT\n9,99\n")  # the variable's start value: not what is read
    result = run_workflow(
        load(_export(tmp_path / "wf_pass.xml")),
        "wf_pass",
        params={"$PMSourceFileDir": str(src), "$PMTargetFileDir": str(tgt)},
        state_dir=tmp_path / ".infaflow",
        options=RunOptions(working_dir=str(tmp_path)),
        session_executor=SparkSessionExecutor(spark),
    )
    assert statuses(result) == {
        "Start": "SUCCEEDED",
        "asg_prepare": "SUCCEEDED",
        "s_pick": "SUCCEEDED",
        "cmd_done": "SUCCEEDED",
    }, result.summary
    # $$THRESHOLD became 30: rows with AMOUNT >= 30, tagged with the batch built from it.
    assert (tgt / "picked.csv").read_text().splitlines() == ["#ID,AMOUNT,BATCH", "2,30,B30", "3,45,B30"]
    assert result.summary["variables"]["$$PICKED"] == 2
