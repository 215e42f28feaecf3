"""Parser of the transformation language: precedence climbing over the tokens, to :mod:`nodes`.

Precedence, lowest first (all binary operators left-associative): ``OR``; ``AND``; ``= <> != ^=``;
``< <= > >=``; ``||``; ``+ -``; ``* / %``; unary ``+ - NOT``. The SQL form ``x [NOT] IN (a, b)``, which
PowerCenter's Designer rejects but some exports contain, is read as ``[NOT] IN(x, a, b)`` at the level of
``=``.
"""

from __future__ import annotations

from decimal import Decimal

from infaflow.expr.constants import constant
from infaflow.expr.nodes import Binary, Call, Literal, Name, Node, RefCall, Source, Unary
from infaflow.expr.tokens import Token, syntax_error, tokenize

#: binary operator -> precedence level (higher binds tighter)
BINARY_PRECEDENCE: dict[str, int] = {
    "OR": 1,
    "AND": 2,
    "=": 3,
    "<>": 3,
    "!=": 3,
    "^=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "||": 5,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
    "%": 7,
}
_WORD_OPERATORS = {"AND", "OR"}
#: zero-argument built-ins that are written without parentheses
NILADIC = {"SYSDATE", "SESSSTARTTIME", "SYSTIMESTAMP"}


def parse(text: str, file: str = "", line: int = 0) -> Node:
    """Parse an expression to its AST; raises ExprSyntaxError (an InputError) with line:column on bad syntax.

    ``file`` and ``line`` say where the text comes from (the XML file and the line of its attribute) so that
    errors read ``file:line: ...``. An expression made only of comments (``--IIF(...)``, logic commented out)
    is an empty expression: NULL (a Literal of kind ``empty``), as an output port without an expression.
    """
    source = Source(text, file, line)
    parser = _Parser(source, tokenize(source))
    if parser.peek().kind == "EOF":
        if text.strip():  # only comments: the logic was commented out
            return Literal(None, kind="empty", pos=0, source=source)
        raise syntax_error(source, 0, "empty expression")
    node = parser.expression(0)
    token = parser.peek()
    if token.kind != "EOF":
        raise syntax_error(source, token.pos, f"unexpected {_describe(token)}")
    return node


def _describe(token: Token) -> str:
    if token.kind == "EOF":
        return "end of expression"
    if token.kind == "STR":
        return f"string '{token.value}'"
    if token.kind == "REF":
        return f":{token.value[0]}.{token.value[1]}"
    return repr(token.value)


class _Parser:
    def __init__(self, source: Source, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, value: str) -> Token:
        token = self.peek()
        if token.kind != "OP" or token.value != value:
            raise syntax_error(self.source, token.pos, f"expected '{value}', found {_describe(token)}")
        return self.advance()

    def binary_operator(self) -> str | None:
        token = self.peek()
        if token.kind == "OP" and token.value in BINARY_PRECEDENCE:
            return token.value
        if token.kind == "IDENT" and token.value.upper() in _WORD_OPERATORS:
            return token.value.upper()
        return None

    def infix_in(self) -> bool | None:
        """At ``x IN (...)`` / ``x NOT IN (...)`` (SQL style, seen in exports): True for NOT IN, False for
        IN, None otherwise."""
        token, following = self.peek(), self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        if token.kind != "IDENT":
            return None
        word = token.value.upper()
        if word == "IN" and following.kind == "OP" and following.value == "(":
            return False
        if word == "NOT" and following.kind == "IDENT" and following.value.upper() == "IN":
            return True
        return None

    def expression(self, min_level: int) -> Node:
        left = self.unary()
        while True:
            negated = self.infix_in()
            if negated is not None and BINARY_PRECEDENCE["="] > min_level:
                token = self.advance()
                if negated:
                    self.advance()
                self.expect("(")
                node: Node = Call("IN", [left, *self.arguments()], pos=token.pos, source=self.source)
                left = Unary("NOT", node, pos=token.pos, source=self.source) if negated else node
                continue
            op = self.binary_operator()
            if op is None:
                return left
            level = BINARY_PRECEDENCE[op]
            if level <= min_level:
                return left
            token = self.advance()
            right = self.expression(level)
            left = Binary(op, left, right, pos=token.pos, source=self.source)

    def unary(self) -> Node:
        token = self.peek()
        if token.kind == "OP" and token.value in ("-", "+"):
            self.advance()
            operand = self.unary()
            if (
                token.value == "-"
                and isinstance(operand, Literal)
                and isinstance(operand.value, (int, Decimal))
                and not operand.kind
            ):
                return Literal(-operand.value, pos=token.pos, source=self.source)
            return Unary(token.value, operand, pos=token.pos, source=self.source)
        if token.kind == "IDENT" and token.value.upper() == "NOT":
            self.advance()
            return Unary("NOT", self.unary(), pos=token.pos, source=self.source)
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        src = self.source
        if token.kind == "NUM":
            text = token.value
            value: int | Decimal = int(text) if text.isdigit() else Decimal(text)
            return Literal(value, pos=token.pos, source=src)
        if token.kind == "STR":
            return Literal(token.value, pos=token.pos, source=src)
        if token.kind == "VAR":
            return Name(token.value, pos=token.pos, source=src)
        if token.kind == "REF":
            kind, name = token.value
            self.expect("(")
            args = self.arguments()
            return RefCall(kind, name, args, pos=token.pos, source=src)
        if token.kind == "OP" and token.value == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if token.kind == "IDENT":
            word = token.value
            upper = word.upper()
            following = self.peek()
            if following.kind == "OP" and following.value == "(":
                self.advance()
                if upper == "COUNT" and self.peek().kind == "OP" and self.peek().value == "*":
                    self.advance()
                    rest: list[Node] = []
                    if self.peek().kind == "OP" and self.peek().value == ",":
                        self.advance()
                        rest = self.arguments()
                    else:
                        self.expect(")")
                    return Call(upper, rest, star=True, pos=token.pos, source=src)
                return Call(upper, self.arguments(), pos=token.pos, source=src)
            if upper == "NULL":
                return Literal(None, pos=token.pos, source=src)
            if upper in ("AND", "OR", "NOT"):
                raise syntax_error(src, token.pos, f"expected an operand, found {upper}")
            found = constant(word)
            if found is not None:
                return Literal(found[0], kind=found[1], pos=token.pos, source=src)
            if upper in NILADIC:
                return Call(upper, [], pos=token.pos, source=src)
            return Name(word, pos=token.pos, source=src)
        raise syntax_error(src, token.pos, f"expected an operand, found {_describe(token)}")

    def arguments(self) -> list[Node]:
        """Comma-separated arguments up to and including the closing parenthesis."""
        args: list[Node] = []
        if self.peek().kind == "OP" and self.peek().value == ")":
            self.advance()
            return args
        while True:
            args.append(self.expression(0))
            token = self.peek()
            if token.kind == "OP" and token.value == ",":
                self.advance()
                continue
            if token.kind == "OP" and token.value == ")":
                self.advance()
                return args
            raise syntax_error(self.source, token.pos, f"expected ',' or ')', found {_describe(token)}")
