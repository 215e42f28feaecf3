"""SQL transformations (Transformation Guide, "SQL Transformation").

Tables of small mappings with the exact generated lines or gap messages, the per-row PL/pgSQL the support
module builds, and generated jobs run with spark-submit against a real PostgreSQL server: every output row
compared with what the guide's rules give (rows per input row, pass-through ports, SQLError, NumRowsAffected,
Max Output Row Count, continue on SQL error, script files), and the database's side effects in row order.
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
from infaflow.model import ConnectionReference, Port, SessionExtension, Transformation

SOURCE = [
    ("ID", "integer"),
    ("NAME", "string"),
    ("DEPT", "string"),
    ("QTXT", "string"),
    ("SCRIPT", "string"),
    ("CONN", "string"),
]


def sqlt(
    name: str,
    ports: list[Port],
    *,
    query: str = "",
    mode: str = "0",
    continue_on_error: bool = False,
    max_rows: int = 0,
    connection_type: str = "0",
) -> Transformation:
    """An SQL transformation as the Designer exports it: a Custom Transformation with METADATAEXTENSIONs."""
    return Transformation(
        name,
        "Custom Transformation",
        template_name="SQL Transform",
        ports=ports,
        metadata_extensions={
            "SQL_Mode": mode,
            "SQL_Query": query,
            "Connection_Type": connection_type,
            "Is_Continue_On_Error_Selected": "TRUE" if continue_on_error else "FALSE",
            "Max_Out_Row_Count": str(max_rows),
            "Auto_Commit": "FALSE",
            "DB_Type": "2",
        },
    )


def inp(name: str, datatype: str = "string", **kw: object) -> Port:
    return port(name, datatype, "INPUT", **kw)  # type: ignore[arg-type]


def out(name: str, datatype: str = "string", **kw: object) -> Port:
    return port(name, datatype, "OUTPUT", **kw)  # type: ignore[arg-type]


SQL_ERROR = out("SQLError", precision=4096)


def _mapping(
    *steps: tuple[Transformation, dict[str, str], list[str]], session: bool = True, stop_on_errors: str = "0"
) -> MappingBuilder:
    """A file source and, for each ``(transformation, inputs from SQ_SRC, outputs)``, a file target named
    after the transformation (``T_<name>``) receiving the listed outputs."""
    b = MappingBuilder()
    b.flat_source("SRC", SOURCE)
    for t, feeds, outputs in steps:
        b.add(t)
        b.connect("SQ_SRC", t.name, feeds)
        kinds = {p.name: p.datatype for p in t.ports}
        b.flat_target(f"T_{t.name}", [(o, kinds[o]) for o in outputs])
        b.connect(t.name, f"T_{t.name}", outputs)
    if session:
        b.with_session({"Stop on errors": stop_on_errors})
        assert b.session is not None
        for t, _feeds, _outputs in steps:
            b.session.extensions.append(
                SessionExtension(
                    type="TEMPLATEEXTENSION",
                    subtype="SQL Transform Midstream Extension",
                    sinstance_name=t.name,
                    connection_references=[
                        ConnectionReference(cnx_ref_name="SQL_Transform", connection_name="PG")
                    ],
                )
            )
    return b


def _lines(job: JobSource) -> list[str]:
    return [line.strip() for line in job.code.splitlines()]


# -- generated code -----------------------------------------------------------------------------------------

DEPT_TITLES = sqlt(
    "SQL_TITLES",
    [
        inp("ID", "integer"),
        inp("NAME"),
        inp("DEPT"),
        SQL_ERROR,
        out("ID_output", "integer"),
        out("NAME_output"),
        out("TITLE"),
        out("LVL", "integer"),
    ],
    query="SELECT title, lvl\r\nFROM dept_titles\r\nWHERE dept = ?DEPT?\r\nORDER BY title",
)


def test_query_mode_code() -> None:
    job = _mapping(
        (
            DEPT_TITLES,
            {"ID": "ID", "NAME": "NAME", "DEPT": "DEPT"},
            ["ID_output", "NAME_output", "TITLE", "LVL", "SQLError"],
        )
    ).render()
    assert job.complete, job.gaps
    assert (
        """    # SQL Transform SQL_TITLES
    # query mode, a static query: runs once per input row over JDBC, in row order; on PostgreSQL \
