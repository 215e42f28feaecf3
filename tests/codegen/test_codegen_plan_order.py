"""The codegen plan orders steps with infaflow.ordering: data-flow order, declaration order among ready
steps, and a cycle reported as a gap that names it."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.codegen.plan import build_plan
from infaflow.model import Transformation


def _expression(name: str) -> Transformation:
    return Transformation(name, "Expression", ports=[port("X", "integer")])


def test_ready_steps_keep_the_declaration_order() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("X", "integer")])
    b.add(_expression("EXP_LATE")).add(_expression("EXP_EARLY"))
    b.flat_target("T", [("X", "integer")])
    b.connect("SQ_S", "EXP_EARLY", ["X"]).connect("EXP_EARLY", "EXP_LATE", ["X"]).connect(
        "EXP_LATE", "T", ["X"]
    )
    plan = build_plan(b.mapping, None, b.folder)
    assert [s.name for s in plan.steps] == ["S", "SQ_S", "EXP_EARLY", "EXP_LATE", "T"]
    assert plan.gaps == []


def test_a_cycle_is_a_gap_naming_its_steps_in_order() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("X", "integer")])
    b.add(_expression("EXP_A")).add(_expression("EXP_B"))
    b.flat_target("T", [("X", "integer")])
    b.connect("EXP_A", "EXP_B", ["X"]).connect("EXP_B", "EXP_A", ["X"]).connect("EXP_B", "T", ["X"])
    plan = build_plan(b.mapping, None, b.folder)
    assert [g.message for g in plan.gaps] in (
        ["the mapping has a cycle: EXP_A -> EXP_B -> EXP_A"],
        ["the mapping has a cycle: EXP_B -> EXP_A -> EXP_B"],
    )
    assert [s.name for s in plan.steps] == ["S", "SQ_S", "EXP_A", "EXP_B", "T"]  # declaration order
