"""The record layout of a COBOL (VSAM) source definition: its elementary items with their usage, byte
offsets and occurrences.

A COBOL source definition lists the copybook's items as SOURCEFIELDs (nested under their groups, or in
order with their LEVEL numbers): FIELDTYPE GROUP or ELEMITEM, PICTURETEXT (``X(30)``, ``S9(5)V99``),
USAGE/USAGE_FLAGS (DISPLAY, COMP-3, COMP...), OCCURS, REDEFINES and the byte position of the first
occurrence (PHYSICALOFFSET, PHYSICALLENGTH). An item under a group that OCCURS n times is read n times,
the group's occurrence length apart; a REDEFINES item reads the same bytes as the item it redefines (its
offset says so). Pure functions, no Spark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infaflow.codegen.exprs import ConversionError
from infaflow.model import Field


@dataclass(frozen=True)
class Item:
    """One elementary item of the record, as the reader decodes it."""

    name: str
    usage: str  # text, display, display-point (a real decimal point in the data), packed, binary
    offsets: tuple[int, ...]  # byte offset of each occurrence (one for a single-occurring item)
    length: int  # bytes per occurrence
    digits: int  # numbers: digits of the picture
    scale: int  # numbers: digits after the implied decimal point (V)
    sign: str  # none, trailing, leading, trailing separate, leading separate
    group: str = ""  # the OCCURS group (or item) the occurrences come from; "" when single-occurring

    @property
    def spark_type(self) -> str:
        return "string" if self.usage == "text" else f"decimal({max(self.digits, 1)},{self.scale})"

    @property
    def occurs(self) -> int:
        return len(self.offsets)


_PICTURE_PART = re.compile(r"([SXA9VP.])(?:\((\d+)\))?", re.IGNORECASE)


def picture(text: str) -> tuple[str, int, int, bool]:
    """(kind, digits or characters, scale, signed) of a PICTURE clause: ``X(8)`` -> ("text", 8, 0, False),
    ``S9(4)V99`` -> ("number", 6, 2, True); a real decimal point (``9(4).99``) places the scale too."""
    kind, count, scale, signed, after_point = "number", 0, 0, False, False
    for symbol, repeat in _PICTURE_PART.findall(text.replace(" ", "")):
        n = int(repeat) if repeat else 1
        symbol = symbol.upper()
        if symbol == "S":
            signed = True
        elif symbol in "V.":
            after_point = True
        elif symbol in "XA":
            kind = "text"
            count += n
        elif symbol == "9":
            count += n
            scale += n if after_point else 0
        else:  # P: a scaling position, not stored
            raise ConversionError(f"PICTURE {text!r}: scaling positions (P) are not supported")
    return kind, count, scale, signed


_USAGES = (
    (("COMP-1", "COMP-2", "COMPUTATIONAL-1", "COMPUTATIONAL-2"), "float"),
    (("COMP-3", "COMPUTATIONAL-3", "PACKED"), "packed"),
    (("COMP-4", "COMP-5", "COMPUTATIONAL", "COMP", "BINARY"), "binary"),
)


def usage_of(field: Field, kind: str) -> str:
    """The storage of an item: text, display, packed (COMP-3) or binary (COMP, COMP-4, COMP-5, BINARY)."""
    words = f"{field.attrs.get('USAGE', '')} {field.attrs.get('USAGE_FLAGS', '')}".upper()
    for names, usage in _USAGES:
        if any(re.search(rf"(^|[\s,;|]){re.escape(n)}($|[\s,;|])", words) for n in names):
            if usage == "float":
                raise ConversionError(
                    f"{field.name}: COMP-1/COMP-2 floating-point items (IBM hexadecimal "
                    "floating point) are not supported"
                )
            return usage
    return "text" if kind == "text" else "display"


def sign_of(field: Field, signed: bool) -> str:
    """Where a signed number keeps its sign (Designer Guide, COBOL field attributes): with Trailing sign (T)
    in its last digit, else in its first character; overpunched in that digit (Included sign), or a
    separate ``+``/``-`` (``SEPARATE``). A definition without USAGE_FLAGS follows COBOL's default: the last
    digit, overpunched."""
    flags = str(field.attrs.get("USAGE_FLAGS", "") or "").upper()
    if not (signed or re.search(r"(^|[^N])SIGNED", flags)):
        return "none"
    if "USAGE_FLAGS" not in field.attrs:
        return "trailing"
    side = "trailing" if "TRAILING" in flags else "leading"
    return f"{side} separate" if "SEPARATE" in flags else side


def _int(field: Field, *names: str) -> int | None:
    for name in names:
        raw = str(field.attrs.get(name, "") or "").strip()
        if raw.lstrip("-").isdigit():
            return int(raw)
    return None


def _entries(fields: list[Field]) -> list[tuple[Field, list[int]]]:
    """Every SOURCEFIELD in document order with the indexes of the groups it belongs to: the XML nesting
    when the fields are nested, else COBOL's rule on LEVEL numbers (a group holds the items after it
    with a higher level number)."""
    out: list[tuple[Field, list[int]]] = []
    if any(f.children for f in fields):

        def walk(items: list[Field], parents: list[int]) -> None:
            for f in items:
                out.append((f, parents))
                walk(f.children, [*parents, len(out) - 1])

        walk(fields, [])
        return out
    stack: list[tuple[int, int]] = []  # (level, index) of the open groups
    for i, f in enumerate(fields):
        level = _int(f, "LEVEL") or 1
        while stack and stack[-1][0] >= level:
            stack.pop()
        out.append((f, [j for _lvl, j in stack]))
        if _is_group(f):
            stack.append((level, i))
    return out


def _is_group(field: Field) -> bool:
    return str(field.attrs.get("FIELDTYPE", "")).upper() == "GROUP" or bool(field.children)


def layout(fields: list[Field]) -> list[Item]:
    """The elementary items of a COBOL record, in order, with every occurrence's offset."""
    entries = _entries(fields)
    items: list[Item] = []
    for f, parents in entries:
        if _is_group(f):
            continue
        lengths = {entries[j][0].name: _occurrence_length(entries, j) for j in parents}
        items.append(_item(f, [entries[j][0] for j in parents], lengths))
    return items


