"""A frame that several targets read is computed once (codegen/sharing.py): the generated job keeps it with
``job.share`` where the paths to the targets part, when computing it shuffles rows or reads a database, and
releases it when the job ends, also when the job fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.codegen import support
from infaflow.codegen.executor import _release
from infaflow.model import Attributes, Group, Transformation

INT, S = "integer", "string"


def _aggregator(b: MappingBuilder) -> None:
    b.add(
        Transformation(
            "AGG_TOTALS",
            "Aggregator",
            ports=[
                port("K", S, expression_type="GROUPBY"),
                port("V", INT, "INPUT"),
                port("TOTAL", INT, "OUTPUT", "SUM(V)"),
            ],
        )
    )
    b.connect("SQ_S", "AGG_TOTALS", ["K", "V"])


def _filter(b: MappingBuilder, name: str, condition: str, source: str) -> None:
    b.add(
        Transformation(
            name,
            "Filter",
            ports=[port("K", S), port("TOTAL", INT)],
            attributes=Attributes({"Filter Condition": condition}),
        )
    )
    b.connect(source, name, ["K", "TOTAL"])


def _two_targets(first: str, second: str) -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT)])
    _aggregator(b)
    b.flat_target("ALL_TOTALS", [("K", S), ("TOTAL", INT)])
    b.connect(first, "ALL_TOTALS", ["K", "TOTAL"])
    b.flat_target("BIG_TOTALS", [("K", S), ("TOTAL", INT)])
    b.connect(second, "BIG_TOTALS", ["K", "TOTAL"])
    return b


def _share_lines(code: str) -> list[str]:
    lines = code.splitlines()
    found = []
    for i, line in enumerate(lines):
        if "job.share(" in line:
            found += [lines[i - 1].strip(), line.strip()]
    return found


def test_an_aggregator_read_by_two_targets_is_computed_once() -> None:
    b = _two_targets("AGG_TOTALS", "FIL_BIG")
    _filter(b, "FIL_BIG", "TOTAL > 5", "AGG_TOTALS")
    job = b.render()
    assert job.complete, job.gaps
    assert _share_lines(job.code) == [
        "# computed once for the 2 targets it feeds: ALL_TOTALS, BIG_TOTALS",
        "agg_totals = job.share(agg_totals)",
    ]
    # Kept right after the Aggregator's own lines, before the Filter reads it.
    assert job.code.index("job.share(agg_totals)") < job.code.index("# Filter FIL_BIG")


def test_a_router_split_keeps_the_frame_that_feeds_it() -> None:
    """A Router's groups are frames of their own (cheap filters): the Aggregator above is kept."""
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT)])
    _aggregator(b)
    b.add(
        Transformation(
            "RTR_SIZE",
            "Router",
            groups=[
                Group("INPUT", "INPUT"),
                Group("BIG", "OUTPUT", expression="TOTAL > 5"),
                Group("DEFAULT1", "OUTPUT/DEFAULT"),
            ],
            ports=[
                port("K", S, "INPUT", group="INPUT"),
                port("TOTAL", INT, "INPUT", group="INPUT"),
                *[
                    p
                    for g in ("BIG", "DEFAULT1")
                    for p in (
                        port(f"K_{g}", S, "OUTPUT", group=g, ref_field="K"),
                        port(f"TOTAL_{g}", INT, "OUTPUT", group=g, ref_field="TOTAL"),
                    )
                ],
            ],
        )
    )
    b.connect("AGG_TOTALS", "RTR_SIZE", ["K", "TOTAL"])
    for g in ("BIG", "DEFAULT1"):
        b.flat_target(f"T_{g}", [("K", S), ("TOTAL", INT)])
        b.connect("RTR_SIZE", f"T_{g}", {f"K_{g}": "K", f"TOTAL_{g}": "TOTAL"})
    job = b.render()
    assert job.complete, job.gaps
    assert _share_lines(job.code) == [
        "# computed once for the 2 targets it feeds: T_BIG, T_DEFAULT1",
        "agg_totals = job.share(agg_totals)",
    ]


