"""The plan: data-flow order, mapplets inlined, session overrides applied."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.codegen.plan import build_plan
from infaflow.model import Attributes, Instance, Mapplet, SessTransformationInst, Transformation


def test_mapplet_is_inlined_with_its_interface_wired() -> None:
    b = MappingBuilder()
    b.flat_source("S", [("X", "integer")])
    mp = Mapplet("mplt_double", is_mapplet=True)
    t_in = Transformation("IN", "Input Transformation", ports=[port("X", "integer", "OUTPUT")])
    t_exp = Transformation(
        "EXP", "Expression", ports=[port("X", "integer", "INPUT"), port("Y", "integer", "OUTPUT", "X * 2")]
    )
    t_out = Transformation("OUT", "Output Transformation", ports=[port("Y", "integer", "INPUT")])
    for t in (t_in, t_exp, t_out):
        mp.transformations.append(t)
        mp.instances.append(Instance(t.name, "TRANSFORMATION", t.name, t.type, definition=t))
    b.connect("IN", "EXP", ["X"])
    mp.connectors = b.mapping.connectors[-1:]
    b.mapping.connectors = b.mapping.connectors[:-1]
    b.connect("EXP", "OUT", ["Y"])
    mp.connectors.append(b.mapping.connectors.pop())
    b.folder.mapplets.append(mp)
    b.mapping.instances.append(Instance("m1", "MAPPLET", "mplt_double", definition=mp))
    b.connect("SQ_S", "m1", ["X"])
    b.flat_target("T", [("Y", "integer")])
    b.connect("m1", "T", ["Y"])
    plan = build_plan(b.mapping, None, b.folder)
    assert [s.name for s in plan.steps] == ["S", "SQ_S", "m1.IN", "m1.EXP", "m1.OUT", "T"]
    assert plan.step("m1.IN").inputs["x"].step == "SQ_S"
    assert plan.step("T").inputs["y"].step == "m1.OUT"
    job = b.render()
    assert job.complete, job.gaps
    assert "# Expression m1.EXP" in job.code and "m1__exp = " in job.code


def test_session_overrides_win_over_the_mapping() -> None:
    b = MappingBuilder()
    b.relational_source("ORDERS", [("OID", "integer")], attrs={"Source Filter": "OID > 1"})
    b.flat_target("T", [("OID", "integer")])
    b.connect("SQ_ORDERS", "T", ["OID"])
    b.with_session()
    assert b.session is not None
    b.session.transformation_instances.append(
        SessTransformationInst("SQ_ORDERS", attributes=Attributes({"Source Filter": "OID > 100"}))
    )
    plan = build_plan(b.mapping, b.session, b.folder)
    assert plan.step("SQ_ORDERS").attributes["Source Filter"] == "OID > 100"
    assert "WHERE OID > 100" in b.render().code
