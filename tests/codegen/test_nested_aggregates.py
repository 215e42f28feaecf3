"""Nested aggregates in an Aggregator (``SUM(AVG(x))``, ``MAX(COUNT(x))``): the inner aggregate per group of
the group-by ports, the outer one over all groups, one row (PowerCenter's Transformation Language
Reference, "Aggregate Functions": grouped by ID, SUM(AVG(earnings)) over its example returns 186)."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Transformation

pytestmark = pytest.mark.spark

INT, S = "integer", "string"

EARNINGS = [
    [1, 32, "a"],
    [1, 45, "b"],
    [1, 100, "c"],
    [2, 65, "d"],
    [2, 75, "e"],
    [2, 76, "f"],
    [3, 21, "g"],
    [3, 45, "h"],
    [3, 99, "i"],
]


def _mapping(outputs: list, target: list[tuple[str, str]], group_by: bool = True) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("ID", INT), ("EARNINGS", INT), ("NOTE", S)])
    b.add(
        Transformation(
            "AGG",
            "Aggregator",
            ports=[
                port("ID", INT, expression_type="GROUPBY" if group_by else "GENERAL"),
                port("EARNINGS", INT, "INPUT"),
                port("NOTE", S),
                *outputs,
            ],
        )
    )
    b.connect("SQ_S", "AGG", ["ID", "EARNINGS", "NOTE"])
    b.flat_target("OUT", target)
    b.connect("AGG", "OUT", [n for n, _ in target])
    return b


def _run(spark, tmp: Path, b: MappingBuilder, data: list[list]) -> list[list[str]]:
    job = b.render()
    assert job.complete, job.gaps
    write_csv(tmp / "src" / "s.dat", ["ID", "EARNINGS", "NOTE"], data)
    run_job(job, spark, tmp)
    return read_csv(tmp / "tgt" / "out.out")


def test_documented_example_sum_of_averages_is_one_row(spark, tmp_path: Path) -> None:
    b = _mapping(
        [
            port("TOTAL", "decimal", "OUTPUT", "SUM(AVG(EARNINGS))", precision=12, scale=2),
            port("MOST", INT, "OUTPUT", "MAX(COUNT(EARNINGS, EARNINGS > 40))"),
            port("LABEL", S, "OUTPUT", "NOTE || '!'"),
        ],
        [("ID", INT), ("TOTAL", "decimal"), ("MOST", INT), ("NOTE", S), ("LABEL", S)],
    )
    out = _run(spark, tmp_path, b, EARNINGS)
    # 59 + 72 + 55 = 186; counts of earnings > 40 per ID: 2, 3, 2. Ports outside aggregates: last row.
    assert out == [["3", "186.0000", "3", "i", "i!"]]


def test_no_group_by_port_makes_one_group(spark, tmp_path: Path) -> None:
    b = _mapping(
        [port("MOST", INT, "OUTPUT", "MAX(COUNT(EARNINGS)) + 1")],
        [("MOST", INT), ("ID", INT)],
        group_by=False,
    )
    assert _run(spark, tmp_path, b, EARNINGS) == [["10", "3"]]


def test_outer_filter_and_values_inside_the_outer_aggregate_are_per_group(spark, tmp_path: Path) -> None:
    # MIN over the groups whose ID > 1 of (group count + the group's last EARNINGS): 3+76=79, 3+99=102.
    b = _mapping([port("M", INT, "OUTPUT", "MIN(COUNT(EARNINGS) + EARNINGS, ID > 1)")], [("M", INT)])
    assert _run(spark, tmp_path, b, EARNINGS) == [["79"]]


@pytest.mark.parametrize(
    ("expressions", "reason"),
    [
        (["MAX(COUNT(EARNINGS))", "SUM(EARNINGS)"], "mixes a plain aggregate with the nested aggregates"),
        (["MAX(COUNT(EARNINGS)) + SUM(EARNINGS)"], "mixes a plain aggregate with nested aggregates"),
        (["MAX(SUM(COUNT(EARNINGS)))"], "nests more than one level"),
    ],
)
def test_what_powercenter_does_not_define_is_reported(expressions: list[str], reason: str) -> None:
    outputs = [port(f"O{i}", INT, "OUTPUT", e) for i, e in enumerate(expressions)]
    b = _mapping(outputs, [(f"O{i}", INT) for i in range(len(expressions))])
    job = b.render()
    assert not job.complete
    assert any(reason in g.message and g.instance == "AGG" for g in job.gaps), job.gaps
