"""Date formats in Spark beyond Spark's own patterns: every token, and formats held in a column.

Spark's datetime patterns cover most tokens (:func:`infaflow.expr.dateformat.spark_format_pattern`); the
others (J, SSSSS, YYY, Y, D, A.M., and reading RR, DY, DAY, NS, Q...) and formats that are not literals
(a port, a ``$$parameter``, an expression) are built here from native functions only, with the evaluator's
rules (:mod:`infaflow.expr.dateformat`):

- writing (TO_CHAR): each token becomes the text of one date field, concatenated. A format held in a column
  is split into tokens at run time with ``regexp_extract_all`` (the tokenizer's rules as one regex) and
  each token is mapped to its text with a CASE;
- reading (TO_DATE, IS_DATE): the format becomes the regex of :func:`~infaflow.expr.dateformat.parse_regex`
  (one group per token, optional time part), built in Python for a literal format and at run time for a
  column; the groups are folded into year, month, day... by the same per-token rules, then
  ``try_make_timestamp``. A string that does not match, or an impossible date, gives NULL.

RR, YY, YYY and Y complete the year from the current year (the context's ``now``), as the evaluator does.
"""

from __future__ import annotations

import re

from infaflow.expr.dateformat import (
    JULIAN_OFFSET,
    NAME_FIELDS,
    PUNCTUATION_CLASS,
    SPARK_FORMAT,
    TIME_TOKENS,
    TOKEN_WIDTH,
    TOKENS,
    VARIABLE_WIDTH_TOKENS,
    Item,
    opens_optional,
    parse_regex,
    spark_text,
    tokenize_format,
)
from infaflow.expr.fragments import Code, let, let_all, py

#: days from the Julian day 0 to 1970-01-01 (Spark's unix date 0)
UNIX_JULIAN_DAY = 2440588
#: the largest Julian day PowerCenter reads (Dec 31, 9999)
LAST_JULIAN_DAY = 3652059 + JULIAN_OFFSET

# ---------------------------------------------------------------- writing

#: tokens Spark's date_format has no letter for: the code of their text from a date ``{d}``
_SPECIAL_TEXT = {
    "YYY": 'F.lpad((F.year({d}) % 1000).cast("string"), 3, "0")',
    "Y": '(F.year({d}) % 10).cast("string")',
    "D": 'F.dayofweek({d}).cast("string")',
    "SSSSS": 'F.lpad((F.hour({d}) * 3600 + F.minute({d}) * 60 + F.second({d})).cast("string"), 5, "0")',
    "J": f'(F.unix_date(F.to_date({{d}})) + {UNIX_JULIAN_DAY}).cast("string")',
    "A.M.": 'F.when(F.hour({d}) < 12, F.lit("A.M.")).otherwise(F.lit("P.M."))',
    "P.M.": 'F.when(F.hour({d}) < 12, F.lit("A.M.")).otherwise(F.lit("P.M."))',
}


def token_text(token: str, d: str) -> str:
    """Code of the text one token writes for the date ``d``."""
    if token in _SPECIAL_TEXT:
        return _SPECIAL_TEXT[token].format(d=d)
    return f"F.date_format({d}, {py(SPARK_FORMAT[token])})"


def format_static(d: Code, fmt: str) -> Code:
    """TO_CHAR(date, 'literal format') for a format with tokens Spark's patterns lack: runs of tokens Spark
    writes become one ``date_format``, the others their own code, concatenated."""

    def build(date: Code) -> Code:
        pieces: list[str] = []
        run: list[str] = []
        for item in tokenize_format(fmt):
            if item.kind == "token" and item.value in _SPECIAL_TEXT:
                if run:
                    pieces.append(f"F.date_format({date}, {py(''.join(run))})")
                    run = []
                pieces.append(token_text(item.value, date.text))
            elif item.kind == "token":
                run.append(SPARK_FORMAT[item.value])
            else:
                run.append(spark_text(item.value))
        if run:
            pieces.append(f"F.date_format({date}, {py(''.join(run))})")
        if len(pieces) == 1:
            return Code(pieces[0], "string")
        return Code(f"F.concat({', '.join(pieces)})", "string")

    return let(d, build)


#: the tokenizer of :func:`infaflow.expr.dateformat.tokenize_format` as one regex: quoted text (with the
#: separators after it), separators, tokens (longest first), and any other letter (an invalid format)
TOKEN_REGEX = '(?i)"[^"]*"?[^\\p{L}"]*|[^\\p{L}"]+|' + "|".join(re.escape(t) for t in TOKENS) + "|\\p{L}"
_SINGLE_LETTER_TOKENS = [t for t in TOKENS if len(t) == 1]


