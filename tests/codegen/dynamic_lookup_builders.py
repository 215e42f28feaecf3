"""A mapping with a dynamic Lookup, shared by the dynamic lookup tests."""

from __future__ import annotations

from codegen_builders import MappingBuilder, port

from infaflow.model import Attributes, Group, Port, Transformation

INT, S = "integer", "string"


def lookup_ports(
    ignore_nulls: tuple[str, ...] = (),
    ignore_in_compare: tuple[str, ...] = (),
    sequence: bool = False,
) -> list[Port]:
    """The ports of LKP_CUST: inputs IN_ID, IN_NAME, IN_CITY; lookup ports ID (the condition), NAME and
    CITY (associated with IN_NAME, IN_CITY), CUST_KEY (Sequence-ID) and NewLookupRow."""

    def associated(name: str, ref: str) -> Port:
        attrs = {
            "IGNORE_NULL_INPUTS": "YES" if name in ignore_nulls else "NO",
            "IGNORE_IN_COMPARE": "YES" if name in ignore_in_compare else "NO",
        }
        return port(name, S, "LOOKUP/OUTPUT", ref_field=ref, attrs=attrs)

    ports = [
        port("IN_ID", INT, "INPUT/OUTPUT"),
        port("IN_NAME", S, "INPUT"),
        port("IN_CITY", S, "INPUT"),
        port("ID", INT, "LOOKUP/OUTPUT", ref_field="IN_ID"),
        associated("NAME", "IN_NAME"),
        associated("CITY", "IN_CITY"),
    ]
    if sequence:
        ports.append(port("CUST_KEY", INT, "LOOKUP/OUTPUT", ref_field="Sequence-ID"))
    ports.append(port("NewLookupRow", INT, "OUTPUT"))
    return ports


def dynamic_lookup(
    attributes: dict[str, str] | None = None,
    ports: list[Port] | None = None,
    router: bool = False,
    session: dict[str, str] | None = None,
) -> MappingBuilder:
    """SQ_CUST (ID, NAME, CITY) -> LKP_CUST (dynamic, cache DWH.DIM_CUST) -> target OUT with every port;
    with ``router``, a Router sends NewLookupRow 1 to INS and 2 to UPD."""
    ports = ports if ports is not None else lookup_ports()
    b = MappingBuilder()
    b.flat_source("CUST", [("ID", INT), ("NAME", S), ("CITY", S)])
    attrs = {
        "Lookup table name": "DIM_CUST",
        "Lookup condition": "ID = IN_ID",
        "Lookup policy on multiple match": "Report Error",
        "Connection Information": "DWH",
        "Lookup caching enabled": "YES",
        "Dynamic Lookup Cache": "YES",
        "Insert Else Update": "NO",
        "Update Else Insert": "NO",
        "Output Old Value On Update": "NO",
        "Update Dynamic Cache Condition": "TRUE",
        **(attributes or {}),
    }
    b.add(Transformation("LKP_CUST", "Lookup Procedure", ports=ports, attributes=Attributes(attrs)))
    b.connect("SQ_CUST", "LKP_CUST", {"ID": "IN_ID", "NAME": "IN_NAME", "CITY": "IN_CITY"})
    outputs = [p for p in ports if p.is_output]
    columns = [(p.name, p.datatype) for p in outputs]
    if router:
        names = [p.name for p in outputs]
        rtr_ports = [port(n, t, "INPUT/OUTPUT", group="INPUT") for n, t in columns]
        for g in ("INSERT", "UPDATE"):
            rtr_ports += [port(f"{n}_{g}", t, "OUTPUT", group=g, ref_field=n) for n, t in columns]
        groups = [
            Group("INPUT", "INPUT"),
            Group("INSERT", "OUTPUT", expression="NewLookupRow = 1"),
            Group("UPDATE", "OUTPUT", expression="NewLookupRow = 2"),
        ]
        b.add(Transformation("RTR", "Router", ports=rtr_ports, groups=groups))
        b.connect("LKP_CUST", "RTR", names)
        for g, target in (("INSERT", "INS"), ("UPDATE", "UPD")):
            b.flat_target(target, columns)
            b.connect("RTR", target, {f"{n}_{g}": n for n in names})
    else:
        b.flat_target("OUT", columns)
        b.connect("LKP_CUST", "OUT", [n for n, _ in columns])
    if session is not None:
        b.with_session(session)
    return b
