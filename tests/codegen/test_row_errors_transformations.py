"""Row errors outside Expression ports: a Filter condition, a Router group condition, an Update Strategy
expression or an Aggregator port that raises a row error (ERROR(), a failed conversion, a division by zero)
rejects the row as PowerCenter does (counted in TotalTransErrors, written with its message to the
row-error file) instead of failing the job. Joiner, Lookup conditions, Sorter and Rank evaluate no
expression that can raise one."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen.support import SessionFailed
from infaflow.model import Attributes, Group, Transformation

INT, S, DEC = "integer", "string", "decimal"


def _errors(tmp: Path, session: str = "m_test") -> list[dict[str, str]]:
    with open(tmp / "bad" / f"{session}_row_errors.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _step(code: str, title: str) -> list[str]:
    """The lines of one step of a generated job (from its title comment to the next step)."""
    block = code.split(f"    # {title}\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines() if not line.strip().startswith("#")]


# -- the mappings ------------------------------------------------------------------------------------------


def _filter(condition: str, stop_on_errors: str | None = None) -> MappingBuilder:
    """S(ID, CODE, AMT) -> FIL -> T(ID)."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("CODE", S), ("AMT", INT)])
    b.add(
        Transformation(
            "FIL",
            "Filter",
            ports=[port("ID", INT), port("CODE", S), port("AMT", INT)],
            attributes=Attributes({"Filter Condition": condition}),
        )
    )
    b.connect("SQ_S", "FIL", ["ID", "CODE", "AMT"])
    b.flat_target("T", [("ID", INT)])
    b.connect("FIL", "T", ["ID"])
    if stop_on_errors is not None:
        b.with_session({"Stop on errors": stop_on_errors})
    return b


def _router(groups: dict[str, str]) -> MappingBuilder:
    """S(ID, AMT) -> RTR with ``groups`` (name -> condition) and DEFAULT1 -> one target per group."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    names = [*groups, "DEFAULT1"]
    b.add(
        Transformation(
            "RTR",
            "Router",
            groups=[
                Group("INPUT", "INPUT"),
                *[Group(g, "OUTPUT", expression=c) for g, c in groups.items()],
                Group("DEFAULT1", "OUTPUT/DEFAULT"),
            ],
            ports=[
                port("ID", INT, "INPUT", group="INPUT"),
                port("AMT", INT, "INPUT", group="INPUT"),
                *[port(f"ID_{g}", INT, "OUTPUT", group=g, ref_field="ID") for g in names],
            ],
        )
    )
    b.connect("SQ_S", "RTR", ["ID", "AMT"])
    for g in names:
        b.flat_target(f"T_{g}", [("ID", INT)])
        b.connect("RTR", f"T_{g}", {f"ID_{g}": "ID"})
    return b


def _update_strategy(expression: str) -> MappingBuilder:
    """S(ID, CODE, AMT) -> UPD -> T(ID, CODE)."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("CODE", S), ("AMT", INT)])
    b.add(
        Transformation(
            "UPD",
            "Update Strategy",
            ports=[port("ID", INT), port("CODE", S), port("AMT", INT)],
            attributes=Attributes({"Update Strategy Expression": expression}),
        )
    )
    b.connect("SQ_S", "UPD", ["ID", "CODE", "AMT"])
    b.flat_target("T", [("ID", INT), ("CODE", S)])
    b.connect("UPD", "T", ["ID", "CODE"])
    return b


def _aggregator(*ports: object, target: list[tuple[str, str]], group_by_k: bool = False) -> MappingBuilder:
    """S(K, A, B, NOTE) -> AGG(K, A, B, NOTE + ``ports``) -> T(``target``); K is an input port, or with
    ``group_by_k`` the group-by port."""
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("A", INT), ("B", INT), ("NOTE", S)])
    key = port("K", S, expression_type="GROUPBY") if group_by_k else port("K", S, "INPUT")
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                key,
                port("A", INT, "INPUT"),
                port("B", INT, "INPUT"),
                port("NOTE", S),
                *ports,  # type: ignore[list-item]
            ],
        )
    )
    b.connect("SQ_S", "AGG", ["K", "A", "B", "NOTE"])
    b.flat_target("T", target)
    b.connect("AGG", "T", [n for n, _ in target])
    return b


