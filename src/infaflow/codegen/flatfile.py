"""Flat-file properties as reader and writer arguments.

One job: turn a FLATFILE (the definition's, or the session's "Set File Properties" override) and the
session's File Reader / File Writer attributes into the keyword arguments of ``job.read_flat_file``,
``job.read_fixed_width``, ``job.write_flat_file`` and ``job.write_fixed_width``, and refuse, with a
``ConversionError``, what has no exact reading. The rules and their sources are in docs/convert.md
("Flat files").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infaflow.codegen.exprs import ConversionError
from infaflow.codegen.support import flat_file_code_page
from infaflow.model import FlatFile

QUOTES = {"DOUBLE": '"', "SINGLE": "'", "NONE": ""}
LINE_FEED = "\n"
_OCTAL = re.compile(r"\\([0-7]{3})")


def _yes(attrs: Mapping[str, str], name: str) -> bool:
    return str(attrs.get(name, "NO") or "NO").strip().upper() == "YES"


def characters(value: str) -> str:
    """A FLATFILE character setting as the characters it names: octal escapes (``\\011``, a tab, as the
    Designer writes unprintable delimiters) decoded, everything else as written."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), value or "")


def _number(attrs: Mapping[str, str], name: str) -> int:
    try:
        return int(str(attrs.get(name, "0") or "0"))
    except ValueError:
        return 0


def code_page(attrs: Mapping[str, str], *, reading: bool, fixed_width: bool = False) -> str:
    """The FLATFILE ``CODEPAGE`` (no name: UTF-8), checked: a name outside the table, or a fixed-width file
    read in UTF-16/32, is a gap. Multibyte code pages (MS932, MS936...) are read and written."""
    name = str(attrs.get("CODEPAGE", "") or "").strip() or "UTF-8"
    found = flat_file_code_page(name)
    if found is None:
        raise ConversionError(f"code page {name} of the flat file is not supported")
    kind = found[1]
    if reading and fixed_width and kind == "unicode":
        raise ConversionError(
            f"a fixed-width file in code page {name} (byte offsets in UTF-16/32) is not supported"
        )
    return name


def _check_reader(attrs: Mapping[str, str], session: Mapping[str, Any]) -> None:
    if _yes(attrs, "SHIFTSENSITIVEDATA"):
        raise ConversionError("shift-sensitive data (SHIFTSENSITIVEDATA=YES) is not supported")
    if str(session.get("Codepage Parameter", "") or "").strip():
        raise ConversionError("a code page given by the session's Codepage Parameter is not supported")
    if _yes(session, "File Reader Truncate String Null"):
        raise ConversionError("File Reader Truncate String Null (strings cut at a NUL byte) is not supported")


def delimited_reader_args(flatfile: FlatFile | None, session: Mapping[str, Any]) -> dict[str, Any]:
    """``job.read_flat_file`` arguments of a delimited source or lookup file. ``delimiter``, ``quote`` and
    ``skip_rows`` always; the other settings only where they differ from the defaults."""
    attrs = flatfile.attrs if flatfile else {}
    _check_reader(attrs, session)
    delimiters = characters(str(attrs.get("DELIMITERS", ",") or ",")) or ","
    args: dict[str, Any] = {
        "delimiter": delimiters,
        "quote": QUOTES.get(str(attrs.get("QUOTE_CHARACTER", "NONE") or "NONE").upper(), '"'),
        "skip_rows": _number(attrs, "SKIPROWS"),
    }
    if _yes(attrs, "MULTIDELIMITERSASAND") and len(delimiters) > 1:
        args["delimiters_as_and"] = True
    if _yes(attrs, "CONSECDELIMITERSASONE"):
        args["consecutive_delimiters_as_one"] = True
    escape = characters(str(attrs.get("ESCAPE_CHARACTER", "") or ""))
    if escape:
        args["escape"] = escape[0]
        if _yes(attrs, "KEEPESCAPECHAR"):
            args["keep_escape"] = True
    codepage = code_page(attrs, reading=True)
    if flat_file_code_page(codepage) != flat_file_code_page("UTF-8"):
        args["codepage"] = codepage
    row = _number(attrs, "ROWDELIMITER")
    if row not in (0, 10):
        args["row_delimiter"] = chr(row)
    return args


