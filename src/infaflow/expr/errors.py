"""Errors raised by the transformation language.

``ExprError`` is any failure of an expression: the runtime treats one raised while evaluating a row as a
row error (the row is rejected, like PowerCenter's transformation errors). All are :class:`InputError`, so
the command line prints them as ``file:line: message`` with exit code 2.
"""

from __future__ import annotations

from infaflow.errors import InputError


class ExprError(InputError):
    """An expression could not be parsed, evaluated or translated."""


class ExprSyntaxError(ExprError):
    """The text is not valid transformation language. ``pointer`` shows the spot (source line + caret)."""

    def __init__(
        self, message: str, file: str = "", line: int = 0, column: int = 0, pointer: str = ""
    ) -> None:
        super().__init__(message, file, line)
        self.column = column
        self.pointer = pointer


class UnknownName(ExprError):
    """A port, parameter or variable the environment does not know."""

    def __init__(self, name: str, file: str = "", line: int = 0) -> None:
        super().__init__(f"unknown name {name}", file, line)
        self.name = name


class RowError(ExprError):
    """ERROR() or a failed conversion: PowerCenter rejects the row and the session continues."""


class AbortSession(ExprError):
    """ABORT(): PowerCenter stops the session."""


class Unsupported(ExprError):
    """A construct that cannot be translated to native PySpark with exactly the same result."""

    def __init__(self, message: str, position: int = 0, file: str = "", line: int = 0) -> None:
        super().__init__(message, file, line)
        self.position = position
