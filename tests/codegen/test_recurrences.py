"""Variable ports carried from row to row, without Spark: which class each recurrence gets, the exact lines
generated for it, the sequential scan (segments, row errors, lookups) and what the report says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port

from infaflow.codegen.job import JobSource
from infaflow.model import Attributes, Port, Transformation

INT, S, V, OUT = "integer", "string", "LOCAL VARIABLE", "OUTPUT"


def render(ports: list[Port], extra: list[Transformation] = ()) -> JobSource:  # type: ignore[assignment]
    b = MappingBuilder()
    b.flat_source("SRC", [("K", INT), ("X", INT), ("NAME", S), ("AMT", "decimal")])
    for t in extra:
        b.add(t)
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("K", INT),
                port("X", INT),
                port("NAME", S),
                port("AMT", "decimal", precision=12, scale=2),
                *ports,
            ],
        )
    )
    b.connect("SQ_SRC", "EXP", ["K", "X", "NAME", "AMT"])
    outs = [p.name for p in ports if p.port_type == OUT]
    b.flat_target("T", [("K", INT), *[(o, "string") for o in outs]])
    b.connect("EXP", "T", ["K", *outs])
    return b.render()


#: the comment carrying a port's PowerCenter expression (checked in test_readable_code.py)
EXPRESSION_COMMENT = re.compile(r"^\s*# (\w+ = |    )")


def step_lines(job: JobSource) -> list[str]:
    """The generated lines of the Expression EXP, without their indentation."""
    code = job.code
    start = code.index("    # Expression EXP\n")
    end = code.index("\n\n", start)
    return [line[4:] for line in code[start:end].splitlines()[1:] if not EXPRESSION_COMMENT.match(line)]


def kind_of(job: JobSource) -> str:
    """How the Expression's carried variable is computed: the scan, or the window function that computes it."""
    assert job.complete, job.gaps
    if job.scans:
        return "segmented scan" if job.scans[0].segmented else "scan"
    text = "\n".join(step_lines(job))
    for marker, name in (
        ("F.row_number()", "counter"),
        ("F.count_if(", "running sum"),
        ("F.greatest(", "largest"),
        ("F.least(", "smallest"),
        ('_held"', "held value"),
        ("F.lag(", "previous value"),
    ):
        if marker in text:
            return name
    return "row-wise"


@pytest.mark.parametrize(
    ("expressions", "kind"),
    [
        # counters and running sums (a restart where a condition holds, on a key change, NULL propagation)
        (["v + 1"], "running sum"),
        (["IIF(v = 0 OR ISNULL(v), 1, v + 1)"], "counter"),
        (["IIF(ISNULL(v) OR v = 0, 10, v + 10)"], "counter"),
        (["IIF(v = 0, -1, v + -1)"], "counter"),
        (["IIF(v = 0, 0, v + 1)"], "scan"),  # restarts at 0 on every row: not a row number
        (["IIF(v = 0, 1, v - 1)"], "scan"),
        (["IIF(v = 0, 1.5, v + 1)"], "scan"),
        (["DECODE(TRUE, K = p, v + 1, 1)", "K"], "running sum"),
        (["IIF(K = p, v + X, X)", "K"], "running sum"),
        (["IIF(ISNULL(p), X + 1000, v + 1)", "X"], "running sum"),
        (["v + AMT"], "scan"),  # an integer port: each row's sum is converted
        (["IIF(v > 100, 0, v + X)"], "scan"),  # the restart reads the variable itself
        # held values, maxima and minima, previous values
        (["IIF(K > 2, NAME, v)"], "held value"),
        (["IIF(ISNULL(NAME), v, NAME)"], "held value"),
        (["IIF(X > v, X, v)"], "largest"),
        (["IIF(v < X, X, v)"], "largest"),
        (["IIF(X <= v, X, v)"], "smallest"),
        (["IIF(v > X, v, X)"], "scan"),  # a NULL X is taken: not a maximum
        (["IIF(X > v, X + 1, v)"], "scan"),
        (["IIF(X > p, 1, 0)", "X"], "previous value"),
        # everything else: the sequential scan, per segment where a condition restarts every variable
        (["IIF(K = p, v || NAME, NAME)", "K"], "segmented scan"),
        (["DECODE(TRUE, K <> p, X, v * 2)", "K"], "segmented scan"),
        (["IIF(X > 6, 0, v * 2 + 1)"], "segmented scan"),
        (["v * 2 + X"], "scan"),
        (["IIF(K = p, v * 2, v + 1)", "K"], "scan"),
    ],
)
def test_recurrence_class(expressions: list[str], kind: str) -> None:
    ports = [port("v", INT if "NAME" not in expressions[0] else S, V, expressions[0])]
    if len(expressions) > 1:
        ports.append(port("p", INT, V, expressions[1]))
    ports.append(port("o", ports[0].datatype, OUT, "v"))
    assert kind_of(render(ports)) == kind


