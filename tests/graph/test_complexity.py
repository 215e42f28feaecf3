"""Mapping and workflow complexity counts and the documented score."""

from __future__ import annotations

from infaflow.graph import band, mapping_complexity, workflow_complexity
from infaflow.graph.complexity import function_calls, unconnected_lookups
from infaflow.model import (
    Attributes,
    Connector,
    Folder,
    Group,
    Instance,
    Mapping,
    Mapplet,
    Port,
    Session,
    Transformation,
)


def port(name: str, expression: str = "") -> Port:
    return Port(name=name, datatype="string", port_type="INPUT/OUTPUT", expression=expression)


def mapping() -> Mapping:
    exp = Transformation(
        "EXP_calc",
        "Expression",
        ports=[
            port("A", "A"),  # pass-through, not an expression
            port(
                "B", "IIF(ISNULL(A), 'x(y)', UPPER(LTRIM(A)))"
            ),  # 4 calls; the string literal does not count
            port("C", ":LKP.LKP_RATE(A) -- SUM(x) in a comment"),
        ],
    )
    flt = Transformation(
        "FIL_ok",
        "Filter",
        ports=[port("A"), port("B")],
        attributes=Attributes({"Filter Condition": "NOT ISNULL(B)"}),
    )
    rtr = Transformation(
        "RTR_split",
        "Router",
        ports=[port("A")],
        groups=[Group("BIG", expression="A > 10"), Group("DEFAULT1")],
    )
    jnr = Transformation("JNR_x", "Joiner", ports=[port("A"), port("A1")])
    sq = Transformation(
        "SQ_src",
        "Source Qualifier",
        ports=[port("A")],
        attributes=Attributes({"Sql Query": "select a from t"}),
    )
    java = Transformation("JTX", "Custom Transformation", template_name="Java Transformation")
    lkp = Transformation("LKP_RATE", "Lookup Procedure", reusable=True, ports=[port("A")])
    mplt = Mapplet(
        "mplt_clean",
        is_mapplet=True,
        transformations=[Transformation("EXP_in", "Expression")],
        instances=[Instance("EXP_in", "TRANSFORMATION", "EXP_in", "Expression")],
    )
    m = Mapping("m_test", transformations=[exp, flt, rtr, jnr, sq, java])
    m.instances = [
        Instance("src", "SOURCE"),
        Instance("tgt", "TARGET"),
        Instance("tgt2", "TARGET"),
        *(Instance(t.name, "TRANSFORMATION", t.name, t.type) for t in (exp, flt, rtr, jnr, sq, java)),
        Instance("LKP_RATE", "TRANSFORMATION", "LKP_RATE", "Lookup Procedure", definition=lkp),
        Instance("mplt_clean", "MAPPLET", "mplt_clean", "Mapplet", definition=mplt),
    ]
    m.connectors = [Connector("src", "A", "SQ_src", "A"), Connector("SQ_src", "A", "EXP_calc", "A")]
    return m


def test_function_call_and_lookup_counting_ignores_strings_and_comments():
    assert function_calls("IIF(ISNULL(A), 'x(y)', UPPER(LTRIM(A)))") == 4
    assert function_calls("A + B") == 0
    assert unconnected_lookups(":LKP.LKP_RATE(A) + :lkp.other(B) -- :LKP.x(c)") == 2
    assert unconnected_lookups("':LKP.not_a_call(a)'") == 0


def test_mapping_counts():
    c = mapping_complexity(mapping())
    assert c.transformations_by_type == {
        "Expression": 1,
        "Filter": 1,
        "Java Transformation": 1,
        "Joiner": 1,
        "Lookup Procedure": 1,
        "Mapplet": 1,
        "Router": 1,
        "Source Qualifier": 1,
    }
    assert (c.sources, c.targets, c.transformations) == (1, 2, 8)
    assert c.expressions == 4  # B, C, the filter condition, the router group
    assert c.function_calls == 5  # IIF ISNULL UPPER LTRIM + ISNULL in the filter (LKP counted apart)
    assert (c.lookups, c.unconnected_lookups, c.joins, c.sql_overrides) == (2, 1, 1, 1)
    assert c.ports == 3 + 2 + 1 + 2 + 1 + 0 + 1
    assert c.connectors == 2 and c.mapplets == ["mplt_clean"]


def test_mapping_score_follows_the_documented_formula():
    c = mapping_complexity(mapping())
    weights = 1 + 1 + 2 + 3 + 1 + 5 + 3  # Expression Filter Router Joiner SQ Java Lookup
    mapplet = 1 + 0  # one Expression, nothing else
    assert c.score == weights + 4 + 5 // 2 + 2 * 1 + 2 * 1 + 1 + 3 + mapplet  # ports 10 -> 1
    assert c.band == "medium"
    assert [band(s) for s in (0, 19, 20, 59, 60, 149, 150)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "very high",
    ]


def test_workflow_score_adds_orchestration_and_distinct_mappings(make_workflow):
    m = mapping()
    folder = Folder("F", mappings=[m], sessions=[Session("s_load", "m_test", reusable=True)])
    inner = make_workflow(
        "wl_a",
        ["start", "s_load", "dec_x"],
        [("start", "s_load"), ("s_load", "dec_x", "$s_load.Status = SUCCEEDED")],
        is_worklet=True,
    )
    wf = make_workflow(
        "wf",
        ["start", "s_load=s_load_1", "wl_a"],
        [("start", "s_load_1"), ("s_load_1", "wl_a")],
        worklets=[inner],
    )
    c = workflow_complexity(wf, folder)
    assert c.tasks_by_type == {"Decision": 1, "Session": 2, "Start": 2, "Worklet": 1}
    assert (c.tasks, c.links, c.conditional_links, c.worklets) == (6, 4, 1, 1)
    assert c.mappings == ["m_test"]  # run twice, counted once
    assert c.orchestration_score == 2 * 1 + 3 + 3 + 2 * 1
    assert c.score == c.orchestration_score + mapping_complexity(m).score
