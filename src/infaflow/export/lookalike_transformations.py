"""Look-alike Joiners, Unions, Normalizers, Routers and Lookups, read as PowerCenter would have written them.

Each rule changes a transformation only when the file's own structure settles its meaning, and returns a
warning naming what it assumed; otherwise it leaves the transformation as written (conversion then
reports it) with a warning saying why. The rules are documented in docs/exports.md ("Look-alike
exports").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from infaflow.export.lookalike_common import Note, definitions, free_name, into, out_of, set_attribute
from infaflow.export.lookalike_lookup import lookup_ports
from infaflow.export.lookalike_union import union_groups
from infaflow.model import Folder, Group, Instance, Mapping, Port, Transformation

# -- Joiner ---------------------------------------------------------------------------------------------

_POWERCENTER_JOINS = ("normal join", "master outer join", "detail outer join", "full outer join")
#: Join types written as SQL -> which rows are kept: "inner", "left" or "right" side, "full".
_SQL_JOINS = {
    "inner join": "inner",
    "inner": "inner",
    "join": "inner",
    "left outer join": "left",
    "left outer": "left",
    "left join": "left",
    "right outer join": "right",
    "right outer": "right",
    "right join": "right",
    "full outer": "full",
    "full join": "full",
    "full outer join": "full",
}
#: (kept side, is the left side of the condition the master?) -> PowerCenter's join type.
_JOIN_FOR = {
    ("inner", True): "Normal Join",
    ("inner", False): "Normal Join",
    ("full", True): "Full Outer Join",
    ("full", False): "Full Outer Join",
    ("left", True): "Detail Outer Join",  # every master row
    ("left", False): "Master Outer Join",  # every detail row
    ("right", True): "Master Outer Join",
    ("right", False): "Detail Outer Join",
}
_TERM = re.compile(r"^\s*(\S+?)\s*=\s*(\S+?)\s*$")


def _mark_masters(mapping: Mapping, t: Transformation, instances: list[Instance]) -> str:
    """Mark as MASTER the input ports fed by the instance the ``Master Source`` attribute names; the
    name used, or "" when the file does not say which ports are the master's."""
    master = str(t.attributes.get("Master Source", "") or "").strip()
    if not master:
        return ""
    fed = {c.to_field.lower() for c in into(mapping, instances) if c.from_instance.lower() == master.lower()}
    ports = [p for p in t.ports if p.is_input and p.name.lower() in fed]
    if not ports or len(ports) == len([p for p in t.ports if p.is_input]):
        return ""
    for p in ports:
        p.port_type = f"{p.port_type}/MASTER"
    return master


def join_types(mapping: Mapping, folder: Folder) -> list[Note]:
    """A Joiner whose ``Join Type`` is written as SQL (``Left Outer Join``...) gets PowerCenter's type for
    the rows it keeps: the master is the side the ports say (``MASTER`` in PORTTYPE) or the instance the
    ``Master Source`` attribute names; "left" is the side written left of ``=`` in the Join Condition."""
    notes: list[Note] = []
    for t, instances in definitions(mapping, folder, "Joiner"):
        written = str(t.attributes.get("Join Type", "") or "").strip()
        kept = _SQL_JOINS.get(written.lower())
        if not written or written.lower() in _POWERCENTER_JOINS or kept is None:
            continue
        where = f"joiner {t.name!r}: Join Type {written!r} is not one of PowerCenter's"
        masters = {p.name.lower() for p in t.ports if p.is_master}
        named = ""
        if not masters:
            named = _mark_masters(mapping, t, instances)
            masters = {p.name.lower() for p in t.ports if p.is_master}
        if not masters:
            notes.append(
                (
                    f"{where}, and no port is the master's (no MASTER port, no 'Master Source'): "
                    "left as written",
                    t.location,
                )
            )
            continue
        text = str(t.attributes.get("Join Condition", "") or "")
        sides = set()
        for term in re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE) if text.strip() else []:
            m = _TERM.match(term)
            if m is not None:
                sides.add(m.group(1).lower() in masters)
        if len(sides) != 1 and kept in ("left", "right"):
            notes.append(
                (
                    f"{where}, and the Join Condition does not put the master on one side of '=': "
                    "which rows are kept is not said; left as written",
                    t.location,
                )
            )
            continue
        join = _JOIN_FOR[(kept, sides.pop() if sides else True)]
        set_attribute(t, "Join Type", join)
        role = f"; master ports: those fed by {named!r} ('Master Source')" if named else ""
        notes.append(
            (
                f"{where}; read as {join!r} (the rows it keeps: {kept}, the side left of '=' in the "
                f"Join Condition){role}",
                t.location,
            )
        )
    return notes