def test_counter_lines() -> None:
    job = render(
        [port("v_C", INT, V, "IIF(v_C = 0 OR ISNULL(v_C), 1, v_C + 1)"), port("o_C", INT, OUT, "v_C")]
    )
    assert step_lines(job)[:3] == [
        "exp = sq_src",
        'exp_row_order = Window.orderBy("_row_id")',
        'exp = exp.withColumn("v_C", (F.lit(1) + (F.row_number().over(exp_row_order) - 1) * F.lit(1)).cast("int"))',
    ]


def test_running_extreme_lines() -> None:
    job = render([port("v_MAX", INT, V, "IIF(X > v_MAX, X, v_MAX)"), port("o", INT, OUT, "v_MAX")])
    assert step_lines(job)[2] == (
        'exp = exp.withColumn("v_MAX", F.greatest(F.lit(0).cast("int"), F.max(F.col("X").cast("int"))'
        ".over(exp_row_order.rowsBetween(Window.unboundedPreceding, 0))))"
    )


def test_segmented_scan_lines_and_report() -> None:
    job = render(
        [
            port("v_CAT", S, V, "IIF(K = v_PK, v_CAT || NAME, NAME)"),
            port("v_PK", INT, V, "K"),
            port("o", S, OUT, "v_CAT"),
        ]
    )
    assert step_lines(job) == [
        "exp = sq_src",
        "# segments: the scan starts again on each row where (K = v_PK) is not TRUE (the scanned ports then read no earlier row)",
        'exp_row_order = Window.orderBy("_row_id")',
        'exp = exp.withColumn("v_PK", F.col("K").cast("int"))',
        'exp = exp.withColumn("_scan_condition", (F.col("K") == F.lag(F.col("v_PK"), 1, 0).over(exp_row_order))'
        '.cast("int"))',
        'exp = exp.withColumn("_scan_segment", F.sum(F.when(~F.coalesce((F.col("K") == F.lag(F.col("v_PK"), 1, 0)'
        ".over(exp_row_order)), F.lit(False)), 1).otherwise(0)).over(exp_row_order.rowsBetween("
        "Window.unboundedPreceding, 0)))",
        "# sequential scan: v_CAT carries a value from row to row through v_CAT (no window class); the rows of",
        "# each segment are folded one by one in PowerCenter's order, each segment in one array held by one",
        "# task (memory grows with the longest segment)",
        "def exp_variables(state, row):",
        '    """EXP: its variable ports for one row, in port order, from the previous row\'s values',
        '    (``state``), the row\'s inputs (``row``) and the ports assigned above them (``new``)."""',
        "    return job.in_order(",
        '        ("v_CAT", lambda new: F.when((row["_scan_condition"] != 0), F.when(F.coalesce(state["v_CAT"], '
        'row["NAME"]).isNull(), F.lit(None)).otherwise(F.concat_ws("", state["v_CAT"], row["NAME"])))'
        '.otherwise(row["NAME"]).cast("string")),',
        "    )",
        'exp = job.scan("EXP", exp, exp_variables, F.struct(',
        '    F.lit(\'\').cast("string").alias("v_CAT"),',
        '), segment=F.col("_scan_segment"))',
        'exp = exp.drop("_scan_condition", "_scan_segment")',
        "exp = exp.withColumns({",
        '    "o": F.col("v_CAT").cast("string"),',
        '}).drop("v_CAT", "v_PK")',
    ]
    (note,) = job.scans
    assert (note.instance, note.ports, note.segmented) == ("EXP", ["v_CAT"], True)
    assert note.reason.endswith("one scan per segment (a new one where (K = v_PK) is not TRUE)")
    assert "memory grows with the longest segment" in note.cost


