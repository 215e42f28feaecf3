"""Faithful reading: every declared encoding, CRLF, ``&#xD;&#xA;`` in attributes, comments before the
DOCTYPE, a DOCTYPE that is never fetched, and line numbers that stay true whichever codec reads the file."""

from __future__ import annotations

import codecs
import collections
from pathlib import Path

import pytest

from infaflow.errors import InputError
from infaflow.export import xmlsource
from infaflow.export.validate import validate_file

NAMES = {
    "UTF-8": "Zürich 启动 Привет",
    "Windows-1252": "Zürich café €uro",
    "ISO-8859-1": "Zürich café ½",
    "GB2312": "启动 工作流",
    "Windows-1251": "Привет мир",
    "us-ascii": "plain ascii",
    "Shift_JIS": "開始 ワークフロー",
    "MS932": "開始 ①",  # libxml2 lacks this codec: read through Python's cp932
}


def _export(encoding: str, name: str, newline: str = "\n", prolog: str = "") -> bytes:
    lines = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        *([prolog] if prolog else []),
        '<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">',
        '<POWERMART CREATION_DATE="11/25/2026 04:00:00" REPOSITORY_VERSION="188.97">',
        '<REPOSITORY NAME="rep" VERSION="188" CODEPAGE="UTF-8" DATABASETYPE="Oracle">',
        f'<FOLDER NAME="{name}" SHARED="NOTSHARED">',
        f'<TASK NAME="cmd" TYPE="Command" REUSABLE="YES" DESCRIPTION="{name}&#xD;&#xA;second line">',
        '<VALUEPAIR NAME="c1" VALUE="echo one&#xD;&#xA;echo two" EXECORDER="1"/>',
        "</TASK>",
        "</FOLDER>",
        "</REPOSITORY>",
        "</POWERMART>",
        "",
    ]
    return newline.join(lines).encode(codecs.lookup(encoding).name)


@pytest.mark.parametrize("encoding", sorted(NAMES))
def test_every_declared_encoding_is_read_faithfully(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / f"{encoding}.xml"
    path.write_bytes(_export(encoding, NAMES[encoding]))
    tree = xmlsource.parse(path)
    folder = tree.find(".//FOLDER")
    assert folder.get("NAME") == NAMES[encoding]
    assert folder.sourceline == 5
    assert tree.find(".//TASK").get("DESCRIPTION") == f"{NAMES[encoding]}\r\nsecond line"
    assert validate_file(path) == []


@pytest.mark.parametrize("encoding", ["GB2312", "MS932"])
def test_line_numbers_stay_true_with_either_codec(encoding: str, tmp_path: Path) -> None:
    data = _export(encoding, NAMES[encoding]).replace(b'EXECORDER="1"', b'EXECORDER="1" BAD="x"')
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    problems = validate_file(path)
    assert [(p.line, p.message) for p in problems] == [
        (7, "<VALUEPAIR>: attribute BAD is not allowed (powrmart.dtd does not declare it)")
    ]


def test_crlf_line_ends_and_escaped_newlines_in_attributes(tmp_path: Path) -> None:
    path = tmp_path / "crlf.xml"
    path.write_bytes(_export("Windows-1252", "F", newline="\r\n"))
    tree = xmlsource.parse(path)
    pair = tree.find(".//VALUEPAIR")
    assert pair.get("VALUE") == "echo one\r\necho two"
    assert pair.sourceline == 7
    assert validate_file(path) == []


def test_byte_order_mark_and_comments_before_the_doctype(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    data = _export("UTF-8", "F", prolog="<!-- Informatica export -->\n<!-- <POWERMART> in a comment -->")
    path.write_bytes(codecs.BOM_UTF8 + data)
    tree = xmlsource.parse(path)
    assert tree.getroot().tag == "POWERMART"
    assert tree.find(".//FOLDER").sourceline == 7


def test_the_doctype_is_never_fetched(tmp_path: Path) -> None:
    """A DTD next to the file that would add a default attribute (and an entity) is not read."""
    (tmp_path / "powrmart.dtd").write_text(
        '<!ENTITY injected "INJECTED">\n<!ATTLIST POWERMART INJECTED CDATA "yes">\n'
    )
    path = tmp_path / "export.xml"
    path.write_bytes(_export("UTF-8", "F"))
    root = xmlsource.parse(path).getroot()
    assert root.get("INJECTED") is None
    network = tmp_path / "network.xml"
    network.write_bytes(
        _export("UTF-8", "F").replace(b'SYSTEM "powrmart.dtd"', b'SYSTEM "http://127.0.0.1:9/powrmart.dtd"')
    )
    assert xmlsource.parse(network).getroot().get("INJECTED") is None


def test_an_encoding_nobody_knows(tmp_path: Path) -> None:
    path = tmp_path / "unknown.xml"
    path.write_bytes(_export("UTF-8", "F").replace(b'encoding="UTF-8"', b'encoding="x-klingon-7"'))
    with pytest.raises(InputError) as info:
        xmlsource.parse(path)
    assert (info.value.line, info.value.message) == (
        1,
        "unknown encoding 'x-klingon-7' in the XML declaration",
    )


def test_bytes_invalid_in_the_declared_encoding_are_located(tmp_path: Path) -> None:
    path = tmp_path / "ascii.xml"
    data = _export("UTF-8", "plain").replace(b'VALUE="echo one', 'VALUE="caf\u00e9'.encode("cp1252"))
    path.write_bytes(data.replace(b'encoding="UTF-8"', b'encoding="us-ascii"'))
    with pytest.raises(InputError) as info:
        xmlsource.parse(path)
    assert info.value.line == 7
    assert info.value.message.startswith("bytes e9 ")
    assert "are not valid us-ascii, the encoding the file declares" in info.value.message


@pytest.mark.corpus
def test_every_encoding_in_the_corpus_parses(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    seen: collections.Counter[str] = collections.Counter()
    for row in corpus_manifest:
        path = corpus_dir / "files" / row["file"]
        data = path.read_bytes()
        declared = xmlsource.declared_encoding(data) or "UTF-8"
        assert declared == (row["declared_encoding"] or declared), row["file"]
        tree = xmlsource.parse(path)
        assert tree.getroot().tag == "POWERMART"
        seen[declared] += 1
    print(f"\ncorpus encodings parsed: {dict(seen)}")
    assert len(seen) >= 3