_TEXT_START = py("^[^\\p{L}]")  # text starts with anything but a letter (tokens start with letters)
_ONE_LETTER = py("^\\p{L}$")


def _tokens(fmt: Code) -> str:
    return f"F.regexp_extract_all({fmt}, F.lit({py(TOKEN_REGEX)}), 0)"


def _is_text(t: str) -> str:
    return f"{t}.rlike({_TEXT_START})"


def _invalid(t: str) -> str:
    letters = ", ".join(py(x) for x in _SINGLE_LETTER_TOKENS)
    return f"((F.length({t}) == 1) & {t}.rlike({_ONE_LETTER}) & ~F.upper({t}).isin({letters}))"


_QUOTED = py('^"([^"]*)"?')


def _text_value(t: str) -> str:
    return f'F.regexp_replace({t}, {_QUOTED}, "$1")'


def format_dynamic(tr_row_error: str, d: Code, fmt: Code, fresh: str) -> Code:
    """TO_CHAR(date, format_column): the format split into tokens at run time, each written by its CASE
    branch; a format with an invalid token is a row error (``tr_row_error``)."""
    t = fresh

    def build(bound: list[Code]) -> Code:
        date, toks = bound
        cases = "".join(
            f".when(F.upper({t}) == {py(token)}, {token_text(token, date.text)})" for token in TOKENS
        )
        mapped = f"F.transform({toks}, lambda {t}: F{cases}.otherwise({_text_value(t)}))"
        return Code(
            f"F.when({date}.isNotNull() & F.exists({toks}, lambda {t}: {_invalid(t)}), {tr_row_error})"
            f'.when({date}.isNotNull(), F.array_join({mapped}, ""))',
            "string",
        )

    return let_all([d, Code(_tokens(fmt), "array")], build)


# ---------------------------------------------------------------- reading

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTH_NAMES = [
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
]


def _month_position(names: list[str], v: str) -> str:
    return (
        f'F.array_position(F.array({", ".join(f"F.lit({py(n)})" for n in names)}), F.upper({v})).cast("int")'
    )


def _century(cur: str) -> str:
    return f"({cur} - {cur} % 100)"


def _rr(n: str, cur: str) -> str:
    c = _century(cur)
    return (
        f"F.when({cur} % 100 < 50, F.when({n} < 50, {c} + {n}).otherwise({c} - 100 + {n}))"
        f".otherwise(F.when({n} < 50, {c} + 100 + {n}).otherwise({c} + {n}))"
    )


def _updates(token: str, v: str, n: str, cur: str, bad: str) -> dict[str, str]:
    """How reading one token changes the date being built (fields y m d h mi s us pm hh yd j bad): the
    rules of ``dateformat._build``. ``v``: the text read, ``n``: it as an int, ``cur``: the current year,
    ``bad``: the invalid flag so far."""
    if token == "YYYY":
        return {"y": n}
    if token in ("YYY", "Y"):
        unit = 10 ** len(token)
        return {"y": f"({cur} - {cur} % {unit} + {n})"}
    if token == "YY":
        return {"y": f"({_century(cur)} + {n})"}
    if token == "RR":
        return {"y": _rr(n, cur)}
    if token == "MM":
        return {"m": n}
    if token in ("MON", "MONTH"):
        position = _month_position(_MONTHS if token == "MON" else _MONTH_NAMES, v)
        return {"m": position, "bad": f"({bad} | ({position} == 0))"}
    if token == "DD":
        return {"d": n}
    if token == "DDD":
        return {"yd": n}
    if token in ("HH", "HH12"):
        return {"h": n, "hh": "F.lit(True)", "bad": f"({bad} | ({n} < 1) | ({n} > 12))"}
    if token == "HH24":
        return {"h": n}
    if token == "MI":
        return {"mi": n}
    if token == "SS":
        return {"s": n}
    if token == "SSSSS":
        return {"h": f'({n} / 3600).cast("int")', "mi": f'({n} % 3600 / 60).cast("int")', "s": f"({n} % 60)"}
    if token == "MS":
        return {"us": f"({n} * 1000)"}
    if token == "US":
        return {"us": n}
    if token == "NS":
        return {"us": f'({n} / 1000).cast("int")'}
    if token in ("AM", "PM", "A.M.", "P.M."):
        return {"pm": f'F.upper({v}).startswith("P")'}
    if token == "J":
        return {"j": n}
    return {}  # Q, D, DY, DAY: read, not checked


_START = {
    "y": "F.lit(1900)",
    "m": "F.lit(1)",
    "d": "F.lit(1)",
    "h": "F.lit(0)",
    "mi": "F.lit(0)",
    "s": "F.lit(0)",
    "us": "F.lit(0)",
    "pm": "F.lit(False)",
    "hh": "F.lit(False)",
    "yd": 'F.lit(None).cast("int")',
    "j": 'F.lit(None).cast("int")',
    "bad": "F.lit(False)",
}