def _ratio_aggregator() -> MappingBuilder:
    """A group-by port with an expression, an aggregate with a filter condition, an expression around
    aggregates and a port evaluated on the group's last row."""
    return _aggregator(
        port(
            "GRP", S, "OUTPUT", "IIF(K = 'bad', ERROR('bad key ' || K), UPPER(K))", expression_type="GROUPBY"
        ),
        port("RATIO_SUM", DEC, "OUTPUT", "SUM(A / B, B > 0)", precision=12, scale=2),
        port("AVG_RATIO", DEC, "OUTPUT", "SUM(A) / SUM(B)", precision=12, scale=2),
        port("LAST_INV", DEC, "OUTPUT", "10 / A", precision=12, scale=2),
        target=[("GRP", S), ("RATIO_SUM", DEC), ("AVG_RATIO", DEC), ("LAST_INV", DEC), ("NOTE", S)],
    )


# -- the code, without Spark ---------------------------------------------------------------------------------

CODE = [
    (
        "filter",
        _filter("100 / AMT > 5"),
        "Filter FIL",
        [
            'fil = sq_s.select("ID", "CODE", "AMT", "_row_id")',
            'fil = fil.withColumn("_row_error", F.when(F.when(F.col("AMT") == 0, F.lit(None)).otherwise(F.lit(100) / '
            'F.col("AMT")).isNull() & F.col("AMT").isNotNull(), F.lit("divide by zero")))',
            'fil = job.reject_errors("FIL", fil)',
            'fil = fil.where(F.when(F.col("AMT") == 0, F.lit(None)).otherwise(F.lit(100) / F.col("AMT")) > F.lit(5))',
        ],
    ),
    (
        "filter that cannot fail",
        _filter("AMT > 5 AND CODE = 'a'"),
        "Filter FIL",
        [
            'fil = sq_s.select("ID", "CODE", "AMT", "_row_id")',
            'fil = fil.where((F.col("AMT") > F.lit(5)) & (F.col("CODE") == F.lit("a")))',
        ],
    ),
    (
        "router",
        _router({"BIG": "AMT > 10", "CHECK": "IIF(ID = 6, ERROR('six'), FALSE)"}),
        "Router RTR",
        [
            'rtr = sq_s.select("ID", "AMT", "_row_id")',
            'rtr = rtr.withColumn("_row_error", F.when((F.col("ID") == F.lit(6)), F.concat(F.lit("ERROR: "), '
            'F.lit("six"))))',
            'rtr = job.reject_errors("RTR", rtr)',
            'rtr_big = rtr.where(F.col("AMT") > F.lit(10)).select(F.col("ID").alias("ID_BIG"), "_row_id")',
            'rtr_check = rtr.where(F.when((F.col("ID") == F.lit(6)), F.lit(None)).otherwise(F.lit(False).cast("int")) '
            "!= 0).select(",
            'F.col("ID").alias("ID_CHECK"),',
            '"_row_id",',
            ")",
            'rtr_default1 = rtr.where(~(F.coalesce((F.col("AMT") > F.lit(10)), F.lit(False)) | F.coalesce((F.when((F.col('
            '"ID") == F.lit(6)), F.lit(None)).otherwise(F.lit(False).cast("int")) != 0), F.lit(False)))).select(',
            'F.col("ID").alias("ID_DEFAULT1"),',
            '"_row_id",',
            ")",
        ],
    ),
    (
        "update strategy",
        _update_strategy("IIF(CODE = 'bad', ERROR('bad'), DD_INSERT)"),
        "Update Strategy UPD",
        [
            'upd = sq_s.withColumn("_row_type", F.when((F.col("CODE") == F.lit("bad")), F.lit(None)).otherwise(F.lit(0))'
            '.cast("int"))',
            'upd = upd.withColumn("_row_error", F.when((F.col("CODE") == F.lit("bad")), F.concat(F.lit("ERROR: "), '
            'F.lit("bad"))))',
            'upd = job.reject_errors("UPD", upd)',
        ],
    ),
    (
        "aggregator",
        _aggregator(
            port("TOTAL", INT, "OUTPUT", "SUM(100 / A)"),
            port("N", INT, "OUTPUT", "COUNT(A)"),
            target=[("K", S), ("TOTAL", INT), ("N", INT)],
            group_by_k=True,
        ),
        "Aggregator AGG",
        [
            'agg = sq_s.select("K", "A", "B", "NOTE", "_row_id")',
            'agg = agg.withColumn("_row_error", F.when(F.when(F.col("A") == 0, F.lit(None)).otherwise(F.lit(100) / '
            'F.col("A")).isNull() & F.col("A").isNotNull(), F.lit("divide by zero")))',
            'agg = job.reject_errors("AGG", agg)',
            "agg = agg.withColumns({",
            '"_TOTAL_arg1": F.when(F.col("A") == 0, F.lit(None)).otherwise(F.lit(100) / F.col("A")),',
            "})",
            'agg = agg.groupBy("K").agg(',
            'F.max_by(F.col("NOTE"), F.col("_row_id")).alias("NOTE"),',
            'F.sum(F.col("_TOTAL_arg1")).cast("int").alias("TOTAL"),',
            'F.count(F.col("A")).cast("int").alias("N"),',
            ")",
            'agg = agg.withColumn("_row_id", F.monotonically_increasing_id())',
        ],
    ),
]