def _occurrence_length(entries: list[tuple[Field, list[int]]], index: int) -> int:
    """Bytes of one occurrence of the group ``entries[index]``: the span of the items under it, or its
    PHYSICALLENGTH divided by its OCCURS when that is longer (slack bytes after the last item)."""
    starts, ends = [], []
    for f, parents in entries:
        offset, size = _int(f, "PHYSICALOFFSET", "OFFSET"), _int(f, "PHYSICALLENGTH", "LENGTH")
        if index in parents and not _is_group(f) and offset is not None and size:
            starts.append(offset)
            ends.append(offset + size)
    group = entries[index][0]
    computed = max(ends) - min(starts) if starts else 0
    total, times = _int(group, "PHYSICALLENGTH") or 0, max(_int(group, "OCCURS") or 1, 1)
    if total and total % times == 0 and total // times > computed:
        return total // times
    return computed


def _item(f: Field, ancestors: list[Field], lengths: dict[str, int]) -> Item:
    kind, count, scale, signed = picture(str(f.attrs.get("PICTURETEXT", "") or ""))
    if not count:  # no picture: the definition's own type
        kind = "text" if f.datatype.lower() in ("string", "nstring", "char", "text") else "number"
        count, scale = f.precision, f.scale
    usage = usage_of(f, kind)
    offset = _int(f, "PHYSICALOFFSET", "OFFSET")
    length = _int(f, "PHYSICALLENGTH", "LENGTH") or 0
    if offset is None or length <= 0:
        raise ConversionError(f"COBOL item {f.name} has no PHYSICALOFFSET/PHYSICALLENGTH")
    repeating = [g for g in [*ancestors, f] if (_int(g, "OCCURS") or 0) > 1]
    if len(repeating) > 1:
        names = ", ".join(g.name for g in repeating)
        raise ConversionError(f"COBOL item {f.name} is inside nested OCCURS ({names}): not supported")
    offsets: tuple[int, ...] = (offset,)
    group = ""
    if repeating:
        owner = repeating[0]
        times = _int(owner, "OCCURS") or 1
        step = lengths[owner.name] if owner is not f else length
        offsets = tuple(offset + k * step for k in range(times))
        group = owner.name
    if usage == "display" and "." in str(f.attrs.get("PICTURETEXT", "")):
        usage = "display-point"  # the data holds the decimal point
    return Item(
        f.name, usage, offsets, length, count, scale, sign_of(f, signed) if usage != "text" else "none", group
    )


def record_length(items: list[Item]) -> int:
    """Bytes of one record: the end of the last byte any item reads."""
    return max((o + i.length for i in items for o in i.offsets), default=0)
