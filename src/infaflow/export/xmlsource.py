"""Safe reading of export files: no network, no DTD loading, no external entities, no entity expansion.

This is the only place that turns bytes into an lxml tree; every other module reads the tree.

What it guarantees, for any input:

- the DOCTYPE (``<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">``) is never fetched, nothing is read from the
  network or from any file other than the export;
- entity declarations are refused before parsing (an external entity pointing at a local file, a
  billion-laughs document), with the line of the declaration, in microseconds and without memory growth;
- every encoding an export declares is read: libxml2's own codecs first, Python's codecs when libxml2 lacks
  one (the text is decoded, re-encoded as UTF-8 and parsed again, keeping every line number);
- CRLF line ends, ``&#xD;&#xA;`` inside attributes (kept as CR LF), a byte-order mark, comments before the
  DOCTYPE are read as PowerCenter wrote them;
- anything else (0-byte, blank, binary, truncated, not XML, undeclared entity, wrong root, wrong encoding)
  is an :class:`InputError` with the file, the line and one sentence saying what is wrong.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from infaflow.errors import InputError

ROOT_TAG = "POWERMART"
#: Bytes read ahead to check the start of a file (binary content, prolog, entity declarations).
HEAD_BYTES = 1 << 20
#: Bytes read at the end of a file to tell a truncated file from another syntax error.
TAIL_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']"""
)
_ENTITY_DECL = re.compile(r"""<!ENTITY\s+(%\s+)?([^\s>]+)\s*(?:(SYSTEM|PUBLIC)\s*(?:"([^"]*)"|'([^']*)'))?""")


class NotAnExport(InputError):
    """The file is not a PowerCenter export at all (empty, binary, not XML, another root element), as
    opposed to a broken one. A directory search skips such files with a note."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=False,
    )


def parse(path: str | Path) -> etree._ElementTree:
    """Parse ``path`` safely; raise :class:`InputError` with file and line for anything that is not
    well-formed XML with a ``POWERMART`` root."""
    name = str(path)
    parser = _parser()
    try:
        # A file object, never the name: libxml2 would read a name as a URI ("%20", "http://...").
        # The head checked before parsing is handed to the parser again, so the file is read once.
        with _open(path, name) as fh:
            head, size = _read_head(fh, name)
            text_head = _check_head(head, size, name)
            _refuse_entity_declarations(text_head, name)
            tree = etree.parse(_Replay(head, fh), parser, base_url=name)
    except etree.XMLSyntaxError as exc:
        tree = _recover_from_syntax_error(exc, path, name)
    except OSError as exc:  # libxml2 reports some encoding errors of a file as read errors
        if "encoding" in str(exc):
            tree = _parse_with_python_codec(Path(path).read_bytes(), name)
        else:
            raise InputError(f"cannot read file: {exc}", name) from None
    else:
        _refuse_undeclared_entities(parser, name)
    _refuse_declared_entities(tree, name)
    root = tree.getroot()
    if root.tag != ROOT_TAG:
        raise NotAnExport(
            f"root element is <{root.tag}>, expected <{ROOT_TAG}>: not a PowerCenter export",
            name,
            root.sourceline or 1,
        )
    return tree


# --------------------------------------------------------------------------------------------------
# Before parsing: empty, binary, not XML, entity declarations


def _open(path: str | Path, name: str) -> BinaryIO:
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory, not an export file", name)
    try:
        return p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", name) from None


def _read_head(fh: BinaryIO, name: str) -> tuple[bytes, int]:
    try:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", name) from None
    return head, size


class _Replay:
    """A file object for lxml that first gives back the bytes already read, then the rest of the file."""

    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self._head = head
        self._fh = fh

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._fh.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._fh.read(size)


def _bom_codec(head: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, len(bom)
    return None


def _check_head(head: bytes, size: int, name: str) -> str:
    """The start of the file as text for the prolog checks; raise for empty, binary and non-XML files."""
    if size == 0:
        raise NotAnExport("empty file (0 bytes): not a PowerCenter export", name, 1)
    bom = _bom_codec(head)
    if bom is not None:
        codec, skip = bom
        text = head[skip:].decode(codec, errors="replace")
    else:
        nul = head.find(b"\x00")
        if nul >= 0:
            raise NotAnExport(
                f"binary file, not XML (NUL byte at offset {nul}): not a PowerCenter export",
                name,
                head.count(b"\n", 0, nul) + 1,
            )
        # Every encoding an export may declare is ASCII-compatible: markup reads the same in latin-1.
        text = head.decode("latin-1")
    stripped = text.lstrip()
    if not stripped and size <= len(head):
        raise NotAnExport("empty file (only blank characters): not a PowerCenter export", name, 1)
    if stripped and not stripped.startswith("<"):
        line = text.count("\n", 0, len(text) - len(stripped)) + 1
        first = stripped.splitlines()[0][:40] if stripped.splitlines() else stripped[:40]
        raise NotAnExport(f"not XML: the file starts with {first!r} instead of a '<' tag", name, line)
    return text


@dataclass(frozen=True)
class _Prolog:
    """The part of a document before its root element; ``doctype`` is the DOCTYPE text if any."""

    end: int
    doctype_start: int
    doctype: str
    complete: bool


def _scan_prolog(text: str) -> _Prolog:
    """Skip the XML declaration, comments, processing instructions and the DOCTYPE (with its internal
    subset, quotes respected) up to the root element's start tag."""
    i, n = 0, len(text)
    doctype_start, doctype = -1, ""
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if text.startswith("<?", i):
            end = text.find("?>", i)
            if end < 0:
                return _Prolog(n, doctype_start, doctype, False)
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return _Prolog(n, doctype_start, doctype, False)
            i = end + 3
        elif text.startswith("<!DOCTYPE", i):
            end = _doctype_end(text, i)
            doctype_start, doctype = i, text[i:end]
            if end >= n:
                return _Prolog(n, doctype_start, doctype, False)
            i = end
        else:
            return _Prolog(i, doctype_start, doctype, True)
    return _Prolog(n, doctype_start, doctype, False)


