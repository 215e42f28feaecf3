"""Mapping variables across runs of `infaflow run`: the final values a session returns are saved in the run
store only when it succeeds, are the next run's start value (under a parameter file's value and a pre-session
variable assignment), and `infaflow show` lists them. The end-to-end test runs an incremental load twice."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import statuses
from runtime_xml import Flow

from infaflow.runtime.executor import SessionOutcome, SessionRequest

ROOT = Path(__file__).resolve().parents[2]


class Executor:
    """Records each request's parameters and returns the mapping variables it is given."""

    def __init__(self, values: dict[str, Any], succeed: bool = True) -> None:
        self.values, self.succeed = values, succeed
        self.requests: list[SessionRequest] = []

    def run_session(self, request: SessionRequest) -> SessionOutcome:
        self.requests.append(request)
        if not self.succeed:
            return SessionOutcome(False, error="target missing", mapping_variables=dict(self.values))
        return SessionOutcome(True, mapping_variables=dict(self.values))

    def close(self) -> None: ...


def _flow(pre_assignment: bool = False) -> Flow:
    f = Flow("wf_inc").var("$$WF_FROM", "date/time", "06/30/2023 00:00:00")
    components = [("Pre-session variable assignment", "Assignment", [("$$LAST_RUN", "$$WF_FROM")], {})]
    f.add("s_load", "Session", components=components if pre_assignment else [])
    return f.link("Start", "s_load")


def test_saved_value_is_the_next_start_value_and_a_failed_session_saves_nothing(run_flows) -> None:
    first = Executor({"$$LAST_RUN": dt.datetime(2024, 1, 5, 10, 30), "$$ROWS": 3})
    result = run_flows(_flow(), session_executor=first)
    assert statuses(result)["s_load"] == "SUCCEEDED"
    assert "$$LAST_RUN" not in first.requests[0].params  # no saved value yet: the job uses the initial value
    assert result.summary["mapping_variables"] == {
        "s_load": {"$$LAST_RUN": "2024-01-05T10:30:00", "$$ROWS": 3}
    }

    failing = Executor({"$$LAST_RUN": dt.datetime(2030, 1, 1), "$$ROWS": 99}, succeed=False)
    result = run_flows(_flow(), session_executor=failing)
    assert statuses(result)["s_load"] == "FAILED"
    assert failing.requests[0].params["$$LAST_RUN"] == dt.datetime(2024, 1, 5, 10, 30)
    assert result.summary["mapping_variables"] == {}

    second = Executor({"$$LAST_RUN": dt.datetime(2024, 2, 1), "$$ROWS": 4})
    run_flows(_flow(), session_executor=second)
    params = second.requests[0].params
    assert (params["$$LAST_RUN"], params["$$ROWS"]) == (
        dt.datetime(2024, 1, 5, 10, 30),
        3,
    )  # not the failed run's


def test_start_value_precedence(run_flows, tmp_path: Path) -> None:
    run_flows(_flow(), session_executor=Executor({"$$LAST_RUN": dt.datetime(2024, 1, 5)}))
    # A pre-session variable assignment beats the saved value...
    executor = Executor({})
    run_flows(_flow(pre_assignment=True), session_executor=executor)
    assert executor.requests[0].params["$$LAST_RUN"] == dt.datetime(2023, 6, 30)
    # ...and a parameter file beats both.
    par = tmp_path / "inc.par"
    par.write_text("[Global]\n$$LAST_RUN=12/31/2022 00:00:00\n")
    executor = Executor({})
    run_flows(_flow(pre_assignment=True), session_executor=executor, param_files=[par])
    assert executor.requests[0].params["$$LAST_RUN"] == "12/31/2022 00:00:00"


