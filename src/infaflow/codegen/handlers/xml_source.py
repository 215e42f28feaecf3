"""XML Source Qualifier: an XML file read into one DataFrame per group (view) of its XML source definition.

The rules (PowerCenter XML Guide, "Working with XML Sources" and "XML Source Qualifier Transformation"):
- a group's rows are the elements at its path (GROUPSAT of the definition's table metadata), in document
  order; a multiple-occurring element gives one row per occurrence;
- a field's value is the text at its XPath (``XML Mapping``) relative to the group's element: a child
  element, an attribute (``@name``), the element's own text (``.``), the n-th occurrence of a pivoted
  element (``PivotNumber``); a missing element or attribute is NULL;
- each group has a generated primary key (``XPK_``, a ``GENERATED KEY`` port of the qualifier): a sequence
  numbering its rows, starting from the value the repository keeps (SEQUENCE_GENERATOR_VALUE), saved after
  the session unless ``Reset``, from 1 each session with ``Restart``; a child group's generated foreign key
  (``FK_``) holds its parent row's primary key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.generate import Generator, Output, StepCode
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.types import spark_type
from infaflow.model import Field, Port, Source

KINDS = ("XML Source Qualifier",)


@dataclass
class _Group:
    """One group of the definition as the qualifier reads it."""

    name: str
    path: str
    parent: str | None = None
    key: Port | None = None
    foreign_key: Port | None = None
    fields: list[tuple[Port, str]] = field(default_factory=list)  # (port, XPath)


def generate(step: Step, gen: Generator) -> StepCode:
    source_step = _source_step(step, gen)
    source = source_step.source
    assert source is not None
    groups = _groups(step, source, _used(step, gen))
    wanted = _connected_groups(step, gen, groups)
    attrs = source_step.attributes
    if str(attrs.get("Source filetype", "Direct")).strip().lower() == "indirect":
        raise ConversionError(
            "indirect source files (a file listing the XML files to read) are not supported"
        )
    directory = attrs.get("Source file directory") or "$PMSourceFileDir"
    file_name = attrs.get("Source filename") or f"{source.name.lower()}.xml"
    var = gen.var(step)
    folder = gen.plan.folder.name if gen.plan.folder else ""
    owner = f"{gen.plan.mapping.name}.{step.name}"
    reset, restart = step.attributes.flag("Reset", False), step.attributes.flag("Restart", False)
    lines = [
        f"{var} = job.read_xml(",
        f"    {py_str(source.name)},",
        f"    job.path({py_str(directory)}, {py_str(file_name)}),",
        "    [  # (group, element path, parent group, generated key, foreign key, [(port, XPath, type)])",
    ]
    used = _used(step, gen)
    keys = []
    for g in wanted:
        key = py_str(g.key.name) if g.key else "None"
        fk = py_str(g.foreign_key.name) if g.foreign_key else "None"
        parent = py_str(g.parent) if g.parent else "None"
        head = f"        ({py_str(g.name)}, {py_str(g.path)}, {parent}, {key}, {fk}, ["
        if len(head) > 100:
            head = f"        ({py_str(g.name)}, {py_str(g.path)},\n         {parent}, {key}, {fk}, ["
        lines += head.split("\n")
        lines += [
            f"            ({py_str(p.name)}, {py_str(xpath)}, "
            f"{py_str(spark_type(p.datatype, p.precision, p.scale))}),"
            for p, xpath in g.fields
        ]
        lines.append("        ]),")
        if g.key is not None:
            keys += [
                f"        {py_str(g.name)}: job.generated_key(",
                f"            {py_str(f'{folder}.{owner}.{g.key.name}')},",
                f'            value={_start(g.key)}, reset={reset}, restart={restart}, store="xml",',
                "        ),",
            ]
    lines += ["    ],", "    keys={", *keys, "    },"]
    if attrs.flag("Treat empty content as NULL", False):
        lines.append("    empty_as_null=True,")
    lines.append(")")
    outputs: dict[str, Output] = {}
    for g in wanted:
        if not _ports(g) & used:  # read only for the keys of the groups it encloses
            continue
        group_var = gen.new_var(f"{var}_{g.name}".lower())
        lines.append(f"{group_var} = {var}[{py_str(g.name)}]  # group {g.name}")
        ports = _port_list(g)
        for p in ports:
            outputs[p.name.lower()] = Output(group_var, p.name, origin=f"{step.name}.{g.name}")
        gen.columns[group_var] = [p.name for p in ports] + ["_row_id"]
    notes = [f"XML file, {len(wanted)} of the definition's {len(groups)} groups read"]
    return StepCode(lines, outputs, notes)


def _source_step(step: Step, gen: Generator) -> Step:
    names = [ref.step for ref in step.inputs.values()] + list(step.instance.associated_source_instances)
    for name in dict.fromkeys(n.lower() for n in names):
        for candidate in (f"{name} (source)", name):
            found = next((s for s in gen.plan.steps if s.name.lower() == candidate), None)
            if found is not None and found.source is not None:
                if found.source.database_type.strip().upper() != "XML":
                    raise ConversionError(
                        f"source {found.source.name} of the XML Source Qualifier is not an XML "
                        "source definition"
                    )
                return found
    raise ConversionError("no XML source definition feeds this XML Source Qualifier")


def _start(port: Port) -> int:
    raw = str(port.attrs.get("SEQUENCE_GENERATOR_VALUE", "") or "1").strip()
    if not raw.lstrip("-").isdigit():
        raise ConversionError(f"generated key {port.name}: SEQUENCE_GENERATOR_VALUE {raw!r} is not a number")
    return int(raw)


def _groups(step: Step, source: Source, used: set[str]) -> list[_Group]:
    """The definition's groups, parents first, with the qualifier's ports of each (the generated keys, and
    the other ports another transformation reads)."""
    views = {v.name.lower(): v for v in source.xml_views}
    if not views:
        raise ConversionError(
            f"the XML source definition {source.name} has no group paths (its XMLINFO table "
            "metadata is missing)"
        )
    roots = {v.path.split("/")[0] for v in views.values()}
    if len(roots) != 1 or "" in roots:
        raise ConversionError(
            f"the groups of the XML source definition {source.name} do not share one root "
            f"element ({', '.join(sorted(roots))})"
        )
    fields = {f.name.lower(): f for f in source.fields}
    groups: dict[str, _Group] = {}
    keys: dict[str, str] = {}  # generated key field -> its group
    for view in sorted(views.values(), key=lambda v: v.path.count("/")):
        groups[view.name.lower()] = _Group(view.name, view.path)
    ports = [p for p in step.ports if p.is_output]
    for port in ports:
        source_field = fields.get(str(port.attrs.get("REF_SOURCE_FIELD") or port.name).lower())
        if source_field is None:
            raise ConversionError(
                f"port {port.name} names no field of the XML source definition {source.name}"
            )
        group = groups.get(str(port.group or source_field.attrs.get("GROUP", "")).lower())
        if group is None:
            raise ConversionError(f"port {port.name}: group {port.group!r} is not a group of {source.name}")
        if "GENERATED KEY" in port.port_type.upper() or "GENERATED KEY" in source_field.key_type.upper():
            group.key = port
            keys[source_field.name.lower()] = group.name
    for port in ports:
        source_field = fields[str(port.attrs.get("REF_SOURCE_FIELD") or port.name).lower()]
        group = groups[str(port.group or source_field.attrs.get("GROUP", "")).lower()]
        if port is group.key or port.name.lower() not in used:
            continue
        if source_field.name.lower() == "currentlyprocessedfilename":
            raise ConversionError(
                f"port {port.name}: the currently processed file name (Add Currently Processed "
                "XML File Name Port) is not converted"
            )
        xpath = source_field.field_attributes.get("XML Mapping", "").strip()
        if xpath:
            _check_xpath(xpath, source_field)
            group.fields.append((port, _with_occurrence(xpath, source_field)))
            continue
        _foreign_key(port, source_field, group, groups, keys, fields)
    for group in groups.values():
        if group.parent is None:
            group.parent = _enclosing(group, groups)
    return list(groups.values())


# ./A/B, ./@a, ./A/@a or . : child elements, an attribute, the element's own text (no prefixes, no predicates)
_XPATH = re.compile(r"\.(/[A-Za-z_][\w.\-]*)*(/@[A-Za-z_][\w.\-]*)?")


def _check_xpath(xpath: str, source_field: Field) -> None:
    """Fields read from the group's element or below; anything else is reported."""
    if _XPATH.fullmatch(xpath) is None:
        raise ConversionError(
            f"field {source_field.name}: XPath {xpath!r} is not supported (only child elements, "
            "attributes and the element's own text of the group's element: ./A/B, ./@a, .)"
        )


