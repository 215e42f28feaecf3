"""Look-alike Unions: input groups from the ``INPUTGROUPNAME`` port attribute or from the links, and an
output port that carries, per row, a value the file gives for each input group.

PowerCenter's Union (Transformation Guide, "Union Transformation") passes the k-th port of each input
group to the k-th output port: every output port has a port in every group. A look-alike Union may have
an output port that no group feeds, described as carrying a value per group ("Carries 'EAST' or 'WEST'
based on which input group the row came from"). When its DESCRIPTION quotes exactly one literal per group
and each literal begins the name of exactly one group, that is read as PowerCenter would compute it: an
Expression before the Union on each group's pipeline adds the group's literal as a port, linked to a new
port of the group. Otherwise the output stays unfed and conversion reports it.
"""

from __future__ import annotations

import re

from infaflow.errors import Location
from infaflow.export.lookalike_common import Note, definitions, free_name, into
from infaflow.model import Connector, Folder, Group, Instance, Mapping, Port, Transformation

_QUOTED = re.compile(r"'([^']+)'")


def _input_groups(mapping: Mapping, t: Transformation, instances: list[Instance]) -> dict[str, list[Port]]:
    """Input ports by group: the ``INPUTGROUPNAME`` port attribute, else the instance that feeds them."""
    inputs = [p for p in t.ports if p.is_input and not p.is_output]
    if inputs and all(p.attrs.get("INPUTGROUPNAME", "").strip() for p in inputs):
        by_attr: dict[str, list[Port]] = {}
        for p in inputs:
            by_attr.setdefault(p.attrs["INPUTGROUPNAME"].strip(), []).append(p)
        return by_attr
    feeding = {c.to_field.lower(): c.from_instance for c in into(mapping, instances)}
    by_link: dict[str, list[Port]] = {}
    for p in inputs:
        if p.name.lower() not in feeding:
            return {}
        by_link.setdefault(feeding[p.name.lower()], []).append(p)
    return by_link


def _paired(ports: list[Port], outputs: list[Port]) -> list[Port | None]:
    """For each output port, the group port of the same name (bare or after a group prefix ``X_``)."""
    found: list[Port | None] = []
    for o in outputs:
        same = [
            p
            for p in ports
            if p.name.lower() == o.name.lower() or p.name.lower().endswith("_" + o.name.lower())
        ]
        found.append(same[0] if len(same) == 1 else None)
    return found


def group_values(port: Port, groups: list[str]) -> dict[str, str] | None:
    """The literal each group gives ``port``, from the literals its DESCRIPTION quotes: one per group, each
    beginning the name of exactly one group (followed by the end or a non-alphanumeric character) and no
    longer than the port's precision; None when the description does not say so."""
    literals = list(dict.fromkeys(_QUOTED.findall(port.attrs.get("DESCRIPTION", ""))))
    if len(literals) != len(groups):
        return None
    found: dict[str, str] = {}
    for literal in literals:
        begins = re.compile(re.escape(literal) + r"(?![A-Za-z0-9])", re.IGNORECASE)
        owners = [g for g in groups if begins.match(g)]
        if len(owners) != 1 or owners[0] in found or (port.precision and len(literal) > port.precision):
            return None
        found[owners[0]] = literal
    return found