def test_show_lists_the_saved_values(run_flows, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from infaflow.cli import main

    result = run_flows(
        _flow(), session_executor=Executor({"$$LAST_RUN": dt.datetime(2024, 1, 5), "$$ROWS": 3})
    )
    state = str(tmp_path / ".infaflow")
    shown = CliRunner().invoke(main, ["show", str(result.run_id), "--state-dir", state, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["mapping_variables"] == {
        "s_load": {"$$LAST_RUN": "2024-01-05T00:00:00", "$$ROWS": 3}
    }
    text = CliRunner().invoke(main, ["show", str(result.run_id), "--state-dir", state])
    assert text.exit_code == 0
    rows = [line.split("│") for line in text.output.splitlines() if "$$" in line]
    assert [[c.strip() for c in r[1:4]] for r in rows] == [
        ["s_load", "$$LAST_RUN", "2024-01-05T00:00:00"],
        ["s_load", "$$ROWS", "3"],
    ]


# -- end to end: an incremental load run twice with Spark -------------------------------------------------

sys.path.insert(0, str(ROOT / "samples" / "_generator"))


def _incremental_export(path: Path) -> Path:
    """orders(ID, UPDATED_AT) -> fil_new (UPDATED_AT > $$LAST_RUN) -> exp_track (SETMAXVARIABLE($$LAST_RUN,
    UPDATED_AT), SETCOUNTVARIABLE($$ROWS_LOADED), $$LAST_RUN) -> loaded."""
    from pcxml import (
        Col,
        FileIO,
        Flow,
        Mapping,
        config,
        folder,
        port,
        powermart,
        render,
        session,
        source_flatfile,
        sq_attrs,
        target_flatfile,
        transformation,
    )

    orders = [Col("ID", "number", 5), Col("UPDATED_AT", "date", 19)]
    loaded = [
        Col("ID", "number", 5),
        Col("UPDATED_AT", "date", 19),
        Col("LAST_SEEN", "date", 19),
        Col("LOADED_FROM", "date", 19),
        Col("N", "number", 5),
    ]
    m = Mapping("m_incremental")
    m.variable("$$LAST_RUN", "date/time", 29, "01/01/2000 00:00:00", is_param=False, agg="MAX")
    m.variable("$$ROWS_LOADED", "integer", 10, "0", is_param=False, agg="COUNT")
    m.source("orders")
    m.transform(
        transformation(
            "SQ_orders",
            "Source Qualifier",
            [port("ID", "decimal", "INPUT/OUTPUT", 5), port("UPDATED_AT", "date/time", "INPUT/OUTPUT", 29)],
            sq_attrs(),
        ),
        associated=["orders"],
    )
    m.connect("orders", "SQ_orders", ["ID", "UPDATED_AT"])
    m.transform(
        transformation(
            "fil_new",
            "Filter",
            [port("ID", "decimal", "INPUT/OUTPUT", 5), port("UPDATED_AT", "date/time", "INPUT/OUTPUT", 29)],
            [("Filter Condition", "UPDATED_AT > $$LAST_RUN")],
        )
    )
    m.connect("SQ_orders", "fil_new", ["ID", "UPDATED_AT"])
    m.transform(
        transformation(
            "exp_track",
            "Expression",
            [
                port("ID", "decimal", "INPUT/OUTPUT", 5, expr="ID"),
                port("UPDATED_AT", "date/time", "INPUT/OUTPUT", 29, expr="UPDATED_AT"),
                port("o_LAST_SEEN", "date/time", "OUTPUT", 29, expr="SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
                port("o_FROM", "date/time", "OUTPUT", 29, expr="$$LAST_RUN"),
                port("o_N", "integer", "OUTPUT", 10, expr="SETCOUNTVARIABLE($$ROWS_LOADED)"),
            ],
        )
    )
    m.connect("fil_new", "exp_track", ["ID", "UPDATED_AT"])
    m.target("loaded")
    m.connect(
        "exp_track",
        "loaded",
        ["ID", "UPDATED_AT", ("o_LAST_SEEN", "LAST_SEEN"), ("o_FROM", "LOADED_FROM"), ("o_N", "N")],
    )
    wf = Flow("wf_incremental")
    wf.start()
    wf.instance("s_incremental", "Session", taskname="s_incremental", reusable=True)
    wf.link("Start", "s_incremental")
    fld = folder("INC", "5b7e1f0c-3a2d-4c9b-8e61-0f2a9d3c4b5e")
    fld.add(
        source_flatfile("orders", orders),
        target_flatfile("loaded", loaded),
        m.node(),
        config(),
        session(
            "s_incremental",
            m,
            reusable=True,
            files={
                "orders": FileIO("$PMSourceFileDir/", "orders.csv"),
                "loaded": FileIO("$PMTargetFileDir/", "loaded.csv"),
            },
        ),
        wf.node(),
    )
    path.write_bytes(render(powermart("rep_test", [fld]), "UTF-8"))
    return path


@pytest.mark.spark
def test_incremental_load_over_consecutive_runs(spark, tmp_path: Path) -> None:
    from infaflow.codegen.executor import SparkSessionExecutor
    from infaflow.export import load
    from infaflow.runtime.api import run_workflow
    from infaflow.runtime.scheduler import RunOptions

    export = load(_incremental_export(tmp_path / "wf_incremental.xml"))
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()

    def run() -> Any:
        return run_workflow(
            export,
            "wf_incremental",
            params={"$PMSourceFileDir": str(src), "$PMTargetFileDir": str(tgt)},
            state_dir=tmp_path / ".infaflow",
            options=RunOptions(working_dir=str(tmp_path)),
            session_executor=SparkSessionExecutor(spark),
        )

    def loaded() -> list[list[str]]:
        header, *rows = (tgt / "loaded.csv").read_text().splitlines()
        assert header == "#ID,UPDATED_AT,LAST_SEEN,LOADED_FROM,N"  # PowerCenter's header starts with #
        return [line.split(",") for line in rows]

    (src / "orders.csv").write_text(
        "ID,UPDATED_AT\n1,01/03/2024 10:00:00\n2,01/05/2024 08:00:00\n3,01/04/2024 00:00:00\n"
    )
    first = run()
    assert first.status == "SUCCEEDED", first.summary
    assert loaded() == [
        ["1", "01/03/2024 10:00:00", "01/03/2024 10:00:00", "01/01/2000 00:00:00", "1"],
        ["2", "01/05/2024 08:00:00", "01/05/2024 08:00:00", "01/01/2000 00:00:00", "2"],
        ["3", "01/04/2024 00:00:00", "01/05/2024 08:00:00", "01/01/2000 00:00:00", "3"],
    ]
    assert first.summary["mapping_variables"] == {
        "s_incremental": {"$$LAST_RUN": "2024-01-05T08:00:00", "$$ROWS_LOADED": 3}
    }

    # The next run reads only rows newer than the saved $$LAST_RUN; the count goes on from 3.
    (src / "orders.csv").write_text(
        "ID,UPDATED_AT\n2,01/05/2024 08:00:00\n4,01/06/2024 09:00:00\n5,01/02/2024 00:00:00\n"
    )
    second = run()
    assert second.status == "SUCCEEDED"
    assert loaded() == [["4", "01/06/2024 09:00:00", "01/06/2024 09:00:00", "01/05/2024 08:00:00", "4"]]
    assert second.summary["mapping_variables"] == {
        "s_incremental": {"$$LAST_RUN": "2024-01-06T09:00:00", "$$ROWS_LOADED": 4}
    }

    # A session that fails saves nothing: the run after it starts from the last successful values.
    (src / "orders.csv").unlink()
    third = run()
    assert statuses(third)["s_incremental"] == "FAILED" and third.summary["mapping_variables"] == {}
    (src / "orders.csv").write_text("ID,UPDATED_AT\n6,01/07/2024 00:00:00\n")
    assert run().status == "SUCCEEDED"
    assert loaded() == [["6", "01/07/2024 00:00:00", "01/07/2024 00:00:00", "01/06/2024 09:00:00", "5"]]
