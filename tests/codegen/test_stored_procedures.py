"""Stored Procedure transformations (Transformation Guide, "Stored Procedure Transformation").

Tables of small mappings with the exact generated lines or gap messages, the support module's Call Text and
statement rules, and generated jobs run with spark-submit against a real PostgreSQL server: procedures and
functions created by the test, rows and side effects (audit rows, in the order PowerCenter makes them) checked
after the run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv
from pg_server import postgres_server, psql, submit_job  # noqa: F401 - the postgres fixture

from infaflow.codegen import support
from infaflow.codegen.job import JobSource
from infaflow.model import Attributes, Config, Transformation


def sp(
    name: str,
    kind: str,
    ports: list | None = None,
    call: str = "",
    conn: str = "PG",
    order: str = "1",
    proc: str = "",
) -> Transformation:
    return Transformation(
        name,
        "Stored Procedure",
        ports=ports or [],
        attributes=Attributes(
            {
                "Stored Procedure Name": proc or name.lower(),
                "Connection Information": conn,
                "Call Text": call,
                "Stored Procedure Type": kind,
                "Execution Order": order,
            }
        ),
    )


def _base(
    *procedures: Transformation,
    expression: str = "",
    config: dict[str, str] | None = None,
    session: dict[str, str] | None = None,
) -> MappingBuilder:
    """A file source, the given procedures (unconnected), an Expression (``TAX`` = ``expression``), a file
    target."""
    b = MappingBuilder()
    b.flat_source("SRC", [("ID", "integer"), ("NAME", "string"), ("AMT", "decimal")])
    for t in procedures:
        b.add(t)
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", "integer"),
                port("AMT", "decimal", "INPUT", scale=2),
                port("TAX", "decimal", "OUTPUT", expression or "AMT", scale=2, line=42),
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["ID", "AMT"])
    b.flat_target("OUT", [("ID", "integer"), ("TAX", "decimal")])
    b.connect("EXP", "OUT", ["ID", "TAX"])
    b.with_session(session)
    assert b.session is not None
    if config:
        b.session.config = Config("cfg", attributes=Attributes(config))
    return b


def _lines(job: JobSource) -> list[str]:
    return [line.strip() for line in job.code.splitlines()]


TAX = sp(
    "SP_TAX",
    "Normal",
    [port("A", "decimal", "INPUT", scale=2), port("T", "decimal", "RETURN/OUTPUT", scale=2)],
    proc="tax",
)


@pytest.mark.parametrize(
    ("kind", "label", "when"),
    [
        ("Source Pre Load", "Source Pre Load", "once, before the session reads its sources"),
        ("Target Pre Load", "Target Pre Load", "once, before the session reads its sources"),
        ("Source Post Load", "Source Post Load", "once, after the targets are loaded"),
        ("Target Post Load", "Target Post Load", "once, after the targets are loaded"),
        ("Target Post-Load", "Target Post Load", "once, after the targets are loaded"),
        ("target  post load", "Target Post Load", "once, after the targets are loaded"),
    ],
)
def test_once_per_session_types(kind: str, label: str, when: str) -> None:
    job = _base(sp("SP_X", kind, call="audit_run(done, $$BATCH)")).render()
    assert job.complete, job.gaps
    lines = _lines(job)
    assert f"# Stored Procedure SP_X: {label}, {when}" in lines
    assert (
        f'job.stored_procedure("SP_X", job.connection("PG"), "audit_run(done, $$BATCH)", stage="{label}")'
        in lines
    )
    # registered right after the Job, before any source is read
    assert lines.index(f"# Stored Procedure SP_X: {label}, {when}") < lines.index("src = job.read_flat_file(")


def test_session_procedures_run_in_type_then_execution_order() -> None:
    job = _base(
        sp("SP_TPOST", "Target Post Load", call="p_tpost()"),
        sp("SP_SPRE_2", "Source Pre Load", call="p_spre2()", order="2"),
        sp("SP_SPOST", "Source Post Load", call="p_spost()"),
        sp("SP_TPRE", "Target Pre Load", call="p_tpre()"),
        sp("SP_SPRE_1", "Source Pre Load", call="p_spre1()", order="1"),
        sp("SP_NOCALL", "Source Pre Load", proc="check_space"),
    ).render()
    calls = [line.split('"')[1] for line in _lines(job) if line.startswith("job.stored_procedure(")]
    assert calls == ["SP_NOCALL", "SP_SPRE_1", "SP_SPRE_2", "SP_TPRE", "SP_SPOST", "SP_TPOST"]
    # no Call Text: the procedure's name with an empty argument list
    assert (
        'job.stored_procedure("SP_NOCALL", job.connection("PG"), "check_space()", stage="Source Pre Load")'
        in _lines(job)
    )


@pytest.mark.parametrize(
    ("conn", "session", "code"),
    [
        ("PG", None, 'job.connection("PG")'),
        ("Relational:DWH", None, 'job.connection("DWH")'),
        ("$Target", {"$Target connection value": "DWH_TGT"}, 'job.connection("DWH_TGT")'),
        ("$Source", {"$Source connection value": "OLTP"}, 'job.connection("OLTP")'),
        ("$Source", {"$Source connection value": "Relational:zCPMSReader"}, 'job.connection("zCPMSReader")'),
        (
            "$Target",
            {"$Target connection value": "$DBConnectionTarget"},
            'job.connection("$DBConnectionTarget", "$DBConnectionTarget")',
        ),
        ("$Source", None, 'job.connection("$Source", "$Source")'),
        ("$DBConnection_AUDIT", None, 'job.connection("$DBConnection_AUDIT", "$DBConnection_AUDIT")'),
    ],
)
def test_connection_information(conn: str, session: dict[str, str] | None, code: str) -> None:
    job = _base(sp("SP_X", "Target Pre Load", call="p()", conn=conn), session=session).render()
    assert f'job.stored_procedure("SP_X", {code}, "p()", stage="Target Pre Load")' in _lines(job)


def test_connected_procedure_is_called_per_row() -> None:
    b = _base()
    b.add(
        sp(
            "SP_NEXT",
            "Normal",
            [port("X", "integer", "INPUT"), port("RESULT", "integer", "RETURN/OUTPUT")],
            proc="add_ten",
        )
    )
    b.connect("SQ_SRC", "SP_NEXT", {"ID": "X"})
    b.flat_target("OUT2", [("RESULT", "integer")])
    b.connect("SP_NEXT", "OUT2", ["RESULT"])
    job = b.render()
    assert job.complete, job.gaps
    code = job.code
    assert (
        """    # Stored Procedure SP_NEXT
    # procedure add_ten, called once per row over JDBC
    sp_next = sq_src.select(F.col("ID").alias("X"), "_row_id")
    sp_next = job.call_procedure(
        "SP_NEXT",
        sp_next,
        job.connection("PG"),
        "add_ten",
        ["X"],
        [("RESULT", "int")],
    )
    sp_next = sp_next.select("RESULT", "_row_id")
