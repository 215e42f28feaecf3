"""Lenient reading of exports that PowerCenter never writes but hand-written or tool-written XML has.

Such files put a transformation type where INSTANCE's ``TYPE`` belongs (``TYPE="Source Qualifier"`` for
``TYPE="TRANSFORMATION" TRANSFORMATION_TYPE="Source Qualifier"``, ``TYPE="Target Definition"`` for
``TYPE="TARGET"``), name the definition in ``TRANSFORMATION`` instead of ``TRANSFORMATION_NAME``, and leave
out the source instance of a Source Qualifier (no ``ASSOCIATED_SOURCE_INSTANCE``, no source instance, no
connectors from source fields). Only the lenient loader (``convert``, ``inspect``) reads them, each time
with a warning naming the file and line; ``validate`` keeps reporting them as errors.

A qualifier without a source gets one only when its intent is unambiguous: exactly one source of its
folder whose fields are the qualifier's ports (same names) and whose name matches the qualifier's, first by
Designer's naming rule (a new qualifier is named ``SQ_<source name>``), then by the words of the name
(``SQ_CREDIT_SCORES`` for ``BORROWER_CREDIT_SCORES``). Otherwise the qualifier stays without a source and
conversion reports it as before.

A flat-file source written without its FLATFILE element but with the settings as TABLEATTRIBUTEs
(``File Type``, ``Delimiter``, ``Quote Character``, ``Skip Rows``...) is read with those settings when every
one of them has a value PowerCenter's FLATFILE can hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from infaflow.errors import Location
from infaflow.export import lookalike_qualifier, lookalike_transformations
from infaflow.model import Attributes, FlatFile, Folder, Instance, Mapping, Source

#: INSTANCE TYPE values PowerCenter writes.
INSTANCE_TYPES = ("SOURCE", "TARGET", "TRANSFORMATION", "MAPPLET")

#: A definition's type written in TYPE -> the INSTANCE TYPE PowerCenter writes for it.
_DEFINITION_TYPES = {"SOURCE DEFINITION": "SOURCE", "TARGET DEFINITION": "TARGET", "MAPPLET": "MAPPLET"}


def instance_type(raw: str) -> tuple[str, str] | None:
    """(TYPE, TRANSFORMATION_TYPE) PowerCenter would have written for an INSTANCE whose TYPE is ``raw``, or
    None when ``raw`` is already one of PowerCenter's or is empty."""
    upper = raw.strip().upper()
    if not upper or upper in INSTANCE_TYPES:
        return None
    if upper in _DEFINITION_TYPES:
        return _DEFINITION_TYPES[upper], raw.strip()
    return "TRANSFORMATION", raw.strip()


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[_\W]+", name.upper()) if w]


def _source_for(qualifier: str, ports: set[str], sources: list[Source]) -> Source | None:
    """The one source a qualifier without a source reads, when its name and fields say so."""
    agree = [s for s in sources if ports and {f.name.lower() for f in s.fields} == ports]
    stem = qualifier[3:] if qualifier.upper().startswith("SQ_") else ""
    if not stem:
        return None
    exact = [s for s in agree if s.name.lower() == stem.lower()]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return None
    wanted = _words(stem)
    by_words = [s for s in agree if all(w in _words(s.name) for w in wanted)]
    return by_words[0] if len(by_words) == 1 else None


def attach_sources(mapping: Mapping, sources: list[Source]) -> list[tuple[str, Location]]:
    """Give each Source Qualifier instance of ``mapping`` that reads no source the source its name and
    fields designate (a source instance, ASSOCIATED_SOURCE_INSTANCE and one connector per port, as the
    Designer creates them). Returns a warning per qualifier so read, with its location."""
    notes: list[tuple[str, Location]] = []
    fed = {
        c.to_instance.lower()
        for c in mapping.connectors
        if c.from_instance_type.strip().lower() == "source definition"
    }
    for inst in list(mapping.instances):
        if inst.type != "TRANSFORMATION" or inst.transformation_type.strip().lower() != "source qualifier":
            continue
        if inst.associated_source_instances or inst.name.lower() in fed:
            continue
        definition = mapping.transformation(inst.transformation_name or inst.name)
        if definition is None or definition.reusable:
            continue
        ports = {p.name.lower() for p in definition.ports}
        source = _source_for(inst.name, ports, sources)
        if source is None:
            notes.append(
                (
                    f"source qualifier {inst.name!r} in mapping {mapping.name!r} names no source (no "
                    "ASSOCIATED_SOURCE_INSTANCE, no source instance), and no single source of folder "
                    f"{mapping.folder or '?'!r} has its ports as fields and a name matching its own",
                    inst.location,
                )
            )
            continue
        existing = next(
            (i for i in mapping.instances if i.type == "SOURCE" and i.name.lower() == source.name.lower()),
            None,
        )
        if existing is None:
            existing = Instance(
                name=source.name,
                type="SOURCE",
                transformation_name=source.name,
                transformation_type="Source Definition",
                dbd_name=source.dbd_name,
                location=inst.location,
            )
            mapping.instances.insert(mapping.instances.index(inst), existing)
        inst.associated_source_instances = [existing.name]
        fields = {f.name.lower(): f.name for f in source.fields}
        for port in definition.ports:
            lookalike_qualifier.link_source_field(
                mapping, existing.name, fields[port.name.lower()], inst, port.name
            )
        notes.append(
            (
                f"source qualifier {inst.name!r} in mapping {mapping.name!r} names no source (no "
                f"ASSOCIATED_SOURCE_INSTANCE, no source instance): read as the qualifier of source "
                f"{source.name!r}, the one source of folder {mapping.folder or '?'!r} whose fields are its "
                "ports and whose name matches its own",
                inst.location,
            )
        )
    return notes


