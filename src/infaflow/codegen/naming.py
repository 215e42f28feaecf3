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


def py_str(text: str) -> str:
    """A Python string literal for ``text`` (double quotes unless the text holds them)."""
    if '"' in text and "'" not in text and "\\" not in text and "\n" not in text:
        return f"'{text}'"
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    )
