"""Parser: literals, names, operators with PowerCenter's precedence, calls, comments, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from infaflow.errors import InputError
from infaflow.expr import Call, ExprSyntaxError, Literal, Name, RefCall, lookups, parse, references, to_text


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b * c % d", "(((a / b) * c) % d)"),
        ("a || b + c", "(a || (b + c))"),
        ("a || b < c", "((a || b) < c)"),
        ("a < b = c > d", "((a < b) = (c > d))"),
        ("a = b AND c <> d OR e != f AND g ^= h", "(((a = b) AND (c <> d)) OR ((e != f) AND (g ^= h)))"),
        ("NOT a = b", "(NOT a = b)"),  # unary NOT binds tighter than comparisons
        ("- a * b", "(-a * b)"),
        ("-5 + +x", "(-5 + +x)"),
        ("a OR b OR c", "((a OR b) OR c)"),
        ("a and b or not c", "((a AND b) OR NOT c)"),
        ("a <= b", "(a <= b)"),
        ("a >= b", "(a >= b)"),
    ],
)
def test_precedence_and_associativity(text: str, canonical: str) -> None:
    assert to_text(parse(text)) == canonical


def test_sql_style_in() -> None:
    assert to_text(parse("A IN ('1', '2') AND B = 1")) == "(IN(A, '1', '2') AND (B = 1))"
    assert to_text(parse("A + 1 NOT IN (2, 3)")) == "NOT IN((A + 1), 2, 3)"
    assert to_text(parse("ISNULL(A) OR IN(A, 1, 2)")) == "(ISNULL(A) OR IN(A, 1, 2))"
    assert to_text(parse("A < B IN (1, 0)")) == "IN((A < B), 1, 0)"


def test_literals() -> None:
    assert parse("'it''s'").value == "it's"  # type: ignore[attr-defined]
    assert parse("''").value == ""  # type: ignore[attr-defined]
    assert parse("42").value == 42  # type: ignore[attr-defined]
    assert parse("3.25").value == Decimal("3.25")  # type: ignore[attr-defined]
    assert parse(".5").value == Decimal("0.5")  # type: ignore[attr-defined]
    assert parse("1e3").value == Decimal("1e3")  # type: ignore[attr-defined]
    null = parse("null")
    assert isinstance(null, Literal) and null.value is None


@pytest.mark.parametrize(
    ("word", "value", "kind"),
    [
        ("TRUE", 1, "boolean"),
        ("false", 0, "boolean"),
        ("DD_INSERT", 0, "dd"),
        ("DD_UPDATE", 1, "dd"),
        ("DD_DELETE", 2, "dd"),
        ("DD_REJECT", 3, "dd"),
        ("Succeeded", 1, "status"),
        ("FAILED", 3, "status"),
        ("aborted", 5, "status"),
        ("STOPPED", 4, "status"),
        ("DISABLED", 2, "status"),
        ("NOTSTARTED", 0, "status"),
    ],
)
def test_constants(word: str, value: int, kind: str) -> None:
    node = parse(word)
    assert isinstance(node, Literal) and node.value == value and node.kind == kind


def test_names() -> None:
    for text in (
        "PORT_A",
        "$$Param",
        "$PMRootDir",
        "$s_load.Status",
        "$$$SessStartTime",
        "LKP_X.PORT",
        "名前",
        "A#1",
    ):
        node = parse(text)
        assert isinstance(node, Name) and node.name == text


def test_calls_are_case_insensitive_and_multiline() -> None:
    node = parse("iif(\r\n  isnull(A),\n  'x',\t-- comment\n  B // other comment\n)")
    assert isinstance(node, Call) and node.name == "IIF" and len(node.args) == 3
    assert isinstance(node.args[0], Call) and node.args[0].name == "ISNULL"


def test_comment_only_line_and_trailing_comment() -> None:
    assert to_text(parse("-- header\nA + 1 -- tail")) == "(A + 1)"


def test_count_star_and_niladic() -> None:
    node = parse("COUNT(*)")
    assert isinstance(node, Call) and node.star and node.args == []
    node = parse("COUNT(*, A > 1)")
    assert isinstance(node, Call) and node.star and len(node.args) == 1
    assert to_text(parse("SYSDATE")) == "SYSDATE()"
    assert to_text(parse("SESSSTARTTIME")) == "SESSSTARTTIME()"


def test_lookup_and_procedure_references() -> None:
    node = parse(":LKP.lkp_rate(CURRENCY, DATE_ID)")
    assert (
        isinstance(node, RefCall) and node.kind == "LKP" and node.name == "lkp_rate" and len(node.args) == 2
    )
    node = parse(":sp.GET_ID(A, PROC_RESULT)")
    assert isinstance(node, RefCall) and node.kind == "SP"
    node = parse("IIF(:LKP.l(A), $$P, $s.Status + :SP.p(B))")
    assert references(node) == {"A", "$$P", "$s.Status", "B"}
    assert lookups(node) == {":LKP.l", ":SP.p"}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("IIF(a, 1,\n  2 3)", "2:5", "expected ',' or ')'"),
        ("a +", "1:4", "expected an operand"),
        ("'open", "1:1", "unterminated string"),
        ("a ? b", "1:3", "unexpected character '?'"),
        ("(a", "1:3", "expected ')'"),
        ("", "1:1", "empty expression"),
        ("a b", "1:3", "unexpected 'b'"),
        ("AND a", "1:1", "expected an operand"),
    ],
)
def test_syntax_errors_point_at_the_spot(text: str, where: str, message: str) -> None:
    with pytest.raises(ExprSyntaxError) as info:
        parse(text, file="m.xml", line=10)
    error = info.value
    assert isinstance(error, InputError)
    assert f"syntax error at {where}: {message}" in error.message
    line, column = (int(x) for x in where.split(":"))
    assert error.file == "m.xml" and error.line == 10 + line - 1 and error.column == column
    assert error.pointer.splitlines()[1].index("^") == column + 1  # two spaces of indentation
    assert str(error).startswith(f"m.xml:{10 + line - 1}: ")


@pytest.mark.parametrize("text", ["--TRUNC(X)", "// old logic", "-- IIF(A, B)\n// C", "  --x\n  "])
def test_an_expression_of_comments_only_is_null(text: str) -> None:
    from infaflow.expr import DictEnvironment, evaluate, to_pyspark

    node = parse(text, file="m.xml", line=3)
    assert isinstance(node, Literal) and node.value is None and node.kind == "empty"
    assert evaluate(node, DictEnvironment()) is None
    assert to_pyspark(node) == "F.lit(None)"


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_expression_without_text_is_a_syntax_error(text: str) -> None:
    with pytest.raises(ExprSyntaxError, match="empty expression"):
        parse(text)
