"""Mapping variables set row by row (SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE, SETCOUNTVARIABLE) in
generated jobs: the exact generated lines and gap messages (no Spark), then the jobs run on rows written from
PowerCenter's documented rules, and a differential test against the expression evaluator."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen import support
from infaflow.expr import DictEnvironment, evaluate, parse
from infaflow.expr.variables import saved_value
from infaflow.model import Attributes, MappingVariable, Transformation

INT, S, D = "integer", "string", "date/time"


def _variable(name: str, datatype: str, default: str, aggregation: str) -> MappingVariable:
    return MappingVariable(name, datatype, default, aggfunction=aggregation, precision=20)


def _mapping(
    *ports: Any,
    variables: tuple[MappingVariable, ...] = (),
    treat: str | None = None,
    strategy: str | None = None,
    kind: str = "Expression",
) -> MappingBuilder:
    """ORD(ID, AMT, UPDATED_AT, RT) [-> UPD (Update Strategy)] -> EXP(ID, ports...) -> OUT(ID, one column per
    output port)."""
    b = MappingBuilder()
    b.flat_source("ORD", [("ID", "integer"), ("AMT", "integer"), ("UPDATED_AT", "date"), ("RT", "integer")])
    inputs = ["ID", "AMT", "UPDATED_AT", "RT"]
    upstream = "SQ_ORD"
    if strategy is not None:
        b.add(
            Transformation(
                "UPD",
                "Update Strategy",
                ports=[port(n, INT if n != "UPDATED_AT" else D) for n in inputs],
                attributes=Attributes({"Update Strategy Expression": strategy}),
            )
        )
        b.connect("SQ_ORD", "UPD", inputs)
        upstream = "UPD"
    b.add(
        Transformation(
            "EXP",
            kind,
            ports=[
                port("ID", INT),
                port("AMT", INT, "INPUT"),
                port("UPDATED_AT", D, "INPUT"),
                port("RT", INT, "INPUT"),
                *ports,
            ],
            attributes=Attributes({"Filter Condition": "TRUE"} if kind == "Filter" else {}),
        )
    )
    b.connect(upstream, "EXP", inputs)
    outs = [p for p in ports if p.port_type == "OUTPUT"]
    b.flat_target("OUT", [("ID", "integer"), *[(p.name, _target_type(p.datatype)) for p in outs]])
    b.connect("EXP", "OUT", {"ID": "ID", **{p.name: p.name for p in outs}})
    b.mapping.variables.extend(variables)
    if treat is not None:
        b.with_session({"Treat source rows as": treat})
    return b


def _target_type(datatype: str) -> str:
    return {"date/time": "date", "integer": "integer", "string": "string"}.get(datatype, datatype)


LAST_RUN = _variable("$$LAST_RUN", D, "01/01/2000 00:00:00", "MAX")
N_BIG = _variable("$$N_BIG", INT, "0", "COUNT")
LOW = _variable("$$LOW", INT, "100", "MIN")
LAST_ID = _variable("$$LAST_ID", INT, "", "MAX")


#: the comment carrying a port's PowerCenter expression (checked in test_readable_code.py)
EXPRESSION_COMMENT = re.compile(r"^\s*# (\w+ = |    )")


def _step_lines(code: str, step: str = "Expression EXP") -> list[str]:
    lines = code.splitlines()
    start = lines.index(f"    # {step}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("    # Target Definition"))
    return [
        line.strip() for line in lines[start + 1 : end] if line.strip() and not EXPRESSION_COMMENT.match(line)
    ]


CODE_CASES = [
    pytest.param(
        [port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)")],
        (LAST_RUN,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETMAXVARIABLE($$LAST_RUN, UPDATED_AT) in port o_LAST:",
            "# acts on rows marked for insert",
            'exp = exp.withColumn("_LAST_RUN_action", F.col("UPDATED_AT").cast("timestamp"))',
            'exp = job.set_variable(exp, "$$LAST_RUN", "SETMAXVARIABLE", "_LAST_RUN_action", current="_LAST_RUN")',
            "exp = exp.withColumns({",
            '"o_LAST": F.col("_LAST_RUN").cast("timestamp"),',
            '}).drop("_LAST_RUN_action", "_LAST_RUN")',
        ],
        id="setmax-output-port",
    ),
    pytest.param(
        [port("o_CNT", INT, "OUTPUT", "IIF(AMT > 10, SETCOUNTVARIABLE($$N_BIG), -1)")],
        (N_BIG,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETCOUNTVARIABLE($$N_BIG) in port o_CNT:",
            "# adds 1 for a row marked for insert, subtracts 1 for a row marked for delete, when the IIF/DECODE "
            "branch that holds it is taken",
            'exp = exp.withColumn("_N_BIG_action", F.when((F.col("AMT") > F.lit(10)), F.lit(1)))',
            'exp = job.set_variable(exp, "$$N_BIG", "SETCOUNTVARIABLE", "_N_BIG_action", current="_N_BIG")',
            "exp = exp.withColumns({",
            '"o_CNT": F.when((F.col("AMT") > F.lit(10)), F.col("_N_BIG")).otherwise(F.lit(-1)).cast("int"),',
            '}).drop("_N_BIG_action", "_N_BIG")',
        ],
        id="setcount-in-iif-true-branch",
    ),
    pytest.param(
        [port("o_MIN", INT, "OUTPUT", "IIF(ISNULL(UPDATED_AT), 0, SETMINVARIABLE($$LOW, AMT))")],
        (LOW,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETMINVARIABLE($$LOW, AMT) in port o_MIN:",
            "# acts on rows marked for insert, when the IIF/DECODE branch that holds it is taken",
            'exp = exp.withColumn("_LOW_action", F.when(~F.coalesce(F.col("UPDATED_AT").isNull(), F.lit(False)), '
            'F.col("AMT").cast("int")))',
            'exp = job.set_variable(exp, "$$LOW", "SETMINVARIABLE", "_LOW_action", current="_LOW")',
            "exp = exp.withColumns({",
            '"o_MIN": F.when(F.col("UPDATED_AT").isNull(), F.lit(0)).otherwise(F.col("_LOW")).cast("int"),',
            '}).drop("_LOW_action", "_LOW")',
        ],
        id="setmin-in-iif-else-branch",
    ),
    pytest.param(
        [port("o_ID", INT, "OUTPUT", "DECODE(RT, 1, SETVARIABLE($$LAST_ID, ID), 0)")],
        (LAST_ID,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETVARIABLE($$LAST_ID, ID) in port o_ID:",
            "# acts on rows marked for insert or marked for update, when the IIF/DECODE branch that holds it is "
            "taken",
            'exp = exp.withColumn("_LAST_ID_action", F.when((F.when(F.col("RT").eqNullSafe(F.lit(1)), F.lit(1))'
            '.otherwise(F.lit(0)) == F.lit(1)), F.col("ID").cast("int")))',
            'exp = job.set_variable(exp, "$$LAST_ID", "SETVARIABLE", "_LAST_ID_action", current="_LAST_ID")',
            "exp = exp.withColumns({",
            '"o_ID": F.when(F.col("RT").eqNullSafe(F.lit(1)), F.col("_LAST_ID")).otherwise(F.lit(0)).cast("int"),',
            '}).drop("_LAST_ID_action", "_LAST_ID")',
        ],
        id="setvariable-in-decode",
    ),
    pytest.param(
        [port("v_SET", INT, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_ID, ID)")],
        (LAST_ID,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETMAXVARIABLE($$LAST_ID, ID) in port v_SET:",
            "# acts on rows marked for insert",
            'exp = exp.withColumn("_LAST_ID_action", F.col("ID").cast("int"))',
            'exp = job.set_variable(exp, "$$LAST_ID", "SETMAXVARIABLE", "_LAST_ID_action")  '
            "# the port's value is not used: no running value",
            'exp = exp.withColumn("v_SET", F.lit(None).cast("int"))',
            'exp = exp.drop("v_SET", "_LAST_ID_action")',
        ],
        id="unused-variable-port-no-window",
    ),
    pytest.param(
        [port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)")],
        (LAST_RUN,),
        "Data Driven",
        "IIF(RT = 1, DD_UPDATE, DD_INSERT)",
        [
            "exp = upd",
            "# SETMAXVARIABLE($$LAST_RUN, UPDATED_AT) in port o_LAST:",
            "# acts on rows marked for insert",
            'exp = exp.withColumn("_LAST_RUN_action", F.when((F.col("_row_type") == 0), '
            'F.col("UPDATED_AT").cast("timestamp")))',
            'exp = job.set_variable(exp, "$$LAST_RUN", "SETMAXVARIABLE", "_LAST_RUN_action", current="_LAST_RUN")',
            "exp = exp.withColumns({",
            '"o_LAST": F.col("_LAST_RUN").cast("timestamp"),',
            '}).drop("_LAST_RUN_action", "_LAST_RUN")',
        ],
        id="data-driven-row-types",
    ),
    pytest.param(
        [port("o_N", INT, "OUTPUT", "SETCOUNTVARIABLE($$N_BIG)")],
        (N_BIG,),
        "Data Driven",
        "IIF(RT = 2, DD_DELETE, DD_INSERT)",
        [
            "exp = upd",
            "# SETCOUNTVARIABLE($$N_BIG) in port o_N:",
            "# adds 1 for a row marked for insert, subtracts 1 for a row marked for delete",
            'exp = exp.withColumn("_N_BIG_action", F.when(F.col("_row_type") == 0, F.lit(1))'
            '.when(F.col("_row_type") == 2, F.lit(-1)))',
            'exp = job.set_variable(exp, "$$N_BIG", "SETCOUNTVARIABLE", "_N_BIG_action", current="_N_BIG")',
            "exp = exp.withColumns({",
            '"o_N": F.col("_N_BIG").cast("int"),',
            '}).drop("_N_BIG_action", "_N_BIG")',
        ],
        id="data-driven-count",
    ),
    pytest.param(
        [port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)")],
        (LAST_RUN,),
        "Update",
        None,
        [
            "exp = sq_ord",
            "# SETMAXVARIABLE($$LAST_RUN, UPDATED_AT) in port o_LAST:",
            "# the session marks every row for update, which SETMAXVARIABLE ignores",
            'exp = exp.withColumn("_LAST_RUN_action", F.lit(None).cast("timestamp"))',
            'exp = job.set_variable(exp, "$$LAST_RUN", "SETMAXVARIABLE", "_LAST_RUN_action", current="_LAST_RUN")',
            "exp = exp.withColumns({",
            '"o_LAST": F.col("_LAST_RUN").cast("timestamp"),',
            '}).drop("_LAST_RUN_action", "_LAST_RUN")',
        ],
        id="treat-rows-as-update",
    ),
    pytest.param(
        [
            port("v_M", INT, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_ID, ID)"),
            port("o_CUR", INT, "OUTPUT", "SETVARIABLE($$LAST_ID, NULL) + 0"),
            port("o_START", INT, "OUTPUT", "$$LAST_ID"),
        ],
        (LAST_ID,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETMAXVARIABLE($$LAST_ID, ID) in port v_M:",
            "# acts on rows marked for insert",
            'exp = exp.withColumn("_LAST_ID_action", F.col("ID").cast("int"))',
            'exp = job.set_variable(exp, "$$LAST_ID", "SETMAXVARIABLE", "_LAST_ID_action", current="_LAST_ID")',
            'exp = exp.withColumn("v_M", F.col("_LAST_ID").cast("int"))',
            "exp = exp.withColumns({",
            '"o_CUR": (F.col("_LAST_ID") + F.lit(0)).cast("int"),',
            '"o_START": job.param("$$LAST_ID").cast("int"),',
            '}).drop("v_M", "_LAST_ID_action", "_LAST_ID")',
        ],
        id="read-current-value-and-start-value",
    ),
    pytest.param(
        [
            port("v_A", D, "LOCAL VARIABLE", "ADD_TO_DATE(UPDATED_AT, 'DD', 1)"),
            port("v_B", D, "LOCAL VARIABLE", "IIF(AMT > 0, v_A)"),
            port("v_SET", D, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_RUN, v_B)"),
            port("o_SET", D, "OUTPUT", "v_SET"),
        ],
        (LAST_RUN,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETMAXVARIABLE($$LAST_RUN, IIF((AMT > 0), ADD_TO_DATE(UPDATED_AT, 'DD', 1))) in port v_SET:",
            "# acts on rows marked for insert",
            'exp = exp.withColumn("_LAST_RUN_action", F.when((F.col("AMT") > F.lit(0)), '
            'F.timestamp_add("DAY", F.lit(1).cast("bigint"), F.col("UPDATED_AT"))).cast("timestamp"))',
            'exp = job.set_variable(exp, "$$LAST_RUN", "SETMAXVARIABLE", "_LAST_RUN_action", current="_LAST_RUN")',
            'exp = exp.withColumn("v_A", F.timestamp_add("DAY", F.lit(1).cast("bigint"), F.col("UPDATED_AT"))'
            '.cast("timestamp"))',
            'exp = exp.withColumn("v_B", F.when((F.col("AMT") > F.lit(0)), F.col("v_A")).cast("timestamp"))',
            'exp = exp.withColumn("v_SET", F.col("_LAST_RUN").cast("timestamp"))',
            "exp = exp.withColumns({",
            '"o_SET": F.col("v_SET").cast("timestamp"),',
            '}).drop("v_A", "v_B", "v_SET", "_LAST_RUN_action", "_LAST_RUN")',
        ],
        id="variable-port-reads-earlier-variable-ports",
    ),
    pytest.param(
        [
            port(
                "o_ID",
                INT,
                "OUTPUT",
                "IIF(AMT > 10, SETVARIABLE($$LAST_ID, ID), SETVARIABLE($$LAST_ID, -ID))",
            )
        ],
        (LAST_ID,),
        None,
        None,
        [
            "exp = sq_ord",
            "# SETVARIABLE($$LAST_ID, ID) / SETVARIABLE($$LAST_ID, -ID) in port o_ID:",
            "# acts on rows marked for insert or marked for update, when the IIF/DECODE branch that holds it is "
            "taken (one branch at most on a row)",
            'exp = exp.withColumn("_LAST_ID_action", F.coalesce(F.when((F.col("AMT") > F.lit(10)), '
            'F.col("ID").cast("int")), F.when(~F.coalesce((F.col("AMT") > F.lit(10)), F.lit(False)), '
            '(-F.col("ID")).cast("int"))))',
            'exp = job.set_variable(exp, "$$LAST_ID", "SETVARIABLE", "_LAST_ID_action", current="_LAST_ID")',
            "exp = exp.withColumns({",
            '"o_ID": F.when((F.col("AMT") > F.lit(10)), F.col("_LAST_ID")).otherwise(F.col("_LAST_ID")).cast("int"),',
            '}).drop("_LAST_ID_action", "_LAST_ID")',
        ],
        id="exclusive-branches-set-one-variable",
    ),
]


@pytest.mark.parametrize(("ports", "variables", "treat", "strategy", "expected"), CODE_CASES)
def test_generated_lines(
    ports: list[Any],
    variables: tuple[MappingVariable, ...],
    treat: str | None,
    strategy: str | None,
    expected: list[str],
) -> None:
    job = _mapping(*ports, variables=variables, treat=treat, strategy=strategy).render()
    assert job.complete, job.gaps
    assert _step_lines(job.code) == expected


GAP_CASES = [
    pytest.param(
        [
            port("o_A", INT, "OUTPUT", "SETMAXVARIABLE($$LAST_ID, ID)"),
            port("o_B", INT, "OUTPUT", "SETMAXVARIABLE($$LAST_ID, AMT)"),
        ],
        (LAST_ID,),
        "Expression",
        "$$LAST_ID is set in 2 places (EXP.o_A, EXP.o_B): PowerCenter leaves the order between them undefined; "
        "not converted",
        id="set-twice",
    ),
    pytest.param(
        [
            port(
                "o_A",
                INT,
                "OUTPUT",
                "SETMAXVARIABLE($$LAST_ID, ID) + IIF(AMT > 0, SETMAXVARIABLE($$LAST_ID, AMT))",
            )
        ],
        (LAST_ID,),
        "Expression",
        "$$LAST_ID is set 2 times in one expression, not in branches of IIF/DECODE that exclude each other: not "
        "converted",
        id="set-twice-in-one-expression",
    ),
    pytest.param(
        [
            port(
                "o_A",
                INT,
                "OUTPUT",
                "DECODE(RT, 1, SETMAXVARIABLE($$LAST_ID, ID), 2, SETVARIABLE($$LAST_ID, AMT))",
            )
        ],
        (LAST_ID,),
        "Expression",
        "$$LAST_ID is set 2 times in one expression, not in branches of IIF/DECODE that exclude each other: not "
        "converted",
        id="two-functions-in-exclusive-branches",
    ),
    pytest.param(
        [port("o_A", INT, "OUTPUT", "SETMINVARIABLE($$LAST_ID, ID)")],
        (LAST_ID,),
        "Expression",
        "SETMINVARIABLE needs a variable of aggregation type MIN; $$LAST_ID is MAX (the Designer does not allow "
        "this combination)",
        id="aggregation-type",
    ),
    pytest.param(
        [port("o_A", INT, "OUTPUT", "SETCOUNTVARIABLE($$P)")],
        (MappingVariable("$$P", INT, "0", is_param=True),),
        "Expression",
        "SETCOUNTVARIABLE($$P): $$P is a mapping parameter; only variables can be set",
        id="parameter",
    ),
    pytest.param(
        [port("o_A", INT, "OUTPUT", "SETCOUNTVARIABLE($$NOPE)")],
        (),
        "Expression",
        "SETCOUNTVARIABLE($$NOPE): $$NOPE is not declared in mapping m_test",
        id="undeclared",
    ),
    pytest.param(
        [port("o_A", INT, "OUTPUT", "DECODE(SETMAXVARIABLE($$LAST_ID, ID), 1, 2, 3)")],
        (LAST_ID,),
        "Expression",
        "",
        id="decode-value-is-evaluated-always",
    ),
    pytest.param(
        [port("o_A", INT, "OUTPUT", "DECODE(RT, SETMAXVARIABLE($$LAST_ID, ID), 2, 3)")],
        (LAST_ID,),
        "Expression",
        "a variable function in a search argument of DECODE is not converted",
        id="decode-search",
    ),
    pytest.param(
        [
            port("v_B", INT, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_ID, v_A)"),
            port("v_A", INT, "LOCAL VARIABLE", "ID * 2"),
            port("o_B", INT, "OUTPUT", "v_B"),
        ],
        (LAST_ID,),
        "Expression",
        "SETMAXVARIABLE($$LAST_ID, v_A) in variable port v_B reads the previous row's value of variable port "
        "v_A: not converted",
        id="variable-port-reads-previous-row",
    ),
    pytest.param(
        [
            port("v_A", D, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
            port("v_B", INT, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_ID, v_A)"),
            port("o_B", INT, "OUTPUT", "v_B"),
        ],
        (LAST_ID, LAST_RUN),
        "Expression",
        "SETMAXVARIABLE($$LAST_ID, v_A) in variable port v_B reads variable port v_A, which calls a lookup or a "
        "variable function: not converted",
        id="variable-port-reads-lookup-port",
    ),
    pytest.param(
        [
            port("o_A", INT, "OUTPUT", "SETVARIABLE($$LAST_ID, NULL)"),
            port("o_B", INT, "OUTPUT", "SETMAXVARIABLE($$LAST_ID, ID)"),
        ],
        (LAST_ID,),
        "Expression",
        "SETVARIABLE($$LAST_ID, NULL) reads the current value of $$LAST_ID, which is set in EXP.o_B: converted "
        "only in a later port of the same Expression",
        id="read-before-set",
    ),
]


@pytest.mark.parametrize(("ports", "variables", "kind", "message"), GAP_CASES)
def test_gaps(ports: list[Any], variables: tuple[MappingVariable, ...], kind: str, message: str) -> None:
    job = _mapping(*ports, variables=variables, kind=kind).render()
    assert {g.message for g in job.gaps} == ({message} if message else set())
    assert all(
        g.file == "tests/codegen/data/model.xml" and g.line == 10 for g in job.gaps
    )  # the port's place


def _filter(condition: str, kind: str = "Filter") -> MappingBuilder:
    b = _mapping(variables=(LAST_ID, N_BIG), kind="Expression")
    b.add(
        Transformation(
            "FIL",
            kind,
            ports=[port("ID", INT), port("AMT", INT)],
            attributes=Attributes(
                {"Filter Condition" if kind == "Filter" else "Update Strategy Expression": condition}
            ),
        )
    )
    b.connect("SQ_ORD", "FIL", ["ID", "AMT"])
    b.flat_target("OUT2", [("ID", "integer")])
    b.connect("FIL", "OUT2", ["ID"])
    return b


def test_a_filter_condition_sets_the_variable_for_every_row_that_reaches_it() -> None:
    job = _filter("IIF(AMT > 0, SETCOUNTVARIABLE($$N_BIG) <= 2, FALSE)").render()
    assert job.complete, job.gaps
    assert _step_lines(job.code, "Filter FIL") == [
        "# condition: IIF(AMT > 0, SETCOUNTVARIABLE($$N_BIG) <= 2, FALSE)",
        'fil = sq_ord.select("ID", "AMT", "_row_id")',
        "# SETCOUNTVARIABLE($$N_BIG):",
        "# adds 1 for a row marked for insert, subtracts 1 for a row marked for delete, when the IIF/DECODE "
        "branch that holds it is taken",
        'fil = fil.withColumn("_N_BIG_action", F.when((F.col("AMT") > F.lit(0)), F.lit(1)))',
        'fil = job.set_variable(fil, "$$N_BIG", "SETCOUNTVARIABLE", "_N_BIG_action", current="_N_BIG")',
        'fil = fil.where(F.when((F.col("AMT") > F.lit(0)), (F.col("_N_BIG") <= F.lit(2)).cast("int"))'
        '.otherwise(F.lit(False).cast("int")) != 0)',
        'fil = fil.drop("_N_BIG_action", "_N_BIG")',
    ]


def test_an_update_strategy_expression_is_a_gap() -> None:
    job = _filter("IIF(SETMAXVARIABLE($$LAST_ID, ID) > 3, DD_UPDATE, DD_INSERT)", "Update Strategy").render()
    assert [g.message for g in job.gaps] == [
        "SETMAXVARIABLE in Update Strategy transformation FIL: infaflow converts variable functions in Expression "
        "and Filter transformations only"
    ]


def test_the_job_declares_its_variables_and_passes_them_to_the_job() -> None:
    job = _mapping(
        port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"), variables=(LAST_RUN, N_BIG)
    ).render()
    assert 'MAPPING_VARIABLES = {\n    "$$LAST_RUN": "MAX",\n    "$$N_BIG": "COUNT",\n}' in job.code
    assert "job = Job(spark, SESSION, params, PARAMETERS, variables=MAPPING_VARIABLES)" in job.code
    plain = _mapping(port("o_X", INT, "OUTPUT", "AMT + 1")).render()
    assert "MAPPING_VARIABLES" not in plain.code


# -- Spark: the jobs on rows written from the rules ------------------------------------------------------


def _ts(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


ORDERS = [  # ID, AMT, UPDATED_AT, RT
    [1, 5, "01/10/2024 08:00:00", 0],
    [2, 50, None, 0],
    [3, 20, "01/05/2024 09:30:00", 1],
    [4, -3, "02/01/2024 00:00:00", 2],
    [5, 70, "01/20/2024 12:00:00", 0],
    [6, None, "01/15/2024 00:00:00", 0],
]


def _run(
    b: MappingBuilder,
    spark: Any,
    tmp: Path,
    rows: list[list[Any]] = ORDERS,
    params: dict[str, Any] | None = None,
) -> tuple[list[list[str]], support.SessionResult]:
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp / "src" / "ord.dat", ["ID", "AMT", "UPDATED_AT", "RT"], rows)
    result = run_job(job, spark, tmp, params)
    return read_csv(tmp / "tgt" / "out.out"), result


@pytest.mark.spark
def test_running_and_final_values_with_nulls_and_guards(spark, tmp_path: Path) -> None:
    b = _mapping(
        port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
        port("o_CNT", INT, "OUTPUT", "IIF(AMT > 10, SETCOUNTVARIABLE($$N_BIG), -1)"),
        port("o_LOW", INT, "OUTPUT", "SETMINVARIABLE($$LOW, AMT)"),
        port("o_ID", INT, "OUTPUT", "DECODE(TRUE, AMT > 40, SETVARIABLE($$LAST_ID, ID * 10), 0)"),
        variables=(LAST_RUN, N_BIG, LOW, LAST_ID),
    )
    rows, result = _run(b, spark, tmp_path)
    # $$LAST_RUN starts at 01/01/2000 and keeps the latest non-NULL date; $$N_BIG counts rows with AMT > 10
    # (NULL AMT: the IIF takes its else branch); $$LOW starts at 100 and keeps the smallest non-NULL AMT;
    # $$LAST_ID (no initial value: 0) is the last ID * 10 set on a row with AMT > 40.
    assert rows == [
        ["1", "01/10/2024 08:00:00", "-1", "5", "0"],
        ["2", "01/10/2024 08:00:00", "1", "5", "20"],
        ["3", "01/10/2024 08:00:00", "2", "5", "0"],
        ["4", "02/01/2024 00:00:00", "-1", "-3", "0"],
        ["5", "02/01/2024 00:00:00", "3", "-3", "50"],
        ["6", "02/01/2024 00:00:00", "-1", "-3", "0"],
    ]
    assert result.mapping_variables == {
        "$$LAST_RUN": dt.datetime(2024, 2, 1),
        "$$N_BIG": 3,
        "$$LOW": -3,
        "$$LAST_ID": 50,
    }


@pytest.mark.spark
def test_update_strategy_rows_marked_for_update_delete_or_reject(spark, tmp_path: Path) -> None:
    b = _mapping(
        port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
        port("o_CNT", INT, "OUTPUT", "SETCOUNTVARIABLE($$N_BIG)"),
        port("o_ID", INT, "OUTPUT", "SETVARIABLE($$LAST_ID, ID)"),
        variables=(LAST_RUN, N_BIG, LAST_ID),
        treat="Data Driven",
        strategy="DECODE(RT, 1, DD_UPDATE, 2, DD_DELETE, 3, DD_REJECT, DD_INSERT)",
    )
    rows = [
        [1, 1, "03/01/2024 00:00:00", 1],
        [2, 1, "01/02/2024 00:00:00", 0],
        [3, 1, "05/01/2024 00:00:00", 2],
        [4, 1, "06/01/2024 00:00:00", 3],
        [5, 1, "01/03/2024 00:00:00", 0],
        [6, 1, "01/01/2024 00:00:00", 1],
    ]
    out, result = _run(b, spark, tmp_path, rows)
    # Only inserts move SETMAXVARIABLE; SETCOUNTVARIABLE adds 1 per insert and subtracts 1 per delete;
    # SETVARIABLE takes inserts and updates; the rejected row changes nothing and goes to the reject file.
    assert result.mapping_variables == {"$$LAST_RUN": dt.datetime(2024, 1, 3), "$$N_BIG": 1, "$$LAST_ID": 6}
    assert [r[0] for r in out] == ["1", "2", "3", "5", "6"]
    assert [r[1:] for r in out] == [
        ["01/01/2000 00:00:00", "0", "1"],
        ["01/02/2024 00:00:00", "1", "2"],
        ["01/02/2024 00:00:00", "0", "2"],
        ["01/03/2024 00:00:00", "1", "5"],
        ["01/03/2024 00:00:00", "1", "6"],
    ]


@pytest.mark.spark
def test_session_treating_rows_as_update_keeps_the_start_value(spark, tmp_path: Path) -> None:
    b = _mapping(
        port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
        port("o_ID", INT, "OUTPUT", "SETVARIABLE($$LAST_ID, ID)"),
        variables=(LAST_RUN, LAST_ID),
        treat="Update",
    )
    _rows, result = _run(b, spark, tmp_path)
    assert result.mapping_variables == {"$$LAST_RUN": dt.datetime(2000, 1, 1), "$$LAST_ID": 6}


@pytest.mark.spark
def test_start_values_and_setvariable_compared_with_the_start_value(spark, tmp_path: Path) -> None:
    b = _mapping(
        port("o_ID", INT, "OUTPUT", "SETVARIABLE($$LAST_ID, AMT)"),
        port("o_START", INT, "OUTPUT", "$$LAST_ID"),
        port("o_LOWSET", INT, "OUTPUT", "SETVARIABLE($$LOW, AMT)"),
        variables=(LAST_ID, LOW, LAST_RUN, N_BIG),
    )
    # A value given for the run (parameter file or saved value) is the start value; without one, the
    # initial value (DEFAULTVALUE), else the datatype's default (0 for $$LAST_ID).
    rows, result = _run(b, spark, tmp_path, params={"$$LAST_ID": "60", "$$N_BIG": 7})
    # SETVARIABLE returns the value it sets (the current value); the last AMT is NULL (row 6): the current
    # value stays 70. At the end, Max keeps the larger of 70 and the start value 60, Min ($$LOW) the smaller
    # of 70 and 100. Variables no function sets keep their start value.
    assert [r[1:] for r in rows] == [
        ["5", "60", "5"],
        ["50", "60", "50"],
        ["20", "60", "20"],
        ["-3", "60", "-3"],
        ["70", "60", "70"],
        ["70", "60", "70"],
    ]
    assert result.mapping_variables == {
        "$$LAST_ID": 70,
        "$$LOW": 70,
        "$$LAST_RUN": dt.datetime(2000, 1, 1),
        "$$N_BIG": 7,
    }
    _rows, result = _run(b, spark, tmp_path, rows=[[1, 5, None, 0]], params={"$$LAST_ID": "60"})
    assert result.mapping_variables["$$LAST_ID"] == 60 and result.mapping_variables["$$LOW"] == 5


@pytest.mark.spark
def test_spark_submit_keeps_the_values_in_a_state_file(spark, tmp_path: Path, monkeypatch: Any) -> None:
    b = _mapping(
        port("o_LAST", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
        port("o_START", D, "OUTPUT", "$$LAST_RUN"),
        variables=(LAST_RUN,),
    )
    job = b.render()
    write_csv(tmp_path / "src" / "ord.dat", ["ID", "AMT", "UPDATED_AT", "RT"], ORDERS)
    module: dict[str, Any] = {}
    exec(compile(job.code, str(tmp_path / "job_test.py"), "exec"), module)  # noqa: S102 - our generated code
    state = tmp_path / "state" / "job_test.json"
    args = [
        "--param",
        f"$PMSourceFileDir={tmp_path / 'src'}",
        "--param",
        f"$PMTargetFileDir={tmp_path / 'tgt'}",
        "--state-file",
        str(state),
    ]
    monkeypatch.setattr(support.SparkSession, "builder", _Builder(spark))
    assert support.main(module["run"], args) == 0
    saved = json.loads(state.read_text())
    assert saved["session"] == "m_test"
    assert saved["mapping_variables"] == {"$$LAST_RUN": {"type": "datetime", "value": "2024-02-01T00:00:00"}}
    assert support.main(module["run"], args) == 0  # the next run starts from the saved value
    assert {r[2] for r in read_csv(tmp_path / "tgt" / "out.out")} == {"02/01/2024 00:00:00"}
    # A parameter file's value wins over the saved value.
    par = tmp_path / "run.par"
    par.write_text("[Global]\n$$LAST_RUN=01/01/2020 00:00:00\n")
    assert support.main(module["run"], [*args, "--param-file", str(par)]) == 0
    assert {r[2] for r in read_csv(tmp_path / "tgt" / "out.out")} == {"01/01/2020 00:00:00"}


class _Builder:
    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def appName(self, _name: str) -> _Builder:  # noqa: N802 - SparkSession.builder's API
        return self

    def getOrCreate(self) -> Any:  # noqa: N802
        return self.spark


# -- differential: the evaluator (PowerCenter's semantics row by row) and the Spark job agree -------------

DIFF_PORTS = [
    ("o_MAX", D, "IIF(AMT > 0, SETMAXVARIABLE($$LAST_RUN, UPDATED_AT), UPDATED_AT)"),
    ("o_CNT", INT, "DECODE(TRUE, ISNULL(AMT), -1, AMT < 20, SETCOUNTVARIABLE($$N_BIG), 0)"),
    ("o_MIN", INT, "SETMINVARIABLE($$LOW, AMT)"),
    (
        "o_SET",
        INT,
        "DECODE(TRUE, ISNULL(UPDATED_AT), 0, AMT > 20, SETVARIABLE($$LAST_ID, ID), "
        "SETVARIABLE($$LAST_ID, ID * 100))",
    ),
]
DIFF_VARIABLES = (LAST_RUN, N_BIG, LOW, LAST_ID)
DIFF_FUNCTIONS = {
    "$$LAST_RUN": "SETMAXVARIABLE",
    "$$N_BIG": "SETCOUNTVARIABLE",
    "$$LOW": "SETMINVARIABLE",
    "$$LAST_ID": "SETVARIABLE",
}
STRATEGY = "DECODE(RT, 1, DD_UPDATE, 2, DD_DELETE, 3, DD_REJECT, DD_INSERT)"


def _random_rows(seed: int, n: int) -> list[list[Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        amt = None if rng.random() < 0.2 else rng.randint(-10, 40)
        when = (
            None
            if rng.random() < 0.2
            else (dt.datetime(2024, 1, 1) + dt.timedelta(hours=rng.randint(0, 900)))
        )
        rows.append(
            [i, amt, when.strftime("%m/%d/%Y %H:%M:%S") if when else None, rng.choice([0, 0, 0, 1, 2, 3])]
        )
    return rows


def _evaluate(rows: list[list[Any]], start: dict[str, Any]) -> tuple[list[list[Any]], dict[str, Any]]:
    env = DictEnvironment(start)
    nodes = [(name, parse(text)) for name, _t, text in DIFF_PORTS]
    out = []
    for row_id, amt, when, rt in rows:
        env.values.update({"id": row_id, "amt": amt, "updated_at": _ts(when), "rt": rt})
        env.row_type = rt
        out.append([row_id, *[evaluate(node, env) for _n, node in nodes]])
    final = {}
    for name, function in DIFF_FUNCTIONS.items():
        variable = next(v for v in DIFF_VARIABLES if v.name == name)
        final[name] = saved_value(
            function, variable.aggfunction, start[name], env.variables.get(name.lower(), start[name])
        )
    return out, final


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%m/%d/%Y %H:%M:%S")
    return str(value)


@pytest.mark.spark
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_evaluator_and_spark_agree_on_random_rows(spark, tmp_path: Path, seed: int) -> None:
    b = _mapping(
        *[port(n, t, "OUTPUT", text) for n, t, text in DIFF_PORTS],
        variables=DIFF_VARIABLES,
        treat="Data Driven",
        strategy=STRATEGY,
    )
    rows = _random_rows(seed, 40)
    start = {"$$LAST_RUN": dt.datetime(2024, 1, 10), "$$N_BIG": 5, "$$LOW": 100, "$$LAST_ID": 0}
    out, result = _run(b, spark, tmp_path, rows, params=dict(start))
    expected, final = _evaluate(rows, start)
    kept = [r for r, src in zip(expected, rows, strict=True) if src[3] != 3]  # DD_REJECT: the reject file
    assert out == [[_text(v) for v in r] for r in kept]
    assert result.mapping_variables == final


@pytest.mark.spark
def test_a_call_in_a_variable_port_reading_earlier_variable_ports(spark, tmp_path: Path) -> None:
    b = _mapping(
        port("v_A", D, "LOCAL VARIABLE", "IIF(AMT > 10, UPDATED_AT)"),
        port("v_SET", D, "LOCAL VARIABLE", "SETMAXVARIABLE($$LAST_RUN, v_A)"),
        port("o_SET", D, "OUTPUT", "v_SET"),
        variables=(LAST_RUN,),
    )
    rows, result = _run(b, spark, tmp_path)
    # Rows with AMT > 10 and a date: 3 (01/05), 5 (01/20); rows 2 (no date) and 6 (NULL AMT) leave it as it is.
    assert [r[1] for r in rows] == [
        "01/01/2000 00:00:00",
        "01/01/2000 00:00:00",
        "01/05/2024 09:30:00",
        "01/05/2024 09:30:00",
        "01/20/2024 12:00:00",
        "01/20/2024 12:00:00",
    ]
    assert result.mapping_variables == {"$$LAST_RUN": dt.datetime(2024, 1, 20, 12)}


@pytest.mark.spark
def test_a_filter_counts_every_row_that_reaches_it(spark, tmp_path: Path) -> None:
    b = _filter("IIF(AMT > 0, SETCOUNTVARIABLE($$N_BIG) <= 2, FALSE)")
    job = b.render()
    write_csv(tmp_path / "src" / "ord.dat", ["ID", "AMT", "UPDATED_AT", "RT"], ORDERS)
    result = run_job(job, spark, tmp_path)
    # Rows with AMT > 0 (1, 2, 3, 5) are counted whether or not they pass; the first two pass.
    assert read_csv(tmp_path / "tgt" / "out2.out") == [["1"], ["2"]]
    assert result.mapping_variables["$$N_BIG"] == 4


@pytest.mark.spark
def test_incremental_source_filter_with_the_saved_value(spark, tmp_path: Path) -> None:
    from infaflow.codegen.store import load_csv

    write_csv(
        tmp_path / "ORDERS.csv",
        ["ID", "UPDATED_AT"],
        [[1, "2024-01-03 10:00:00"], [2, "2024-01-05 08:00:00"], [3, "2024-01-04 00:00:00"]],
    )
    load_csv(spark, tmp_path / "store", "SRC", "ORDERS", tmp_path / "ORDERS.csv")
    b = MappingBuilder()
    b.relational_source(
        "ORDERS",
        [("ID", "integer"), ("UPDATED_AT", "date")],
        dbd="SRC",
        attrs={"Source Filter": "ORDERS.UPDATED_AT > TO_DATE('$$LAST_RUN', 'MM/DD/YYYY HH24:MI:SS')"},
    )
    b.add(
        Transformation(
            "EXP",
            "Expression",
            ports=[
                port("ID", INT),
                port("UPDATED_AT", D, "INPUT"),
                port("o_MAX", D, "OUTPUT", "SETMAXVARIABLE($$LAST_RUN, UPDATED_AT)"),
            ],
        )
    )
    b.connect("SQ_ORDERS", "EXP", ["ID", "UPDATED_AT"])
    b.flat_target("OUT", [("ID", "integer"), ("o_MAX", "date")])
    b.connect("EXP", "OUT", ["ID", "o_MAX"])
    b.mapping.variables.append(LAST_RUN)
    job = b.render()
    assert job.complete, job.gaps
    first = run_job(job, spark, tmp_path)  # the initial value 01/01/2000: every row
    assert first.mapping_variables == {"$$LAST_RUN": dt.datetime(2024, 1, 5, 8)}
    # The next run starts from the saved value (a datetime), written in the SQL as MM/DD/YYYY HH24:MI:SS.
    second = run_job(job, spark, tmp_path, {"$$LAST_RUN": dt.datetime(2024, 1, 4, 12)})
    assert read_csv(tmp_path / "tgt" / "out.out") == [["2", "01/05/2024 08:00:00"]]
    assert second.mapping_variables == {"$$LAST_RUN": dt.datetime(2024, 1, 5, 8)}