def test_row_error_in_a_carried_port_rejects_the_row_and_keeps_the_previous_values() -> None:
    job = render(
        [
            port("v_E", INT, V, "IIF(X = 3, ERROR('three'), v_E + 1)"),
            port("v_G", INT, V, "v_G + 1"),
            port("o", INT, OUT, "v_E"),
        ]
    )
    lines = step_lines(job)
    body = lines.index("def exp_variables(state, row):") + 4
    assert lines[body : body + 3] == [
        '        ("_row_error", lambda new: F.when((row["X"] == F.lit(3)), F.concat(F.lit("ERROR: "), '
        'F.lit("three")))),',
        '        ("v_E", lambda new: F.when(new["_row_error"].isNull(), F.when((row["X"] == F.lit(3)), F.lit(None))'
        '.otherwise(state["v_E"] + F.lit(1)).cast("int")).otherwise(state["v_E"])),',
        '        ("v_G", lambda new: F.when(new["_row_error"].isNull(), (state["v_G"] + F.lit(1)).cast("int"))'
        '.otherwise(state["v_G"])),',
    ]
    assert '    F.lit(None).cast("string").alias("_row_error"),' in lines
    assert lines[-2:] == [
        "# rows with a row error are rejected: counted, written to the row-error file",
        'exp = job.reject_errors("EXP", exp)',
    ]
    assert not job.scans[0].segmented  # a held-back row breaks the segments' independence


def test_a_lookup_on_the_rows_is_joined_before_the_scan() -> None:
    lkp = Transformation(
        "LKP_MAX",
        "Lookup Procedure",
        ports=[
            port("IN_K", INT, "INPUT"),
            port("K", INT, "LOOKUP/OUTPUT"),
            port("MAXK", INT, "LOOKUP/RETURN/OUTPUT"),
        ],
        attributes=Attributes(
            {"Lookup table name": "KEYS", "Lookup condition": "K = IN_K", "Connection Information": "SRC"}
        ),
    )
    job = render(
        [port("v", INT, V, "IIF(v > 5, :LKP.LKP_MAX(K), v * 2 + 1)"), port("o", INT, OUT, "v")], [lkp]
    )
    assert job.complete, job.gaps
    lines = step_lines(job)
    joined = lines.index('exp = exp.withColumn("_lkp_1", F.col("_lkp_1_MAXK"))')
    assert joined < lines.index("def exp_variables(state, row):")  # joined once, before the rows are folded
    assert (
        '        ("v", lambda new: F.when((state["v"] > F.lit(5)), row["_lkp_1"]).otherwise(state["v"] * '
        'F.lit(2) + F.lit(1)).cast("int")),' in lines
    )
    assert lines[-1] == '}).drop("v", "_lkp_1")'


def test_a_lookup_whose_arguments_read_a_carried_variable_is_reported() -> None:
    lkp = Transformation(
        "LKP_MAX",
        "Lookup Procedure",
        ports=[
            port("IN_K", INT, "INPUT"),
            port("K", INT, "LOOKUP/OUTPUT"),
            port("MAXK", INT, "LOOKUP/RETURN/OUTPUT"),
        ],
        attributes=Attributes(
            {"Lookup table name": "KEYS", "Lookup condition": "K = IN_K", "Connection Information": "SRC"}
        ),
    )
    job = render(
        [port("v", INT, V, "IIF(v > 5, :LKP.LKP_MAX(v), v * 2 + 1)", line=77), port("o", INT, OUT, "v")],
        [lkp],
    )
    assert [(g.instance, g.line, g.message) for g in job.gaps] == [
        (
            "EXP",
            77,
            "variable port v: :LKP.LKP_MAX inside a sequential scan of the rows: its arguments read "
            "variable ports (v)",
        )
    ]


