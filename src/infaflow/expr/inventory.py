"""Every expression in an export file, found with lxml: port expressions, Filter/Joiner/Lookup/Update
Strategy conditions (also when overridden on a mapping instance or in a session), Router groups, workflow
link conditions, Decision conditions and Assignment values.

Each comes with its file and line and, for mapping expressions, the types of the ports of its
transformation, so that it can be parsed, checked and translated (``infaflow expr check``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from infaflow.export import xmlsource

#: TABLEATTRIBUTE names whose VALUE is an expression of the transformation language
EXPRESSION_ATTRIBUTES = {
    "filter condition",
    "join condition",
    "lookup condition",
    "update strategy expression",
}

#: PowerCenter port datatypes -> expression types
DATATYPES: dict[str, str] = {}
for _names, _kind in (
    ("string nstring char nchar varchar varchar2 nvarchar nvarchar2 text ntext long clob", "string"),
    ("integer small integer smallint bigint int tinyint", "integer"),
    ("decimal numeric number money", "decimal"),
    ("double real float", "double"),
    ("date/time date timestamp datetime time", "date"),
):
    for _name in _names.split(" "):
        DATATYPES[_name] = _kind
DATATYPES["small integer"] = "integer"


def expression_type(datatype: str) -> str:
    """The expression type of a port datatype ("" when it has none, as for binary)."""
    return DATATYPES.get(datatype.strip().lower(), "")


@dataclass
class FoundExpression:
    """One expression of an export."""

    kind: str  # port, filter condition, join condition, lookup condition, update strategy expression,
    #           router group, link condition, decision condition, assignment
    text: str
    file: str
    line: int
    owner: str  # transformation, workflow or task name
    #: upper-case port and ``$$variable`` names -> types (mapping expressions only)
    port_types: dict[str, str] = field(default_factory=dict)


def _port_types(transformation: etree._Element) -> dict[str, str]:
    """Types of the transformation's ports and of its mapping's variables and parameters (``$$NAME``)."""
    types = {}
    mapping = transformation.getparent()
    if mapping is not None and mapping.tag in ("MAPPING", "MAPPLET"):
        for variable in mapping.iter("MAPPINGVARIABLE"):
            if variable.get("NAME"):
                types[variable.get("NAME", "").upper()] = expression_type(variable.get("DATATYPE", ""))
    for port in transformation.iter("TRANSFORMFIELD"):
        name = port.get("NAME")
        if name:
            types[name.upper()] = expression_type(port.get("DATATYPE", ""))
    return types


def expressions_in_tree(tree: etree._ElementTree, file: str) -> Iterator[FoundExpression]:
    """The expressions of a parsed export, in document order per kind."""
    root = tree.getroot()
    for transformation in root.iter("TRANSFORMATION"):
        owner = transformation.get("NAME", "")
        types = _port_types(transformation)
        for port in transformation.iter("TRANSFORMFIELD"):
            text = port.get("EXPRESSION", "")
            if text.strip():
                yield FoundExpression(
                    "port", text, file, port.sourceline or 0, f"{owner}.{port.get('NAME')}", types
                )
        for attribute in transformation.iter("TABLEATTRIBUTE"):
            name = attribute.get("NAME", "").lower()
            text = attribute.get("VALUE", "")
            if name in EXPRESSION_ATTRIBUTES and text.strip():
                yield FoundExpression(name, text, file, attribute.sourceline or 0, owner, types)
        for group in transformation.iter("GROUP"):
            text = group.get("EXPRESSION", "")
            if text.strip():
                yield FoundExpression(
                    "router group", text, file, group.sourceline or 0, f"{owner}.{group.get('NAME')}", types
                )
    for instance in root.iter("INSTANCE", "SESSTRANSFORMATIONINST"):
        for attribute in instance:
            if attribute.tag not in ("TABLEATTRIBUTE", "ATTRIBUTE"):
                continue
            name = attribute.get("NAME", "").lower()
            text = attribute.get("VALUE", "")
            if name in EXPRESSION_ATTRIBUTES and text.strip():
                owner = instance.get("NAME") or instance.get("SINSTANCENAME", "")
                yield FoundExpression(name, text, file, attribute.sourceline or 0, f"{owner} (override)")
    for link in root.iter("WORKFLOWLINK"):
        text = link.get("CONDITION", "")
        if text.strip():
            owner = f"{link.get('FROMTASK')}->{link.get('TOTASK')}"
            yield FoundExpression("link condition", text, file, link.sourceline or 0, owner)
    for task in root.iter("TASK"):
        task_type = task.get("TYPE", "").lower()
        if task_type == "decision":
            for attribute in task.iter("ATTRIBUTE"):
                if (
                    attribute.get("NAME", "").lower() == "decision name"
                    and attribute.get("VALUE", "").strip()
                ):
                    yield FoundExpression(
                        "decision condition",
                        attribute.get("VALUE", ""),
                        file,
                        attribute.sourceline or 0,
                        task.get("NAME", ""),
                    )
        elif task_type == "assignment":
            for pair in task.iter("VALUEPAIR"):
                if pair.get("VALUE", "").strip():
                    yield FoundExpression(
                        "assignment",
                        pair.get("VALUE", ""),
                        file,
                        pair.sourceline or 0,
                        f"{task.get('NAME')}:{pair.get('NAME')}",
                    )


def expressions_in(path: str | Path) -> list[FoundExpression]:
    """The expressions of an export file (parsed safely; InputError if it is not a readable export)."""
    return list(expressions_in_tree(xmlsource.parse(path), str(path)))
