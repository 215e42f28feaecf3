"""Helpers shared by every part of the model: case-insensitive attribute maps and YES/NO flags."""

from __future__ import annotations

from typing import Any


class Attributes(dict[str, str]):
    """Name-value pairs compared case-insensitively (``ATTRIBUTE``, ``TABLEATTRIBUTE``).

    Keeps the names as written for display; ``get``/``[]``/``in`` ignore case and surrounding spaces.
    """

    def _key(self, name: str) -> str | None:
        wanted = name.strip().lower()
        for key in dict.keys(self):
            if key.strip().lower() == wanted:
                return key
        return None

    def get(self, name: str, default: Any = None) -> Any:
        key = self._key(name)
        return default if key is None else dict.__getitem__(self, key)

    def __getitem__(self, name: str) -> str:
        key = self._key(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None

    def flag(self, name: str, default: bool = False) -> bool:
        """A YES/NO attribute as a bool."""
        value = self.get(name)
        if value is None or value.strip() == "":
            return default
        return value.strip().upper() in ("YES", "Y", "TRUE", "1")

    def merged(self, overrides: Attributes | dict[str, str]) -> Attributes:
        """A copy with ``overrides`` applied (an override replaces the same name in any case)."""
        out = Attributes(self)
        for name, value in overrides.items():
            key = out._key(name)
            if key is not None:
                del out[key]
            out[name] = value
        return out


def yes(value: str | None, default: bool = False) -> bool:
    """PowerCenter's YES/NO flags as a bool."""
    if value is None or value.strip() == "":
        return default
    return value.strip().upper() in ("YES", "Y", "TRUE", "1")