def union_groups(mapping: Mapping, folder: Folder) -> list[Note]:
    """A Union without GROUP elements gets its input groups from the ``INPUTGROUPNAME`` port attribute or,
    without it, from the links (one group per instance feeding it); each group's ports are put in the
    order of the output ports they feed, matched by name (the output port's name, bare or after a group
    prefix), else by position when the counts agree (PowerCenter's rule)."""
    notes: list[Note] = []
    for t, instances in definitions(mapping, folder, "Union", "Union Transformation"):
        if any(g.type.upper() == "INPUT" for g in t.groups):
            continue
        outputs = [p for p in t.ports if p.is_output and not p.is_input]
        groups = _input_groups(mapping, t, instances)
        where = f"union {t.name!r} has no GROUP elements"
        if not groups or not outputs:
            notes.append(
                (
                    f"{where}, and its input ports are neither named to groups (INPUTGROUPNAME) nor all "
                    "linked: left as written",
                    t.location,
                )
            )
            continue
        named_by = (
            "INPUTGROUPNAME"
            if all(p.attrs.get("INPUTGROUPNAME") for g in groups.values() for p in g)
            else "the links"
        )
        unfed = _unfed(groups, outputs)
        values = {o.name: group_values(o, list(groups)) for o in outputs if o.name in unfed}
        if unfed and len(instances) == 1 and all(v is not None for v in values.values()):
            for o in [o for o in outputs if o.name in unfed]:
                _tag_groups(mapping, t, instances[0], groups, o, values[o.name] or {})
                notes.append(
                    (
                        f"union {t.name!r}: output port {o.name!r} is fed by no input group; read as the "
                        "value its description gives each group ("
                        + ", ".join(f"{g}: {v!r}" for g, v in (values[o.name] or {}).items())
                        + "), added before the Union by an Expression on each group's pipeline",
                        t.location,
                    )
                )
            unfed = set()
        _set_groups(t, groups, outputs)
        notes.append((f"{where}: read with input groups {', '.join(groups)} (from {named_by})", t.location))
        if unfed:
            notes.append(
                (
                    f"union {t.name!r}: output port(s) {', '.join(sorted(unfed))} fed by no input group "
                    "(PowerCenter's Union only passes its input groups' ports): not converted",
                    t.location,
                )
            )
    return notes


def _unfed(groups: dict[str, list[Port]], outputs: list[Port]) -> set[str]:
    """Output ports that a group matched by name does not feed."""
    unfed: set[str] = set()
    for ports in groups.values():
        pairs = _paired(ports, outputs)
        if len({id(p) for p in pairs if p is not None}) == len(ports):
            unfed |= {o.name for o, p in zip(outputs, pairs, strict=True) if p is None}
    return unfed


def _set_groups(t: Transformation, groups: dict[str, list[Port]], outputs: list[Port]) -> None:
    ordered: list[Port] = []
    for name, ports in groups.items():
        pairs = _paired(ports, outputs)
        if len({id(p) for p in pairs if p is not None}) == len(ports):
            ports = [p for p in pairs if p is not None]
        for p in ports:
            p.group = name
        ordered += ports
    for o in outputs:
        o.group = "OUTPUT"
    t.ports = ordered + outputs
    t.groups = [Group(name=n, type="INPUT", order=i, location=t.location) for i, n in enumerate(groups, 1)]
    t.groups.append(Group(name="OUTPUT", type="OUTPUT", order=len(groups) + 1, location=t.location))


def _tag_groups(
    mapping: Mapping,
    union: Transformation,
    inst: Instance,
    groups: dict[str, list[Port]],
    output: Port,
    values: dict[str, str],
) -> None:
    """For each group: an Expression between its upstream and the Union passing the group's ports and adding
    ``output`` as the group's literal, and a new group port fed by it."""
    taken = {i.name.lower() for i in mapping.instances} | {t.name.lower() for t in mapping.transformations}
    port_names = {p.name.lower() for p in union.ports}
    where = union.location
    for group, ports in groups.items():
        name = free_name(f"EXP_{group}_{output.name}", taken)
        expression = Transformation(
            name=name,
            type="Expression",
            ports=[_port(p, p.name, "INPUT/OUTPUT", p.name, where) for p in ports]
            + [_port(output, output.name, "OUTPUT", f"'{values[group]}'", where)],
            folder=union.folder,
            location=where,
        )
        mapping.transformations.append(expression)
        mapping.instances.insert(
            mapping.instances.index(inst),
            Instance(
                name=name,
                type="TRANSFORMATION",
                transformation_name=name,
                transformation_type="Expression",
                location=inst.location,
            ),
        )
        fields = {p.name.lower() for p in ports}
        for c in into(mapping, [inst]):
            if c.to_field.lower() in fields:
                c.to_instance, c.to_instance_type = name, "Expression"
        tag = _port(output, free_name(f"{group}_{output.name}", port_names), "INPUT", "", where)
        tag.group = group
        union.ports.append(tag)
        ports.append(tag)
        mapping.connectors += [
            Connector(name, p.name, inst.name, p.name, "Expression", union.type, where) for p in ports[:-1]
        ]
        mapping.connectors.append(
            Connector(name, output.name, inst.name, tag.name, "Expression", union.type, where)
        )


def _port(like: Port, name: str, port_type: str, expression: str, where: Location) -> Port:
    return Port(
        name=name,
        datatype=like.datatype,
        port_type=port_type,
        precision=like.precision,
        scale=like.scale,
        expression=expression,
        location=where,
    )