def null_character(attrs: Mapping[str, str]) -> str:
    """The null character of a fixed-width file: ``NULL_CHARACTER`` as text (``NULLCHARTYPE="ASCII"``) or,
    with ``NULLCHARTYPE="BINARY"``, the byte whose decimal value it holds (``0`` for a NUL byte)."""
    value = str(attrs.get("NULL_CHARACTER", "*") or "")
    if str(attrs.get("NULLCHARTYPE", "ASCII") or "ASCII").strip().upper() == "BINARY":
        if not value.strip().isdigit() or int(value) > 255:
            raise ConversionError(f"binary null character {value!r} is not a byte value (0 to 255)")
        return chr(int(value))
    return characters(value)


def fixed_width_args(flatfile: FlatFile, session: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``job.read_fixed_width`` settings of a fixed-width FLATFILE: line sequential, bytes to skip between
    records, rows to skip, strip trailing blanks, the null character and whether it repeats; given the
    session's reader attributes, also the code page (only when it is not UTF-8), checked."""
    attrs = flatfile.attrs
    if session is not None:
        _check_reader(attrs, session)
    args: dict[str, Any] = {
        "line_sequential": _yes(attrs, "LINESEQUENTIAL"),
        "pad_bytes": _number(attrs, "PADBYTES"),
        "skip_rows": _number(attrs, "SKIPROWS"),
        "strip_trailing_blanks": _yes(attrs, "STRIPTRAILINGBLANKS"),
        "null_character": null_character(attrs),
        "repeat_null": _yes(attrs, "REPEATABLE"),
    }
    if session is not None:  # a reader's code page (a writer's comes with writer_args)
        codepage = code_page(attrs, reading=True, fixed_width=True)
        if flat_file_code_page(codepage) != flat_file_code_page("UTF-8"):
            args["codepage"] = codepage
    return args


def writer_args(
    flatfile: FlatFile | None, session: Mapping[str, Any], *, fixed_width: bool
) -> dict[str, Any]:
    """The File Writer settings of a flat-file target: code page (when not UTF-8), header (field names, or
    a header command's output), footer command, append if exists, output to a command. For delimited
    targets also the delimiter (the first one: "If you enter more than one delimiter, the Integration
    Service uses the first delimiter you specify") and the quote character."""
    attrs = flatfile.attrs if flatfile else {}
    args: dict[str, Any] = {}
    if not fixed_width:
        args["delimiter"] = (characters(str(attrs.get("DELIMITERS", ",") or ",")) or ",")[0]
        args["quote"] = QUOTES.get(str(attrs.get("QUOTE_CHARACTER", "NONE") or "NONE").upper(), '"')
    header_option = str(session.get("Header Options", "") or "").strip().lower()
    header_command = str(session.get("Header Command", "") or "").strip()
    if "output field names" in header_option or not fixed_width:
        args["header"] = "output field names" in header_option
    codepage = code_page(attrs, reading=False)
    if flat_file_code_page(codepage) != flat_file_code_page("UTF-8"):
        args["codepage"] = codepage
    if _yes(session, "Append if Exists"):
        args["append"] = True
    if str(session.get("Codepage Parameter", "") or "").strip():
        raise ConversionError("a code page given by the session's Codepage Parameter is not supported")
    if "command" in header_option:
        if not header_command:
            raise ConversionError(
                "Header Options uses the header command output, but no Header Command is set"
            )
        args["header_command"] = header_command
    footer = str(session.get("Footer Command", "") or "").strip()
    if footer:
        args["footer_command"] = footer
    if str(session.get("Output Type", "File") or "File").strip().lower() == "command":
        command = str(session.get("Command", "") or "").strip()
        if not command:
            raise ConversionError("Output Type is Command, but no Command is set")
        args["output_command"] = command
    return args


__all__ = [
    "QUOTES",
    "characters",
    "code_page",
    "delimited_reader_args",
    "fixed_width_args",
    "null_character",
    "writer_args",
]