def _doctype_end(text: str, start: int) -> int:
    """Index just past the ``>`` that closes the DOCTYPE starting at ``start`` (``len(text)`` if none)."""
    quote = ""
    depth = 0
    for j in range(start + 2, len(text)):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == ">" and depth <= 0:
            return j + 1
    return len(text)


def _refuse_entity_declarations(text: str, name: str) -> None:
    """Refuse any ``<!ENTITY`` in the prolog: PowerCenter never writes one, and they are how external
    files are read (XXE) and how entity-expansion bombs (billion laughs) work."""
    prolog = _scan_prolog(text)
    if prolog.doctype:
        match = _ENTITY_DECL.search(prolog.doctype)
        if match is not None:
            line = text.count("\n", 0, prolog.doctype_start + match.start()) + 1
            raise InputError(
                _entity_message(match.group(2), bool(match.group(1)), match.group(4) or match.group(5)),
                name,
                line,
            )
    if not prolog.complete and len(text) >= HEAD_BYTES and "<!ENTITY" in text:
        raise InputError("the DOCTYPE declares entities and is larger than 1 MiB: refused", name, 1)


def _entity_message(entity: str, parameter: bool, system: str | None) -> str:
    kind = "parameter entity" if parameter else "entity"
    if system is not None:
        return (
            f"external {kind} {entity!r} refers to {system!r}: refused (exports never declare "
            "entities; infaflow never reads other files or the network)"
        )
    return (
        f"{kind} declaration {entity!r} refused: exports never declare entities (protection "
        "against entity-expansion bombs)"
    )


_UNDECLARED_ENTITY = {etree.ErrorTypes.WAR_UNDECLARED_ENTITY, etree.ErrorTypes.ERR_UNDECLARED_ENTITY}


def _refuse_undeclared_entities(parser: etree.XMLParser, name: str) -> None:
    """With a DOCTYPE naming an external DTD, libxml2 only warns about ``&name;`` references it cannot
    resolve and drops them from the text; an export never has one, so refuse rather than lose text."""
    for entry in parser.error_log:
        if entry.type in _UNDECLARED_ENTITY:
            raise InputError(
                f"{_short(entry.message)}: exports use only &amp; &lt; &gt; &quot; &apos; and "
                "character references such as &#xD;",
                name,
                entry.line,
            )


def _refuse_declared_entities(tree: etree._ElementTree, name: str) -> None:
    """Second line of defence after parsing: the internal DTD subset must declare no entity."""
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    for entity in dtd.iterentities():
        raise InputError(_entity_message(entity.name, False, entity.system_url), name, 1)


# --------------------------------------------------------------------------------------------------
# Syntax errors: encodings libxml2 lacks, wrong encodings, truncated files