@pytest.mark.parametrize(
    ("ports", "scanned"),
    [
        # the error comes after every variable a later row reads: the window is exact, the row is rejected
        (
            [
                port("v_F", INT, V, "IIF(K = v_PK, 0, 1)"),
                port("v_PK", INT, V, "K"),
                port("v_D", INT, V, "IIF(X = 3, ERROR('three'), X)"),
            ],
            False,
        ),
        # before v_PK: on a rejected row v_PK keeps the previous row's key for the next row
        (
            [
                port("v_F", INT, V, "IIF(K = v_PK, 0, 1)"),
                port("v_D", INT, V, "IIF(X = 3, ERROR('three'), X)"),
                port("v_PK", INT, V, "K"),
            ],
            True,
        ),
    ],
)
def test_row_errors_scan_only_when_they_hold_a_carried_value_back(ports: list[Port], scanned: bool) -> None:
    job = render([*ports, port("o", INT, OUT, "v_F + v_D")])
    assert job.complete, job.gaps
    assert bool(job.scans) is scanned
    lines = step_lines(job)
    assert lines[-1] == 'exp = job.reject_errors("EXP", exp)'
    if not scanned:
        assert (
            'exp = exp.withColumn("_row_error", F.when((F.col("X") == F.lit(3)), '
            'F.concat(F.lit("ERROR: "), F.lit("three"))))' in lines
        )


def test_a_lookup_made_on_the_first_row_and_held_is_a_window() -> None:
    lkp = Transformation(
        "LKP_MAX",
        "Lookup Procedure",
        ports=[
            port("IN_K", INT, "INPUT"),
            port("K", INT, "LOOKUP/OUTPUT"),
            port("MAXK", INT, "LOOKUP/RETURN/OUTPUT"),
        ],
        attributes=Attributes(
            {"Lookup table name": "KEYS", "Lookup condition": "K = IN_K", "Connection Information": "SRC"}
        ),
    )
    job = render(
        [
            port("v_COUNTER", INT, V, "v_COUNTER + 1"),
            port("v_HELD", INT, V, "IIF(v_COUNTER = 1, :LKP.LKP_MAX(1), v_HELD)"),
            port("o", INT, OUT, "v_HELD + v_COUNTER"),
        ],
        [lkp],
    )
    assert job.complete, job.gaps
    assert not job.scans
    lines = step_lines(job)
    assert 'exp = exp.withColumn("_lkp_1", F.col("_lkp_1_MAXK"))' in lines
    assert any(
        x.startswith(
            'exp = exp.withColumn("_v_HELD_held", F.last(F.when((F.col("v_COUNTER") == F.lit(1)), '
            'F.struct(F.col("_lkp_1").cast("int").alias("v")))'
        )
        for x in lines
    )


def test_the_conversion_report_and_readme_list_each_scan(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from infaflow.cli import main

    orders = Path(__file__).resolve().parents[2] / "samples" / "orders"
    text = (orders / "wf_orders_daily.xml").read_text(encoding="latin-1")
    carried = 'EXPRESSION ="IIF(v_IS_NEW_CUSTOMER = 1, v_AMOUNT, v_RUNNING_TOTAL + v_AMOUNT)"'
    assert text.count(carried) == 1
    export = tmp_path / "wf_orders_daily.xml"  # the running total now halves when it passes 1000: a scan
    export.write_text(
        encoding="latin-1",
        data=text.replace(
            carried,
            'EXPRESSION ="IIF(v_IS_NEW_CUSTOMER = 1, v_AMOUNT, '
            'IIF(v_RUNNING_TOTAL &gt; 1000, v_RUNNING_TOTAL / 2, 0) + v_AMOUNT)"',
        ),
    )
    out = tmp_path / "proj"
    result = CliRunner().invoke(main, ["convert", str(export), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "conversion_report.json").read_text())
    assert report["summary"]["sequential_scans"] == 1
    (job,) = [j for j in report["jobs"] if j["sequential_scans"]]
    (scan,) = job["sequential_scans"]
    assert (job["module"], scan["instance"], scan["file"]) == (
        "s_m_customer_orders.py",
        "exp_running_total",
        str(export),
    )
    assert scan["ports"] == ["v_RUNNING_TOTAL", "v_ORDER_SEQ"]  # the others are computed before, row-wise
    assert scan["reason"].startswith(
        "v_RUNNING_TOTAL carries a value from row to row through v_RUNNING_TOTAL"
    )
    assert scan["reason"].endswith("one scan per segment (a new one where (v_IS_NEW_CUSTOMER = 1) is TRUE)")
    assert "memory grows with the longest segment" in scan["cost"]
    readme = (out / "README.md").read_text()
    assert (
        "## Sequential scans" in readme
        and f"{export}:{scan['line']}: exp_running_total (v_RUNNING_TOTAL, v_ORDER_SEQ)" in readme
    )
    assert "# sequential scan: v_RUNNING_TOTAL carries" in (out / "s_m_customer_orders.py").read_text()