connections only (other databases and the embedded store stop the job)
    sql_titles = sq_src.select("ID", "NAME", "DEPT", "_row_id")
    sql_titles = job.sql_query(
        "SQL_TITLES",
        sql_titles,
        job.connection("PG"),
        (
            "SELECT title, lvl\\n"
            "FROM dept_titles\\n"
            "WHERE dept = ?DEPT?\\n"
            "ORDER BY title"
        ),
        inputs=["DEPT"],
        outputs=[("TITLE", "string"), ("LVL", "int")],
        continue_on_error=False,
        at_least_one_row=True,  # pass-through ports: every statement gives a row
        max_rows=0,
    )
    sql_titles = sql_titles.select(
        F.col("_sql_error").alias("SQLError"),
        F.col("ID").alias("ID_output"),
        F.col("NAME").alias("NAME_output"),
        "TITLE",
        "LVL",
        "_row_id",
    )
"""
        in job.code
    )


def test_script_mode_code() -> None:
    t = sqlt(
        "SQL_RUN",
        [inp("ScriptName"), out("ScriptResult"), out("ScriptError"), out("NumRowsAffected", "integer")],
        mode="1",
        continue_on_error=True,
    )
    job = _mapping((t, {"SCRIPT": "ScriptName"}, ["ScriptResult", "ScriptError", "NumRowsAffected"])).render()
    assert job.complete, job.gaps
    assert (
        """    sql_run = sq_src.select(F.col("SCRIPT").alias("ScriptName"), "_row_id")
    sql_run = job.sql_script(
        "SQL_RUN",
        sql_run,
        job.connection("PG"),
        "ScriptName",
        continue_on_error=True,
    )
    sql_run = sql_run.select(
        F.col("_script_result").alias("ScriptResult"),
        F.col("_script_error").alias("ScriptError"),
        F.col("_sql_rows_affected").alias("NumRowsAffected"),
        "_row_id",
    )
"""
        in job.code
    )


def test_dynamic_query_and_connection_without_session() -> None:
    t = sqlt("SQL_DYN", [inp("QTXT"), SQL_ERROR, out("V")], query="~QTXT~", max_rows=2)
    job = _mapping((t, {"QTXT": "QTXT"}, ["V"]), session=False).render()
    assert job.complete, job.gaps
    lines = _lines(job)
    assert (
        "# query mode, a dynamic query (~port~ in its text): runs once per input row over JDBC, in row "
        "order; on PostgreSQL connections only (other databases and the embedded store stop the job)" in lines
    )
    assert (
        '# no session sets its connection: job.connection("SQL_DYN") names the connection to map in '
        "connections.toml" in lines
    )
    assert [
        '"~QTXT~",',
        'inputs=["QTXT"],',
        'outputs=[("V", "string")],',
        "continue_on_error=False,",
        "at_least_one_row=False,",
        "max_rows=2,",
    ] == lines[lines.index('job.connection("SQL_DYN"),') + 1 : lines.index('job.connection("SQL_DYN"),') + 7]


def test_passive_query_mode_code() -> None:
    t = sqlt(
        "SQL_ONE",
        [inp("ID", "integer"), SQL_ERROR, out("ID_output", "integer"), out("V")],
        query="SELECT v FROM t WHERE id = ?ID?",
        max_rows=5,
    )
    t.attributes["Is Active"] = "NO"
    job = _mapping((t, {"ID": "ID"}, ["ID_output", "V", "SQLError"])).render()
    assert job.complete, job.gaps
    assert (
        """    # query mode, a static query, passive: runs once per input row over JDBC, in row order; on \
PostgreSQL connections only (other databases and the embedded store stop the job)
    sql_one = sq_src.select("ID", "_row_id")
    sql_one = job.sql_query(
        "SQL_ONE",
        sql_one,
        job.connection("PG"),
        "SELECT v FROM t WHERE id = ?ID?",
        inputs=["ID"],
        outputs=[("V", "string")],
        continue_on_error=False,
        passive=True,  # Is Active = NO: one row out per row in
    )
