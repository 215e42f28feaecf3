"""What the look-alike rules share: finding a mapping's transformations of a type with their instances,
the links into and out of them, and fresh names."""

from __future__ import annotations

from infaflow.errors import Location
from infaflow.model import Connector, Folder, Instance, Mapping, Transformation

Note = tuple[str, Location]


def definitions(mapping: Mapping, folder: Folder, *types: str) -> list[tuple[Transformation, list[Instance]]]:
    """Each transformation of the given types that ``mapping`` uses, with its instances."""
    wanted = {t.lower() for t in types}
    reusable = {t.name.lower(): t for t in folder.transformations}
    found: dict[str, tuple[Transformation, list[Instance]]] = {}
    for inst in mapping.instances:
        if inst.type != "TRANSFORMATION":
            continue
        name = inst.transformation_name or inst.name
        t = mapping.transformation(name) or reusable.get(name.lower())
        if t is not None and (t.kind.lower() in wanted or t.type.lower() in wanted):
            found.setdefault(name.lower(), (t, []))[1].append(inst)
    return list(found.values())


def into(mapping: Mapping, instances: list[Instance]) -> list[Connector]:
    """The connectors that end at one of ``instances``."""
    names = {i.name.lower() for i in instances}
    return [c for c in mapping.connectors if c.to_instance.lower() in names]


def out_of(mapping: Mapping, instances: list[Instance]) -> list[Connector]:
    """The connectors that start at one of ``instances``."""
    names = {i.name.lower() for i in instances}
    return [c for c in mapping.connectors if c.from_instance.lower() in names]


def set_attribute(t: Transformation, name: str, value: str) -> None:
    """Set a TABLEATTRIBUTE, replacing it however its name was cased."""
    for key in [k for k in t.attributes if k.strip().lower() == name.lower()]:
        del t.attributes[key]
    t.attributes[name] = value


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... when taken (case-insensitive); the result is then taken."""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate.lower())
    return candidate