def _recover_from_syntax_error(exc: etree.XMLSyntaxError, path: str | Path, name: str) -> etree._ElementTree:
    """Parse again with a Python codec when libxml2 lacks the declared encoding; otherwise turn the
    syntax error into an :class:`InputError` that says what is wrong."""
    message = exc.msg or str(exc)
    line = exc.lineno or 1
    if (
        message.startswith("Unsupported encoding")
        or exc.code == etree.ErrorTypes.ERR_INVALID_ENCODING
        or "Invalid bytes in character encoding" in message
        or "not proper UTF-8" in message
    ):
        # libxml2 lacks the codec or finds bad bytes: Python's codec reads it or says where it is wrong.
        return _parse_with_python_codec(Path(path).read_bytes(), name)
    if exc.code in _SYNTAX_MESSAGES:
        raise InputError(_syntax_message(exc.code, message), name, line) from None
    if line == 1 and (mismatch := _wide_encoding_declared(path)):
        raise InputError(mismatch, name, 1) from None
    if _is_truncated(path, line):
        raise InputError(
            f"truncated XML: the file ends before </{ROOT_TAG}> ({_short(message)})", name, line
        ) from None
    raise InputError(_syntax_message(exc.code, message), name, line) from None


#: Clearer wording for some libxml2 syntax errors, by error code; others read "not well-formed XML: ...".
_SYNTAX_MESSAGES: dict[int, str] = {
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY: (
        f"no XML element in the file (expected <{ROOT_TAG}>): not a PowerCenter export"
    ),
    etree.ErrorTypes.ERR_DOCUMENT_END: f"extra content after the end of the root element </{ROOT_TAG}>",
}


def _syntax_message(code: int, message: str) -> str:
    if code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        return _resource_limit(message)
    return _SYNTAX_MESSAGES.get(code) or f"not well-formed XML: {_short(message)}"


def _resource_limit(message: str) -> str:
    """libxml2's limits for untrusted input (huge_tree off), said without its option names."""
    what = (
        "elements nested more than 256 levels deep"
        if "depth" in message.lower()
        else "a single attribute value or text over 10 MB"
    )
    return f"refused: {what} (a limit for untrusted input; no PowerCenter export comes near it)"


#: Encodings whose characters take two or four bytes: a file declaring one is read that way.
_WIDE_ENCODINGS = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4")


def _wide_encoding_declared(path: str | Path) -> str | None:
    """Why a file whose XML declaration names UTF-16 or UTF-32 but whose bytes are one-byte characters
    (the declaration itself readable as ASCII) cannot be read, or None."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(200)
    except OSError:
        return None
    declared = declared_encoding(head)
    if declared is None or _bom_codec(head) or not declared.lower().startswith(_WIDE_ENCODINGS):
        return None
    return (
        f"the XML declaration says encoding {declared!r}, but the file is written with one byte per "
        "character (its declaration reads as ASCII); correct the declaration to the encoding the file "
        "uses (PowerCenter writes UTF-8 or Windows-1252) or re-export it"
    )


def _short(message: str) -> str:
    """libxml2's message without its trailing ``, line N, column M`` (the line is given separately)."""
    return re.sub(r",\s*line \d+, column \d+\s*$", "", message).strip()


def _is_truncated(path: str | Path, error_line: int) -> bool:
    try:
        with Path(path).open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - TAIL_BYTES))
            tail = fh.read()
            if f"</{ROOT_TAG}".encode() in tail:
                return False
            fh.seek(0)
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return False
    return error_line >= lines


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in the XML declaration at the start of ``data``, if any."""
    match = _DECLARED_ENCODING.match(data[:200])
    return match.group(1).decode("ascii") if match else None


def _python_codec(encoding: str) -> codecs.CodecInfo | None:
    try:
        return codecs.lookup(encoding)
    except LookupError:
        return None


def _parse_with_python_codec(data: bytes, name: str) -> etree._ElementTree:
    """Decode with Python's codec for the declared encoding, declare UTF-8 instead (on the same line, so
    line numbers stay true) and parse the UTF-8 text."""
    bom = _bom_codec(data)
    encoding = declared_encoding(data) or (bom[0] if bom else "UTF-8")
    info = _python_codec(encoding)
    if info is None:
        raise InputError(f"unknown encoding {encoding!r} in the XML declaration", name, 1)
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as err:
        raise InputError(
            f"bytes {data[err.start : err.start + 4].hex(' ')} are not valid {encoding}, "
            "the encoding the file declares; re-export it or correct its XML declaration",
            name,
            data.count(b"\n", 0, err.start) + 1,
        ) from None
    text = text.lstrip("\ufeff")
    text = re.sub(r"""^(<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*\2""", r"\1\2UTF-8\2", text, count=1)
    parser = _parser()
    try:
        root = etree.fromstring(text.encode("utf-8"), parser, base_url=name)
    except etree.XMLSyntaxError as exc:
        raise InputError(_syntax_message(exc.code, exc.msg or str(exc)), name, exc.lineno or 1) from None
    _refuse_undeclared_entities(parser, name)
    return root.getroottree()
