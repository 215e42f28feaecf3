"""Safe reading of export files: no network, no DTD loading, no external entities, no entity expansion.

This is the only place that turns bytes into an lxml tree; every other module reads the tree.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from infaflow.errors import InputError


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=False,
    )


def parse(path: str | Path) -> etree._ElementTree:
    """Parse ``path`` safely; raise :class:`InputError` with file and line for anything that is not
    well-formed XML with a ``POWERMART`` root."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", name) from None
    if not data.strip():
        raise InputError("empty file: not a PowerCenter export", name, 1)
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise InputError(f"not well-formed XML: {exc.msg}", name, line) from None
    root = tree.getroot()
    if root.tag != "POWERMART":
        raise InputError(f"root element is <{root.tag}>, expected <POWERMART>", name, root.sourceline or 1)
    return tree