@pytest.mark.parametrize(("case", "mapping", "title", "expected"), CODE, ids=[c[0] for c in CODE])
def test_generated_lines(case: str, mapping: MappingBuilder, title: str, expected: list[str]) -> None:
    job = mapping.render()
    assert job.complete, job.gaps
    assert _step(job.code, title) == expected


def test_an_aggregator_rejects_group_rows_after_aggregating() -> None:
    lines = _step(_ratio_aggregator().render().code, "Aggregator AGG")
    assert lines[lines.index('agg = agg.groupBy("GRP").agg(') - 1] == "})"  # GRP computed per input row
    error = next(line for line in lines if line.endswith('.alias("_row_error"),'))
    assert error.startswith('F.coalesce(F.when(F.when(F.sum(F.col("B")) == 0,')  # AVG_RATIO on the group
    assert 'F.max_by(F.when(F.when(F.col("A") == 0,' in error  # LAST_INV on the group's last row
    assert lines[-3:] == [
        ")",
        'agg = job.reject_errors("AGG", agg)',
        'agg = agg.withColumn("_row_id", F.monotonically_increasing_id())',
    ]


def test_a_filter_condition_inside_an_aggregate_guards_its_value() -> None:
    """SUM(A / B, B > 0): the value of a row that the condition drops is not evaluated (no division)."""
    lines = _step(_ratio_aggregator().render().code, "Aggregator AGG")
    row_error = next(line for line in lines if line.startswith('agg = agg.withColumn("_row_error"'))
    assert 'F.when((F.col("B") > F.lit(0)), F.when(F.when(F.col("B") == 0,' in row_error


def test_joiner_sorter_and_rank_evaluate_nothing_that_fails() -> None:
    """Their conditions and keys are ports: no row-error column, no reject."""
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    b.flat_source("M", [("MID", INT), ("NAME", S)])
    b.add(
        Transformation(
            "JNR",
            "Joiner",
            ports=[
                port("ID", INT),
                port("AMT", INT),
                port("MID", INT, "INPUT/OUTPUT/MASTER"),
                port("NAME", S, "INPUT/OUTPUT/MASTER"),
            ],
            attributes=Attributes({"Join Condition": "MID = ID", "Join Type": "Normal Join"}),
        )
    )
    b.connect("SQ_S", "JNR", ["ID", "AMT"]).connect("SQ_M", "JNR", ["MID", "NAME"])
    b.add(Transformation("SRT", "Sorter", ports=[port("ID", INT, is_sort_key=True), port("AMT", INT)]))
    b.connect("JNR", "SRT", ["ID", "AMT"])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("ID", INT),
                port("AMT", INT, expression_type="RANKPORT"),
                port("RANKINDEX", INT, "OUTPUT", expression_type="RANKINDEX"),
            ],
            attributes=Attributes({"Number of Ranks": "2"}),
        )
    )
    b.connect("SRT", "RNK", ["ID", "AMT"])
    b.flat_target("T", [("ID", INT), ("RANKINDEX", INT)])
    b.connect("RNK", "T", ["ID", "RANKINDEX"])
    job = b.render()
    assert job.complete, job.gaps
    assert "_row_error" not in job.code and "reject_errors" not in job.code


