"""The lenient readings of look-alike mappings (export/lookalike_qualifier.py,
export/lookalike_transformations.py): each rule on a small input written for it, the model it yields,
the warning at file:line, the conversion it allows; and what stays a gap when the file does not settle
the meaning. Strict reading never applies them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infaflow.codegen.job import JobSource
from infaflow.codegen.project import convert_export
from infaflow.export import load
from infaflow.export.lookalike_sql import NotTranslated, condition
from infaflow.model import Export, Mapping

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lookalike_inputs import (  # noqa: E402
    connector,
    export_text,
    instance,
    line_of,
    links,
    port,
    qualifier,
    source,
    target,
    transformation,
    write,
)

LOANS = [("LOAN_ID", "string", 10), ("UPB", "decimal", 12), ("TERM", "integer", 10)]
NAMES = [n for n, _t, _p in LOANS]


def _read(tmp_path: Path, text: str) -> tuple[Export, Mapping, list[str]]:
    export = load(write(tmp_path, text), lenient=True)
    warnings = [f"{p.line}: {p.message}" for p in export.problems if p.severity == "warning"]
    return export, export.folders[0].mappings[0], warnings


def _line(text: str, element: str, name: str) -> int:
    return line_of(text, f'<{element} NAME="{name}"')


def _job(export: Export) -> JobSource:
    [job] = [j.job for j in convert_export(export).jobs]
    return job


# -- SQL conditions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("LOAN_ID IS NOT NULL AND UPB >= 0", "NOT ISNULL(LOAN_ID) AND UPB >= 0"),
        ("loan_id is null or term <> 360", "ISNULL(LOAN_ID) OR TERM != 360"),
        ("TERM IN (120, 360)", "(TERM = 120 OR TERM = 360)"),
        ("LOAN_ID NOT IN ('A', 'B')", "NOT (LOAN_ID = 'A' OR LOAN_ID = 'B')"),
        ("TERM BETWEEN 1 AND 12", "(TERM >= 1 AND TERM <= 12)"),
        ("NOT (UPB * 2 > TERM - 1)", "NOT (UPB * 2 > TERM - 1)"),
        ("LOAN_ID || 'X' = 'L1X'", "LOAN_ID || 'X' = 'L1X'"),
    ],
)
def test_sql_conditions_translate_to_the_transformation_language(sql: str, expected: str) -> None:
    assert condition(sql, NAMES) == expected


@pytest.mark.parametrize(
    "sql, why",
    [
        ("LOAN_ID LIKE 'L%'", "\"LOAN_ID LIKE 'L%'\" has no transformation-language equivalent here"),
        ("UPPER(LOAN_ID) = 'L1'", "'UPPER(LOAN_ID)' has no transformation-language equivalent here"),
        ("RATE > 1", "column 'RATE' is not a port of the qualifier"),
        ("T.UPB > 1", "'T.UPB': a column qualified by a table is not a port"),
        ("TERM IN (SELECT 1)", "'TERM IN (SELECT 1)': only IN with a list of values is translated"),
    ],
)
def test_sql_without_an_exact_equivalent_is_not_translated(sql: str, why: str) -> None:
    with pytest.raises(NotTranslated) as err:
        condition(sql, NAMES)
    assert str(err.value) == why


# -- Source Qualifiers ---------------------------------------------------------------------------------


def _qualifier_export(
    attributes: dict[str, str] | None = None,
    *,
    linked: bool = True,
    flat: bool = True,
    sq_fields: list[tuple[str, str, int]] = LOANS,
) -> str:
    body = [
        qualifier("SQ_LOANS", sq_fields, attributes),
        instance("LOANS", "SOURCE"),
        instance("SQ_LOANS", "Source Qualifier", associated="LOANS"),
        instance("T_OUT", "TARGET"),
        *(links("LOANS", "SQ_LOANS", NAMES) if linked else []),
        *links("SQ_LOANS", "T_OUT", ["LOAN_ID", "UPB"]),
    ]
    return export_text([source("LOANS", LOANS, flat=flat), target("T_OUT", LOANS[:2])], body)


def test_qualifier_ports_not_linked_to_their_source_read_the_fields_of_the_same_name(tmp_path: Path) -> None:
    text = _qualifier_export(linked=False, flat=False)
    export, mapping, warnings = _read(tmp_path, text)
    assert [
        (c.from_instance, c.from_field, c.to_field) for c in mapping.connectors if c.to_instance == "SQ_LOANS"
    ] == [("LOANS", n, n) for n in NAMES]
    assert (
        f"{_line(text, 'INSTANCE', 'SQ_LOANS')}: source qualifier 'SQ_LOANS' in mapping 'm_lookalike': no "
        "connector from its sources (LOANS); each port read from the source field of the same name"
        in warnings
    )
    assert _job(export).complete


def test_qualifier_ports_that_name_no_field_stay_unlinked(tmp_path: Path) -> None:
    fields = [*LOANS[:2], ("TERM_MONTHS", "integer", 10)]
    export, mapping, warnings = _read(tmp_path, _qualifier_export(linked=False, flat=False, sq_fields=fields))
    assert not [c for c in mapping.connectors if c.to_instance == "SQ_LOANS"]
    assert any("ports TERM_MONTHS name no single field of them: left unlinked" in w for w in warnings)
    assert [g.message for g in _job(export).gaps] == ["port LOAN_ID is not connected to a source column"]


def test_a_filter_attribute_on_a_flat_file_qualifier_becomes_a_filter_after_it(tmp_path: Path) -> None:
    text = _qualifier_export({"Filter": "LOAN_ID IS NOT NULL AND UPB &gt;= 100"})
    export, mapping, warnings = _read(tmp_path, text)
    fil = mapping.transformation("FIL_SQ_LOANS")
    assert fil is not None and fil.type == "Filter"
    assert fil.attributes["Filter Condition"] == "NOT ISNULL(LOAN_ID) AND UPB >= 100"
    assert [(p.name, p.port_type) for p in fil.ports] == [(n, "INPUT/OUTPUT") for n in NAMES]
    assert [i.name for i in mapping.instances][:3] == ["LOANS", "SQ_LOANS", "FIL_SQ_LOANS"]
    into_target = [(c.from_instance, c.from_field) for c in mapping.connectors if c.to_instance == "T_OUT"]
    assert into_target == [("FIL_SQ_LOANS", "LOAN_ID"), ("FIL_SQ_LOANS", "UPB")]
    assert "Filter" not in mapping.transformation("SQ_LOANS").attributes  # type: ignore[union-attr]
    assert (
        f"{_line(text, 'TRANSFORMATION', 'SQ_LOANS')}: source qualifier 'SQ_LOANS': TABLEATTRIBUTE "
        "'Filter' 'LOAN_ID IS NOT NULL AND UPB >= 100' is not a PowerCenter attribute (a flat-file reader "
        "has no filter); read as Filter transformation 'FIL_SQ_LOANS' right after the qualifier, condition "
        "'NOT ISNULL(LOAN_ID) AND UPB >= 100'" in warnings
    )
    job = _job(export)
    assert job.complete
    assert "# Filter FIL_SQ_LOANS" in job.code


def test_a_filter_that_cannot_be_translated_stays_a_gap(tmp_path: Path) -> None:
    export, mapping, warnings = _read(tmp_path, _qualifier_export({"Filter": "LOAN_ID LIKE 'L%'"}))
    assert mapping.transformation("FIL_SQ_LOANS") is None
    assert any("the SQL condition is not translated (\"LOAN_ID LIKE 'L%'\" has no" in w for w in warnings)
    assert [g.message.split(":")[0] for g in _job(export).gaps] == [
        "TABLEATTRIBUTE 'Filter' is not a Source Qualifier attribute (PowerCenter's SQL filter is 'Source "
        "Filter', for relational sources only)"
    ]


def test_strict_reading_applies_no_rule(tmp_path: Path) -> None:
    text = _qualifier_export({"Filter": "UPB &gt;= 100"}, linked=False)
    export = load(write(tmp_path, text))
    mapping = export.folders[0].mappings[0]
    assert mapping.transformation("FIL_SQ_LOANS") is None
    assert not [c for c in mapping.connectors if c.to_instance == "SQ_LOANS"]
    assert not export.problems


# -- Joiner --------------------------------------------------------------------------------------------

ORDERS = [("ORDER_ID", "string", 10), ("CUST_ID", "string", 10)]
CUSTOMERS = [("CUST_ID", "string", 10), ("NAME", "string", 20)]


def joiner_export(join_type: str, join_condition: str, master_source: str = "SQ_ORDERS") -> str:
    ports = [
        port("ORDER_ID", "string", 10),
        port("M_CUST_ID", "string", 10),
        port("D_CUST_ID", "string", 10),
        port("NAME", "string", 20),
    ]
    attributes = {"Join Type": join_type, "Join Condition": join_condition}
    if master_source:
        attributes["Master Source"] = master_source
    body = [
        qualifier("SQ_ORDERS", ORDERS),
        qualifier("SQ_CUSTOMERS", CUSTOMERS),
        transformation("JNR_ORDER_CUSTOMER", "Joiner", ports, attributes),
        instance("ORDERS", "SOURCE"),
        instance("CUSTOMERS", "SOURCE"),
        instance("SQ_ORDERS", "Source Qualifier", associated="ORDERS"),
        instance("SQ_CUSTOMERS", "Source Qualifier", associated="CUSTOMERS"),
        instance("JNR_ORDER_CUSTOMER", "Joiner"),
        instance("T_ORDER_NAME", "TARGET"),
        *links("ORDERS", "SQ_ORDERS", ["ORDER_ID", "CUST_ID"]),
        *links("CUSTOMERS", "SQ_CUSTOMERS", ["CUST_ID", "NAME"]),
        *links("SQ_ORDERS", "JNR_ORDER_CUSTOMER", ["ORDER_ID", "CUST_ID"], ["ORDER_ID", "M_CUST_ID"]),
        *links("SQ_CUSTOMERS", "JNR_ORDER_CUSTOMER", ["CUST_ID", "NAME"], ["D_CUST_ID", "NAME"]),
        *links("JNR_ORDER_CUSTOMER", "T_ORDER_NAME", ["ORDER_ID", "NAME"]),
    ]
    definitions = [
        source("ORDERS", ORDERS),
        source("CUSTOMERS", CUSTOMERS),
        target("T_ORDER_NAME", [("ORDER_ID", "string", 10), ("NAME", "string", 20)]),
    ]
    return export_text(definitions, body)


@pytest.mark.parametrize(
    "join_type, join_condition, expected",
    [
        ("Left Outer Join", "M_CUST_ID = D_CUST_ID", "Detail Outer Join"),  # master left: every master row
        ("Left Outer Join", "D_CUST_ID = M_CUST_ID", "Master Outer Join"),  # detail left: every detail row
        ("Right Outer Join", "M_CUST_ID = D_CUST_ID", "Master Outer Join"),
        ("RIGHT JOIN", "D_CUST_ID = M_CUST_ID", "Detail Outer Join"),
        ("Inner Join", "D_CUST_ID = M_CUST_ID", "Normal Join"),
        ("Full Outer", "M_CUST_ID = D_CUST_ID", "Full Outer Join"),
    ],
)
def test_sql_join_types_become_powercenter_join_types_by_the_side_the_file_keeps(
    tmp_path: Path, join_type: str, join_condition: str, expected: str
) -> None:
    text = joiner_export(join_type, join_condition)
    export, mapping, warnings = _read(tmp_path, text)
    joiner = mapping.transformation("JNR_ORDER_CUSTOMER")
    assert joiner is not None and joiner.attributes["Join Type"] == expected
    assert [p.name for p in joiner.ports if p.is_master] == ["ORDER_ID", "M_CUST_ID"]
    line = _line(text, "TRANSFORMATION", "JNR_ORDER_CUSTOMER")
    assert any(
        w.startswith(
            f"{line}: joiner 'JNR_ORDER_CUSTOMER': Join Type {join_type!r} is not one of "
            f"PowerCenter's; read as {expected!r}"
        )
        for w in warnings
    ), warnings
    assert _job(export).complete


def test_a_join_type_without_the_master_side_stays_a_gap(tmp_path: Path) -> None:
    export, mapping, warnings = _read(tmp_path, joiner_export("Left Outer Join", "M_CUST_ID = D_CUST_ID", ""))
    assert any(
        "no port is the master's (no MASTER port, no 'Master Source'): left as written" in w for w in warnings
    )
    assert "join type 'left outer join' is not one PowerCenter has" in [g.message for g in _job(export).gaps]


def test_a_condition_with_the_master_on_both_sides_leaves_an_outer_join_as_written(tmp_path: Path) -> None:
    text = joiner_export("Left Outer Join", "M_CUST_ID = D_CUST_ID AND NAME = ORDER_ID")
    _export, mapping, warnings = _read(tmp_path, text)
    assert mapping.transformation("JNR_ORDER_CUSTOMER").attributes["Join Type"] == "Left Outer Join"  # type: ignore[union-attr]
    assert any("does not put the master on one side of '='" in w for w in warnings)


# -- Union ---------------------------------------------------------------------------------------------

A_ROWS = [("ID", "string", 10), ("AMT", "decimal", 12)]


def union_export(*, group_attribute: bool, tag: str | None = None) -> str:
    def ports(prefix: str) -> list[str]:
        extra = f' INPUTGROUPNAME="{prefix}_GROUP"' if group_attribute else ""
        # the group's ports in another order than the outputs: matched by name
        return [
            port(f"{prefix}_AMT", "decimal", 12, "INPUT", extra),
            port(f"{prefix}_ID", "string", 10, "INPUT", extra),
        ]

    outputs = [port("ID", "string", 10, "OUTPUT"), port("AMT", "decimal", 12, "OUTPUT")]
    if tag is not None:
        outputs.append(port("SOURCE_TAG", "string", 5, "OUTPUT", f' DESCRIPTION="{tag}"'))
    body = [
        qualifier("SQ_EAST", A_ROWS),
        qualifier("SQ_WEST", A_ROWS),
        transformation("UNI_SALES", "Union", [*ports("EAST"), *ports("WEST"), *outputs]),
        instance("EAST", "SOURCE"),
        instance("WEST", "SOURCE"),
        instance("SQ_EAST", "Source Qualifier", associated="EAST"),
        instance("SQ_WEST", "Source Qualifier", associated="WEST"),
        instance("UNI_SALES", "Union"),
        instance("T_SALES", "TARGET"),
        *links("EAST", "SQ_EAST", ["ID", "AMT"]),
        *links("WEST", "SQ_WEST", ["ID", "AMT"]),
        *links("SQ_EAST", "UNI_SALES", ["ID", "AMT"], ["EAST_ID", "EAST_AMT"]),
        *links("SQ_WEST", "UNI_SALES", ["ID", "AMT"], ["WEST_ID", "WEST_AMT"]),
        *links("UNI_SALES", "T_SALES", ["ID", "AMT", *(["SOURCE_TAG"] if tag is not None else [])]),
    ]
    out = [*A_ROWS, *([("SOURCE_TAG", "string", 5)] if tag is not None else [])]
    return export_text([source("EAST", A_ROWS), source("WEST", A_ROWS), target("T_SALES", out)], body)


@pytest.mark.parametrize(
    "group_attribute, groups", [(True, ["EAST_GROUP", "WEST_GROUP"]), (False, ["SQ_EAST", "SQ_WEST"])]
)
def test_union_groups_come_from_inputgroupname_or_from_the_links(
    tmp_path: Path, group_attribute: bool, groups: list[str]
) -> None:
    text = union_export(group_attribute=group_attribute)
    export, mapping, warnings = _read(tmp_path, text)
    union = mapping.transformation("UNI_SALES")
    assert union is not None
    assert [(g.name, g.type) for g in union.groups] == [
        (groups[0], "INPUT"),
        (groups[1], "INPUT"),
        ("OUTPUT", "OUTPUT"),
    ]
    assert [(p.name, p.group) for p in union.ports] == [
        ("EAST_ID", groups[0]),
        ("EAST_AMT", groups[0]),
        ("WEST_ID", groups[1]),
        ("WEST_AMT", groups[1]),
        ("ID", "OUTPUT"),
        ("AMT", "OUTPUT"),
    ]
    named_by = "INPUTGROUPNAME" if group_attribute else "the links"
    assert (
        f"{_line(text, 'TRANSFORMATION', 'UNI_SALES')}: union 'UNI_SALES' has no GROUP elements: read "
        f"with input groups {', '.join(groups)} (from {named_by})"
    ) in warnings
    job = _job(export)
    assert job.complete
    assert "UNION ALL of 2 groups" in job.code


def test_a_union_output_fed_by_no_group_carries_the_value_its_description_gives_each_group(
    tmp_path: Path,
) -> None:
    text = union_export(group_attribute=True, tag="'EAST' or 'WEST', by the input group of the row")
    export, mapping, warnings = _read(tmp_path, text)
    union = mapping.transformation("UNI_SALES")
    assert union is not None
    assert [(p.name, p.group) for p in union.ports if p.group != "OUTPUT"] == [
        ("EAST_ID", "EAST_GROUP"),
        ("EAST_AMT", "EAST_GROUP"),
        ("EAST_GROUP_SOURCE_TAG", "EAST_GROUP"),
        ("WEST_ID", "WEST_GROUP"),
        ("WEST_AMT", "WEST_GROUP"),
        ("WEST_GROUP_SOURCE_TAG", "WEST_GROUP"),
    ]
    east = mapping.transformation("EXP_EAST_GROUP_SOURCE_TAG")
    assert east is not None and east.type == "Expression"
    assert [(p.name, p.port_type, p.expression) for p in east.ports] == [
        ("EAST_AMT", "INPUT/OUTPUT", "EAST_AMT"),
        ("EAST_ID", "INPUT/OUTPUT", "EAST_ID"),
        ("SOURCE_TAG", "OUTPUT", "'EAST'"),
    ]
    assert sorted((c.from_instance, c.to_instance) for c in mapping.connectors if "EAST" in c.to_field) == [
        ("EXP_EAST_GROUP_SOURCE_TAG", "UNI_SALES"),
        ("EXP_EAST_GROUP_SOURCE_TAG", "UNI_SALES"),
        ("EXP_EAST_GROUP_SOURCE_TAG", "UNI_SALES"),
        ("SQ_EAST", "EXP_EAST_GROUP_SOURCE_TAG"),
        ("SQ_EAST", "EXP_EAST_GROUP_SOURCE_TAG"),
    ]
    assert (
        f"{_line(text, 'TRANSFORMATION', 'UNI_SALES')}: union 'UNI_SALES': output port 'SOURCE_TAG' is fed "
        "by no input group; read as the value its description gives each group (EAST_GROUP: 'EAST', "
        "WEST_GROUP: 'WEST'), added before the Union by an Expression on each group's pipeline" in warnings
    )
    assert _job(export).complete


@pytest.mark.parametrize(
    "description",
    [
        "the name of the input group",  # no values
        "'EAST', 'WEST' or 'NORTH'",  # more values than groups
        "'EA' or 'WEST'",  # 'EA' does not end a word of EAST_GROUP
        "'EAST_GROUP' or 'WEST'",  # longer than the port (5)
    ],
)
def test_a_union_output_whose_values_are_not_said_stays_a_gap(tmp_path: Path, description: str) -> None:
    export, _mapping, warnings = _read(tmp_path, union_export(group_attribute=True, tag=description))
    assert any("output port(s) SOURCE_TAG fed by no input group" in w for w in warnings)
    assert [g.message for g in _job(export).gaps] == ["input group EAST_GROUP has 2 ports for 3 outputs"]


# -- Normalizer ----------------------------------------------------------------------------------------

WIDE = [("ACCT", "string", 10), ("BAL_1", "decimal", 12), ("BAL_2", "decimal", 12), ("BAL_3", "decimal", 12)]


def normalizer_export(description: str) -> str:
    ports = [
        port("ACCT", "string", 10),
        port("BAL", "decimal", 12, extra=' OCCURSTIMES="3"'),
        port("MONTH_GK", "integer", 10, "OUTPUT", extra=f' DESCRIPTION="{description}"'),
    ]
    body = [
        qualifier("SQ_WIDE", WIDE),
        transformation("NRM_BAL", "Normalizer", ports),
        instance("WIDE", "SOURCE"),
        instance("SQ_WIDE", "Source Qualifier", associated="WIDE"),
        instance("NRM_BAL", "Normalizer"),
        instance("T_BAL", "TARGET"),
        *links("WIDE", "SQ_WIDE", [n for n, _t, _p in WIDE]),
        *links(
            "SQ_WIDE", "NRM_BAL", ["ACCT", "BAL_1", "BAL_2", "BAL_3"], ["ACCT", "BAL[1]", "BAL[2]", "BAL[3]"]
        ),
        *links("NRM_BAL", "T_BAL", ["ACCT", "BAL", "MONTH_GK"], ["ACCT", "BAL", "MONTH"]),
    ]
    out = [("ACCT", "string", 10), ("BAL", "decimal", 12), ("MONTH", "integer", 10)]
    return export_text([source("WIDE", WIDE), target("T_BAL", out)], body)


def test_an_occurstimes_normalizer_gets_the_input_ports_the_designer_generates(tmp_path: Path) -> None:
    text = normalizer_export("the occurrence number, 1 to 3")
    export, mapping, warnings = _read(tmp_path, text)
    nrm = mapping.transformation("NRM_BAL")
    assert nrm is not None
    assert [(p.name, p.port_type) for p in nrm.ports] == [
        ("ACCT_in", "INPUT"),
        ("ACCT", "OUTPUT"),
        ("BAL_in1", "INPUT"),
        ("BAL_in2", "INPUT"),
        ("BAL_in3", "INPUT"),
        ("BAL", "OUTPUT"),
        ("MONTH_GK", "GENERATED COLUMN ID/OUTPUT"),
    ]
    assert [c.to_field for c in mapping.connectors if c.to_instance == "NRM_BAL"] == [
        "ACCT_in",
        "BAL_in1",
        "BAL_in2",
        "BAL_in3",
    ]
    assert (
        f"{_line(text, 'TRANSFORMATION', 'NRM_BAL')}: normalizer 'NRM_BAL': OCCURSTIMES is not a "
        "Normalizer port attribute; read as the occurs count (bal x3) with the input ports NAME_in1..n the "
        "Designer generates; MONTH_GK is the occurrence number (GCID), as its description says"
    ) in warnings
    job = _job(export)
    assert job.complete
    assert "3 occurrences per input row" in job.code


def test_an_extra_normalizer_port_whose_role_is_not_said_stays_a_gap(tmp_path: Path) -> None:
    export, _mapping, _warnings = _read(tmp_path, normalizer_export("a key"))
    assert [g.message for g in _job(export).gaps] == ["output port MONTH_GK has no input port MONTH_GK_in"]


# -- Router --------------------------------------------------------------------------------------------


def router_export(groups: str) -> str:
    ports = [port("LOAN_ID", "string", 10, "INPUT"), port("UPB", "decimal", 12, "INPUT")]
    body = [
        qualifier("SQ_LOANS", LOANS[:2]),
        transformation("RTR_BIG", "Router", ports, body="\n" + groups),
        instance("LOANS", "SOURCE"),
        instance("SQ_LOANS", "Source Qualifier", associated="LOANS"),
        instance("RTR_BIG", "Router"),
        instance("T_OUT", "TARGET"),
        *links("LOANS", "SQ_LOANS", ["LOAN_ID", "UPB"]),
        *links("SQ_LOANS", "RTR_BIG", ["LOAN_ID", "UPB"]),
        *links("RTR_BIG", "T_OUT", ["LOAN_ID", "UPB"]),
    ]
    return export_text([source("LOANS", LOANS[:2]), target("T_OUT", LOANS[:2])], body)


def test_a_router_with_one_written_group_feeds_its_links_from_that_group(tmp_path: Path) -> None:
    text = router_export('    <GROUP NAME="BIG" CONDITION="UPB &gt; 1000"/>')
    export, mapping, warnings = _read(tmp_path, text)
    router = mapping.transformation("RTR_BIG")
    assert router is not None
    assert [(g.name, g.type, g.expression) for g in router.groups] == [
        ("INPUT", "INPUT", ""),
        ("BIG", "OUTPUT", "UPB > 1000"),
        ("DEFAULT1", "OUTPUT/DEFAULT", ""),
    ]
    assert [(c.from_field, c.to_field) for c in mapping.connectors if c.to_instance == "T_OUT"] == [
        ("LOAN_ID1", "LOAN_ID"),
        ("UPB1", "UPB"),
    ]
    assert any(
        w.startswith(
            f"{_line(text, 'TRANSFORMATION', 'RTR_BIG')}: router 'RTR_BIG' has no output "
            "groups: read with group(s) BIG and DEFAULT1; its links read the ports of group 'BIG'"
        )
        for w in warnings
    )
    job = _job(export)
    assert job.complete
    assert "# group BIG: UPB > 1000" in job.code


def test_a_router_with_several_groups_and_links_from_its_inputs_stays_a_gap(tmp_path: Path) -> None:
    groups = "\n".join(
        [
            '    <TABLEATTRIBUTE NAME="GROUP_1_NAME" VALUE="BIG"/>',
            '    <TABLEATTRIBUTE NAME="GROUP_1_FILTER" VALUE="UPB &gt; 1000"/>',
            '    <TABLEATTRIBUTE NAME="GROUP_2_NAME" VALUE="SMALL"/>',
            '    <TABLEATTRIBUTE NAME="GROUP_2_FILTER" VALUE="UPB &lt;= 1000"/>',
        ]
    )
    export, _mapping, warnings = _read(tmp_path, router_export(groups))
    assert any(
        "with 2 groups (BIG, SMALL) the file does not say which group feeds them" in w for w in warnings
    )
    assert [g.message for g in _job(export).gaps] == ["the Router has no output groups"]


def test_unused_helper_connector_is_a_plain_connector() -> None:
    assert 'FROMFIELD="A"' in connector("X", "A", "Y", "B")


# -- Lookup --------------------------------------------------------------------------------------------

RATES = [("CODE", "string", 4), ("RATE", "decimal", 12)]


def lookup_export(output: str, condition_text: str = "IN_CODE = CODE") -> str:
    ports = [port("IN_CODE", "string", 4, "INPUT"), port(output, "decimal", 12, "OUTPUT")]
    attributes = {"Lookup table name": "REF.REF_RATES", "Lookup condition": condition_text}
    body = [
        qualifier("SQ_LOANS", [("LOAN_ID", "string", 10), ("CODE", "string", 4)]),
        transformation("LKP_RATE", "Lookup Procedure", ports, attributes),
        instance("LOANS", "SOURCE"),
        instance("SQ_LOANS", "Source Qualifier", associated="LOANS"),
        instance("LKP_RATE", "Lookup Procedure"),
        instance("T_RATE", "TARGET"),
        *links("LOANS", "SQ_LOANS", ["LOAN_ID", "CODE"]),
        connector("SQ_LOANS", "CODE", "LKP_RATE", "IN_CODE"),
        connector("SQ_LOANS", "LOAN_ID", "T_RATE", "LOAN_ID"),
        connector("LKP_RATE", output, "T_RATE", "RATE"),
    ]
    definitions = [
        source("LOANS", [("LOAN_ID", "string", 10), ("CODE", "string", 4)]),
        source("REF_RATES", RATES, flat=False),
        target("T_RATE", [("LOAN_ID", "string", 10), ("RATE", "decimal", 12)]),
    ]
    return export_text(definitions, body)


@pytest.mark.parametrize("condition_text", ["IN_CODE = CODE", "CODE = IN_CODE"])
def test_lookup_ports_come_from_the_condition_and_the_table_definition(
    tmp_path: Path, condition_text: str
) -> None:
    text = lookup_export("RATE", condition_text)
    export, mapping, warnings = _read(tmp_path, text)
    lookup = mapping.transformation("LKP_RATE")
    assert lookup is not None
    assert [(p.name, p.port_type, p.datatype, p.precision) for p in lookup.ports] == [
        ("IN_CODE", "INPUT", "string", 4),
        ("RATE", "LOOKUP/OUTPUT", "decimal", 12),
        ("CODE", "LOOKUP", "string", 4),
    ]
    assert lookup.attributes["Lookup condition"] == "CODE = IN_CODE"
    assert (
        f"{_line(text, 'TRANSFORMATION', 'LKP_RATE')}: lookup 'LKP_RATE' has no LOOKUP port: read with "
        "lookup column(s) CODE, RATE (from the Lookup condition and the fields of the lookup table's "
        "definition); condition read as 'CODE = IN_CODE'" in warnings
    )
    assert _job(export).complete


def test_a_lookup_output_that_names_no_column_stays_a_gap(tmp_path: Path) -> None:
    export, mapping, warnings = _read(tmp_path, lookup_export("OUT_RATE"))
    assert not any(p.is_lookup for p in mapping.transformation("LKP_RATE").ports)  # type: ignore[union-attr]
    assert any(
        "output port(s) OUT_RATE name no field of the lookup table's definition: left as written" in w
        for w in warnings
    )
    assert [g.message for g in _job(export).gaps] == ["the lookup has no lookup ports"]