"""
        in code
    )


def test_unconnected_call_in_an_expression() -> None:
    job = _base(TAX, expression=":SP.SP_TAX(AMT, PROC_RESULT)").render()
    assert job.complete, job.gaps
    assert (
        """    # Stored Procedure SP_TAX
    # unconnected: called once per row where :SP.SP_TAX is called (EXP)
"""
        in job.code
    )
    assert (
        """    exp = sq_src
    exp = exp.withColumns({"_sp_1_in0": F.col("AMT")})
    exp = job.call_procedure(
        "SP_TAX",
        exp,
        job.connection("PG"),
        "tax",
        ["_sp_1_in0"],
        [("_sp_1", "decimal(20,2)")],
    )
    exp = exp.drop("_sp_1_in0")
    exp = exp.withColumns({
        # TAX = :SP.SP_TAX(AMT, PROC_RESULT)
        "TAX": F.col("_sp_1").cast("decimal(20,2)"),
    }).drop("_sp_1")
"""
        in job.code
    )


def test_unconnected_call_without_result() -> None:
    # a procedure with no output is called for its side effect; the port gets NULL
    note = sp("SP_NOTE", "Normal", [port("M", "decimal", "INPUT", scale=2)], proc="note")
    job = _base(note, expression=":SP.SP_NOTE(AMT)").render()
    assert job.complete, job.gaps
    assert (
        """    exp = job.call_procedure(
        "SP_NOTE",
        exp,
        job.connection("PG"),
        "note",
        ["_sp_1_in0"],
        [],
    )
    exp = exp.withColumn("_sp_1", F.lit(None))