# -- the rows, on Spark ----------------------------------------------------------------------------------------

FILTER_ROWS = [[1, "a", 10], [2, "a", 0], [3, "bad", 10], [4, "bad", 50], [5, "a", None], [6, "bad", None]]


@pytest.mark.spark
def test_a_filter_condition_that_fails_rejects_the_row(spark, tmp_path: Path) -> None:
    # AND stops after a FALSE left operand (row 4), not after a NULL one (row 6)
    b = _filter("100 / AMT > 5 AND IIF(CODE = 'bad', ERROR('bad code ' || ID), TRUE)")
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CODE", "AMT"], FILTER_ROWS)
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t.out") == [["1"]]
    assert result.trans_errors == 3 and result.as_dict()["TotalTransErrors"] == 3
    assert result.source_rows == {"S": 6} and result.target_rows == {"T": 1}
    errors = _errors(tmp_path)
    assert [(e["transformation"], e["error_type"], e["error"]) for e in errors] == [
        ("FIL", "transformation", "divide by zero"),
        ("FIL", "transformation", "ERROR: bad code 3"),
        ("FIL", "transformation", "ERROR: bad code 6"),
    ]
    assert json.loads(errors[0]["row"]) == {"ID": 2, "CODE": "a", "AMT": 0}


@pytest.mark.spark
def test_a_bad_date_string_in_a_filter_condition_rejects_the_row(spark, tmp_path: Path) -> None:
    b = _filter("TO_DATE(CODE, 'YYYYMMDD') >= TO_DATE('20240101', 'YYYYMMDD')")
    rows = [[1, "20240315", 1], [2, "2024-03-15", 2], [3, "20231231", 3], [4, None, 4], [5, "20240230", 5]]
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CODE", "AMT"], rows)
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t.out") == [["1"]]  # 3 is before 2024, 4 is NULL: dropped, no error
    assert result.trans_errors == 2
    assert [(e["row_id"], e["error"]) for e in _errors(tmp_path)] == [
        ("1", "TO_DATE: value does not match the format YYYYMMDD"),
        ("4", "TO_DATE: value does not match the format YYYYMMDD"),  # February 30th
    ]


@pytest.mark.spark
def test_filter_errors_count_towards_stop_on_errors(spark, tmp_path: Path) -> None:
    b = _filter("100 / AMT > 5", stop_on_errors="2")
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CODE", "AMT"], [[1, "a", 0], [2, "a", 10], [3, "a", 0]])
    with pytest.raises(
        SessionFailed, match=r"2 row errors in FIL reached the session's Stop on errors threshold"
    ):
        run_job(b.render(), spark, tmp_path)
    assert not (tmp_path / "tgt" / "t.out").exists()


@pytest.mark.spark
def test_a_router_group_condition_that_fails_rejects_the_row_from_every_group(spark, tmp_path: Path) -> None:
    b = _router({"BIG": "AMT > 10", "CHECK": "IIF(ID = 6, ERROR('six'), FALSE)", "RATIO": "100 / AMT > 20"})
    write_csv(
        tmp_path / "src" / "s.dat", ["ID", "AMT"], [[1, 12], [2, 0], [3, 4], [4, None], [5, 50], [6, 0]]
    )
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t_big.out") == [["1"], ["5"]]
    assert read_csv(tmp_path / "tgt" / "t_ratio.out") == [["3"]]
    assert read_csv(tmp_path / "tgt" / "t_default1.out") == [["4"]]  # NULL conditions; 2 and 6 go nowhere
    assert not (tmp_path / "tgt" / "t_check.out").read_text()
    assert result.trans_errors == 2
    # row 6 fails in CHECK and in RATIO: the first group's message
    assert [(e["row_id"], e["error"]) for e in _errors(tmp_path)] == [
        ("1", "divide by zero"),
        ("5", "ERROR: six"),
    ]


