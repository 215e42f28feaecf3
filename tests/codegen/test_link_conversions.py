"""Links between ports of different datatypes (Designer Guide, Datatype Reference, "Port-to-Port Data
Conversion"): a number or a date entering a string port becomes the text TO_CHAR gives it (dates in the
session's DateTime Format String, decimals with their port's scale), a string entering a date port the date
TO_DATE reads in that format (a row error when it does not match), and a link PowerCenter refuses (number
<-> date) is reported. The expected texts come from the expression evaluator's TO_CHAR and TO_DATE."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.expr import DictEnvironment, evaluate, parse
from infaflow.model import Attributes, Config, Transformation

S, DEC, INT, DBL, DATE = "string", "decimal", "integer", "double", "date/time"
OUT = "OUTPUT"
FORMAT = "MM/DD/YYYY HH24:MI:SS"


def _mapping(session_format: str = FORMAT) -> MappingBuilder:
    """SRC -> EXP_TYPED (integer, decimal(10,2), double, date and string outputs) -> EXP_LINKED (string
    inputs fed by the numbers and the date, a date input fed by the string) -> OUT (all strings)."""
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("I", INT), ("D", DEC), ("X", DBL), ("DTXT", S), ("STXT", S)])
    b.add(
        Transformation(
            "EXP_TYPED",
            "Expression",
            ports=[
                port("ID", INT),
                port("I", INT, "INPUT"),
                port("D", DEC, "INPUT"),
                port("X", DBL, "INPUT"),
                port("DTXT", S, "INPUT"),
                port("STXT", S, "INPUT"),
                port("O_I", INT, OUT, "I"),
                port("O_D", DEC, OUT, "D", precision=10, scale=2),
                port("O_X", DBL, OUT, "X"),
                port("O_DT", DATE, OUT, "TO_DATE(DTXT, 'YYYY-MM-DD HH24:MI:SS')", precision=29),
                port("O_S", S, OUT, "STXT"),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP_TYPED", ["ID", "I", "D", "X", "DTXT", "STXT"])
    b.add(
        Transformation(
            "EXP_LINKED",
            "Expression",
            ports=[
                port("ID", INT),
                port("S_I", S, "INPUT/OUTPUT"),
                port("S_D", S, "INPUT/OUTPUT"),
                port("S_X", S, "INPUT/OUTPUT"),
                port("S_DT", S, "INPUT/OUTPUT"),
                port("DT", DATE, "INPUT", precision=29),
                port("O_DAY", S, OUT, "TO_CHAR(DT, 'YYYY/MM/DD HH24.MI.SS')"),
            ],
        )
    )
    b.connect(
        "EXP_TYPED",
        "EXP_LINKED",
        {"ID": "ID", "O_I": "S_I", "O_D": "S_D", "O_X": "S_X", "O_DT": "S_DT", "O_S": "DT"},
    )
    b.flat_target("OUT", [("ID", INT), ("S_I", S), ("S_D", S), ("S_X", S), ("S_DT", S), ("O_DAY", S)])
    b.connect("EXP_LINKED", "OUT", ["ID", "S_I", "S_D", "S_X", "S_DT", "O_DAY"])
    b.with_session({})
    assert b.session is not None
    b.session.config = Config(
        "default_session_config", attributes=Attributes({"DateTime Format String": session_format})
    )
    return b


def _evaluated(expression: str, value: object, fmt: str = FORMAT) -> str | None:
    result = evaluate(parse(expression), DictEnvironment({"v": value}, date_format=fmt))
    return None if result is None else str(result)


def test_conversions_are_made_in_the_select_of_the_receiving_step() -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    code = job.code
    assert 'F.col("O_D").cast("decimal(10,2)").cast("string").alias("S_D")' in code
    assert 'F.date_format(F.col("O_DT"), "MM/dd/yyyy HH:mm:ss").alias("S_DT")' in code
    assert 'F.col("O_S").alias("_link_text_DT")' in code and 'job.reject_errors("EXP_LINKED"' in code


def test_a_link_between_a_number_and_a_date_is_reported_at_the_port() -> None:
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", INT), ("N", INT)])
    b.add(Transformation("EXP_N", "Expression", ports=[port("ID", INT), port("N", INT)]))
    b.connect("SQ_SRC", "EXP_N", ["ID", "N"])
    b.add(
        Transformation(
            "EXP_D", "Expression", ports=[port("ID", INT), port("DT", DATE, "INPUT/OUTPUT", line=42)]
        )
    )
    b.connect("EXP_N", "EXP_D", {"ID": "ID", "N": "DT"})
    b.flat_target("OUT", [("ID", INT), ("DT", S)])
    b.connect("EXP_D", "OUT", ["ID", "DT"])
    job = b.render()
    [gap] = [g for g in job.gaps if g.instance == "EXP_D"]
    assert gap.line == 42 and "does not convert a number port" in gap.message, gap


@pytest.mark.spark
def test_rows_match_the_evaluator(spark, tmp_path: Path) -> None:
    rows = [
        [1, 42, "7.6901", "1010.99", "2024-03-15 10:20:30", "03/15/2024 10:20:30"],
        [2, -7, "5", "-15.62567", "1999-12-31 23:59:59", "12/31/1999 00:00:00"],
        [3, 0, "-0.5", "1e20", "2000-02-29 00:00:00", "02/29/2000 12:01:02"],
        [4, None, None, "0.000015", None, None],
        [5, 2147483647, "123456.789", "33.15", "2024-01-01 00:00:00", "not a date"],
        [6, 1, "0", "0", "2024-01-01 00:00:00", "2024-01-01"],
    ]
    write_csv(tmp_path / "src" / "src.dat", ["ID", "I", "D", "X", "DTXT", "STXT"], rows)
    result = run_job(_mapping().render(), spark, tmp_path)
    got = read_csv(tmp_path / "tgt" / "out.out")
    expected = []
    for rid, i, d, x, dtxt, stxt in rows:
        if rid in (5, 6):  # 'not a date' and '2024-01-01' do not match the session format: row errors
            continue
        decimal = None if d is None else Decimal(d).quantize(Decimal("0.01"))
        date = None if dtxt is None else datetime.strptime(dtxt, "%Y-%m-%d %H:%M:%S")
        parsed = _evaluated("TO_DATE(v)", stxt)
        day = None if parsed is None else _evaluated("TO_CHAR(TO_DATE(v), 'YYYY/MM/DD HH24.MI.SS')", stxt)
        expected.append(
            [
                str(rid),
                _evaluated("TO_CHAR(v)", i) or "",
                _evaluated("TO_CHAR(v)", decimal) or "",
                _evaluated("TO_CHAR(v)", float(x)) or "",
                _evaluated("TO_CHAR(v)", date) or "",
                day or "",
            ]
        )
    assert got == expected
    # and the texts the rules give, written out
    assert got[0] == ["1", "42", "7.69", "1010.99", "03/15/2024 10:20:30", "2024/03/15 10.20.30"]
    assert got[1][2] == "5.00" and got[2][2] == "-0.50" and got[2][3] == "1.0E20"
    assert result.trans_errors == 2
    assert result.target_rows == {"OUT": 4}