"""
        in job.code
    )


def test_normal_procedure_nobody_calls_does_not_run() -> None:
    # as m_DIM_DEPT_AUDIT's CHECK_RECON in the corpus: Normal, no ports, no :SP call
    job = _base(sp("CHECK_RECON", "Normal", conn="Oracle_tgt")).render()
    assert job.complete, job.gaps
    assert "# unconnected, Normal, and called by no expression: it does not run" in _lines(job)
    assert "call_procedure" not in job.code and "stored_procedure(" not in job.code


def test_continue_on_procedure_error_reaches_the_job() -> None:
    job = _base(
        sp("SP_X", "Target Post Load", call="p()"), config={"On Stored Procedure error": "Continue"}
    ).render()
    assert (
        "job = Job(spark, SESSION, params, PARAMETERS, stop_on_procedure_error=False)  "
        "# the session's On Stored Procedure error"
    ) in _lines(job)


@pytest.mark.parametrize(
    ("procedures", "expression", "message"),
    [
        (
            [sp("SP_X", "Before Lunch", call="p()")],
            "",
            "SP_X: Stored Procedure Type 'Before Lunch' is unknown",
        ),
        (
            [sp("SP_X", "Target Pre Load", call="p()", conn="")],
            "",
            "SP_X: the stored procedure names no connection (Connection Information)",
        ),
        (
            [TAX],
            "IIF(AMT > 0, :SP.SP_TAX(AMT, PROC_RESULT), 0)",
            "EXP: :SP.SP_TAX is called inside IIF/DECODE/AND/OR: PowerCenter calls it only for the rows that "
            "reach the call, and the converted job calls procedures for every row of the step",
        ),
        ([TAX], ":SP.SP_TAX(AMT)", "EXP: :SP.SP_TAX: 1 arguments for 1 input and 1 output ports"),
        (
            [TAX],
            ":SP.SP_TAX(PROC_RESULT, AMT)",
            "EXP: :SP.SP_TAX: the arguments must be the 1 input values followed by PROC_RESULT; output "
            "parameters assigned to variables are not supported",
        ),
        (
            [TAX],
            ":SP.SP_NONE(AMT, PROC_RESULT)",
            "EXP: :SP.SP_NONE: no Stored Procedure instance of that name in the mapping",
        ),
        (
            [
                sp(
                    "SP_PRE",
                    "Source Pre Load",
                    [port("A", "decimal", "INPUT"), port("T", "decimal", "RETURN/OUTPUT")],
                )
            ],
            ":SP.SP_PRE(AMT, PROC_RESULT)",
            (
                "EXP: :SP.SP_PRE: a Source Pre Load procedure runs once per session; an expression cannot "
                "call it"
            ),
        ),
    ],
)
def test_gaps(procedures: list[Transformation], expression: str, message: str) -> None:
    job = _base(*procedures, expression=expression).render()
    assert [f"{g.instance}: {g.message}" for g in job.gaps] == [message]


def test_input_output_parameters_are_a_gap() -> None:
    b = _base()
    b.add(sp("SP_IO", "Normal", [port("X", "integer", "INPUT/OUTPUT")], proc="bump"))
    b.connect("SQ_SRC", "SP_IO", {"ID": "X"})
    b.flat_target("OUT2", [("X", "integer")])
    b.connect("SP_IO", "OUT2", ["X"])
    job = b.render()
    assert [g.message for g in job.gaps] == ["input/output parameters (X) are not supported"]


# -- the support module ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("check_disk_space()", "check_disk_space", []),
        ("check_disk_space", "check_disk_space", []),
        ("check_disk_space(oracle_db)", "check_disk_space", ["oracle_db"]),
        ('SP("12/31/2000 11:45:59")', "SP", ["12/31/2000 11:45:59"]),
        ("SP(“12/31/2000 11:45:59”)", "SP", ["12/31/2000 11:45:59"]),
        ('etl.log_run( nightly , "a, b", 42 );', "etl.log_run", ["nightly", "a, b", "42"]),
    ],
)
def test_call_text(text: str, name: str, args: list[str]) -> None:
    assert support.parse_call_text(text) == (name, args)


@pytest.mark.parametrize(
    ("url", "statement"),
    [
        (
            "jdbc:postgresql://db:5432/dwh",
            "DO $infaflow$ BEGIN IF EXISTS (SELECT 1 FROM pg_proc WHERE prokind = 'p' AND proname = "
            "lower('log_run')) THEN CALL etl.log_run('it''s', '42'); ELSE PERFORM etl.log_run('it''s', "
            "'42'); END IF; END $infaflow$",
        ),
        ("jdbc:oracle:thin:@db:1521/dwh", "BEGIN etl.log_run('it''s', '42'); END;"),
        ("jdbc:sqlserver://db;databaseName=dwh", "EXEC etl.log_run 'it''s', '42'"),
        ("jdbc:db2://db:50000/dwh", "CALL etl.log_run('it''s', '42')"),
    ],
)
def test_call_statement(url: str, statement: str) -> None:
    assert support.call_statement(url, "etl.log_run", ["it's", "42"]) == statement


def test_per_row_statement() -> None:
    assert support.per_row_statement("jdbc:postgresql://db/x", "split_name", 1, 2, "s_in", "s_out") == (
        "CREATE TABLE s_out AS SELECT s.sp_row, r.* FROM (SELECT * FROM s_in ORDER BY sp_row) s "
        "CROSS JOIN LATERAL split_name(s.a0) AS r ORDER BY s.sp_row"
    )
    assert support.per_row_statement("jdbc:oracle:thin:@db", "tax", 2, 1, "s_in", "s_out") == (
        "CREATE TABLE s_out AS SELECT s.sp_row, tax(s.a0, s.a1) AS r FROM s_in s"
    )
    with pytest.raises(support.NotConverted, match="output parameters are implemented for PostgreSQL only"):
        support.per_row_statement("jdbc:oracle:thin:@db", "split_name", 1, 2, "s_in", "s_out")


def test_embedded_store_has_no_procedures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFAFLOW_CONNECTIONS", str(tmp_path / "none.toml"))
    job = support.Job(None, "s_x", {}, {})  # type: ignore[arg-type]  # no Spark needed to refuse
    with pytest.raises(
        support.NotConverted,
        match=(
            "SP_X: a stored procedure runs on its database, and connection DWH is the embedded store, which "
            "has no procedures; map it to JDBC in connections.toml"
        ),
    ):
        job.stored_procedure("SP_X", job.connection("DWH"), "p()", stage="Target Pre Load")


# -- against PostgreSQL ------------------------------------------------------------------------------------

FUNCTIONS = """
CREATE TABLE audit (n serial, msg text, batch int);
CREATE PROCEDURE log_event(m text, b int) LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit(msg, batch) VALUES \
(m, b); END $$;
CREATE FUNCTION note(m text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit(msg) VALUES (m); \
END $$;
CREATE FUNCTION add_ten(x int) RETURNS int LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO audit(msg) VALUES ('add_ten ' || coalesce(x::text, 'NULL')); RETURN x + 10; END $$;
CREATE FUNCTION tax(a numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT round(a * 0.1, 2) $$;
CREATE FUNCTION split_name(full_name text, OUT first text, OUT last text) LANGUAGE sql AS
  $$ SELECT split_part(full_name, ' ', 1), split_part(full_name, ' ', 2) $$;
CREATE FUNCTION fail_now(m text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused: %', m; \
END $$;
"""


def _pg_mapping(*extra: Transformation, config: dict[str, str] | None = None) -> MappingBuilder:
    """Every kind of call: pre-load procedures (a PROCEDURE and a void FUNCTION), a connected function with a
    return value, one with two OUT parameters, an unconnected function called with :SP, a post-load
    procedure."""
    b = _base(
        sp("SP_PRE_B", "Source Pre Load", call='log_event("source pre 2", $$BATCH)', order="2"),
        sp("SP_PRE_A", "Source Pre Load", call="note(source pre 1)", order="1"),
        sp("SP_TPRE", "Target Pre Load", call='note("target pre")'),
        sp("SP_POST", "Target Post Load", call="log_event(done, $$BATCH)"),
        TAX,
        *extra,
        expression=":SP.SP_TAX(AMT, PROC_RESULT)",
        config=config,
    )
    b.add(
        sp(
            "SP_NEXT",
            "Normal",
            [port("X", "integer", "INPUT"), port("RESULT", "integer", "RETURN/OUTPUT")],
            proc="add_ten",
        )
    )
    b.add(
        sp(
            "SP_SPLIT",
            "Normal",
            [
                port("FULL_NAME", "string", "INPUT"),
                port("FIRST", "string", "OUTPUT"),
                port("LAST", "string", "OUTPUT"),
            ],
            proc="split_name",
        )
    )
    b.connect("SQ_SRC", "SP_NEXT", {"ID": "X"})
    b.connect("SQ_SRC", "SP_SPLIT", {"NAME": "FULL_NAME"})
    b.flat_target(
        "NAMES", [("ID", "integer"), ("RESULT", "integer"), ("FIRST", "string"), ("LAST", "string")]
    )
    b.connect("SQ_SRC", "NAMES", ["ID"])
    b.connect("SP_NEXT", "NAMES", ["RESULT"])
    b.connect("SP_SPLIT", "NAMES", ["FIRST", "LAST"])
    b.variable("$$BATCH", "integer", "7")
    return b


def _spark_submit(job: JobSource, pg: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert job.complete, job.gaps
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(support.__file__, project / "infaflow_support.py")
    (project / "job.py").write_text(job.code)
    (project / "connections.toml").write_text(
        f'[connections.PG]\nurl = "{pg["url"]}"\ndriver = "org.postgresql.Driver"\nuser_env = "PGUSER_TEST"\n'
    )
    src = tmp_path / "src"
    src.mkdir()
    (src / "src.dat").write_text("ID,NAME,AMT\n1,Ann Lee,10.00\n2,Bob Ray,25.55\n3,,\n")
    dirs = {"$PMSourceFileDir": src, "$PMTargetFileDir": tmp_path / "tgt", "$PMBadFileDir": tmp_path / "bad"}
    return submit_job(
        project,
        {**{name: str(path) for name, path in dirs.items()}, "$$BATCH": "42"},
        tmp_path / "spark-submit.log",
        env={"PGUSER_TEST": "postgres"},
    )


@pytest.mark.spark
def test_procedures_against_postgresql(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(postgres, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + FUNCTIONS)
    # A failing pre-load procedure with On Stored Procedure error = Continue: the session goes on.
    job = _pg_mapping(
        sp("SP_FAIL", "Target Pre Load", call="fail_now(disk full)", order="2"),
        config={"On Stored Procedure error": "Continue"},
    ).render()
    run = _spark_submit(job, postgres, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Target Pre Load stored procedure SP_FAIL failed: ERROR: refused: disk full" in run.stdout
    assert '"TgtSuccessRows": 6' in run.stdout
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "1.0000"], ["2", "2.5600"], ["3", ""]]
    assert read_csv(tmp_path / "tgt" / "names.out") == [
        ["1", "11", "Ann", "Lee"],
        ["2", "12", "Bob", "Ray"],
        ["3", "13", "", ""],
    ]
    # Pre-load procedures in execution order before the rows, one call per row in row order, post-load last.
    assert psql(postgres, "SELECT msg, coalesce(batch::text, '') FROM audit ORDER BY n") == [
        ["source pre 1", ""],
        ["source pre 2", "42"],
        ["target pre", ""],
        ["add_ten 1", ""],
        ["add_ten 2", ""],
        ["add_ten 3", ""],
        ["done", "42"],
    ]
    # the staging tables are dropped
    assert psql(postgres, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'infaflow_sp_%'") == [["0"]]


@pytest.mark.spark
def test_failing_post_load_procedure_fails_the_session(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(postgres, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + FUNCTIONS)
    job = _base(sp("SP_DONE", "Target Post Load", call="fail_now(no audit)")).render()  # Stop: the default
    run = _spark_submit(job, postgres, tmp_path)
    assert run.returncode != 0
    # (spark-submit passes the driver's Python stderr to its stdout)
    assert (
        "SessionFailed: s_test: Target Post Load stored procedure SP_DONE failed: ERROR: refused: no audit"
        in run.stdout + run.stderr
    )
    # the targets were loaded before the post-load procedure ran (PowerCenter has committed them too)
    assert read_csv(tmp_path / "tgt" / "out.out") == [["1", "10.0000"], ["2", "25.5500"], ["3", ""]]