@pytest.mark.spark
def test_an_update_strategy_that_fails_rejects_the_row_unlike_dd_reject(spark, tmp_path: Path) -> None:
    b = _update_strategy("IIF(CODE = 'bad', ERROR('bad ' || ID), IIF(AMT = 0, DD_REJECT, DD_INSERT))")
    rows = [[1, "a", 10], [2, "bad", 20], [3, "c", 0], [4, "bad", 40], [5, None, 50]]
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CODE", "AMT"], rows)
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t.out") == [["1", "a"], ["5", ""]]
    assert result.trans_errors == 2 and [e["error"] for e in _errors(tmp_path)] == [
        "ERROR: bad 2",
        "ERROR: bad 4",
    ]
    assert result.rejected_rows == {"T": 1}  # DD_REJECT: the writer's reject file, not a row error
    assert (tmp_path / "bad" / "t.bad").read_text().startswith("3,3,D")


AGG_ROWS = [
    ["x", 10, 2, "n1"],
    ["x", 6, 0, "n2"],  # B = 0: SUM(A / B, B > 0) does not divide
    ["bad", 1, 1, "n3"],  # GRP raises ERROR: the input row is rejected before grouping
    ["y", 5, 0, "n4"],
    ["y", 0, 0, "n5"],  # SUM(A) / SUM(B) divides by zero: the group's row is rejected
    ["z", 4, 2, "n6"],
    ["z", 5, 4, "n7"],
    ["w", 0, 1, "n8"],
    ["w", 3, 3, "n9"],  # 10 / A on the last row only: A = 0 of row n8 is no error
]


@pytest.mark.spark
def test_aggregator_row_errors_per_input_row_and_per_group(spark, tmp_path: Path) -> None:
    write_csv(tmp_path / "src" / "s.dat", ["K", "A", "B", "NOTE"], AGG_ROWS)
    result = run_job(_ratio_aggregator().render(), spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "t.out")) == [
        # ports of scale 2, written to target fields of scale 4
        ["W", "1.0000", "0.7500", "3.3300", "n9"],  # 0/1 + 3/3; 3/4; 10/3
        ["X", "5.0000", "8.0000", "1.6700", "n2"],  # 10/2; 16/2; 10/6
        ["Z", "3.2500", "1.5000", "2.0000", "n7"],  # 4/2 + 5/4; 9/6; 10/5
    ]
    assert result.trans_errors == 2
    errors = sorted(_errors(tmp_path), key=lambda e: e["error"])
    assert [e["error"] for e in errors] == ["ERROR: bad key bad", "divide by zero"]
    assert json.loads(errors[0]["row"]) == {"K": "bad", "A": 1, "B": 1, "NOTE": "n3"}
    assert errors[0]["row_id"] == "2"
    group = json.loads(errors[1]["row"])  # the output row of group y
    assert group["GRP"] == "Y" and group["NOTE"] == "n5" and errors[1]["row_id"] == ""


@pytest.mark.spark
def test_a_rejected_input_row_counts_in_no_group(spark, tmp_path: Path) -> None:
    b = _aggregator(
        port("TOTAL", INT, "OUTPUT", "SUM(100 / A)"),
        port("N", INT, "OUTPUT", "COUNT(A)"),
        target=[("K", S), ("TOTAL", INT), ("N", INT)],
        group_by_k=True,
    )
    write_csv(
        tmp_path / "src" / "s.dat",
        ["K", "A", "B", "NOTE"],
        [["k1", 10, 0, ""], ["k1", 0, 0, ""], ["k2", 0, 0, ""], ["k1", 50, 0, ""]],
    )
    result = run_job(b.render(), spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "t.out")) == [["k1", "12", "2"]]  # 100/10 + 100/50; k2 is gone
    assert result.trans_errors == 2
    assert [e["row_id"] for e in _errors(tmp_path)] == ["1", "2"]


# -- conditions: the evaluator and Spark agree ---------------------------------------------------------------

