"""Error types shared by every layer.

Every error a user can cause by their input is an :class:`InputError`: it carries the file and line it
points at and is printed by the command line as ``file:line: message`` with exit code 2, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something comes from: a file and a 1-based line (0 when unknown)."""

    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file or "<unknown>"


class InfaflowError(Exception):
    """Base class of all infaflow errors."""


class InputError(InfaflowError):
    """Bad input from the user: a file, an option, an expression. Exit code 2."""

    def __init__(self, message: str, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    def __str__(self) -> str:
        if self.file:
            return f"{Location(self.file, self.line)}: {self.message}"
        return self.message


@dataclass(frozen=True)
class Problem:
    """One finding of a check (validation, graph checks): an error or a warning with its location."""

    severity: str  # "error" | "warning"
    message: str
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = str(Location(self.file, self.line)) if self.file else ""
        prefix = f"{where}: " if where else ""
        tag = "" if self.severity == "error" else "warning: "
        return f"{prefix}{tag}{self.message}"