_FALSE = "F.lit(False)"


def _finish(f: dict[str, str]) -> str:
    """The timestamp of the folded fields, NULL when invalid (as ``datetime()`` refuses it). Fields still
    at their start value drop out of the code (a literal format sets few of them)."""
    hour = (
        f["h"]
        if f["hh"] == _FALSE
        else f"F.when({f['hh']}, {f['h']} % 12 + F.when({f['pm']}, F.lit(12)).otherwise(F.lit(0)))"
        f".otherwise({f['h']})"
    )
    secs = f'({f["s"]} + {f["us"]} / 1000000).cast("decimal(8,6)")' if f["us"] != "F.lit(0)" else f["s"]
    year_ok = f"{f['y']}.between(1, 9999)"
    days = []
    if f["j"] != _START["j"]:
        julian_ok = f"{f['j']}.between({JULIAN_OFFSET + 1}, {LAST_JULIAN_DAY})"
        days.append(
            f"F.when({f['j']}.isNotNull(), F.when({julian_ok}, "
            f"F.date_from_unix_date({f['j']} - {UNIX_JULIAN_DAY})))"
        )
    if f["yd"] != _START["yd"]:
        by_yday = f"F.date_add(F.make_date({f['y']}, F.lit(1), F.lit(1)), {f['yd']} - 1)"
        days.append(f"F.when({f['yd']}.isNotNull(), F.when({year_ok}, {by_yday}))")
    made = f"F.when({year_ok}, F.try_make_timestamp({f['y']}, {f['m']}, {f['d']}, {hour}, {f['mi']}, {secs}))"
    if days:
        day = days[0] if len(days) == 1 else f"F.coalesce({', '.join(days)})"
        by_day = (
            f"F.element_at(F.transform(F.array({day}), lambda dd: F.when(F.year(dd).between(1, 9999), "
            "F.try_make_timestamp(F.year(dd), F.month(dd), F.dayofmonth(dd), "
            f"{hour}, {f['mi']}, {secs}))), 1)"
        )
        given = " | ".join(f"{f[k]}.isNotNull()" for k in ("j", "yd") if f[k] != _START[k])
        made = f"F.when({given}, {by_day}).otherwise({made})"
    checks = [f"~{f['bad']}"] if f["bad"] != _FALSE else []
    if f["s"] != "F.lit(0)":
        checks.append(f"({f['s']} <= 59)")
    return f"F.when({' & '.join(checks)}, {made})" if checks else made


#: joins the groups of a match in one string (a character no group can hold: groups are digits, letters, dots)
_GROUP_SEPARATOR = "\u0001"


def parse_static(s: Code, fmt: str, now: str) -> Code:
    """The date read from ``s`` with a literal format (NULL when it does not match or is impossible): the
    format's regex is applied once, its groups split into an array, then folded token by token."""
    items = tokenize_format(fmt)
    regex = "^" + parse_regex(items) + "\\z"
    tokens = [it.value for it in items if it.kind == "token"]
    replacement = _GROUP_SEPARATOR.join(f"${g}" for g in range(1, len(tokens) + 1))

    def build(c: Code) -> Code:
        cur = f"F.year({now})"
        groups = Code(
            f"F.split(F.regexp_replace({c}, {py(regex)}, {replacement!r}), {_GROUP_SEPARATOR!r})", "array"
        )

        def fold(g: Code) -> Code:
            fields = dict(_START)
            for group, token in enumerate(tokens, start=1):
                v = f"F.element_at({g}, {group})"
                n = f'{v}.try_cast("int")'
                for name, code in _updates(token, v, n, cur, fields["bad"]).items():
                    # a group of the optional time part is "" when the input stops before it
                    fields[name] = (
                        f'F.when({v} != "", {code}).otherwise({fields[name]})'
                        if _optional(items, group)
                        else code
                    )
            return let(Code(fields["y"], "integer"), lambda y: Code(_finish({**fields, "y": y.text}), "date"))

        return Code(f"F.when({c}.rlike({py(regex)}), {let(groups, fold)})", "date")

    return let(s, build)


def _optional(items: tuple[Item, ...], group: int) -> bool:
    """Whether the ``group``-th token lies after a place where the input may stop."""
    seen = 0
    for i, item in enumerate(items):
        if item.kind == "text" and opens_optional(items, i):
            return True
        if item.kind == "token":
            seen += 1
            if seen == group:
                return False
    return False


