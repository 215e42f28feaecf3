"""Python names for Informatica objects: readable, unique, never a keyword or a name the job uses."""

from __future__ import annotations

import keyword
import re

# Names the generated module defines or imports; a step variable never shadows them.
RESERVED = frozenset(
    {"F", "T", "Window", "DataFrame", "SparkSession", "job", "spark", "params", "run", "main", "support"}
)


def identifier(name: str) -> str:
    """A snake_case Python identifier for an Informatica name (``SQ_Orders`` -> ``sq_orders``)."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name.strip()).strip("_").lower() or "step"
    if text[0].isdigit():
        text = f"t_{text}"
    if keyword.iskeyword(text) or text in RESERVED:
        text = f"{text}_"
    return text


class Namer:
    """Hands out unique identifiers, suffixing ``_2``, ``_3`` when two names collide."""

    def __init__(self) -> None:
        self._used: set[str] = set(RESERVED)

    def __call__(self, name: str) -> str:
        base = identifier(name)
        candidate, n = base, 2
        while candidate in self._used:
            candidate = f"{base}_{n}"
            n += 1
        self._used.add(candidate)
        return candidate


_SQL_BREAKS = re.compile(
    r"\s+(?=(?:FROM|WHERE|AND|OR|ORDER\s+BY|GROUP\s+BY|HAVING|UNION|(?:LEFT|RIGHT|FULL|INNER|CROSS)?\s*JOIN|ON)\b)",
    re.IGNORECASE,
)


def literal_pieces(text: str, width: int = 88) -> list[str]:
    """``text`` cut into pieces of about ``width`` characters whose concatenation is ``text``: at line
    ends, then before SQL clause keywords, then at spaces, so a long query reads clause by clause as
    adjacent string literals."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > width:
            cuts = [m.start() for m in _SQL_BREAKS.finditer(line, 0, width) if m.start() > width // 3]
            cut = cuts[-1] if cuts else line.rfind(" ", width // 3, width)
            if cut <= 0:
                break
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    return pieces or [""]


def py_str(text: str) -> str:
    """A Python string literal for ``text`` (double quotes unless the text holds them)."""
    if '"' in text and "'" not in text and "\\" not in text and "\n" not in text:
        return f"'{text}'"
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    )


def sql_argument(name: str, text: str, indent: str = "    ") -> list[str]:
    """``name=<text>,`` as lines of generated code: one literal, or adjacent literals in parentheses, one
    clause per line, when the text is long or spans lines."""
    parts = literal_pieces(text)
    if len(parts) == 1:
        return [f"{indent}{name}={py_str(text)},"]
    return [f"{indent}{name}=(", *[f"{indent}    {py_str(p)}" for p in parts], f"{indent}),"]
