"""Small look-alike exports written for the tests from the rules (never copied from a corpus file): a
helper that assembles sources, targets, transformations, instances and connectors into one export."""

from __future__ import annotations

from pathlib import Path

Field = tuple[str, str, int]  # name, datatype, precision


def _scale(datatype: str) -> int:
    return 2 if datatype == "decimal" else 0


def source(name: str, fields: list[Field], *, flat: bool = True) -> str:
    kind = "Flat File" if flat else "Oracle"
    flatfile = (
        '  <FLATFILE DELIMITED="YES" DELIMITERS="," QUOTE_CHARACTER="NONE" SKIPROWS="0"/>\n' if flat else ""
    )
    rows = "".join(
        f'  <SOURCEFIELD DATATYPE="{t}" FIELDNUMBER="{i}" NAME="{n}" NULLABLE="NULL" PRECISION="{p}" '
        f'SCALE="{_scale(t)}"/>\n'
        for i, (n, t, p) in enumerate(fields, 1)
    )
    return f'<SOURCE DATABASETYPE="{kind}" DBDNAME="D" NAME="{name}" OWNERNAME="">\n{flatfile}{rows}</SOURCE>'


def target(name: str, fields: list[Field]) -> str:
    rows = "".join(
        f'  <TARGETFIELD DATATYPE="{t}" FIELDNUMBER="{i}" KEYTYPE="NOT A KEY" NAME="{n}" NULLABLE="NULL" '
        f'PRECISION="{p}" SCALE="{_scale(t)}"/>\n'
        for i, (n, t, p) in enumerate(fields, 1)
    )
    return (
        f'<TARGET DATABASETYPE="Flat File" NAME="{name}">\n'
        '  <FLATFILE DELIMITED="YES" DELIMITERS="," QUOTE_CHARACTER="NONE" SKIPROWS="0"/>\n'
        f"{rows}</TARGET>"
    )


def port(name: str, datatype: str, precision: int, port_type: str = "INPUT/OUTPUT", extra: str = "") -> str:
    return (
        f'    <TRANSFORMFIELD DATATYPE="{datatype}" NAME="{name}" PORTTYPE="{port_type}" '
        f'PRECISION="{precision}" SCALE="{_scale(datatype)}"{extra}/>'
    )


def transformation(
    name: str, kind: str, ports: list[str], attributes: dict[str, str] | None = None, body: str = ""
) -> str:
    attrs = "".join(f'\n    <TABLEATTRIBUTE NAME="{k}" VALUE="{v}"/>' for k, v in (attributes or {}).items())
    lines = "\n".join(ports)
    head = f'  <TRANSFORMATION NAME="{name}" REUSABLE="NO" TYPE="{kind}">'
    return f"{head}\n{lines}{body}{attrs}\n  </TRANSFORMATION>"


def qualifier(name: str, fields: list[Field], attributes: dict[str, str] | None = None) -> str:
    return transformation(name, "Source Qualifier", [port(n, t, p) for n, t, p in fields], attributes)


def instance(name: str, kind: str, associated: str = "") -> str:
    if kind in ("SOURCE", "TARGET"):
        definition = "Source Definition" if kind == "SOURCE" else "Target Definition"
        return (
            f'  <INSTANCE NAME="{name}" TRANSFORMATION_NAME="{name}" TRANSFORMATION_TYPE="{definition}" '
            f'TYPE="{kind}"/>'
        )
    inner = f'\n    <ASSOCIATED_SOURCE_INSTANCE NAME="{associated}"/>\n  ' if associated else ""
    return (
        f'  <INSTANCE NAME="{name}" REUSABLE="NO" TRANSFORMATION_NAME="{name}" TRANSFORMATION_TYPE="{kind}" '
        f'TYPE="TRANSFORMATION">{inner}</INSTANCE>'
    )


def connector(from_instance: str, from_field: str, to_instance: str, to_field: str) -> str:
    return (
        f'  <CONNECTOR FROMFIELD="{from_field}" FROMINSTANCE="{from_instance}" FROMINSTANCETYPE="X" '
        f'TOFIELD="{to_field}" TOINSTANCE="{to_instance}" TOINSTANCETYPE="X"/>'
    )


def links(
    from_instance: str, to_instance: str, names: list[str], to_names: list[str] | None = None
) -> list[str]:
    return [
        connector(from_instance, a, to_instance, b) for a, b in zip(names, to_names or names, strict=True)
    ]


def export_text(definitions: list[str], body: list[str], mapping: str = "m_lookalike") -> str:
    """One folder with the source/target ``definitions`` and one mapping holding ``body``."""
    nl = "\n"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">
<POWERMART CREATION_DATE="03/01/2026 10:00:00" REPOSITORY_VERSION="186.94">
<REPOSITORY NAME="R" VERSION="186" CODEPAGE="UTF-8" DATABASETYPE="Oracle">
<FOLDER NAME="F" GROUP="" DESCRIPTION="" PERMISSIONS="rwx---r--" SHARED="SHARED">
{nl.join(definitions)}
<MAPPING DESCRIPTION="" ISVALID="YES" NAME="{mapping}" OBJECTVERSION="1" VERSIONNUMBER="1">
{nl.join(body)}
</MAPPING>
</FOLDER>
</REPOSITORY>
</POWERMART>
"""


def write(tmp_path: Path, text: str, name: str = "m_lookalike.xml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)