def _field_regex_case(t: str, variable: str) -> str:
    """Run-time regex of a token ``t`` (upper case), ``variable``: a numeric field between separators."""
    branches = [f".when({t} == {py(token)}, F.lit({py(regex)}))" for token, regex in NAME_FIELDS.items()]
    for token, width in TOKEN_WIDTH.items():
        fixed = py(f"([0-9]{{{width}}})")
        if token in VARIABLE_WIDTH_TOKENS:
            branches.append(
                f".when({t} == {py(token)}, F.when({variable}, F.lit({py(f'([0-9]{{1,{width}}})')}))"
                f".otherwise(F.lit({fixed})))"
            )
        else:
            branches.append(f".when({t} == {py(token)}, F.lit({fixed}))")
    return "F" + "".join(branches)


_PUNCTUATION = py("(" + PUNCTUATION_CLASS + ")")
_ESCAPED = py("\\\\$1")  # Java replacement: a backslash, then the character


def _dynamic_regex(toks: str, t: str, i: str) -> str:
    """Run-time form of :func:`~infaflow.expr.dateformat.parse_regex` over the token array ``toks``."""
    prev = f"F.when({i} > 0, F.element_at({toks}, {i}))"
    nxt = f"F.try_element_at({toks}, {i} + 2)"
    time_tokens = ", ".join(py(x) for x in sorted(TIME_TOKENS))
    opens = (
        f"(({i} >= 1) & {_is_text(t)} & {nxt}.isNotNull() & ~{_is_text(nxt)} "
        f"& F.upper({nxt}).isin({time_tokens}))"
    )
    variable = (
        f"(F.upper({t}).isin({', '.join(py(x) for x in sorted(VARIABLE_WIDTH_TOKENS))}) "
        f"& F.coalesce({_is_text(prev)}, F.lit(True)) & F.coalesce({_is_text(nxt)}, F.lit(True)))"
    )
    text = f"F.regexp_replace({_text_value(t)}, {_PUNCTUATION}, {_ESCAPED})"
    piece = f"F.when({_is_text(t)}, {text}).otherwise({_field_regex_case(f'F.upper({t})', variable)})"
    pieces = (
        f"F.transform({toks}, lambda {t}, {i}: "
        f"F.concat(F.when({opens}, F.lit('(?:')).otherwise(F.lit('')), {piece}))"
    )
    count = f"F.size(F.filter(F.transform({toks}, lambda {t}, {i}: {opens}), lambda o: o))"
    return f'F.concat(F.lit("^"), F.array_join({pieces}, ""), F.repeat(F.lit(")?"), {count}), F.lit("\\\\z"))'


def parse_dynamic(s: Code, fmt: Code, now: str, fresh: str) -> Code:
    """The date read from ``s`` with a format held in a column: the regex built at run time, then the
    groups folded with the per-token rules (NULL when it does not match, is impossible, or the format has
    an invalid token)."""
    t, i, acc, x = f"{fresh}t", f"{fresh}i", f"{fresh}a", f"{fresh}x"
    cur = f"F.year({now})"

    def build(bound: list[Code]) -> Code:
        c, toks = bound
        regex = Code(_dynamic_regex(toks.text, t, i), "string")

        def with_regex(r: Code) -> Code:
            fields = f"F.filter({toks}, lambda {t}: ~{_is_text(t)})"
            value = f"F.try_element_at(F.regexp_extract_all({c}, {r}, {i} + 1), F.lit(1))"
            pairs = (
                f'F.transform({fields}, lambda {t}, {i}: F.struct(F.when({value} != "", F.upper({t}))'
                f'.alias("k"), {value}.alias("v")))'
            )
            names = list(_START)
            merged: dict[str, str] = {}
            for name in names:
                branches = []
                for token in TOKENS:
                    upd = _updates(token, f'{x}["v"]', f'{x}["v"].try_cast("int")', cur, f'{acc}["bad"]')
                    if name in upd:
                        branches.append(f'.when({x}["k"] == {py(token)}, {upd[name]})')
                current = f'{acc}["{name}"]'
                merged[name] = ("F" + "".join(branches) + f".otherwise({current})") if branches else current
            start = "F.struct(" + ", ".join(f"{code}.alias({py(n)})" for n, code in _START.items()) + ")"
            step = "F.struct(" + ", ".join(f"{merged[n]}.alias({py(n)})" for n in names) + ")"
            final = {n: f'{acc}["{n}"]' for n in names}
            folded = (
                f"F.aggregate({pairs}, {start}, lambda {acc}, {x}: {step}, lambda {acc}: {_finish(final)})"
            )
            return Code(
                f"F.when(F.regexp_like({c}, {r}) & ~F.exists({toks}, lambda {t}: {_invalid(t)}), {folded})",
                "date",
            )

        return let(regex, with_regex)

    return let_all([s, Code(_tokens(fmt), "array")], build)