def _with_occurrence(xpath: str, source_field: Field) -> str:
    """A pivoted field (``PivotNumber`` n > 0) reads the n-th occurrence of its element."""
    try:
        pivot = int(source_field.field_attributes.get("PivotNumber", "0") or 0)
    except ValueError:
        pivot = 0
    if pivot > 0:
        if "@" in xpath.rsplit("/", 1)[-1]:
            raise ConversionError(f"field {source_field.name}: a pivoted attribute is not supported")
        return f"{xpath}[{pivot}]"
    return xpath


def _foreign_key(
    port: Port,
    source_field: Field,
    group: _Group,
    groups: dict[str, _Group],
    keys: dict[str, str],
    fields: dict[str, Field],
) -> None:
    """A field with no XPath: the generated foreign key of a child group, holding its parent's key."""
    referenced = str(source_field.attrs.get("REFERENCEDFIELD", "")).lower()
    if "FOREIGN KEY" not in source_field.key_type.upper() or referenced not in fields:
        raise ConversionError(
            f"field {source_field.name} of group {group.name} has no XPath (XML Mapping) and "
            "is not a generated key"
        )
    parent_name = keys.get(referenced)
    if parent_name is None:
        raise ConversionError(
            f"foreign key {port.name} references {source_field.attrs.get('REFERENCEDFIELD')}, "
            "whose port the qualifier does not have"
        )
    parent = groups[parent_name.lower()]
    if not group.path.startswith(parent.path + "/"):
        raise ConversionError(
            f"foreign key {port.name} of group {group.name} references group {parent.name}, "
            "which does not enclose it (a reference relationship, not the hierarchy)"
        )
    group.foreign_key, group.parent = port, parent.name


