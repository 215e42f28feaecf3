"""Every sample export is well-formed, declares its encoding and the vendor DOCTYPE, and is valid
against the vendor DTD (../shared/reference/powrmart.dtd)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
DTD_PATH = (ROOT / ".." / "shared" / "reference" / "powrmart.dtd").resolve()
SAMPLE_XML = sorted((ROOT / "samples").rglob("*.xml"))


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=False)
    return etree.parse(str(path), parser)


@pytest.fixture(scope="module")
def dtd() -> etree.DTD:
    if not DTD_PATH.is_file():
        pytest.skip("../shared/reference/powrmart.dtd is absent")
    return etree.DTD(str(DTD_PATH))


def test_there_are_samples() -> None:
    assert len(SAMPLE_XML) >= 3, [str(p) for p in SAMPLE_XML]


@pytest.mark.parametrize("path", SAMPLE_XML, ids=lambda p: str(p.relative_to(ROOT)))
def test_sample_is_valid_against_vendor_dtd(path: Path, dtd: etree.DTD) -> None:
    tree = _parse(path)
    valid = dtd.validate(tree)
    errors = "\n".join(f"{path.name}:{e.line}: {e.message}" for e in list(dtd.error_log)[:10])
    assert valid, errors


@pytest.mark.parametrize("path", SAMPLE_XML, ids=lambda p: str(p.relative_to(ROOT)))
def test_sample_declares_encoding_and_doctype(path: Path) -> None:
    head = path.read_bytes()[:200].decode("ascii", errors="replace")
    declared = re.match(r'<\?xml version="1\.0" encoding="([^"]+)"\?>', head)
    assert declared, head
    assert '<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">' in head
    tree = _parse(path)
    assert tree.docinfo.encoding.lower() == declared.group(1).lower()
    assert tree.getroot().tag == "POWERMART"


def test_samples_cover_both_encodings_with_non_ascii_text() -> None:
    """One Windows-1252 and one UTF-8 sample, each with a non-ASCII character that survives decoding."""
    by_encoding: dict[str, list[str]] = {}
    for path in SAMPLE_XML:
        tree = _parse(path)
        text = etree.tostring(tree, encoding="unicode")
        if any(ord(ch) > 127 for ch in text):
            by_encoding.setdefault(tree.docinfo.encoding.lower(), []).append(path.name)
    assert "windows-1252" in by_encoding, by_encoding
    assert "utf-8" in by_encoding, by_encoding
