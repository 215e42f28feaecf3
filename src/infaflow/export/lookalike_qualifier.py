"""Look-alike Source Qualifiers: ports not linked to their source, a ``Filter`` attribute on a flat file.

- A qualifier that names its sources (``ASSOCIATED_SOURCE_INSTANCE``) but receives no connector from
  them reads each port from the source field of the same name, as the Designer links a new qualifier
  (one port per source column, same name). Only when every port names exactly one field of those
  sources; otherwise nothing is assumed and conversion reports the unlinked port.
- A ``Filter`` TABLEATTRIBUTE (PowerCenter's attribute is ``Source Filter``, SQL sent to a relational
  database) on a qualifier of flat files: PowerCenter has no filter for a file reader, so its intent is a
  Filter transformation right after the qualifier. The condition is translated from SQL
  (:mod:`infaflow.export.lookalike_sql`); when it cannot be, the attribute stays and conversion reports it.
"""

from __future__ import annotations

from infaflow.errors import Location
from infaflow.export.lookalike_common import free_name
from infaflow.model import Attributes, Connector, Instance, Mapping, Port, Source, Transformation

Note = tuple[str, Location]


def qualifiers(mapping: Mapping) -> list[tuple[Instance, Transformation]]:
    """The Source Qualifier instances of ``mapping`` with their (non-reusable) definitions."""
    found = []
    for inst in mapping.instances:
        if inst.type != "TRANSFORMATION" or inst.transformation_type.strip().lower() != "source qualifier":
            continue
        definition = mapping.transformation(inst.transformation_name or inst.name)
        if definition is not None and not definition.reusable:
            found.append((inst, definition))
    return found


def _sources_of(mapping: Mapping, inst: Instance, sources: list[Source]) -> list[tuple[str, Source]]:
    """(source instance name, definition) of each associated source the folder defines."""
    by_name = {s.name.lower(): s for s in sources}
    found = []
    for name in inst.associated_source_instances:
        src_inst = mapping.instance(name)
        definition = by_name.get((src_inst.transformation_name or name).lower()) if src_inst else None
        if src_inst is not None and definition is not None:
            found.append((src_inst.name, definition))
    return found


def link_ports_by_name(mapping: Mapping, sources: list[Source]) -> list[Note]:
    """Connectors from the source fields to the ports of same name, for qualifiers with none."""
    notes: list[Note] = []
    for inst, definition in qualifiers(mapping):
        read = _sources_of(mapping, inst, sources)
        if not read or len(read) != len(inst.associated_source_instances):
            continue
        from_sources = {name.lower() for name, _s in read}
        if any(
            c.to_instance.lower() == inst.name.lower() and c.from_instance.lower() in from_sources
            for c in mapping.connectors
        ):
            continue
        fields: dict[str, list[tuple[str, str]]] = {}
        for name, source in read:
            for f in source.fields:
                fields.setdefault(f.name.lower(), []).append((name, f.name))
        unmatched = [p.name for p in definition.ports if len(fields.get(p.name.lower(), [])) != 1]
        if unmatched or not definition.ports:
            notes.append(
                (
                    f"source qualifier {inst.name!r} in mapping {mapping.name!r}: no connector from its "
                    f"sources, and ports {', '.join(unmatched)} name no single field of them: left unlinked",
                    inst.location,
                )
            )
            continue
        for port in definition.ports:
            [(source_instance, field_name)] = fields[port.name.lower()]
            link_source_field(mapping, source_instance, field_name, inst, port.name)
        notes.append(
            (
                f"source qualifier {inst.name!r} in mapping {mapping.name!r}: no connector from its sources "
                f"({', '.join(n for n, _s in read)}); each port read from the source field of the same name",
                inst.location,
            )
        )
    return notes


def link_source_field(
    mapping: Mapping, source_instance: str, field: str, qualifier: Instance, port: str
) -> None:
    """A connector from a source instance's field to a port of its qualifier, located at the qualifier."""
    mapping.connectors.append(
        Connector(
            from_instance=source_instance,
            from_field=field,
            to_instance=qualifier.name,
            to_field=port,
            from_instance_type="Source Definition",
            to_instance_type="Source Qualifier",
            location=qualifier.location,
        )
    )


def _pop(attributes: Attributes, name: str) -> None:
    for key in [k for k in attributes if k.strip().lower() == name.lower()]:
        del attributes[key]


def filter_after_qualifier(mapping: Mapping, sources: list[Source]) -> list[Note]:
    """A Filter transformation after each flat-file qualifier that has a ``Filter`` TABLEATTRIBUTE."""
    notes: list[Note] = []
    for inst, definition in qualifiers(mapping):
        sql = str(definition.attributes.get("Filter", "") or "").strip()
        read = _sources_of(mapping, inst, sources)
        if not sql or not read or not all(s.is_flat_file for _n, s in read):
            continue
        from infaflow.export import lookalike_sql  # sqlglot: loaded only for a file that needs it

        try:
            text = lookalike_sql.condition(sql, [p.name for p in definition.ports])
        except lookalike_sql.NotTranslated as why:
            notes.append(
                (
                    f"source qualifier {inst.name!r}: TABLEATTRIBUTE 'Filter' {sql!r} on a flat-file "
                    f"qualifier: the SQL condition is not translated ({why})",
                    definition.location,
                )
            )
            continue
        taken = {i.name.lower() for i in mapping.instances} | {
            t.name.lower() for t in mapping.transformations
        }
        name = free_name(f"FIL_{inst.name}", taken)
        _insert_filter(mapping, inst, definition, name, text)
        _pop(definition.attributes, "Filter")
        notes.append(
            (
                f"source qualifier {inst.name!r}: TABLEATTRIBUTE 'Filter' {sql!r} is not a PowerCenter "
                f"attribute (a flat-file reader has no filter); read as Filter transformation {name!r} right "
                f"after the qualifier, condition {text!r}",
                definition.location,
            )
        )
    return notes


def _insert_filter(mapping: Mapping, inst: Instance, qualifier: Transformation, name: str, text: str) -> None:
    ports = [p for p in qualifier.ports if p.is_output]
    filter_ = Transformation(
        name=name,
        type="Filter",
        ports=[
            Port(
                name=p.name,
                datatype=p.datatype,
                port_type="INPUT/OUTPUT",
                precision=p.precision,
                scale=p.scale,
                location=qualifier.location,
            )
            for p in ports
        ],
        attributes=Attributes({"Filter Condition": text}),
        folder=qualifier.folder,
        location=qualifier.location,
    )
    mapping.transformations.append(filter_)
    mapping.instances.insert(
        mapping.instances.index(inst) + 1,
        Instance(
            name=name,
            type="TRANSFORMATION",
            transformation_name=name,
            transformation_type="Filter",
            location=inst.location,
        ),
    )
    for c in mapping.connectors:
        if c.from_instance.lower() == inst.name.lower():
            c.from_instance, c.from_instance_type = name, "Filter"
    mapping.connectors += [
        Connector(
            from_instance=inst.name,
            from_field=p.name,
            to_instance=name,
            to_field=p.name,
            from_instance_type="Source Qualifier",
            to_instance_type="Filter",
            location=inst.location,
        )
        for p in ports
    ]