CONDITIONS: dict[str, tuple[dict[str, str], list[str]]] = {
    "numbers": (
        {"N": "integer", "M": "integer"},
        [
            "100 / N > 5",
            "N > 1 AND 10 / (N - 7) > 0",
            "N / M > 1 OR N > 5",
            "IIF(N > 2, ERROR('big ' || N), N)",
            "IIF(M = 0, ERROR('zero'), N > M)",
            "DECODE(TRUE, N > 5, TRUE, N < 0, ERROR('neg'), FALSE)",
            "NOT (N % M = 0)",
            "IIF(ISNULL(N), FALSE, 10 / N)",
            "N > M",
        ],
    ),
    "strings": (
        {"S": "string", "N": "integer"},
        [
            "TO_DATE(S, 'MM/DD/YYYY') > TO_DATE('01/01/2000', 'MM/DD/YYYY')",
            "IIF(S = 'abc', ERROR(S), N)",
            "LENGTH(S) > 2 AND TO_INTEGER(S) > N",
        ],
    ),
}


@pytest.mark.spark
@pytest.mark.parametrize("group", sorted(CONDITIONS))
def test_conditions_in_row_error_mode_agree_with_the_evaluator(spark, group: str) -> None:
    """What a Filter keeps and rejects, and a Router group takes: the checked condition (NULL and 0 are not
    TRUE) and its message agree with the evaluator on a grid of values with NULLs, row by row."""
    from pyspark.sql import functions as F  # noqa: N812

    from infaflow.expr import DictEnvironment, RowError, evaluate, parse, truthy
    from infaflow.expr.spark import to_pyspark_checked
    from tests.expr.differential import SPARK_TYPES, TypedContext, rows_for

    columns, conditions = CONDITIONS[group]
    rows = rows_for(columns)
    checked = [to_pyspark_checked(parse(c), TypedContext(columns), condition=True) for c in conditions]
    schema = ", ".join(f"`{n}` {SPARK_TYPES[t]}" for n, t in columns.items())
    frame = spark.createDataFrame([tuple(r[n] for n in columns) for r in rows], schema=schema)
    selected = []
    for i, c in enumerate(checked):
        # Generated code is Python source by design; it is our own output (as in tests/expr/differential.py).
        selected.append(eval(c.value, {"F": F}).alias(f"v{i}"))  # noqa: S307
        selected.append((eval(c.error, {"F": F}) if c.error else F.lit(None)).alias(f"e{i}"))  # noqa: S307
    got = (
        frame.withColumn("__row", F.monotonically_increasing_id()).select("__row", *selected).orderBy("__row")
    )
    problems, outcomes = [], set()
    for row, result in zip(rows, got.collect(), strict=True):
        for i, text in enumerate(conditions):
            try:
                kept, failed = truthy(evaluate(parse(text), DictEnvironment(row, types=columns))), False
            except RowError:
                kept, failed = False, True
            outcomes.add(failed)
            if failed != (result[f"e{i}"] is not None) or (not failed and kept != (result[f"v{i}"] is True)):
                problems.append(
                    f"{text} with {row}: evaluator {'raises' if failed else kept}, "
                    f"spark {result[f'v{i}']!r} / {result[f'e{i}']!r}"
                )
    assert not problems, "\n".join(problems[:20])
    assert outcomes == {True, False}


