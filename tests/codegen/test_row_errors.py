"""PowerCenter's row errors in converted jobs: a row error rejects the row (counted, written with its message
to the row-error file) instead of failing the job; a DEFAULTVALUE replaces it; the reader rejects rows whose
values do not convert; `Stop on errors` and ABORT() fail the session."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.support import SessionFailed
from infaflow.model import Transformation

pytestmark = pytest.mark.spark

INT, S, D = "integer", "string", "date"


def _mapping(
    out_port: object, *, source: list[tuple[str, str]] | None = None, stop_on_errors: str | None = None
) -> MappingBuilder:
    """CUST(ID, CODE, AMT) -> EXP(ID, OUT = the port under test) -> OUT(ID, RES)."""
    b = MappingBuilder()
    b.flat_source("CUST", source or [("ID", INT), ("CODE", S), ("AMT", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("CODE", S, "INPUT"),
                port("AMT", INT, "INPUT"),
                out_port,  # type: ignore[list-item]
            ],
        )
    )
    b.connect("SQ_CUST", "EXP", ["ID", "CODE", "AMT"])
    b.flat_target("OUT", [("ID", INT), ("RES", S)])
    b.connect("EXP", "OUT", {"ID": "ID", "RES": "RES"})
    if stop_on_errors is not None:
        b.with_session({"Stop on errors": stop_on_errors})
    return b


ROWS = [[1, "a", 10], [2, "bad", 20], [3, "c", 0], [4, "bad", 40], [5, None, 50]]


def _run(
    b: MappingBuilder,
    spark: object,
    tmp: Path,
    rows: list[list[object]] = ROWS,
    header: tuple[str, ...] = ("ID", "CODE", "AMT"),
) -> object:
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp / "src" / "cust.dat", list(header), rows)
    return run_job(job, spark, tmp)


def _errors_file(tmp: Path, session: str = "m_test") -> list[dict[str, str]]:
    with open(tmp / "bad" / f"{session}_row_errors.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_error_in_an_output_port_rejects_exactly_that_row(spark, tmp_path: Path) -> None:
    res = port(
        "RES",
        S,
        "OUTPUT",
        "IIF(CODE = 'bad', ERROR('bad code ' || ID), UPPER(CODE))",
        default_value="ERROR('transformation error')",
    )
    result = _run(_mapping(res), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "A"], ["3", "C"], ["5", ""]]
    assert result.trans_errors == 2 and result.as_dict()["TotalTransErrors"] == 2
    assert result.source_rows == {"CUST": 5} and result.target_rows == {"OUT": 3}
    errors = _errors_file(tmp_path)
    assert [e["error"] for e in errors] == ["ERROR: bad code 2", "ERROR: bad code 4"]
    assert {e["transformation"] for e in errors} == {"EXP"} and {e["error_type"] for e in errors} == {
        "transformation"
    }
    assert json.loads(errors[0]["row"])["CODE"] == "bad"
    assert result.row_error_file.endswith("m_test_row_errors.csv")


def test_division_by_zero_rejects_the_row_and_the_job_code_has_no_raise_error(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "TO_CHAR(100 / AMT)")
    job = _mapping(res).render()
    assert "raise_error" not in job.code and 'job.reject_errors("EXP", exp)' in job.code
    result = _run(_mapping(res), spark, tmp_path)
    assert [r[0] for r in read_csv(tmp_path / "tgt" / "out.out")] == ["1", "2", "4", "5"]
    assert result.trans_errors == 1
    assert _errors_file(tmp_path)[0]["error"] == "divide by zero"


def test_a_default_value_replaces_the_error(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "IIF(CODE = 'bad', ERROR('bad code'), CODE)", default_value="'n/a'")
    result = _run(_mapping(res), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "out.out") == [
        ["1", "a"],
        ["2", "n/a"],
        ["3", "c"],
        ["4", "n/a"],
        ["5", ""],
    ]
    assert result.trans_errors == 0
    assert not (tmp_path / "bad" / "m_test_row_errors.csv").exists()


def test_an_error_in_a_variable_port_rejects_the_row(spark, tmp_path: Path) -> None:
    b = MappingBuilder()
    b.flat_source("CUST", [("ID", INT), ("CODE", S), ("AMT", INT)])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("CODE", S, "INPUT"),
                port("AMT", INT, "INPUT"),
                port("v_DT", D, "LOCAL VARIABLE", "TO_DATE(CODE, 'YYYYMMDD')"),
                port("RES", S, "OUTPUT", "TO_CHAR(v_DT, 'YYYY-MM-DD')"),
            ],
        )
    )
    b.connect("SQ_CUST", "EXP", ["ID", "CODE", "AMT"])
    b.flat_target("OUT", [("ID", INT), ("RES", S)])
    b.connect("EXP", "OUT", {"ID": "ID", "RES": "RES"})
    result = _run(b, spark, tmp_path, [[1, "20240131", 1], [2, "2024-01-31", 2], [3, "20240229", 3]])
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "2024-01-31"], ["3", "2024-02-29"]]
    assert result.trans_errors == 1
    assert "YYYYMMDD" in _errors_file(tmp_path)[0]["error"]


def test_a_bad_date_in_a_flat_file_source_rejects_the_row(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "TO_CHAR(AMT)")
    b = _mapping(res, source=[("ID", INT), ("CODE", S), ("AMT", INT), ("DT", D)])
    rows = [
        [1, "a", 1, "01/31/2024 00:00:00"],
        [2, "b", 2, "31/01/2024 00:00:00"],
        [3, "c", "x7", ""],
        [4, "d", 4, "02/29/2024 10:11:12"],
    ]
    result = _run(b, spark, tmp_path, rows, ("ID", "CODE", "AMT", "DT"))
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "1"], ["4", "4"]]
    assert result.source_rejected_rows == {"CUST": 2} and result.as_dict()["SrcFailedRows"] == 2
    assert result.source_rows == {"CUST": 2} and result.trans_errors == 0
    errors = _errors_file(tmp_path)
    assert [e["error_type"] for e in errors] == ["reader", "reader"]
    assert "DT: value '31/01/2024 00:00:00'" in errors[0]["error"] and "AMT: value 'x7'" in errors[1]["error"]


def test_stop_on_errors_fails_the_session_on_the_second_error(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "IIF(CODE = 'bad', ERROR('bad code'), CODE)")
    job = _mapping(res, stop_on_errors="2").render()
    assert "stop_on_errors=2" in job.code
    with pytest.raises(
        SessionFailed, match=r"2 row errors in EXP reached the session's Stop on errors threshold \(2\)"
    ):
        _run(_mapping(res, stop_on_errors="2"), spark, tmp_path)
    assert not (tmp_path / "tgt" / "out.out").exists()  # failed before its targets were written
    assert len(_errors_file(tmp_path, "s_test")) == 2


def test_stop_on_errors_above_the_error_count_lets_the_session_succeed(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "IIF(CODE = 'bad', ERROR('bad code'), CODE)")
    result = _run(_mapping(res, stop_on_errors="3"), spark, tmp_path)
    assert result.trans_errors == 2 and len(read_csv(tmp_path / "tgt" / "out.out")) == 3


def test_stop_on_errors_from_a_service_variable(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "IIF(CODE = 'bad', ERROR('bad code'), CODE)")
    job = _mapping(res, stop_on_errors="$PMSessionErrorThreshold").render()
    write_csv(tmp_path / "src" / "cust.dat", ["ID", "CODE", "AMT"], ROWS)
    with pytest.raises(SessionFailed):
        run_job(job, spark, tmp_path, {"$PMSessionErrorThreshold": "1"})
    assert run_job(job, spark, tmp_path).trans_errors == 2  # the variable's default, 0: never stop


def test_abort_fails_the_session_with_its_message(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "IIF(CODE = 'bad', ABORT('stop at ' || ID), CODE)")
    from infaflow.codegen.executor import _message

    with pytest.raises(Exception, match="ABORT: stop at 2") as caught:
        _run(_mapping(res), spark, tmp_path)
    assert "ABORT: stop at 2" in _message(caught.value)  # the session's error: one line
    assert not (tmp_path / "tgt" / "out.out").exists()


def test_an_expression_without_row_errors_is_unchanged(spark, tmp_path: Path) -> None:
    res = port("RES", S, "OUTPUT", "UPPER(CODE) || AMT")
    job = _mapping(res).render()
    assert "_row_error" not in job.code and "reject_errors" not in job.code


def test_the_session_executor_reports_reader_rejects_as_src_failed_rows(spark, tmp_path: Path) -> None:
    """infaflow run: SrcFailedRows of the session's task variables comes from the reader's rejects."""
    from infaflow.codegen.executor import SparkSessionExecutor
    from infaflow.export import load
    from infaflow.runtime.executor import SessionRequest

    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "data"
    data.mkdir()
    for f in (root / "samples" / "orders" / "data").iterdir():
        text = f.read_text()
        if f.name == "customers.csv":  # CUSTOMER_ID is NUMBER(10): 'X1002' does not convert
            text = text.replace("\n1002,", "\nX1002,")
        (data / f.name).write_text(text)
    export = load(root / "samples" / "orders" / "wf_orders_daily.xml")
    folder = export.folders[0]
    instance = folder.workflows[0].instance("s_m_customer_dim")
    assert instance is not None and instance.task is not None
    request = SessionRequest(
        export,
        folder,
        folder.workflows[0],
        "s_m_customer_dim",
        instance,
        instance.task,  # type: ignore[arg-type]
        params={
            "$PMSourceFileDir": str(data),
            "$PMTargetFileDir": str(tmp_path / "out"),
            "$PMBadFileDir": str(tmp_path / "bad"),
        },
        run_id="t1",
        state_dir=tmp_path / "state",
    )
    outcome = SparkSessionExecutor(spark).run_session(request)
    assert outcome.succeeded, outcome.error
    assert (outcome.src_success_rows, outcome.src_failed_rows) == (11, 1)
    errors = _errors_file(tmp_path, "s_m_customer_dim")
    assert errors[0]["transformation"] == "customers" and "X1002" in errors[0]["error"]
