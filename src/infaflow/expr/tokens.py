"""Tokenizer of the transformation language.

Kinds: ``NUM`` (text of a number), ``STR`` (unquoted string value), ``IDENT`` (port, function or keyword),
``VAR`` (``$$param``, ``$var``, ``$Task.Attr``); identifiers may be qualified (``LKP_X.PORT``), ``REF``
(``:LKP.name``; value ``(kind, name)``), ``OP`` (operators and punctuation), ``EOF``. Comments ``--`` and
``//`` run to the end of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infaflow.expr.errors import ExprSyntaxError
from infaflow.expr.nodes import Source


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, value and offset in the text."""

    kind: str
    value: Any
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>(?:--|//)[^\n]*)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>'(?:[^']|'')*')
  | (?P<ref>:[A-Za-z_]+\s*\.\s*[A-Za-z_][\w#$@]*)
  | (?P<var>\$+[A-Za-z_0-9][\w#@]*(?:\.[A-Za-z_][\w#@]*)*)
  | (?P<ident>(?:[A-Za-z_]|[^\x00-\x7f])(?:[\w#$@]|[^\x00-\x7f])*
             (?:\.(?:[A-Za-z_]|[^\x00-\x7f])(?:[\w#$@]|[^\x00-\x7f])*)*)
  | (?P<op><=|>=|<>|!=|\^=|\|\||[-+*/%<>=(),])
    """,
    re.VERBOSE,
)


def tokenize(source: Source) -> list[Token]:
    """Split ``source.text`` into tokens; raises ExprSyntaxError pointing at the first bad character."""
    text = source.text
    tokens: list[Token] = []
    pos = 0
    end = len(text)
    match = _TOKEN_RE.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            ch = text[pos]
            what = "unterminated string" if ch == "'" else f"unexpected character {ch!r}"
            raise syntax_error(source, pos, what)
        kind = m.lastgroup
        value = m.group()
        if kind == "num":
            tokens.append(Token("NUM", value, pos))
        elif kind == "str":
            tokens.append(Token("STR", value[1:-1].replace("''", "'"), pos))
        elif kind == "ref":
            ref_kind, _, name = value[1:].partition(".")
            tokens.append(Token("REF", (ref_kind.strip().upper(), name.strip()), pos))
        elif kind == "var":
            tokens.append(Token("VAR", value, pos))
        elif kind == "ident":
            tokens.append(Token("IDENT", value, pos))
        elif kind == "op":
            tokens.append(Token("OP", value, pos))
        pos = m.end()
    tokens.append(Token("EOF", None, end))
    return tokens


def syntax_error(source: Source, pos: int, message: str) -> ExprSyntaxError:
    """An ExprSyntaxError at ``pos``: message with line:column, file line, and a pointer to the spot."""
    return ExprSyntaxError(
        f"syntax error at {source.where(pos)}: {message}",
        source.file,
        source.file_line(pos),
        column=source.line_col(pos)[1],
        pointer=source.pointer(pos),
    )