@pytest.mark.spark
def test_an_unconnected_lookup_argument_that_fails_rejects_the_row_in_the_caller(
    spark, tmp_path: Path
) -> None:
    """The arguments of :LKP are evaluated by the calling transformation: their row errors are its own."""
    from infaflow.codegen.store import load_csv

    write_csv(tmp_path / "customers.csv", ["CID", "NAME"], [[10, "ann"], [20, "bob"]])
    load_csv(spark, tmp_path / "store", "DWH", "CUSTOMERS", tmp_path / "customers.csv")
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("CID", INT)])
    b.add(
        Transformation(
            "lkp_name",
            "Lookup Procedure",
            ports=[
                port("IN_CID", INT, "INPUT"),
                port("CID", INT, "LOOKUP/OUTPUT"),
                port("NAME", S, "LOOKUP/RETURN/OUTPUT"),
            ],
            attributes=Attributes(
                {
                    "Lookup table name": "CUSTOMERS",
                    "Lookup condition": "CID = IN_CID",
                    "Connection Information": "DWH",
                }
            ),
        )
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("CID", INT, "INPUT"),
                port("NAME", S, "OUTPUT", ":LKP.lkp_name(IIF(CID < 0, ERROR('negative ' || CID), CID))"),
            ],
        )
    )
    b.connect("SQ_S", "EXP", ["ID", "CID"])
    b.flat_target("T", [("ID", INT), ("NAME", S)])
    b.connect("EXP", "T", ["ID", "NAME"])
    write_csv(tmp_path / "src" / "s.dat", ["ID", "CID"], [[1, 10], [2, -5], [3, 20], [4, None]])
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t.out") == [["1", "ann"], ["3", "bob"], ["4", ""]]
    assert result.trans_errors == 1
    assert [(e["transformation"], e["error"]) for e in _errors(tmp_path)] == [("EXP", "ERROR: negative -5")]


def test_an_aggregator_port_default_value_replaces_a_group_error() -> None:
    b = _aggregator(
        port("AVG_RATIO", INT, "OUTPUT", "SUM(A) / SUM(B)", default_value="-1"),
        target=[("K", S), ("AVG_RATIO", INT)],
        group_by_k=True,
    )
    lines = _step(b.render().code, "Aggregator AGG")
    assert lines[1:4] == [
        'agg = agg.groupBy("K").agg(',
        'F.max_by(F.col("NOTE"), F.col("_row_id")).alias("NOTE"),',
        'F.when(F.when(F.when(F.sum(F.col("B")) == 0, F.lit(None)).otherwise(F.sum(F.col("A")) / F.sum(F.col("B")))'
        '.isNull() & F.sum(F.col("A")).isNotNull() & F.sum(F.col("B")).isNotNull(), F.lit("divide by zero")).isNull(), '
        'F.when(F.sum(F.col("B")) == 0, F.lit(None)).otherwise(F.sum(F.col("A")) / F.sum(F.col("B"))).cast("int"))'
        '.otherwise(F.lit(-1).cast("int")).alias("AVG_RATIO"),',
    ]
    assert "reject_errors" not in "\n".join(lines)


def test_a_rank_port_with_an_expression_is_reported() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("AMT", INT)])
    b.add(
        Transformation(
            "RNK",
            "Rank",
            ports=[
                port("ID", INT),
                port("AMT", INT, expression_type="RANKPORT"),
                port("RANKINDEX", INT, "OUTPUT", "RANKINDEX", expression_type="RANKINDEX"),
                port("RATIO", INT, "OUTPUT", "100 / AMT", line=42),
            ],
            attributes=Attributes({"Number of Ranks": "2"}),
        )
    )
    b.connect("SQ_S", "RNK", ["ID", "AMT"])
    b.flat_target("T", [("ID", INT), ("RANKINDEX", INT)])
    b.connect("RNK", "T", ["ID", "RANKINDEX"])
    job = b.render()
    assert [(g.instance, g.message, g.line) for g in job.gaps] == [
        (
            "RNK",
            "port RATIO of the Rank has an expression (100 / AMT); expressions in a Rank are not converted",
            42,
        )
    ]


@pytest.mark.spark
def test_a_row_error_inside_a_nested_aggregate_rejects_the_input_row(spark, tmp_path: Path) -> None:
    b = _aggregator(
        port("M", DEC, "OUTPUT", "MAX(SUM(100 / A))", precision=12, scale=2),
        target=[("M", DEC)],
        group_by_k=True,
    )
    write_csv(
        tmp_path / "src" / "s.dat",
        ["K", "A", "B", "NOTE"],
        [["k1", 10, 0, ""], ["k1", 0, 0, ""], ["k2", 50, 0, ""], ["k2", 25, 0, ""]],
    )
    result = run_job(b.render(), spark, tmp_path)
    assert read_csv(tmp_path / "tgt" / "t.out") == [["10.0000"]]  # k1: 100/10; k2: 100/50 + 100/25 = 6
    assert result.trans_errors == 1 and _errors(tmp_path)[0]["row_id"] == "1"
