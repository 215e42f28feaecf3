"""NEXTVAL connected to several transformations (the Slowly Changing Dimension pattern: new rows and changed
rows inserted by two branches): each transformation gets unique values (Transformation Guide, "NEXTVAL
Port"), one block after the other, and the next Current Value follows every value drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_builders import MappingBuilder, port, read_csv, run_job, write_csv

from infaflow.model import Attributes, Transformation

pytestmark = pytest.mark.spark

S = "string"


def _mapping() -> MappingBuilder:
    b = MappingBuilder()
    b.flat_source("S", [("NAME", S), ("KIND", S)])
    b.add(
        Transformation(
            "SEQ",
            "Sequence",
            ports=[port("NEXTVAL", "bigint", "OUTPUT")],
            attributes=Attributes({"Start Value": "1", "Increment By": "5", "Current Value": "100"}),
        )
    )
    for kind in ("NEW", "CHANGED"):
        b.add(
            Transformation(
                f"FIL_{kind}",
                "Filter",
                ports=[port("NAME", S), port("KIND", S)],
                attributes=Attributes({"Filter Condition": f"KIND = '{kind}'"}),
            )
        )
        b.connect("SQ_S", f"FIL_{kind}", ["NAME", "KIND"])
        b.flat_target(f"OUT_{kind}", [("ID", "bigint"), ("NAME", S)])
        b.connect("SEQ", f"OUT_{kind}", {"NEXTVAL": "ID"})
        b.connect(f"FIL_{kind}", f"OUT_{kind}", ["NAME"])
    return b


def test_each_transformation_gets_its_own_block_of_values(spark, tmp_path: Path) -> None:
    job = _mapping().render()
    assert job.complete, job.gaps
    assert job.code.count(".number(") == 2  # NEXTVAL joins each target's pipeline
    data = [["a", "NEW"], ["b", "CHANGED"], ["c", "NEW"], ["d", "CHANGED"], ["e", "NEW"]]
    write_csv(tmp_path / "src" / "s.dat", ["NAME", "KIND"], data)
    run_job(job, spark, tmp_path)
    new = read_csv(tmp_path / "tgt" / "out_new.out")
    changed = read_csv(tmp_path / "tgt" / "out_changed.out")
    ids = [int(r[0]) for r in new + changed]
    assert len(set(ids)) == 5 and set(ids) == {100, 105, 110, 115, 120}
    # One block per transformation, in row order inside each block.
    first, second = (new, changed) if int(new[0][0]) == 100 else (changed, new)
    assert [int(r[0]) for r in first] == [100 + 5 * i for i in range(len(first))]
    assert [int(r[0]) for r in second] == [100 + 5 * (len(first) + i) for i in range(len(second))]
    assert [r[1] for r in new] == ["a", "c", "e"] and [r[1] for r in changed] == ["b", "d"]
    # The next run starts after every value drawn.
    run_job(job, spark, tmp_path)
    again = read_csv(tmp_path / "tgt" / "out_new.out") + read_csv(tmp_path / "tgt" / "out_changed.out")
    assert {int(r[0]) for r in again} == {125, 130, 135, 140, 145}