"""
        in job.code
    )


def test_logical_connection_object_code() -> None:
    t = sqlt(
        "SQL_WHERE",
        [inp("ID", "integer"), inp("LogicalConnectionObject"), SQL_ERROR, out("DB")],
        query="SELECT current_database()",
        connection_type="1",
    )
    job = _mapping((t, {"ID": "ID", "CONN": "LogicalConnectionObject"}, ["DB"])).render()
    assert job.complete, job.gaps
    lines = _lines(job)
    assert (
        "# each row names its connection in LogicalConnectionObject (a logical connection object): the rows "
        "of each connection run on it" in lines
    )
    assert lines[lines.index('"SQL_WHERE",') + 2] == '"LogicalConnectionObject",'


def test_the_conversion_report_names_the_database_steps() -> None:
    job = _mapping((DEPT_TITLES, {"DEPT": "DEPT"}, ["TITLE"])).render()
    assert [(d.instance, d.databases) for d in job.database_steps] == [("SQL_TITLES", ("PostgreSQL",))]
    assert job.database_steps[0].file and job.database_steps[0].line > 0
    assert job.database_steps[0].runs.startswith("query mode, a static query: runs once per input row")


def test_the_session_connection_variable() -> None:
    b = _mapping((DEPT_TITLES, {"DEPT": "DEPT"}, ["TITLE"]))
    assert b.session is not None
    b.session.extensions[-1].connection_references[0] = ConnectionReference(variable="$DBConnection_OLTP")
    assert 'job.connection("SQL_TITLES", "$DBConnection_OLTP"),' in _lines(b.render())


@pytest.mark.parametrize(
    ("t", "message"),
    [
        (
            sqlt("SQL_X", [inp("A"), SQL_ERROR], query="SELECT 1", connection_type="2"),
            "SQL_X: the SQL transformation's Connection_Type 2 has no LogicalConnectionObject port; only a "
            "static or a logical connection is supported",
        ),
        (
            sqlt(
                "SQL_X",
                [inp("A"), inp("ConnectString"), inp("DBUser"), inp("DBPasswd"), SQL_ERROR],
                query="SELECT 1",
                connection_type="2",
            ),
            "SQL_X: the SQL transformation takes its database connection information from ports "
            "(ConnectString, DBUser, DBPasswd): a native connect string per row is not supported",
        ),
        (
            sqlt("SQL_X", [inp("A"), SQL_ERROR], query="  "),
            "SQL_X: the SQL transformation in query mode has no query (SQL_Query is empty)",
        ),
        (
            sqlt("SQL_X", [inp("ScriptName"), out("ScriptResult"), out("ROWS")], mode="1"),
            "SQL_X: output ports ROWS in script mode: a script returns no columns",
        ),
    ],
)
def test_gaps(t: Transformation, message: str) -> None:
    first = t.ports[0].name
    job = _mapping((t, {"NAME": first}, [])).render()
    assert [f"{g.instance}: {g.message}" for g in job.gaps] == [message]


# -- the support module --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "text", "bound"),
    [
        (
            "SELECT a FROM t WHERE id = ?ID? AND b = ?id?",
            "'SELECT a FROM t WHERE id = $1 AND b = $1'",
            ["r.a0"],
        ),
        (
            "SELECT a FROM t WHERE d = ?D? AND id = ?ID?",
            "'SELECT a FROM t WHERE d = $1 AND id = $2'",
            ["r.a1", "r.a0"],
        ),
        (
            "SELECT to_date('~D~', 'YYYYMMDD')",
            "'SELECT to_date(''' || coalesce(r.a1::text, '') || ''', ''YYYYMMDD'')'",
            [],
        ),
        ("~D~", "coalesce(r.a1::text, '')", []),
        ("SELECT ?OTHER? || '~OTHER~'", "'SELECT ?OTHER? || ''~OTHER~'''", []),
    ],
)
def test_statement_code(statement: str, text: str, bound: list[str]) -> None:
    assert support._statement_code(statement, ["ID", "D"]) == (text, bound)


def test_script_statements(tmp_path: Path) -> None:
    script = tmp_path / "a.sql"
    script.write_text("CREATE TABLE x (a int);\nINSERT INTO x VALUES (1) /* ; */;\n\n")
    assert support.script_statements(str(script)) == [
        (str(script), 1, "CREATE TABLE x (a int)", None),
        (str(script), 2, "INSERT INTO x VALUES (1) /* ; */", None),
    ]
    missing = str(tmp_path / "none.sql")
    assert support.script_statements(missing) == [
        (missing, 1, None, f"cannot read script file {missing}: No such file or directory")
    ]
    assert support.script_statements(None) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "",
            "SQL_X: an SQL transformation runs its SQL on a database, and connection DWH is the embedded "
            "store; map it to JDBC in connections.toml",
        ),
        (
            "jdbc:oracle:thin:@db:1521/dwh",
            "SQL_X: the SQL transformation is not available for dialect oracle "
            "(connection DWH): its per-row SQL runs on PostgreSQL connections only",
        ),
    ],
)
def test_databases_without_the_per_row_block(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INFAFLOW_CONNECTIONS", str(tmp_path / "none.toml"))
    job = support.Job(None, "s_x", {}, {})  # type: ignore[arg-type]  # no Spark needed to refuse
    conn = support.Connection("DWH", url=url)
    with pytest.raises(support.NotConverted) as query_error:
        job.sql_query(
            "SQL_X",
            None,
            conn,
            "SELECT 1",
            inputs=[],
            outputs=[],  # type: ignore[arg-type]
            at_least_one_row=False,
            continue_on_error=False,
            max_rows=0,
        )
    assert str(query_error.value) == message
    with pytest.raises(support.NotConverted) as script_error:
        job.sql_script("SQL_X", None, conn, "ScriptName", continue_on_error=False)  # type: ignore[arg-type]
    assert str(script_error.value) == message


# -- against PostgreSQL --------------------------------------------------------------------------------------

TABLES = """
CREATE TABLE dept_titles (dept text, title text, lvl int);
INSERT INTO dept_titles VALUES ('D1', 'engineer', 2), ('D1', 'analyst', 1), ('D2', 'clerk', 3), ('D3', 'x', \
9);
CREATE TABLE headcount (dept text, n int);
INSERT INTO headcount VALUES ('D1', 0), ('D1', 0), ('D2', 0);
CREATE TABLE audit (seq serial, id int, what text);
"""

# ID, NAME, DEPT, QTXT (a whole query), SCRIPT (a script file, relative to the job's directory), CONN (a
# logical connection object: PG_OTHER is the database "other" of the same server)
ROWS = [
    ["1", "Ann", "D1", "SELECT title FROM dept_titles ORDER BY title", "scripts/ok.sql", "PG"],
    ["2", "Bob", "D2", "SELECT 'only'", "scripts/bad.sql", "PG_OTHER"],
    ["3", "Cy", "D9", "SELECT no_such_column FROM dept_titles", "scripts/none.sql", "PG"],
    ["4", "", "", "DELETE FROM dept_titles WHERE dept = 'D3'", "", "PG_OTHER"],
]
SCRIPTS = {
    "ok.sql": "CREATE TABLE IF NOT EXISTS made (a int);\nINSERT INTO made VALUES (1), (2);\nSELECT * FROM "
    "made;\nUPDATE made SET a = a + 1 WHERE a = 1;\n",
    "bad.sql": "INSERT INTO audit(id, what) VALUES (2, 'script');\nINSERT INTO nowhere VALUES (1);\n"
    "INSERT INTO audit(id, what) VALUES (2, 'after the error');\n",
}


def _pg_mapping(stop_on_errors: str = "0") -> MappingBuilder:
    """Every rule at once, one target per SQL transformation."""
    greet = sqlt(
        "SQL_GREET",
        [inp("NAME"), inp("DEPT"), SQL_ERROR, out("GREETING")],
        query="SELECT 'Hello ~NAME~' AS greeting WHERE '~DEPT~' <> 'D9'",
    )
    count = sqlt(
        "SQL_COUNT",
        [
            inp("ID", "integer"),
            inp("DEPT"),
            SQL_ERROR,
            out("ID_output", "integer"),
            out("NumRowsAffected", "integer"),
        ],
        query="UPDATE headcount SET n = n + 1 WHERE dept = ?DEPT?;\n"
        "INSERT INTO audit(id, what) VALUES (?ID?, 'count')",
    )
    divide = sqlt(
        "SQL_DIVIDE",
        [inp("ID", "integer"), SQL_ERROR, out("ID_output", "integer"), out("Q", "integer")],
        query="INSERT INTO audit(id, what) VALUES (?ID?, 'divide'); SELECT 6 / (?ID? - 2) AS q",
        continue_on_error=True,
    )
    strict = sqlt(
        "SQL_STRICT",
        [inp("ID", "integer"), SQL_ERROR, out("ID_output", "integer"), out("Q", "integer")],
        query="SELECT 6 / (?ID? - 3); INSERT INTO audit(id, what) VALUES (?ID?, 'strict')",
    )
    dynamic = sqlt(
        "SQL_DYN",
        [inp("ID", "integer"), inp("QTXT"), SQL_ERROR, out("ID_output", "integer"), out("V")],
        query="~QTXT~",
        max_rows=2,
        continue_on_error=True,
    )
    typed = sqlt(
        "SQL_TYPED",
        [inp("ID", "integer"), SQL_ERROR, out("N", "integer"), out("DAY", "date/time"), out("SPARE")],
        query="SELECT ?ID? * 10, DATE '2024-01-31' + ?ID?",
    )
    wide = sqlt(
        "SQL_WIDE",
        [inp("ID", "integer"), SQL_ERROR, out("ONLY", "integer")],
        query="SELECT ?ID?, 2",
        continue_on_error=True,
    )
    passive = sqlt(
        "SQL_PASSIVE",
        [
            inp("ID", "integer"),
            inp("DEPT"),
            SQL_ERROR,
            out("ID_output", "integer"),
            out("TITLE"),
            out("NumRowsAffected", "integer"),
        ],
        query="SELECT title FROM dept_titles WHERE dept = ?DEPT? ORDER BY title; SELECT 1 / (?ID? - 4)",
    )
    passive.attributes["Is Active"] = "NO"
    where = sqlt(
        "SQL_WHERE",
        [
            inp("ID", "integer"),
            inp("LogicalConnectionObject"),
            SQL_ERROR,
            out("ID_output", "integer"),
            out("DB"),
        ],
        query="SELECT current_database()",
        connection_type="1",
    )
    script = sqlt(
        "SQL_SCRIPT",
        [
            inp("ID", "integer"),
            inp("ScriptName"),
            out("ID_output", "integer"),
            out("ScriptResult"),
            out("ScriptError"),
            out("NumRowsAffected", "integer"),
        ],
        mode="1",
    )
    return _mapping(
        (
            DEPT_TITLES,
            {"ID": "ID", "NAME": "NAME", "DEPT": "DEPT"},
            ["ID_output", "NAME_output", "TITLE", "LVL", "SQLError"],
        ),
        (greet, {"NAME": "NAME", "DEPT": "DEPT"}, ["GREETING", "SQLError"]),
        (count, {"ID": "ID", "DEPT": "DEPT"}, ["ID_output", "NumRowsAffected", "SQLError"]),
        (divide, {"ID": "ID"}, ["ID_output", "Q", "SQLError"]),
        (strict, {"ID": "ID"}, ["ID_output", "Q", "SQLError"]),
        (dynamic, {"ID": "ID", "QTXT": "QTXT"}, ["ID_output", "V", "SQLError"]),
        (typed, {"ID": "ID"}, ["N", "DAY", "SPARE", "SQLError"]),
        (wide, {"ID": "ID"}, ["ONLY", "SQLError"]),
        (passive, {"ID": "ID", "DEPT": "DEPT"}, ["ID_output", "TITLE", "NumRowsAffected", "SQLError"]),
        (where, {"ID": "ID", "CONN": "LogicalConnectionObject"}, ["ID_output", "DB", "SQLError"]),
        (
            script,
            {"ID": "ID", "SCRIPT": "ScriptName"},
            ["ID_output", "ScriptResult", "ScriptError", "NumRowsAffected"],
        ),
        stop_on_errors=stop_on_errors,
    )


def _spark_submit(job: JobSource, pg: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert job.complete, job.gaps
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name, text in SCRIPTS.items():
        (project / "scripts" / name).write_text(text)
    shutil.copyfile(support.__file__, project / "infaflow_support.py")
    (project / "job.py").write_text(job.code)
    other = pg["url"].rsplit("/", 1)[0] + "/other"
    (project / "connections.toml").write_text(
        f'[connections.PG]\nurl = "{pg["url"]}"\ndriver = "org.postgresql.Driver"\nuser_env = "PGUSER_TEST"\n'
        f'[connections.PG_OTHER]\nurl = "{other}"\ndriver = "org.postgresql.Driver"\nuser_env = '
        '"PGUSER_TEST"\n'
    )
    src = tmp_path / "src"
    src.mkdir()
    lines = [",".join(name for name, _t in SOURCE)] + [",".join(row) for row in ROWS]
    (src / "src.dat").write_text("\n".join(lines) + "\n")
    dirs = {"$PMSourceFileDir": src, "$PMTargetFileDir": tmp_path / "tgt", "$PMBadFileDir": tmp_path / "bad"}
    return submit_job(
        project,
        {name: str(path) for name, path in dirs.items()},
        tmp_path / "spark-submit.log",
        env={"PGUSER_TEST": "postgres"},
        timeout=900,
    )


@pytest.mark.spark
def test_sql_transformations_against_postgresql(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(postgres, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + TABLES)
    psql(postgres, "DROP DATABASE IF EXISTS other")
    psql(postgres, "CREATE DATABASE other")
    run = _spark_submit(_pg_mapping().render(), postgres, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    tgt = tmp_path / "tgt"
    # SELECT with a bound port: each row retrieved, in the query's order; none retrieved: the pass-through row
    assert read_csv(tgt / "t_sql_titles.out") == [
        ["1", "Ann", "analyst", "1", ""],
        ["1", "Ann", "engineer", "2", ""],
        ["2", "Bob", "clerk", "3", ""],
        ["3", "Cy", "", "", ""],
        ["4", "", "", "", ""],
    ]
    # string substitution (NULL as an empty string); no pass-through port: a row that retrieves nothing is
    # gone
    assert read_csv(tgt / "t_sql_greet.out") == [["Hello Ann", ""], ["Hello Bob", ""], ["Hello ", ""]]
    # DML: one row per statement with the rows it changed
    assert read_csv(tgt / "t_sql_count.out") == [
        ["1", "2", ""],
        ["1", "1", ""],
        ["2", "1", ""],
        ["2", "1", ""],
        ["3", "0", ""],
        ["3", "1", ""],
        ["4", "0", ""],
        ["4", "1", ""],
    ]
    assert psql(postgres, "SELECT dept, n FROM headcount ORDER BY dept, n") == [
        ["D1", "1"],
        ["D1", "1"],
        ["D2", "1"],
    ]
    # continue on SQL error: the INSERT's row, then the SELECT's row or its error
    divide = read_csv(tgt / "t_sql_divide.out")
    assert divide == [
        ["1", "", ""],
        ["1", "-6", ""],
        ["2", "", ""],
        ["2", "", "division by zero"],
        ["3", "", ""],
        ["3", "6", ""],
        ["4", "", ""],
        ["4", "3", ""],
    ]
    # without it: the failed statement's row carries the error and the row's other statements do not run
    assert read_csv(tgt / "t_sql_strict.out") == [
        ["1", "-3", ""],
        ["1", "", ""],
        ["2", "-6", ""],
        ["2", "", ""],
        ["3", "", "division by zero"],
        ["4", "6", ""],
        ["4", "", ""],
    ]
    # a whole query in a port; Max Output Row Count 2; a failed query's message
    dyn = read_csv(tgt / "t_sql_dyn.out")
    assert dyn[:3] == [["1", "analyst", ""], ["1", "clerk", ""], ["2", "only", ""]]
    assert dyn[3][:2] == ["3", ""] and 'column "no_such_column" does not exist' in dyn[3][2]
    assert dyn[4:] == [["4", "", ""]]
    assert psql(postgres, "SELECT dept FROM dept_titles WHERE dept = 'D3'") == []
    # columns to output ports by position, cast to the ports' types; a port with no column is NULL
    assert read_csv(tgt / "t_sql_typed.out") == [
        ["10", "02/01/2024 00:00:00", "", ""],
        ["20", "02/02/2024 00:00:00", "", ""],
        ["30", "02/03/2024 00:00:00", "", ""],
        ["40", "02/04/2024 00:00:00", "", ""],
    ]
    # more columns than output ports: the statement fails
    assert (
        read_csv(tgt / "t_sql_wide.out")
        == [["", "the query returns more columns than the SQL transformation has output ports (1)"]] * 4
    )
    # passive: one row per input row, the first statement's first row, every statement's errors
    assert read_csv(tgt / "t_sql_passive.out") == [
        ["1", "analyst", "0", "the SQL transformation generated multiple rows"],
        ["2", "clerk", "0", ""],
        ["3", "", "0", ""],
        ["4", "", "0", "division by zero"],
    ]
    # a logical connection object per row: each row's query runs on the database it names
    assert read_csv(tgt / "t_sql_where.out") == [
        ["1", "postgres", ""],
        ["2", "other", ""],
        ["3", "postgres", ""],
        ["4", "other", ""],
    ]
    # script mode: PASSED/FAILED, the error, the rows changed; a failed statement ends the script
    script = read_csv(tgt / "t_sql_script.out")
    assert script[0] == ["1", "PASSED", "", "3"]
    assert script[1][:2] == ["2", "FAILED"] and 'relation "nowhere" does not exist' in script[1][2]
    assert script[1][3] == "1"
    assert script[2][:2] == ["3", "FAILED"] and "cannot read script file scripts/none.sql" in script[2][2]
    assert script[3] == ["4", "FAILED", "no script file name (ScriptName is NULL)", "0"]
    assert psql(postgres, "SELECT a FROM made ORDER BY a") == [["2"], ["2"]]
    # the statements ran row by row, in row order, each transformation after the one before it
    audit = psql(postgres, "SELECT id, what FROM audit ORDER BY seq")
    assert [a for a in audit if a[1] == "count"] == [
        ["1", "count"],
        ["2", "count"],
        ["3", "count"],
        ["4", "count"],
    ]
    assert [a for a in audit if a[1] == "strict"] == [["1", "strict"], ["2", "strict"], ["4", "strict"]]
    assert ["2", "script"] in audit and ["2", "after the error"] not in audit
    # SQL errors without continue on SQL error are row errors: SQL_STRICT row 3, the two failed scripts, row
    # 4's, SQL_PASSIVE rows 1 and 4
    assert '"TotalTransErrors": 6' in run.stdout
    # the staging tables are dropped
    assert psql(postgres, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'infaflow_sql_%'") == [["0"]]


@pytest.mark.spark
@pytest.mark.slow
def test_sql_errors_reach_the_stop_on_errors_threshold(postgres: dict[str, str], tmp_path: Path) -> None:
    psql(postgres, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" + TABLES)
    psql(postgres, "DROP DATABASE IF EXISTS other")
    psql(postgres, "CREATE DATABASE other")
    run = _spark_submit(_pg_mapping(stop_on_errors="1").render(), postgres, tmp_path)
    assert run.returncode != 0
    assert (
        "row errors in SQL_STRICT reached the session's Stop on errors threshold (1)"
        in run.stdout + run.stderr
    )
