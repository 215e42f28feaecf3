"""``infaflow expr eval|pyspark|check``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from infaflow.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["expr", *args])
    return result.exit_code, result.stdout, result.stderr


def test_eval_json_types() -> None:
    cases = {
        "'a' || 'b'": {"value": "ab", "type": "string"},
        "1 + 2": {"value": 3, "type": "integer"},
        "7 / 2": {"value": 3.5, "type": "double"},
        "TO_DECIMAL('3.14159', 2)": {"value": 3.14, "type": "decimal"},
        "NULL": {"value": None, "type": "null"},
        "2 > 1": {"value": 1, "type": "integer"},
        "NULL AND FALSE": {"value": 0, "type": "integer"},
        "TO_DATE('02/29/2024 13:05:07', 'MM/DD/YYYY HH24:MI:SS')": {
            "value": "2024-02-29T13:05:07",
            "type": "date",
        },
    }
    for text, expected in cases.items():
        code, out, err = run("eval", text, "--json")
        assert code == 0, err
        assert json.loads(out) == expected, text


def test_decimal_json_is_exact() -> None:
    code, out, _ = run("eval", "TO_DECIMAL('12345678901234567890.123456789', 9)", "--json")
    assert code == 0 and out.strip() == '{"value": 12345678901234567890.123456789, "type": "decimal"}'


def test_eval_with_variables() -> None:
    variables = json.dumps({"$s1.Status": 3, "$$Flag": None, "PORT_A": "x", "$$N": 2.5})
    code, out, _ = run("eval", "$s1.Status = FAILED OR $s1.Status = ABORTED", "--vars-json", variables)
    assert code == 0 and out.strip() == "1"
    code, out, _ = run("eval", "IIF(ISNULL($$Flag), port_a || $$N, 'no')", "--vars-json", variables)
    assert code == 0 and out.strip() == "x2.5"
    code, out, _ = run("eval", "$$N * 2", "--vars-json", variables, "--json")
    assert json.loads(out) == {"value": 5.0, "type": "decimal"}


def test_eval_types_of_nulls() -> None:
    variables = json.dumps({"A": None, "N": 5})
    assert run("eval", "IIF(N > 9, A)", "--vars-json", variables)[1].strip() == "NULL"
    assert (
        run("eval", "IIF(N > 9, A)", "--vars-json", variables, "--types-json", '{"A": "string"}', "--json")[
            1
        ].strip()
        == '{"value": "", "type": "string"}'
    )
    code, _, err = run("eval", "1", "--types-json", '{"A": "text"}')
    assert code == 2 and "must map names to one of integer" in err


def test_eval_plain_output() -> None:
    assert run("eval", "NULL")[1].strip() == "NULL"
    assert (
        run("eval", "ADD_TO_DATE(TO_DATE('01/31/2024', 'MM/DD/YYYY'), 'MM', 1)")[1].strip()
        == "2024-02-29T00:00:00"
    )


def test_eval_errors_exit_2_with_location() -> None:
    code, out, err = run("eval", "IIF(a, 1,\n 2 3)")
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "<expr>:2: syntax error at 2:4: expected ',' or ')', found '3'"
    assert err.splitlines()[2].strip() == "^"
    code, _, err = run("eval", "X + 1")
    assert code == 2 and err.strip() == "<expr>:1: unknown name X (at 1:1)"
    code, _, err = run("eval", "1/0")
    assert code == 2 and "divide by zero" in err and "Traceback" not in err
    code, _, err = run("eval", "1", "--vars-json", "{bad")
    assert code == 2 and err.startswith("--vars-json:1: --vars-json is not valid JSON")
    code, _, err = run("eval", "1", "--vars-json", "[1]")
    assert code == 2 and "JSON object" in err


def test_pyspark() -> None:
    code, out, _ = run("pyspark", "IIF(ISNULL(PRICE), 0, PRICE * QTY)")
    assert code == 0
    assert out.strip() == 'F.when(F.col("PRICE").isNull(), F.lit(0)).otherwise(F.col("PRICE") * F.col("QTY"))'
    code, out, _ = run(
        "pyspark",
        "SUBSTR(NAME, 1, 3) || '-' || TO_CHAR(D, 'YYYYMMDD')",
        "--types-json",
        '{"NAME": "string", "D": "date"}',
    )
    assert out.strip() == (
        'F.concat_ws("", F.substr(F.col("NAME"), F.lit(1), F.lit(3)), F.lit("-"), '
        'F.date_format(F.col("D"), "yyyyMMdd"))'
    )
    code, out, _ = run("pyspark", "A > 1 AND $$LIMIT < 5", "--condition")
    assert out.strip() == '((F.col("A") > F.lit(1)) & (F.lit(params["$$LIMIT"]) < F.lit(5)))'
    code, out, _ = run("pyspark", "A > 1")
    assert out.strip() == '(F.col("A") > F.lit(1)).cast("int")'


def test_pyspark_unsupported_exits_2() -> None:
    code, _, err = run("pyspark", "1 + :SP.get_id(A, PROC_RESULT)")
    assert code == 2 and err.strip() == "<expr>:1: :SP.get_id cannot be translated to PySpark (at 1:5)"
    code, _, err = run("pyspark", "SETVARIABLE($$X, A)")
    assert code == 2 and "SETVARIABLE has no exact PySpark equivalent" in err


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="01/01/2024" REPOSITORY_VERSION="186.95">
<REPOSITORY NAME="r" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="f" OWNER="o" SHARED="NOTSHARED" UUID="u">
<TRANSFORMATION NAME="EXP" TYPE="Expression" REUSABLE="NO">
  <TRANSFORMFIELD NAME="A" DATATYPE="string" PORTTYPE="INPUT" EXPRESSION="A"/>
  <TRANSFORMFIELD NAME="B" DATATYPE="integer" PORTTYPE="OUTPUT" EXPRESSION="IIF(ISNULL(A), 0, LENGTH(A))"/>
  <TRANSFORMFIELD NAME="C" DATATYPE="string" PORTTYPE="OUTPUT" EXPRESSION="IIF(A = 'x', :LKP.lkp(A))"/>
  <TRANSFORMFIELD NAME="E" DATATYPE="string" PORTTYPE="OUTPUT" EXPRESSION="IIF(A, 1,"/>
</TRANSFORMATION>
<TRANSFORMATION NAME="FIL" TYPE="Filter" REUSABLE="NO">
  <TRANSFORMFIELD NAME="A" DATATYPE="string" PORTTYPE="INPUT/OUTPUT"/>
  <TABLEATTRIBUTE NAME="Filter Condition" VALUE="NOT ISNULL(A)"/>
</TRANSFORMATION>
<WORKFLOW NAME="wf" ISENABLED="YES">
  <TASK NAME="dec" TYPE="Decision"><ATTRIBUTE NAME="Decision Name" VALUE="$s1.Status = SUCCEEDED"/></TASK>
  <TASK NAME="asg" TYPE="Assignment"><VALUEPAIR NAME="$$X" VALUE="$$X + 1" EXECORDER="1"/></TASK>
  <WORKFLOWLINK FROMTASK="s1" TOTASK="dec" CONDITION="$s1.Status = FAILED"/>
</WORKFLOW>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


def test_check_reports_every_expression(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(EXPORT, encoding="utf-8")
    code, out, err = run("check", str(path), "--json")
    assert code == 2  # one expression does not parse
    report = json.loads(out)
    assert report["expressions"] == 8 and report["parsed"] == 7 and report["translated"] == 6
    problems = {(p["line"], p["kind"]): p for p in report["problems"]}
    assert problems[(10, "port")]["problem"].startswith(f"{path}:10: syntax error at 1:10")
    assert ":LKP.lkp needs the lookup's data" in problems[(9, "port")]["problem"]
    path.write_text(EXPORT.replace('EXPRESSION="IIF(A, 1,"', 'EXPRESSION="A"'), encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 0
    assert out.splitlines()[-1] == (
        "8 expressions: 8 parse, 7 translate to PySpark (87.5%); 7 of 7 using only built-in functions"
    )
    assert out.splitlines()[0].startswith(f"{path}:9: port EXP.C: not translated: :LKP.lkp")


def test_check_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<POWERMART><oops></POWERMART>", encoding="utf-8")
    code, _, err = run("check", str(path))
    assert code == 2 and str(path) in err


def test_functions_listing() -> None:
    code, out, _ = run("functions", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) >= 74
    assert rows["SUBSTR"] == {
        "name": "SUBSTR",
        "group": "string",
        "arguments": "2-3",
        "returns": "string",
        "pyspark": True,
        "note": "",
    }
    assert rows["SETVARIABLE"]["pyspark"] is False and "driver" in rows["SETVARIABLE"]["note"]
    code, out, _ = run("functions")
    assert any(line.startswith("IIF ") for line in out.splitlines())
