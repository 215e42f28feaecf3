"""The session configuration in generated jobs: the config object's DateTime Format String, overridden by the
session and by the workflow's task instance (Transformation Language Reference, "Default Date Format")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.job import render_plan
from infaflow.codegen.plan import build_plan
from infaflow.codegen.session_config import DEFAULT_DATE_FORMAT, session_config
from infaflow.expr import DictEnvironment, ExprError, evaluate, parse
from infaflow.model import Attributes, Config, ConfigReference, Session, TaskInstance, Transformation

SHORT = "MM/DD/YYYY HH24:MI:SS"


def _session(config: dict[str, str] | None = None, reference: dict[str, str] | None = None) -> Session:
    s = Session("s_x", "m_x")
    if config is not None:
        s.config = Config("cfg", attributes=Attributes(config))
    if reference is not None:
        s.config_reference = ConfigReference("cfg", "Session config", Attributes(reference))
    return s


def _instance(overrides: dict[str, str]) -> TaskInstance:
    return TaskInstance(
        "s_x_1",
        "s_x",
        "Session",
        config_reference=ConfigReference("cfg", "Session config", Attributes(overrides)),
    )


@pytest.mark.parametrize(
    ("session", "instance", "date_format", "stop"),
    [
        (None, None, DEFAULT_DATE_FORMAT, True),
        (_session(), None, DEFAULT_DATE_FORMAT, True),
        (_session({"DateTime Format String": SHORT}), None, SHORT, True),
        (_session({"DateTime Format String": ""}), None, DEFAULT_DATE_FORMAT, True),
        # the session's CONFIGREFERENCE overrides the config object, the task instance's overrides both
        (
            _session({"DateTime Format String": SHORT}, {"DateTime Format String": "YYYY-MM-DD"}),
            None,
            "YYYY-MM-DD",
            True,
        ),
        (
            _session({"DateTime Format String": SHORT}, {"datetime format string": "DD.MM.YYYY"}),
            None,
            "DD.MM.YYYY",
            True,
        ),
        (
            _session({"DateTime Format String": SHORT}, {"DateTime Format String": "YYYY-MM-DD"}),
            _instance({"DateTime Format String": "YYYYMMDD"}),
            "YYYYMMDD",
            True,
        ),
        (_session({"On Stored Procedure error": "Stop"}), None, DEFAULT_DATE_FORMAT, True),
        (
            _session({"On Stored Procedure error": "Stop"}, {"On Stored Procedure error": "Continue"}),
            None,
            DEFAULT_DATE_FORMAT,
            False,
        ),
        (
            _session({}),
            _instance({"On Stored Procedure error": "Continue Session"}),
            DEFAULT_DATE_FORMAT,
            False,
        ),
    ],
)
def test_config_resolution(
    session: Session | None, instance: TaskInstance | None, date_format: str, stop: bool
) -> None:
    config = session_config(session, instance)
    assert (config.date_format, config.stop_on_procedure_error) == (date_format, stop)


def _mapping(config: dict[str, str] | None = None, reference: dict[str, str] | None = None) -> MappingBuilder:
    """A date and a string read from a file; TO_CHAR and TO_DATE without a format; the date written to a
    string field of the target (an implicit date-to-string conversion)."""
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", "integer"), ("D", "date"), ("S", "string")])
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", "integer"),
                port("D", "date/time", "INPUT"),
                port("S", "string", "INPUT"),
                port("TXT", "string", "OUTPUT", "TO_CHAR(D)", precision=30),
                port("D2", "date/time", "OUTPUT", "TO_DATE(S)"),
                port("CAT", "string", "OUTPUT", "'at ' || D", precision=40),
                # implicit conversions to the port's type (a trailing comment must not change the expression)
                port("IMPL_TXT", "string", "OUTPUT", "D -- the date as text", precision=30),
                port("IMPL_D", "date/time", "OUTPUT", "S"),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["ID", "D", "S"])
    b.flat_target(
        "OUT",
        [
            ("ID", "integer"),
            ("TXT", "string"),
            ("D2", "date"),
            ("CAT", "string"),
            ("IMPL_TXT", "string"),
            ("IMPL_D", "date"),
            ("D_TXT", "string"),
        ],
    )
    b.connect("EXP", "OUT", ["ID", "TXT", "D2", "CAT", "IMPL_TXT", "IMPL_D"])
    b.connect("SQ_SRC", "OUT", {"D": "D_TXT"})
    b.with_session()
    assert b.session is not None
    if config is not None:
        b.session.config = Config("cfg", attributes=Attributes(config))
    if reference is not None:
        b.session.config_reference = ConfigReference("cfg", "Session config", Attributes(reference))
    return b


@pytest.mark.parametrize(
    ("config", "reference", "lines"),
    [
        (
            None,
            None,
            [
                "    job = Job(spark, SESSION, params, PARAMETERS)",
                '        "TXT": F.date_format(F.col("D"), "MM/dd/yyyy HH:mm:ss.SSSSSS").cast("string"),',
            ],
        ),
        (
            {"DateTime Format String": SHORT},
            None,
            [
                '    job = Job(spark, SESSION, params, PARAMETERS, date_format="MM/DD/YYYY HH24:MI:SS")'
                "  # the session's DateTime Format String",
                '        "TXT": F.date_format(F.col("D"), "MM/dd/yyyy HH:mm:ss").cast("string"),',
                '        "IMPL_TXT": F.date_format(F.col("D"), "MM/dd/yyyy HH:mm:ss").cast("string"),',
                # TO_DATE checks the string's exact shape first (docs/expr.md), then reads it with the short format
                '        "IMPL_D": F.when(F.col("S").rlike(\'^([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4})(?: ([0-9]{1,2})'
                '(?::([0-9]{1,2})(?::([0-9]{1,2}))?)?)?\\\\z\'), F.coalesce(F.try_to_timestamp(F.col("S"), '
                'F.lit("M/d/y H:m:s")), F.try_to_timestamp(F.col("S"), F.lit("M/d/y H:m")), F.try_to_timestamp('
                'F.col("S"), F.lit("M/d/y H")), F.try_to_timestamp(F.col("S"), F.lit("M/d/y")))).cast("timestamp"),',
            ],
        ),
        (
            {"DateTime Format String": SHORT, "Stop on errors": "3"},
            {"DateTime Format String": "YYYY-MM-DD"},
            [
                '    job = Job(spark, SESSION, params, PARAMETERS, stop_on_errors=3, date_format="YYYY-MM-DD")'
                "  # the session's Stop on errors and DateTime Format String",
                '        "TXT": F.date_format(F.col("D"), "yyyy-MM-dd").cast("string"),',
            ],
        ),
    ],
)
def test_generated_lines(
    config: dict[str, str] | None, reference: dict[str, str] | None, lines: list[str]
) -> None:
    code = _mapping(config, reference).render().code.splitlines()
    for line in lines:
        assert line in code


def test_pre85_timestamp_compatibility_is_said_not_honoured() -> None:
    code = _mapping({"DateTime Format String": SHORT, "Pre 85 Timestamp Compatibility": "YES"}).render().code
    assert (
        "    # Pre 85 Timestamp Compatibility = YES is not honoured: its effect on values is not documented "
        "(docs/convert.md)\n    job = Job("
    ) in code
    assert "Pre 85" not in _mapping({"Pre 85 Timestamp Compatibility": "NO"}).render().code


def test_task_instance_override_reaches_the_job() -> None:
    b = _mapping({"DateTime Format String": SHORT})
    plan = build_plan(b.mapping, b.session, b.folder, _instance({"DateTime Format String": "DD/MM/YYYY"}))
    code = render_plan(plan, "job_test").code
    assert 'date_format="DD/MM/YYYY"' in code and 'F.date_format(F.col("D"), "dd/MM/yyyy")' in code


ROWS = [
    [1, "03/15/2024 10:20:30", "03/16/2024 01:02:03"],
    [2, "12/31/1999 23:59:59", "01/02/2000 00:00:00"],
    [3, "", ""],
    [4, "02/29/2024 00:00:01", "2024-02-29"],
]


def _expected(date_format: str) -> list[list[str]]:
    """What PowerCenter writes, from the evaluator with the session's date format."""
    out = []
    for ident, d, s in ROWS:
        date = dt.datetime.strptime(d, "%m/%d/%Y %H:%M:%S") if d else None
        env = DictEnvironment({"D": date, "S": s or None}, date_format=date_format)
        try:
            to_date = evaluate(parse("TO_DATE(S)"), env)
        except ExprError:
            continue  # a row error: PowerCenter skips the row
        as_text = to_date.strftime("%m/%d/%Y %H:%M:%S") if to_date else ""  # the flat file's own date format
        text = evaluate(parse("TO_CHAR(D)"), env) or ""
        out.append(
            [
                str(ident),
                text,
                as_text,
                evaluate(parse("'at ' || D"), env) or "",
                text,
                as_text,
                evaluate(parse("D || ''"), env) or "",
            ]
        )
    return out


