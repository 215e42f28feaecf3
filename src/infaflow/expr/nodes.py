"""AST node classes of the transformation language.

Every node keeps ``pos`` (0-based offset into the expression text) and ``source`` (the text with its file and
line), so errors raised later (evaluation, translation) can point at the spot. Nodes are plain dataclasses;
``_fn`` caches the compiled evaluator and is not part of equality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """The text an expression was parsed from and where it lives (file, first line)."""

    text: str
    file: str = ""
    line: int = 0

    def line_col(self, pos: int) -> tuple[int, int]:
        """1-based line and column of ``pos`` within the text."""
        before = self.text[:pos]
        line = before.count("\n") + 1
        col = pos - (before.rfind("\n") + 1) + 1
        return line, col

    def file_line(self, pos: int) -> int:
        """The line of ``pos`` in the file (0 when the file line is unknown)."""
        if not self.line:
            return 0
        return self.line + self.text[:pos].count("\n")

    def pointer(self, pos: int) -> str:
        """The source line holding ``pos`` and a caret under it."""
        start = self.text.rfind("\n", 0, pos) + 1
        end = self.text.find("\n", pos)
        end = len(self.text) if end < 0 else end
        text = self.text[start:end].rstrip("\r")
        return f"  {text}\n  {' ' * (pos - start)}^"

    def where(self, pos: int) -> str:
        """``line:column`` of ``pos`` inside the expression."""
        line, col = self.line_col(pos)
        return f"{line}:{col}"


_NO_SOURCE = Source("")


@dataclass(eq=False)
class Node:
    """Base of every AST node."""

    pos: int = field(default=0, kw_only=True)
    source: Source = field(default=_NO_SOURCE, kw_only=True, repr=False)
    _fn: Callable[[Any], Any] | None = field(default=None, init=False, repr=False, compare=False)

    def children(self) -> list[Node]:
        """Direct sub-expressions."""
        return []


@dataclass(eq=False)
class Literal(Node):
    """A constant: string, integer, Decimal (decimal literal), NULL (None). ``kind`` tags
    TRUE/FALSE/status."""

    value: Any
    kind: str = ""  # "", "boolean", "status", "dd", "empty" (an expression of comments only: NULL)


@dataclass(eq=False)
class Name(Node):
    """A port (``PRICE``), parameter or variable (``$$LoadDate``, ``$s1.Status``, ``$PMRootDir``)."""

    name: str


@dataclass(eq=False)
class Unary(Node):
    """``-x``, ``+x``, ``NOT x``."""

    op: str
    operand: Node

    def children(self) -> list[Node]:
        return [self.operand]


@dataclass(eq=False)
class Binary(Node):
    """An operator between two operands; ``op`` is upper case (``+``, ``||``, ``<>``, ``AND``...)."""

    op: str
    left: Node
    right: Node

    def children(self) -> list[Node]:
        return [self.left, self.right]


@dataclass(eq=False)
class Call(Node):
    """A built-in function call; ``name`` upper case. ``star`` is set for ``COUNT(*)``."""

    name: str
    args: list[Node]
    star: bool = False

    def children(self) -> list[Node]:
        return list(self.args)


@dataclass(eq=False)
class RefCall(Node):
    """``:LKP.name(args)``, ``:SP.name(args)``, ``:UDF.name(args)``, ``:MCR.name(args)``; ``kind`` upper
    case."""

    kind: str
    name: str
    args: list[Node]

    def children(self) -> list[Node]:
        return list(self.args)


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def to_text(node: Node) -> str:
    """Canonical text of a tree (keywords upper case, minimal parentheses are not attempted)."""
    if isinstance(node, Literal):
        if node.value is None:
            return "NULL"
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "''") + "'"
        return str(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        inner = to_text(node.operand)
        sep = " " if node.op == "NOT" or inner.startswith(("-", "+", "/")) else ""  # "--" starts a comment
        return f"{node.op}{sep}{inner}"
    if isinstance(node, Binary):
        return f"({to_text(node.left)} {node.op} {to_text(node.right)})"
    if isinstance(node, Call):
        inner = "*" if node.star else ", ".join(to_text(a) for a in node.args)
        return f"{node.name}({inner})"
    if isinstance(node, RefCall):
        return f":{node.kind}.{node.name}({', '.join(to_text(a) for a in node.args)})"
    raise TypeError(type(node).__name__)


def is_proc_result(node: Node) -> bool:
    """The reserved argument ``PROC_RESULT`` of a ``:SP`` call (where the call's output goes)."""
    return isinstance(node, Name) and node.name.upper() == "PROC_RESULT"
