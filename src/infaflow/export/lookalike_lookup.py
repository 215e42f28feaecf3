"""Look-alike Lookups: no port marked LOOKUP (PowerCenter writes ``LOOKUP``, ``LOOKUP/OUTPUT``...).

The lookup ports are then read from what the file gives: a term of the Lookup condition that compares an
input port with a name that is no port names a lookup column (written in PowerCenter's order,
``lookup_column op input_port``); an output port is a lookup column when the lookup table's source or
target definition in the folder has a field of its name. A column's datatype is its field's, else the
input port's it is compared with. When an output port names no field (or the table has no definition),
which column it returns is not said: the Lookup is left as written and conversion reports it.
"""

from __future__ import annotations

import re

from infaflow.export.lookalike_common import Note, definitions, set_attribute
from infaflow.model import Field, Folder, Mapping, Port, Transformation

_TERM = re.compile(r"^\s*(\S+?)\s*(<=|>=|!=|<>|=|<|>)\s*(\S+?)\s*$")
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!=", "<>": "<>"}


def _table_fields(t: Transformation, folder: Folder) -> dict[str, Field]:
    """Fields of the source or target definition the ``Lookup table name`` names (an owner prefix such as
    ``DW.`` ignored), by lower-case name; empty when the folder has none."""
    table = str(t.attributes.get("Lookup table name", "") or "").strip().split(".")[-1].lower()
    for fields in [s.fields for s in folder.sources if s.name.lower() == table] + [
        t.fields for t in folder.targets if t.name.lower() == table
    ]:
        return {f.name.lower(): f for f in fields}
    return {}


def _is_input(ports: dict[str, Port], name: str) -> bool:
    port = ports.get(name.lower())
    return port is not None and port.is_input


def lookup_ports(mapping: Mapping, folder: Folder) -> list[Note]:
    """Read the lookup ports of Lookups that mark none, from their condition and table definition."""
    notes: list[Note] = []
    for t, _instances in definitions(mapping, folder, "Lookup Procedure"):
        if any(p.is_lookup for p in t.ports):
            continue
        where = f"lookup {t.name!r} has no LOOKUP port"
        fields = _table_fields(t, folder)
        ports = {p.name.lower(): p for p in t.ports}
        added: list[Port] = []
        terms: list[str] = []
        text = str(t.attributes.get("Lookup condition", "") or "").strip()
        for term in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE) if text else []:
            m = _TERM.match(term)
            if m is None:
                break
            left, op, right = m.groups()
            if _is_input(ports, left) and not _is_input(ports, right):
                column, value, op = right, ports[left.lower()], _FLIP[op]
            elif _is_input(ports, right) and not _is_input(ports, left):
                column, value = left, ports[right.lower()]
            else:
                break
            field = fields.get(column.lower())
            existing = ports.get(column.lower())
            if existing is None and all(a.name.lower() != column.lower() for a in added):
                added.append(
                    Port(
                        name=field.name if field else column,
                        datatype=field.datatype if field else value.datatype,
                        port_type="LOOKUP",
                        precision=field.precision if field else value.precision,
                        scale=field.scale if field else value.scale,
                        location=t.location,
                    )
                )
            terms.append(
                f"{existing.name if existing else field.name if field else column} {op} {value.name}"
            )
        columns = {term.split()[0].lower() for term in terms}
        outputs = [p for p in t.ports if p.is_output and not p.is_input]
        unbound = [p.name for p in outputs if p.name.lower() not in fields and p.name.lower() not in columns]
        all_terms = re.split(r"\s+AND\s+", text, flags=re.IGNORECASE) if text else []
        if unbound or not (added or outputs) or len(terms) != len(all_terms):
            why = (
                f"output port(s) {', '.join(unbound)} name no field of the lookup table's definition"
                if unbound
                else "the Lookup condition does not compare input ports with columns"
            )
            notes.append((f"{where}, and {why}: left as written", t.location))
            continue
        for p in outputs:
            p.port_type = "LOOKUP/OUTPUT"
        t.ports += added
        if terms:
            set_attribute(t, "Lookup condition", " AND ".join(terms))
        notes.append(
            (
                f"{where}: read with lookup column(s) {', '.join(p.name for p in added + outputs)} (from the "
                "Lookup condition and the fields of the lookup table's definition)"
                + (f"; condition read as {' AND '.join(terms)!r}" if terms else ""),
                t.location,
            )
        )
    return notes
