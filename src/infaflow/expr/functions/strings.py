"""String functions: LENGTH, UPPER, LOWER, INITCAP, LTRIM, RTRIM, LPAD, RPAD, SUBSTR, INSTR, CONCAT, CHR,
ASCII, REVERSE, REPLACECHR, REPLACESTR, REG_EXTRACT, REG_MATCH, REG_REPLACE, MD5."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from infaflow.expr import operators, spark_operators
from infaflow.expr.environment import Environment
from infaflow.expr.errors import RowError, Unsupported
from infaflow.expr.functions.base import Evaluate, Function, SparkHandler, register
from infaflow.expr.nodes import Call, Literal
from infaflow.expr.sparkcode import Code, as_bool, as_value, let, let_all, py
from infaflow.expr.types import Value, to_number, to_string, truthy

if TYPE_CHECKING:
    from infaflow.expr.spark import Translator


def _s(value: Value, env: Environment) -> str:
    return to_string(value, env.date_format)  # type: ignore[return-value]


def _i(value: Value) -> int:
    return int(to_number(value))  # type: ignore[arg-type]


def _str_args(tr: Translator, args: list[Code]) -> list[Code]:
    return [tr.to_string(a) for a in args]


def _int_code(code: Code) -> str:
    """An int argument (Spark's string functions take int positions and lengths)."""
    if re.fullmatch(r"F\.lit\(-?\d+\)", code.text):
        return code.text
    return f'{as_value(code)}.cast("int")'


def _literal_arg(node: Call, index: int, kinds: tuple[type, ...] = (str,)) -> Any:
    """The value of a literal argument; Unsupported when the argument is not a literal."""
    arg = node.args[index]
    if isinstance(arg, Literal) and (arg.value is None or isinstance(arg.value, kinds)):
        return arg.value
    raise Unsupported(f"argument {index + 1} must be a literal to be translated exactly")


def _guard(codes: list[Code], text: str, kind: str) -> Code:
    """NULL when any of ``codes`` is NULL, else ``text``."""
    tests = [f"{c}.isNotNull()" for c in codes if c.type != "null"]
    if not tests:
        return Code(text, kind)
    return Code(f"F.when({' & '.join(tests)}, {text})", kind)


# ---------------------------------------------------------------- INITCAP


def initcap(text: str) -> str:
    """First letter of each word upper case, the rest lower case; words end at any non-alphanumeric."""
    out = []
    previous_alnum = False
    for ch in text.lower():
        out.append(ch if previous_alnum else ch.upper())
        previous_alnum = ch.isalpha() or ch.isdigit()
    return "".join(out)


def _initcap_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    c, i = tr.fresh("c"), tr.fresh("i")
    alnum = py("^[\\p{L}\\p{Nd}]$")

    def build(s: Code) -> Code:
        chars = f'F.split(F.lower({s}), "")'
        previous = f"F.element_at({chars}, {i})"
        return Code(
            f"F.array_join(F.transform({chars}, lambda {c}, {i}: F.when(({i} == 0) | ~{previous}"
            f'.rlike({alnum}), F.upper({c})).otherwise({c})), "")',
            "string",
        )

    return let(tr.to_string(args[0]), build)


# ---------------------------------------------------------------- trims and pads


def _trim(left: bool) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        s = _s(values[0], env)
        chars = _s(values[1], env) if len(values) > 1 else " "
        return s.lstrip(chars) if left else s.rstrip(chars)

    return run


def _trim_spark(name: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        codes = _str_args(tr, args)
        return Code(f"F.{name}({', '.join(c.text for c in codes)})", "string")

    return build


def pad(text: str, length: int, fill: str, left: bool) -> str:
    """LPAD/RPAD: pad to ``length`` with ``fill`` repeated; a longer string is cut to ``length``."""
    if length <= 0:
        return ""
    if len(text) >= length:
        return text[:length]
    if not fill:
        return text
    filling = (fill * length)[: length - len(text)]
    return filling + text if left else text + filling


def _pad(left: bool) -> Evaluate:
    def run(values: list[Value], env: Environment) -> Value:
        fill = _s(values[2], env) if len(values) > 2 else " "
        return pad(_s(values[0], env), _i(values[1]), fill, left)

    return run


def _pad_spark(name: str) -> SparkHandler:
    def build(tr: Translator, node: Call, args: list[Code]) -> Code:
        s = tr.to_string(args[0])
        fill = tr.to_string(args[2]) if len(args) > 2 else Code('F.lit(" ")', "string")
        return Code(f"F.{name}({s}, {_int_code(args[1])}, {fill})", "string")

    return build


# ---------------------------------------------------------------- SUBSTR, INSTR


def substr(text: str, start: int, length: int | None = None) -> str:
    """SUBSTR: 1-based; 0 counts as 1; negative counts from the end; no length: to the end; length <= 0:
    ''."""
    size = len(text)
    begin = start - 1 if start > 0 else (size + start if start < 0 else 0)
    end = size if length is None else begin + length
    begin = max(begin, 0)
    end = min(end, size)
    return text[begin:end] if begin < end else ""


def _substr(values: list[Value], env: Environment) -> Value:
    length = _i(values[2]) if len(values) > 2 else None
    return substr(_s(values[0], env), _i(values[1]), length)


def _substr_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    s = tr.to_string(args[0])
    parts = [s.text, _int_code(args[1])] + ([_int_code(args[2])] if len(args) > 2 else [])
    return Code(f"F.substr({', '.join(parts)})", "string")


def instr(text: str, search: str, start: int = 1, occurrence: int = 1) -> int:
    """INSTR: position of the ``occurrence``-th ``search`` from ``start`` (negative: from the end,
    searching backwards); 0 when not found. Occurrences may overlap."""
    size, width = len(text), len(search)
    if width == 0 or occurrence <= 0:
        return 0
    if start >= 0:
        positions = (i for i in range(max(start, 1), size - width + 2) if text.startswith(search, i - 1))
    else:
        last = min(size + start + 1, size - width + 1)
        positions = (i for i in range(last, 0, -1) if text.startswith(search, i - 1))
    for n, position in enumerate(positions, start=1):
        if n == occurrence:
            return position
    return 0


def _instr(values: list[Value], env: Environment) -> Value:
    start = _i(values[2]) if len(values) > 2 else 1
    occurrence = _i(values[3]) if len(values) > 3 else 1
    return instr(_s(values[0], env), _s(values[1], env), start, occurrence)


def _literal_int(node: Call, index: int) -> int | None:
    if index < len(node.args):
        arg = node.args[index]
        if isinstance(arg, Literal) and isinstance(arg.value, int) and not arg.kind:
            return arg.value
        return None
    return 1  # start and occurrence default to 1


def _instr_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    """Positions of every (overlapping) match, filtered by the start, forward or backward, then the n-th."""
    s, search = tr.to_string(args[0]), tr.to_string(args[1])
    literal_search = node.args[1].value if isinstance(node.args[1], Literal) else None
    if len(args) == 2:
        if isinstance(literal_search, str) and literal_search:
            return Code(f"F.instr({s}, {search})", "integer")
        return let(
            search,
            lambda b: Code(
                f"F.when(F.length({b}) > 0, F.instr({s}, {b}))"
                f".when({b}.isNotNull() & {s}.isNotNull(), F.lit(0))",
                "integer",
            ),
        )
    start_value, occurrence_value = _literal_int(node, 2), _literal_int(node, 3)
    i = tr.fresh("i")
    extra = [Code(_int_code(args[2]), "integer")]
    extra.append(Code(_int_code(args[3]), "integer") if len(args) > 3 else Code("F.lit(1)", "integer"))

    def build(bound: list[Code]) -> Code:
        s, search, start, occurrence = bound
        width = f"F.lit({len(literal_search)})" if isinstance(literal_search, str) else f"F.length({search})"
        positions = f"F.sequence(F.lit(1), F.greatest(F.length({s}), F.lit(1)))"
        match = f"(F.substr({s}, {i}, {width}) == {search})"
        forward = f"F.filter({positions}, lambda {i}: {match} & ({i} >= {start}))"
        if start_value is not None and start_value <= 1 and start_value >= 0:
            forward = f"F.filter({positions}, lambda {i}: {match})"
        backward = (
            f"F.reverse(F.filter({positions}, lambda {i}: {match} & ({i} <= F.length({s}) + {start} + 1)))"
        )
        if start_value is None:
            matches = f"F.when({start} >= 0, {forward}).otherwise({backward})"
        else:
            matches = forward if start_value >= 0 else backward
        picked = f"F.coalesce(F.try_element_at({matches}, {occurrence}), F.lit(0))"
        checks = []
        if not (isinstance(literal_search, str) and literal_search):
            checks.append(f"(F.length({search}) == 0)")
        if occurrence_value is None or occurrence_value <= 0:
            checks.append(f"({occurrence} <= 0)")
        text = f"F.when({' | '.join(checks)}, F.lit(0)).otherwise({picked})" if checks else picked
        nullable = [c for c, n in zip(bound[:2], node.args[:2], strict=True) if not isinstance(n, Literal)]
        nullable += [
            c for c, value in ((start, start_value), (occurrence, occurrence_value)) if value is None
        ]
        return _guard(nullable, text, "integer")

    return let_all([s, search, *extra], build)


# ---------------------------------------------------------------- CONCAT, CHR, ASCII, REVERSE


def _concat(values: list[Value], env: Environment) -> Value:
    return operators.concat(values[0], values[1], env)


def _concat_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    return spark_operators.concat(tr, node)


def _chr(values: list[Value], env: Environment) -> Value:
    code = _i(values[0])
    if not 0 <= code <= 0x10FFFF:
        raise RowError(f"CHR: invalid character code {code}")
    return chr(code)


def _chr_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    arg = node.args[0]
    if isinstance(arg, Literal) and isinstance(arg.value, int) and 0 <= arg.value <= 0x10FFFF:
        return Code(f"F.lit({py(chr(arg.value))})", "string")
    n = _int_code(args[0])
    return Code(
        f"F.when(({n} >= 0) & ({n} <= 255), F.chr({n})).when({n}.isNotNull(), "
        # not a PowerCenter row error but a limit of the translation: the job fails, never a rejected row
        f"F.raise_error(F.lit({py('CHR: codes above 255 are only translated for literals')})))",
        "string",
    )


# ---------------------------------------------------------------- REPLACECHR, REPLACESTR


def _case_insensitive(flag: Value) -> bool:
    return flag is None or not truthy(flag)


def _replacechr(values: list[Value], env: Environment) -> Value:
    flag, s, chars, new = values
    if s is None:
        return None
    text = _s(s, env)
    if chars is None or chars == "":
        return text
    insensitive = _case_insensitive(flag)
    old = _s(chars, env)
    old_set = set(old.lower()) if insensitive else set(old)
    replacement = _s(new, env)[:1] if new is not None else ""
    return "".join(replacement if (ch.lower() if insensitive else ch) in old_set else ch for ch in text)


def _is_literal(node: Call, index: int, kinds: tuple[type, ...] = (str,)) -> bool:
    arg = node.args[index]
    return isinstance(arg, Literal) and (arg.value is None or isinstance(arg.value, kinds))


def _case_sensitive_code(flag: Code) -> str:
    """Spark boolean: the comparison is case-sensitive (a non-zero flag; NULL and 0 are insensitive)."""
    return f"F.coalesce({as_bool(flag)}, F.lit(False))"


def _replacechr_columns(tr: Translator, args: list[Code]) -> Code:
    """REPLACECHR with a flag, characters or replacement held in columns: each character of the string is
    looked up in the characters to replace, as the evaluator does."""
    ch = tr.fresh("ch")

    def build(bound: list[Code]) -> Code:
        flag, s, chars, new = bound
        sensitive = _case_sensitive_code(flag)
        found = (
            f"F.when({sensitive}, F.instr({chars}, {ch})).otherwise(F.instr(F.lower({chars}), F.lower({ch})))"
            " > 0"
        )
        one = f'F.coalesce(F.substr({new}, F.lit(1), F.lit(1)), F.lit(""))'
        replaced = (
            f'F.array_join(F.transform(F.split({s}, ""), lambda {ch}: F.when(({ch} != "") & ({found}), '
            f'{one}).otherwise({ch})), "")'
        )
        return Code(f'F.when({chars}.isNull() | ({chars} == ""), {s}).otherwise({replaced})', "string")

    flag = args[0] if args[0].type != "null" else Code("F.lit(0)", "integer")
    return let_all([flag, *(tr.to_string(a) for a in args[1:])], build)


def _replacechr_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if not (_is_literal(node, 0, (int,)) and _is_literal(node, 2) and _is_literal(node, 3)):
        return _replacechr_columns(tr, args)
    flag = _literal_arg(node, 0, (int,))
    chars = _literal_arg(node, 2)
    new = _literal_arg(node, 3)
    s = tr.to_string(args[1])
    if not chars:
        return s
    matching = ""
    for ch in str(chars):
        for variant in (ch.lower(), ch.upper()) if _case_insensitive(flag) else (ch,):
            if variant not in matching:
                matching += variant
    replacement = (str(new)[:1] * len(matching)) if new else ""
    return Code(f"F.translate({s}, {py(matching)}, {py(replacement)})", "string")


def _replacestr(values: list[Value], env: Environment) -> Value:
    flag, s, *olds, new = values
    if s is None:
        return None
    text = _s(s, env)
    patterns = [_s(o, env) for o in olds if o is not None and _s(o, env) != ""]
    if not patterns:
        return text
    insensitive = _case_insensitive(flag)
    replacement = _s(new, env) if new is not None else ""
    haystack = text.lower() if insensitive else text
    keys = [p.lower() for p in patterns] if insensitive else patterns
    out, i = [], 0
    while i < len(text):
        for key in keys:
            if haystack.startswith(key, i):
                out.append(replacement)
                i += len(key)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def java_regex_quote(text: str) -> str:
    """``text`` as a literal inside a Java (and Python) regular expression."""
    return "".join(ch if ch.isalnum() or ch == "_" or ch == " " else "\\" + ch for ch in text)


_PUNCTUATION = py("(" + "[!-/:-@\\[-`{-~]" + ")")
_BACKSLASH_GROUP = py("\\\\$1")  # Java replacement: a backslash, then the character
_REPLACEMENT_SPECIALS = py("([$\\\\])")  # characters special in a Java replacement string
_ANCHOR_END = py(")\\z")


def _replacestr_columns(tr: Translator, args: list[Code]) -> Code:
    """REPLACESTR with arguments held in columns: the searched strings become one alternation (in argument
    order, so that the first one matching at a position wins, as in the evaluator), built at run time."""

    def build(bound: list[Code]) -> Code:
        flag, s, *olds, new = bound
        quoted = [
            f'F.nullif(F.regexp_replace({o}, {_PUNCTUATION}, {_BACKSLASH_GROUP}), F.lit(""))' for o in olds
        ]
        alternation = f'F.concat_ws("|", {", ".join(quoted)})'
        prefix = f'F.when({_case_sensitive_code(flag)}, F.lit("")).otherwise(F.lit("(?i)"))'
        replacement = (
            f'F.regexp_replace(F.coalesce({new}, F.lit("")), {_REPLACEMENT_SPECIALS}, {_BACKSLASH_GROUP})'
        )

        def with_regex(regex: Code) -> Code:
            return Code(
                f'F.when({regex} == "", {s}).otherwise(F.regexp_replace({s}, F.concat({prefix}, {regex}), '
                f"{replacement}))",
                "string",
            )

        return let(Code(alternation, "string"), with_regex)

    flag = args[0] if args[0].type != "null" else Code("F.lit(0)", "integer")
    return let_all([flag, *(tr.to_string(a) for a in args[1:])], build)


def _replacestr_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if not all(_is_literal(node, i, (int,) if i == 0 else (str,)) for i in range(len(node.args)) if i != 1):
        return _replacestr_columns(tr, args)
    flag = _literal_arg(node, 0, (int,))
    olds = [_literal_arg(node, i) for i in range(2, len(node.args) - 1)]
    new = _literal_arg(node, len(node.args) - 1)
    s = tr.to_string(args[1])
    patterns = [str(o) for o in olds if o]
    if not patterns:
        return s
    regex = ("(?i)" if _case_insensitive(flag) else "") + "|".join(java_regex_quote(p) for p in patterns)
    replacement = str(new or "").replace("\\", "\\\\").replace("$", "\\$")
    return Code(f"F.regexp_replace({s}, {py(regex)}, {py(replacement)})", "string")


# ---------------------------------------------------------------- regular expressions


def _regex(pattern: str, name: str) -> re.Pattern[str]:
    """A compiled pattern; an invalid one is a row error."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise RowError(f"{name}: invalid regular expression {pattern!r}: {exc}") from None


def _reg_extract(values: list[Value], env: Environment) -> Value:
    group = _i(values[2]) if len(values) > 2 else 1
    regex = _regex(_s(values[1], env), "REG_EXTRACT")
    m = regex.search(_s(values[0], env))
    if m is None:
        return None
    if not 0 <= group <= regex.groups:  # checked on a match only, as Spark does
        raise RowError(f"REG_EXTRACT: the pattern has no group {group}")
    return m.group(group) or ""


def _reg_extract_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if not (_is_literal(node, 1) and (len(node.args) < 3 or _is_literal(node, 2, (int,)))):
        # a pattern or group held in a column: the first match's group (NULL without a match)
        group_code = f'{args[2]}.cast("int")' if len(args) > 2 else "F.lit(1)"
        return Code(
            f"F.try_element_at(F.regexp_extract_all({tr.to_string(args[0])}, {tr.to_string(args[1])}, "
            f"{group_code}), F.lit(1))",
            "string",
        )
    pattern = _literal_arg(node, 1)
    group = _literal_arg(node, 2, (int,)) if len(node.args) > 2 else 1
    s = tr.to_string(args[0])
    return Code(f"F.when({s}.rlike({py(pattern)}), F.regexp_extract({s}, {py(pattern)}, {group}))", "string")


def _reg_match(values: list[Value], env: Environment) -> Value:
    return 1 if _regex(_s(values[1], env), "REG_MATCH").fullmatch(_s(values[0], env)) else 0


def _reg_match_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if not _is_literal(node, 1):  # a pattern held in a column: anchored at run time
        anchored_code = f'F.concat(F.lit("^(?:"), {tr.to_string(args[1])}, F.lit({_ANCHOR_END}))'
        return Code(f"F.regexp_like({tr.to_string(args[0])}, {anchored_code})", "boolean")
    pattern = _literal_arg(node, 1)
    anchored = py("^(?:" + str(pattern) + ")\\z")
    return Code(f"{tr.to_string(args[0])}.rlike({anchored})", "boolean")


def _reg_replace(values: list[Value], env: Environment) -> Value:
    count = _i(values[3]) if len(values) > 3 else 0
    replacement = re.sub(r"\$(\d+)", r"\\g<\1>", _s(values[2], env))
    return _regex(_s(values[1], env), "REG_REPLACE").sub(replacement, _s(values[0], env), count=max(count, 0))


def _reg_replace_spark(tr: Translator, node: Call, args: list[Code]) -> Code:
    if len(node.args) > 3 and _literal_arg(node, 3, (int,)) not in (0, None):
        raise Unsupported("a replacement count other than 0 (all) has no Spark equivalent")
    s, pattern, replacement = _str_args(tr, args[:3])
    return Code(f"F.regexp_replace({s}, {pattern}, {replacement})", "string")


def _str_fn(spark_name: str) -> SparkHandler:
    return lambda tr, node, args: Code(f"F.{spark_name}({tr.to_string(args[0])})", "string")


register(
    Function(
        "LENGTH",
        1,
        1,
        "integer",
        evaluate=lambda v, env: len(_s(v[0], env)),
        spark=lambda tr, n, a: Code(f"F.length({tr.to_string(a[0])})", "integer"),
        group="string",
    ),
    Function(
        "UPPER",
        1,
        1,
        "string",
        evaluate=lambda v, env: _s(v[0], env).upper(),
        spark=_str_fn("upper"),
        group="string",
    ),
    Function(
        "LOWER",
        1,
        1,
        "string",
        evaluate=lambda v, env: _s(v[0], env).lower(),
        spark=_str_fn("lower"),
        group="string",
    ),
    Function(
        "INITCAP",
        1,
        1,
        "string",
        evaluate=lambda v, env: initcap(_s(v[0], env)),
        spark=_initcap_spark,
        group="string",
        doc="Words are delimited by any non-alphanumeric character.",
    ),
    Function("LTRIM", 1, 2, "string", evaluate=_trim(True), spark=_trim_spark("ltrim"), group="string"),
    Function("RTRIM", 1, 2, "string", evaluate=_trim(False), spark=_trim_spark("rtrim"), group="string"),
    Function("LPAD", 2, 3, "string", evaluate=_pad(True), spark=_pad_spark("lpad"), group="string"),
    Function("RPAD", 2, 3, "string", evaluate=_pad(False), spark=_pad_spark("rpad"), group="string"),
    Function("SUBSTR", 2, 3, "string", evaluate=_substr, spark=_substr_spark, group="string"),
    Function(
        "INSTR",
        2,
        5,
        "integer",
        evaluate=_instr,
        spark=_instr_spark,
        group="string",
        doc="The comparison_type argument is accepted and ignored (comparisons are exact) [U].",
    ),
    Function(
        "CONCAT",
        2,
        2,
        "string",
        evaluate=_concat,
        spark=_concat_spark,
        null_in_null_out=False,
        group="string",
    ),
    Function("CHR", 1, 1, "string", evaluate=_chr, spark=_chr_spark, group="string"),
    Function(
        "ASCII",
        1,
        1,
        "integer",
        evaluate=lambda v, env: ord(_s(v[0], env)[:1] or "\0"),
        spark=lambda tr, n, a: Code(f"F.ascii({tr.to_string(a[0])})", "integer"),
        group="string",
    ),
    Function(
        "REVERSE",
        1,
        1,
        "string",
        evaluate=lambda v, env: _s(v[0], env)[::-1],
        spark=_str_fn("reverse"),
        group="string",
    ),
    Function(
        "REPLACECHR",
        4,
        4,
        "string",
        evaluate=_replacechr,
        spark=_replacechr_spark,
        null_in_null_out=False,
        group="string",
    ),
    Function(
        "REPLACESTR",
        4,
        None,
        "string",
        evaluate=_replacestr,
        spark=_replacestr_spark,
        null_in_null_out=False,
        group="string",
    ),
    Function(
        "REG_EXTRACT",
        2,
        3,
        "string",
        evaluate=_reg_extract,
        spark=_reg_extract_spark,
        group="string",
        doc="First match anywhere in the string; NULL when there is none [U].",
    ),
    Function(
        "REG_MATCH",
        2,
        2,
        "boolean",
        evaluate=_reg_match,
        spark=_reg_match_spark,
        group="string",
        doc="1 when the whole string matches [U].",
    ),
    Function("REG_REPLACE", 3, 4, "string", evaluate=_reg_replace, spark=_reg_replace_spark, group="string"),
    Function(
        "MD5",
        1,
        1,
        "string",
        evaluate=lambda v, env: hashlib.md5(_s(v[0], env).encode("utf-8")).hexdigest(),  # noqa: S324
        spark=lambda tr, n, a: Code(f"F.md5({tr.to_string(a[0])})", "string"),
        group="string",
        doc="32 lower-case hex digits of the UTF-8 bytes [U: case].",
    ),
)