# -- Normalizer -----------------------------------------------------------------------------------------

_OCCURRENCE_INDEX = re.compile(r"\boccurrence\b", re.IGNORECASE)
_INDEXED = re.compile(r"^(.*?)(?:\[(\d+)\]|\((\d+)\))$")


def _role(p: Port) -> str:
    """PORTTYPE for an output port of a look-alike Normalizer that is neither a column nor named GK_/GCID_:
    the occurrence number when its description says so, else "" (not settled)."""
    text = p.attrs.get("DESCRIPTION", "")
    if _OCCURRENCE_INDEX.search(text):
        return "GENERATED COLUMN ID/OUTPUT"
    return ""


def normalizer_occurs(mapping: Mapping, folder: Folder) -> list[Note]:
    """A pipeline Normalizer written with ``OCCURSTIMES`` on a port (instead of the ``NAME_in1..n`` input
    ports the Designer generates) is read with those ports: links to ``NAME[i]`` feed ``NAME_in<i>``, a
    pass-through INPUT/OUTPUT port ``X`` becomes ``X_in`` plus output ``X``."""
    notes: list[Note] = []
    for t, instances in definitions(mapping, folder, "Normalizer"):
        if str(t.attrs.get("ISVSAM_NORMALIZER", "")).strip().upper() == "YES":
            continue
        repeated = {
            p.name.lower(): int(p.attrs["OCCURSTIMES"])
            for p in t.ports
            if p.attrs.get("OCCURSTIMES", "").strip().isdigit() and int(p.attrs["OCCURSTIMES"]) > 1
        }
        if not repeated or any(re.search(r"_in\d*$", p.name, re.IGNORECASE) for p in t.ports):
            continue
        ports: list[Port] = []
        renamed: dict[str, str] = {}
        assumed: list[str] = []
        for p in t.ports:
            if p.name.lower() in repeated:
                ports += [
                    _copy(p, f"{p.name}_in{i}", "INPUT") for i in range(1, repeated[p.name.lower()] + 1)
                ]
                ports.append(_copy(p, p.name, "OUTPUT"))
            elif p.is_input and p.is_output:
                ports += [_copy(p, f"{p.name}_in", "INPUT"), _copy(p, p.name, "OUTPUT")]
                renamed[p.name.lower()] = f"{p.name}_in"
            elif p.is_output and not re.match(r"^(GK|GCID)_", p.name, re.IGNORECASE):
                role = _role(p)
                if role:
                    p.port_type = role
                    assumed.append(f"{p.name} is the occurrence number (GCID), as its description says")
                ports.append(p)
            else:
                ports.append(p)
        for c in into(mapping, instances):
            m = _INDEXED.match(c.to_field)
            if m and m.group(1).lower() in repeated:
                c.to_field = f"{m.group(1)}_in{m.group(2) or m.group(3)}"
            elif c.to_field.lower() in renamed:
                c.to_field = renamed[c.to_field.lower()]
        t.ports = ports
        counts = ", ".join(f"{n} x{k}" for n, k in repeated.items())
        notes.append(
            (
                f"normalizer {t.name!r}: OCCURSTIMES is not a Normalizer port attribute; read as the "
                f"occurs count ({counts}) with the input ports NAME_in1..n the Designer generates"
                + "".join(f"; {a}" for a in assumed),
                t.location,
            )
        )
    return notes


