"""Differential tests: variable ports carried from row to row, the generated job against the row-by-row rule.

Every recurrence class (windows) and the sequential scan run in one generated job over rows from a seeded
generator (NULLs, runs of repeated keys, changing keys); the expected rows come from the expression
evaluator applied row by row (recurrence_sim.py)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv
from recurrence_sim import run_expression

from infaflow.model import Port, Transformation

pytestmark = pytest.mark.spark

INT, S, V, OUT = "integer", "string", "LOCAL VARIABLE", "OUTPUT"

# name -> the Expression's variable and output ports (inputs K, X, NAME are added); each case is one
# Expression of the same mapping, writing its own target.
CASES: dict[str, list[Port]] = {
    "counter": [port("v_C", INT, V, "IIF(v_C = 0 OR ISNULL(v_C), 1, v_C + 1)"), port("o_C", INT, OUT, "v_C")],
    "key_sequence": [
        port("v_SEQ", INT, V, "DECODE(TRUE, K = v_PREV_K, v_SEQ + 1, 1)"),
        port("v_PREV_K", INT, V, "K"),
        port("o_SEQ", INT, OUT, "v_SEQ"),
    ],
    "sum_per_key": [
        port("v_T", INT, V, "IIF(K = v_PK, v_T + X, X)"),
        port("v_PK", INT, V, "K"),
        port("o_T", INT, OUT, "v_T"),
    ],
    "running_sum": [port("v_S", INT, V, "v_S + X"), port("o_S", INT, OUT, "v_S")],
    "surrogate_key": [
        port("v_KEY", INT, V, "IIF(ISNULL(v_PREV), X + 1000, v_KEY + 1)"),
        port("v_PREV", INT, V, "X"),
        port("o_KEY", INT, OUT, "v_KEY"),
    ],
    "held_first": [
        port("v_N", INT, V, "v_N + 1"),
        port("v_H", S, V, "IIF(v_N = 1, NAME, v_H)"),
        port("o_H", S, OUT, "v_H"),
        port("o_N", INT, OUT, "v_N"),
    ],
    "held_last_name": [port("v_L", S, V, "IIF(ISNULL(NAME), v_L, NAME)"), port("o_L", S, OUT, "v_L")],
    "running_max_min": [
        port("v_MAX", INT, V, "IIF(X > v_MAX, X, v_MAX)"),
        port("v_MIN", INT, V, "IIF(v_MIN > X - 5, X - 5, v_MIN)"),
        port("o_MAX", INT, OUT, "v_MAX"),
        port("o_MIN", INT, OUT, "v_MIN"),
    ],
    "previous_flag": [
        port("v_F", S, V, "IIF(X > v_PX, 'UP', 'DOWN')"),
        port("v_PX", INT, V, "X"),
        port("o_F", S, OUT, "v_F"),
    ],
    "concatenation": [
        port("v_CAT", S, V, "IIF(K = v_PK, v_CAT || NAME, NAME)"),
        port("v_PK", INT, V, "K"),
        port("o_CAT", S, OUT, "v_CAT"),
    ],
    "reset_scan": [
        port("v_R", INT, V, "IIF(X > 6, 0, IIF(v_R > 50, v_R - 40, v_R * 2 + 1))"),
        port("o_R", INT, OUT, "v_R"),
    ],
    "segment_by_flag": [
        port("v_NEW", INT, V, "IIF(K = v_PK, 0, 1)"),
        port("v_T", INT, V, "IIF(v_NEW = 1, X, IIF(v_T > 30, v_T - 25, v_T * 2 + v_PX))"),
        port("v_PK", INT, V, "K"),
        port("v_PX", INT, V, "X"),
        port("o_T", INT, OUT, "v_T"),
    ],
    "coupled": [
        port("v_A", INT, V, "v_B + X"),
        port("v_B", INT, V, "IIF(v_A > 20, 0, v_A)"),
        port("o_A", INT, OUT, "v_A"),
        port("o_B", INT, OUT, "v_B"),
    ],
    "error_after_carried": [
        port("v_F", INT, V, "IIF(K = v_PK, 0, 1)"),
        port("v_PK", INT, V, "K"),
        port("v_D", INT, V, "IIF(X = 3, ERROR('three'), X)"),
        port("o_F", INT, OUT, "v_F + v_D"),
    ],
    "row_error": [
        port("v_E", INT, V, "IIF(X = 3, ERROR('three'), v_E + 1)"),
        port("v_G", INT, V, "v_G + 1"),
        port("o_E", INT, OUT, "v_E"),
        port("o_G", INT, OUT, "v_G"),
    ],
}


def _inputs() -> list[Port]:
    return [port("K", INT), port("X", INT), port("NAME", S)]


def _rows(seed: int, n: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows, key = [], 1
    for _ in range(n):
        if rnd.random() < 0.3:  # runs of repeated keys, sometimes NULL, sometimes back to an earlier key
            key = rnd.choice([None, 0, 1, 2, 3])
        rows.append(
            {
                "K": key,
                "X": rnd.choice([None, 0, 1, 2, 3, 4, 7, 9]),
                "NAME": rnd.choice([None, "a", "b", "cc"]),
            }
        )
    return rows


def _mapping() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("SRC", [("K", INT), ("X", INT), ("NAME", S)])
    for case, ports in CASES.items():
        exp = f"EXP_{case.upper()}"
        b.add(Transformation(exp, "Expression", ports=[*_inputs(), *ports]))
        b.connect("SQ_SRC", exp, ["K", "X", "NAME"])
        outs = [p.name for p in ports if p.port_type == OUT]
        b.flat_target(
            f"T_{case.upper()}",
            [
                ("K", INT),
                ("X", INT),
                ("NAME", S),
                *[(o, p.datatype) for o in outs for p in ports if p.name == o],
            ],
        )
        b.connect(exp, f"T_{case.upper()}", ["K", "X", "NAME", *outs])
    return b


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("seed", [7, 2024])
def test_every_class_and_the_scan_agree_with_the_row_by_row_rule(spark, tmp_path: Path, seed: int) -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    rows = _rows(seed, 60)
    write_csv(tmp_path / "src" / "src.dat", ["K", "X", "NAME"], [[r["K"], r["X"], r["NAME"]] for r in rows])
    result = run_job(job, spark, tmp_path)
    total = 0
    for case, ports in CASES.items():
        expected, rejected = run_expression([*_inputs(), *ports], rows)
        names = ["K", "X", "NAME", *[p.name for p in ports if p.port_type == OUT]]
        got = read_csv(tmp_path / "tgt" / f"t_{case}.out")
        assert got == [[_text(r[n]) for n in names] for r in expected], case
        total += rejected
    assert result.trans_errors == total > 0


# Random recurrences: each Expression gets one carried variable built from a random form and random parts,
# with a previous-key variable below it, so that every class, its limits and the scan meet NULLs and restarts.
FORMS = [
    "v + {s}",
    "IIF({c}, {a}, v + {s})",
    "IIF({c}, v + {s}, {a})",
    "IIF({c}, {a}, v)",
    "IIF({c}, v, {a})",
    "IIF({x} > v, {x}, v)",
    "IIF(v >= {x}, {x}, v)",
    "IIF(v = 0 OR ISNULL(v), {n}, v + {n})",
    "DECODE(TRUE, {c}, v + {s}, {c2}, {a}, v)",
    "IIF({c}, {a}, IIF(v > 30, v - 25, v * 2 + {s}))",
    "IIF({c}, v + {s}, v - {s})",
]
CONDITIONS = [
    "K = p",
    "K <> p",
    "X > 4",
    "ISNULL(NAME)",
    "X = p",
    "NOT ISNULL(X) AND X < 3",
    "K = p OR X = 9",
]
VALUES = ["X", "1", "X + K", "NULL", "0", "K * 2", "-X"]


def _random_cases(seed: int, count: int) -> dict[str, list[Port]]:
    rnd = random.Random(seed)
    cases = {}
    for i in range(count):
        form = rnd.choice(FORMS)
        text = form.format(
            c=rnd.choice(CONDITIONS),
            c2=rnd.choice(CONDITIONS),
            a=rnd.choice(VALUES),
            s=rnd.choice(["X", "1", "2", "K"]),
            x=rnd.choice(["X", "K", "X + 1"]),
            n=rnd.choice(["1", "3", "-2"]),
        )
        previous = rnd.choice(["K", "X"])
        cases[f"r{i}"] = [port("v", INT, V, text), port("p", INT, V, previous), port("o", INT, OUT, "v")]
    return cases


@pytest.mark.parametrize("seed", [11, 99])
def test_random_recurrences_agree_with_the_row_by_row_rule(spark, tmp_path: Path, seed: int) -> None:
    cases = _random_cases(seed, 12)
    b = MappingBuilder()
    b.flat_source("SRC", [("K", INT), ("X", INT), ("NAME", S)])
    for case, ports in cases.items():
        b.add(Transformation(f"EXP_{case}", "Expression", ports=[*_inputs(), *ports]))
        b.connect("SQ_SRC", f"EXP_{case}", ["K", "X", "NAME"])
        b.flat_target(f"T_{case}", [("K", INT), ("X", INT), ("o", INT)])
        b.connect(f"EXP_{case}", f"T_{case}", ["K", "X", "o"])
    job = b.render()
    assert job.complete, job.gaps
    rows = _rows(seed, 50)
    write_csv(tmp_path / "src" / "src.dat", ["K", "X", "NAME"], [[r["K"], r["X"], r["NAME"]] for r in rows])
    run_job(job, spark, tmp_path)
    for case, ports in cases.items():
        expected, _ = run_expression([*_inputs(), *ports], rows)
        got = read_csv(tmp_path / "tgt" / f"t_{case.lower()}.out")
        assert got == [[_text(r["K"]), _text(r["X"]), _text(r["o"])] for r in expected], ports[0].expression