@pytest.mark.parametrize(
    ("case", "build"),
    [
        # Two filters of a flat-file read: re-reading the file costs what keeping it would.
        (
            "narrow",
            lambda: _narrow(),
        ),
        # One target: nothing is computed twice.
        ("one target", lambda: _one_target()),
    ],
)
def test_nothing_is_kept_when_nothing_costly_is_computed_twice(case: str, build) -> None:
    job = build().render()
    assert job.complete, job.gaps
    assert "job.share(" not in job.code, case


def _narrow() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("TOTAL", INT)])
    _filter(b, "FIL_A", "TOTAL > 1", "SQ_S")
    _filter(b, "FIL_B", "TOTAL > 2", "SQ_S")
    b.flat_target("A", [("K", S), ("TOTAL", INT)])
    b.connect("FIL_A", "A", ["K", "TOTAL"])
    b.flat_target("B", [("K", S), ("TOTAL", INT)])
    b.connect("FIL_B", "B", ["K", "TOTAL"])
    return b


def _one_target() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("K", S), ("V", INT)])
    _aggregator(b)
    b.flat_target("ALL_TOTALS", [("K", S), ("TOTAL", INT)])
    b.connect("AGG_TOTALS", "ALL_TOTALS", ["K", "TOTAL"])
    return b


def test_a_step_that_is_not_converted_is_not_kept() -> None:
    b = _two_targets("AGG_TOTALS", "FIL_BIG")
    _filter(b, "FIL_BIG", "TOTAL > 5", "AGG_TOTALS")
    b.mapping.transformations[1].ports[2].expression = "NO_SUCH_FUNCTION(V)"
    job = b.render()
    assert not job.complete
    assert "job.share(" not in job.code


@pytest.mark.spark
def test_the_kept_frame_gives_every_target_its_rows_and_is_released(
    spark, tmp_path: Path, monkeypatch
) -> None:
    b = _two_targets("AGG_TOTALS", "FIL_BIG")
    _filter(b, "FIL_BIG", "TOTAL > 5", "AGG_TOTALS")
    job = b.render()
    write_csv(tmp_path / "src" / "s.dat", ["K", "V"], [["a", 1], ["b", 4], ["a", 2], ["b", 3], ["c", None]])
    kept = []
    share = support.Job.share
    monkeypatch.setattr(support.Job, "share", lambda self, df: kept.append(share(self, df)) or kept[-1])
    result = run_job(job, spark, tmp_path)
    assert sorted(read_csv(tmp_path / "tgt" / "all_totals.out")) == [["a", "3"], ["b", "7"], ["c", ""]]
    assert read_csv(tmp_path / "tgt" / "big_totals.out") == [["b", "7"]]
    # Row counts observed below the kept frame are counted once, by the first write.
    assert result.source_rows == {"S": 5}
    assert result.target_rows == {"ALL_TOTALS": 3, "BIG_TOTALS": 1}
    assert len(kept) == 1 and not kept[0].storageLevel.useMemory  # released by finish()


@pytest.mark.spark
def test_a_failed_job_is_released_by_its_caller(spark, tmp_path: Path) -> None:
    """The executor passes a list under JOBS_KEY; the Job joins it, and a job that fails after keeping a
    frame is released by the caller (codegen.executor._release)."""
    b = _two_targets("AGG_TOTALS", "FIL_BIG")
    _filter(b, "FIL_BIG", "TOTAL > 5", "AGG_TOTALS")
    job = b.render()
    write_csv(tmp_path / "src" / "s.dat", ["K", "V"], [["a", 1], ["b", 9]])
    (tmp_path / "blocked").write_text("a file where the target directory should be")
    jobs: list[support.Job] = []
    with pytest.raises(Exception):  # noqa: B017, PT011 - the writer's own error
        run_job(job, spark, tmp_path, {"$PMTargetFileDir": str(tmp_path / "blocked"), support.JOBS_KEY: jobs})
    assert len(jobs) == 1 and len(jobs[0]._shared) == 1
    frame = jobs[0]._shared[0]
    assert frame.storageLevel.useMemory
    _release(jobs[0])
    assert jobs[0]._shared == [] and not frame.storageLevel.useMemory
