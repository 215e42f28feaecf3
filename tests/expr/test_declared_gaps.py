"""A Spark handler declares a gap by raising Unsupported; any other exception is a bug and surfaces as it
is, never reported to users as a conversion gap."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from infaflow.expr import SparkContext, Unsupported, parse, to_pyspark
from infaflow.expr.functions import REGISTRY, Function

FUNCTIONS = Path(__file__).resolve().parents[2] / "src" / "infaflow" / "expr" / "functions"


def _with_spark(monkeypatch: pytest.MonkeyPatch, spark: Callable[..., object]) -> None:
    monkeypatch.setitem(
        REGISTRY, "PROBE", Function("PROBE", 1, 1, "integer", evaluate=lambda v, e: 0, spark=spark)
    )


def test_a_declared_gap_names_the_function_and_its_position(monkeypatch: pytest.MonkeyPatch) -> None:
    def spark(tr: object, node: object, args: object) -> object:
        raise Unsupported("the argument must be a literal")

    _with_spark(monkeypatch, spark)
    with pytest.raises(Unsupported) as err:
        to_pyspark(parse("1 + PROBE(2)", file="m.xml", line=7), SparkContext())
    assert err.value.message == "PROBE: the argument must be a literal (at 1:5)"
    assert (err.value.file, err.value.line) == ("m.xml", 7)


@pytest.mark.parametrize("bug", [ValueError("invalid literal for int()"), KeyError("x"), TypeError("bad")])
def test_any_other_error_of_a_handler_is_not_a_gap(monkeypatch: pytest.MonkeyPatch, bug: Exception) -> None:
    def spark(tr: object, node: object, args: object) -> object:
        raise bug

    _with_spark(monkeypatch, spark)
    with pytest.raises(type(bug)):
        to_pyspark(parse("PROBE(2)"), SparkContext())


def test_no_spark_handler_raises_a_bare_value_error() -> None:
    """The registry's Spark forms signal a gap only with Unsupported (a ValueError would now be a crash)."""
    sites = [
        f"{path.name}:{i}"
        for path in sorted(FUNCTIONS.glob("*.py"))
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"raise ValueError\(", line) and path.name != "base.py"
    ]
    assert sites == []
