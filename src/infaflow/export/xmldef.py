"""The XML parts of an XML source definition (``SOURCE DATABASETYPE="XML"``).

Designer keeps, inside ``XMLINFO``, the XML texts it imported or generated: the schema (``TYPE="SCHEMA"``),
namespace information (``TYPE="ADAPTER"``) and the table metadata (``TYPE="TABLE"``), a ``METATABLE`` that
lists each group (view) of the definition with the element its rows are (``GROUPSAT``, a path from the root
element). Each SOURCEFIELD says, in its ``XML Mapping`` FIELDATTRIBUTE, the XPath of its value relative to
its group's element (``./EMP_ID``, ``./@id``); generated keys (``XPK_``) and the foreign keys of the
hierarchy (``FK_``) have none.

The texts are read with the same safe parser settings as exports (no DTD, no entities, no network).
"""

from __future__ import annotations

from typing import TypeAlias

from lxml import etree

from infaflow.model import XmlView

Element: TypeAlias = etree._Element


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def xml_views(source: Element) -> tuple[list[XmlView], str]:
    """The groups of an XML SOURCE element from its XMLINFO table metadata, and a problem (empty: none)."""
    for text in source.iterfind("XMLINFO/XMLTEXT"):
        if text.get("TYPE", "").upper() != "TABLE":
            continue
        raw = text.get("TEXT", "")
        if "<!ENTITY" in raw:
            return [], "the XMLINFO table metadata declares entities: refused"
        try:
            table = etree.fromstring(raw.encode("utf-8"), _parser())
        except (etree.XMLSyntaxError, ValueError) as exc:
            return [], f"the XMLINFO table metadata is not well-formed XML ({exc})"
        views = []
        for group in table.iter("GROUP"):
            path = (group.findtext("GROUPSAT") or "").strip().strip("/")
            views.append(XmlView(name=group.get("GROUPNAME", ""), path=path))
        return views, ""
    return [], ""


def field_attributes(field: Element) -> dict[str, str]:
    """The FIELDATTRIBUTEs of a SOURCEFIELD (``XML Mapping``, ``PivotNumber``...)."""
    return {a.get("NAME", ""): a.get("VALUE", "") for a in field.iterchildren("FIELDATTRIBUTE")}