@pytest.mark.spark
@pytest.mark.parametrize(
    ("config", "first"),
    [
        (
            {"DateTime Format String": SHORT},
            [
                "1",
                "03/15/2024 10:20:30",
                "03/16/2024 01:02:03",
                "at 03/15/2024 10:20:30",
                "03/15/2024 10:20:30",
                "03/16/2024 01:02:03",
                "03/15/2024 10:20:30",
            ],
        ),
        (
            {},
            [
                "1",
                "03/15/2024 10:20:30.000000",
                "03/16/2024 01:02:03",
                "at 03/15/2024 10:20:30.000000",
                "03/15/2024 10:20:30.000000",
                "03/16/2024 01:02:03",
                "03/15/2024 10:20:30.000000",
            ],
        ),
        # rows 1 and 2 do not match YYYY-MM-DD: rejected
        ({"DateTime Format String": "YYYY-MM-DD"}, ["3", "", "", "at ", "", "", ""]),
    ],
)
def test_rows_follow_the_session_date_format(
    spark: object, tmp_path: Path, config: dict[str, str], first: list[str]
) -> None:
    write_csv(tmp_path / "src" / "src.dat", ["ID", "D", "S"], ROWS)
    result = run_job(_mapping(config).render(), spark, tmp_path)
    rows = read_csv(tmp_path / "tgt" / "out.out")
    expected = _expected(config.get("DateTime Format String", DEFAULT_DATE_FORMAT))
    assert rows[0] == first
    assert rows == expected
    assert result.tgt_success_rows == len(expected)
    assert result.trans_errors == len(ROWS) - len(expected)  # strings that do not match the session's format