def _copy(p: Port, name: str, port_type: str) -> Port:
    return Port(
        name=name,
        datatype=p.datatype,
        port_type=port_type,
        precision=p.precision,
        scale=p.scale,
        default_value=p.default_value,
        location=p.location,
    )


# -- Router ---------------------------------------------------------------------------------------------

_GROUP_ATTRIBUTE = re.compile(r"^GROUP_(\d+)_(NAME|FILTER)$", re.IGNORECASE)


def _written_groups(t: Transformation) -> list[tuple[str, str]]:
    """(name, condition) of the groups a look-alike Router writes: GROUP elements without a TYPE, or
    ``GROUP_<n>_NAME`` / ``GROUP_<n>_FILTER`` TABLEATTRIBUTEs."""
    groups = [(g.name, g.expression or g.attrs.get("CONDITION", "")) for g in t.groups if not g.type]
    numbered: dict[int, dict[str, str]] = {}
    for key, value in t.attributes.items():
        m = _GROUP_ATTRIBUTE.match(key.strip())
        if m:
            numbered.setdefault(int(m.group(1)), {})[m.group(2).upper()] = str(value)
    groups += [(g.get("NAME", f"GROUP{n}"), g.get("FILTER", "")) for n, g in sorted(numbered.items())]
    return groups


def router_groups(mapping: Mapping, folder: Folder) -> list[Note]:
    """A Router with no output groups: its groups from GROUP elements without TYPE (condition in
    ``CONDITION``) or ``GROUP_<n>_NAME``/``_FILTER`` attributes. Links that read the input port names are
    read from the one group when there is one group; with several the file does not say which group
    feeds them, and the Router is left as written."""
    notes: list[Note] = []
    for t, instances in definitions(mapping, folder, "Router"):
        if any(g.type.upper().startswith("OUTPUT") for g in t.groups):
            continue
        groups = _written_groups(t)
        inputs = [p for p in t.ports if p.is_input]
        links = [c for c in out_of(mapping, instances) if t.port(c.from_field) in inputs]
        where = f"router {t.name!r} has no output groups"
        if not groups or not all(cond.strip() for _n, cond in groups):
            notes.append((f"{where} and no group conditions: left as written", t.location))
            continue
        if links and len(groups) != 1:
            notes.append(
                (
                    f"{where}; its links read the input ports, and with {len(groups)} groups "
                    f"({', '.join(n for n, _c in groups)}) the file does not say which group feeds them: "
                    "left as written",
                    t.location,
                )
            )
            continue
        taken = {p.name.lower() for p in t.ports}
        for p in inputs:
            p.group = "INPUT"
        t.groups = [Group(name="INPUT", type="INPUT", order=1, location=t.location)]
        for order, (name, cond) in enumerate(groups, 2):
            t.groups.append(
                Group(name=name, type="OUTPUT", order=order, expression=cond, location=t.location)
            )
        t.groups.append(
            Group(name="DEFAULT1", type="OUTPUT/DEFAULT", order=len(groups) + 2, location=t.location)
        )
        renamed = {}
        for p in inputs:
            out = free_name(f"{p.name}1", taken)
            t.ports.append(
                Port(
                    name=out,
                    datatype=p.datatype,
                    port_type="OUTPUT",
                    precision=p.precision,
                    scale=p.scale,
                    group=groups[0][0],
                    ref_field=p.name,
                    location=p.location,
                )
            )
            renamed[p.name.lower()] = out
        for c in links:
            c.from_field = renamed[c.from_field.lower()]
        notes.append(
            (
                f"{where}: read with group(s) {', '.join(n for n, _c in groups)} and DEFAULT1"
                + (f"; its links read the ports of group {groups[0][0]!r}, its one group" if links else ""),
                t.location,
            )
        )
    return notes


#: The rules, in order (each: mapping, folder -> warnings).
RULES: tuple[Callable[[Mapping, Folder], list[Note]], ...] = (
    join_types,
    union_groups,
    normalizer_occurs,
    router_groups,
    lookup_ports,
)