def _enclosing(group: _Group, groups: dict[str, _Group]) -> str | None:
    """The nearest group whose element encloses this group's element, if any."""
    best: _Group | None = None
    for other in groups.values():
        if group.path.startswith(other.path + "/") and (best is None or len(other.path) > len(best.path)):
            best = other
    return best.name if best else None


def _port_list(group: _Group) -> list[Port]:
    return [p for p in (group.key, group.foreign_key) if p is not None] + [p for p, _x in group.fields]


def _ports(group: _Group) -> set[str]:
    return {p.name.lower() for p in _port_list(group)}


def _used(step: Step, gen: Generator) -> set[str]:
    """The qualifier's ports another step reads (lower-case)."""
    return {
        ref.port.lower()
        for consumer in gen.plan.consumers(step.name)
        for ref in consumer.inputs.values()
        if ref.step.lower() == step.name.lower()
    }


def _connected_groups(step: Step, gen: Generator, groups: list[_Group]) -> list[_Group]:
    """Groups with a port another step reads, and the groups enclosing them (their rows give the keys)."""
    used = _used(step, gen)
    by_name = {g.name: g for g in groups}
    wanted: set[str] = set()
    for g in groups:
        if _ports(g) & used:
            name: str | None = g.name
            while name is not None and name not in wanted:
                wanted.add(name)
                name = by_name[name].parent
    return [g for g in groups if g.name in wanted]
