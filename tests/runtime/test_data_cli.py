"""``infaflow data load``: --state-dir (and the hidden --store alias), declared column types."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infaflow.cli import main


class _Shared:
    """The test session's SparkSession, handed to the command without letting it stop it."""

    def __init__(self, spark) -> None:  # noqa: ANN001
        self._spark = spark

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._spark, name)

    def stop(self) -> None: ...


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spark):  # noqa: ANN001, ANN201
    import infaflow.codegen.executor as executor

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INFAFLOW_STORE", raising=False)
    monkeypatch.setattr(executor, "local_spark", lambda *a, **k: _Shared(spark))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


CSV = "ID,ZIP,AMOUNT,OPENED\n1,00123,10.50,2024-01-31\n2,04567,7.25,2024-02-29\n"


@pytest.mark.spark
def test_declared_types_win_over_inference(cli, tmp_path: Path, spark) -> None:  # noqa: ANN001
    (tmp_path / "acc.csv").write_text(CSV)
    result = cli(
        "data",
        "load",
        "CRM.ACCOUNTS",
        "acc.csv",
        "--state-dir",
        "st",
        "--type",
        "ZIP=string",
        "--type",
        "amount=decimal(12,2)",
        "--type",
        "OPENED=date",
    )
    assert result.exit_code == 0, result.output
    table = tmp_path / "st" / "store" / "CRM"
    df = spark.read.parquet(str(next(table.iterdir())))
    types = dict(df.dtypes)
    assert types == {"ID": "int", "ZIP": "string", "AMOUNT": "decimal(12,2)", "OPENED": "date"}
    assert [r.ZIP for r in df.orderBy("ID").collect()] == ["00123", "04567"]  # not 123 (inferred int)
    inferred = cli("data", "load", "CRM.ACCOUNTS", "acc.csv", "--store", "legacy")  # the hidden alias
    assert inferred.exit_code == 0, inferred.output
    legacy = spark.read.parquet(str(next((tmp_path / "legacy" / "CRM").iterdir())))
    assert dict(legacy.dtypes)["ZIP"] == "int"


@pytest.mark.spark
def test_type_errors_are_bad_input(cli, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "acc.csv").write_text(CSV)
    unknown = cli("data", "load", "CRM.A", "acc.csv", "--type", "NOPE=int")
    assert unknown.exit_code == 2 and "no column NOPE" in unknown.output
    bad_value = cli("data", "load", "CRM.A", "acc.csv", "--type", "OPENED=int")
    assert bad_value.exit_code == 2 and "does not read as its declared type" in bad_value.output
    assert "Traceback" not in bad_value.output


def test_type_option_form() -> None:
    result = CliRunner().invoke(main, ["data", "load", "CRM.A", "x.csv", "--type", "ZIP"])
    assert result.exit_code == 2 and "expected COLUMN=TYPE" in result.output