_QUOTES = {
    "none": "NONE",
    "": "NONE",
    "double quote": "DOUBLE",
    "double": "DOUBLE",
    '"': "DOUBLE",
    "single quote": "SINGLE",
    "single": "SINGLE",
    "'": "SINGLE",
}
_DELIMITER_NAMES = {"tab": "\t", "comma": ",", "pipe": "|", "semicolon": ";", "space": " "}
_ROW_DELIMITERS = ("lf", "crlf", "\\n", "\\r\\n")
_FLAT_FILE_ATTRIBUTES = (
    "File Type",
    "Delimiter",
    "Quote Character",
    "Skip Rows",
    "Row Delimiter",
    "Code Page",
    "Import Column Names",
)


def flat_file_from_attributes(attrs: Attributes) -> tuple[FlatFile | None, str]:
    """A FLATFILE for a flat-file source whose settings are written as TABLEATTRIBUTEs, or None and why not
    (empty when the attributes say nothing about the file)."""
    if not any(name in attrs for name in ("File Type", "Delimiter")):
        return None, ""
    kind = str(attrs.get("File Type", "Delimited") or "Delimited").strip().lower()
    if kind != "delimited":
        return (
            None,
            f"File Type {attrs.get('File Type')!r}: only a delimited file's layout "
            "can be read from attributes",
        )
    delimiter = str(attrs.get("Delimiter", ",") or ",")
    delimiter = _DELIMITER_NAMES.get(delimiter.strip().lower(), delimiter)
    quote = _QUOTES.get(str(attrs.get("Quote Character", "None") or "").strip().lower())
    skip = str(attrs.get("Skip Rows", "0") or "0").strip()
    row_delimiter = str(attrs.get("Row Delimiter", "LF") or "LF").strip().lower()
    if len(delimiter) != 1 or quote is None or not skip.isdigit() or row_delimiter not in _ROW_DELIMITERS:
        settings = ", ".join(f"{n}={attrs.get(n)!r}" for n in _FLAT_FILE_ATTRIBUTES if n in attrs)
        return None, f"flat-file settings not understood ({settings})"
    flat = {"DELIMITED": "YES", "DELIMITERS": delimiter, "QUOTE_CHARACTER": quote, "SKIPROWS": skip}
    if attrs.get("Code Page"):
        flat["CODEPAGE"] = str(attrs.get("Code Page"))
    return FlatFile(attrs=flat), ""


#: The lenient readings of a mapping, in order: each changes the mapping into what PowerCenter would have
#: written and returns a warning (with its location) per change or per construct left as it was.
MAPPING_RULES: tuple[Callable[[Mapping, Folder], list[tuple[str, Location]]], ...] = (
    lambda mapping, folder: attach_sources(mapping, folder.sources),
    lambda mapping, folder: lookalike_qualifier.link_ports_by_name(mapping, folder.sources),
    *lookalike_transformations.RULES,
    # Last: the Filter it inserts takes over the qualifier's links, which the rules above read.
    lambda mapping, folder: lookalike_qualifier.filter_after_qualifier(mapping, folder.sources),
)


def read_mappings(folder: Folder) -> list[tuple[str, Location]]:
    """Apply :data:`MAPPING_RULES` to every mapping of ``folder`` (lenient reading only)."""
    return [note for mapping in folder.mappings for rule in MAPPING_RULES for note in rule(mapping, folder)]
