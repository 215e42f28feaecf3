"""Port-to-port data conversion: a value passed over a link into a port of another datatype.

PowerCenter converts data to the datatype of the port it enters (Designer Guide, Datatype Reference,
"Port-to-Port Data Conversion"). A string entering a numeric port becomes the number its text begins
with, and 0 when it begins with none ("Converting Strings to Numbers", 10.x):

| string       | Decimal | Double, Real | Bigint, Integer, Small Integer |
|--------------|---------|--------------|--------------------------------|
| '18e-3'      | 18      | 0.018        | 18                             |
| '123abc'     | 123     | 123          | 123                            |
| 'A123cb'     | 0       | 0            | 0                              |

So a Decimal port reads digits and a decimal point, an integer port digits only, a Double port an
exponent as well. Leading blanks are skipped and NULL stays NULL. The other conversions of the guide's
table are the ones TO_CHAR and TO_DATE make without a format (Transformation Language Reference):

| from -> to       | value                                                                          |
|------------------|--------------------------------------------------------------------------------|
| number -> string | TO_CHAR(number): integers as digits, decimals with the scale of their port      |
|                  | (trailing zeros kept), doubles as TO_CHAR writes them                          |
| date -> string   | TO_CHAR(date) with the session's DateTime Format String                        |
| string -> date   | TO_DATE(string) with that format; a string that does not match is a row error  |
| number <-> date  | not allowed by PowerCenter (the Designer refuses the link): reported           |

Numbers passed between numeric ports keep their value ("the Integration Service stores the value
internally and does not truncate the data"). Only links between transformations are converted here:
sources are typed by their readers and targets by their writers.
"""

from __future__ import annotations

from collections.abc import Callable

from infaflow.codegen.exprs import ConversionError, expr_type
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Plan, PortRef, Step
from infaflow.codegen.rowerrors import ROW_ERROR, first_error, reject_rows
from infaflow.codegen.session_config import session_config
from infaflow.codegen.types import spark_type
from infaflow.expr.sparkcode import Code, as_string, parse_date
from infaflow.model import Port

#: the text a numeric port reads from the start of a string, by the port's type (Java regular
#: expressions: ``\s`` is a blank, ``\d`` a digit)
NUMERIC_PREFIX = {
    "integer": r"^\s*([+-]?\d+)",
    "decimal": r"^\s*([+-]?(?:\d+\.?\d*|\.\d+))",
    "double": r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
}


def feeding_port(plan: Plan, ref: PortRef) -> Port | None:
    """The transformation port behind ``ref``; ``None`` for a source definition's field."""
    try:
        return plan.step(ref.step).port(ref.port)
    except KeyError:
        return None


def string_to_number(column: str, port: Port) -> str:
    """Code of the numeric value a string column takes in ``port`` (its numeric prefix, else 0)."""
    kind = expr_type(port.datatype)
    c = f"F.col({py_str(column)})"
    text = (
        f'F.coalesce(F.nullif(F.regexp_extract({c}, r"{NUMERIC_PREFIX[kind]}", 1), F.lit("")), '
        f'F.when({c}.isNotNull(), F.lit("0")))'
    )
    return f"{text}.cast({py_str(spark_type(port.datatype, port.precision, port.scale))})"


def number_to_string(column: str, source: Port, date_format: str) -> str:
    """TO_CHAR(number) of a column of numeric port ``source``: a decimal written with its port's scale."""
    kind = expr_type(source.datatype)
    c = f"F.col({py_str(column)})"
    if kind == "decimal":
        c = f"{c}.cast({py_str(spark_type(source.datatype, source.precision, source.scale))})"
    return str(as_string(Code(c, kind), date_format))


def date_to_string(column: str, source: Port, date_format: str) -> str:
    """TO_CHAR(date) with the session's DateTime Format String."""
    return str(as_string(Code(f"F.col({py_str(column)})", "date"), date_format))


def string_to_date(column: str, source: Port, date_format: str) -> str:
    """TO_DATE(string) with the session's DateTime Format String; NULL where the string does not match
    (:func:`error_item` makes that row an error)."""
    return str(parse_date(Code(f"F.col({py_str(column)})", "string"), date_format, "F.lit(None)"))


_NUMBERS = ("integer", "decimal", "double")
#: (type of the linked port, type of the port it enters) -> the code of the converted value
CONVERSIONS: dict[tuple[str, str], Callable[[str, Port, str], str]] = {
    **{(n, "string"): number_to_string for n in _NUMBERS},
    ("date", "string"): date_to_string,
    ("string", "date"): string_to_date,
}
REFUSED = {**{(n, "date"): "number" for n in _NUMBERS}, **{("date", n): "date" for n in _NUMBERS}}


#: a mapplet's Input and Output transformations take the datatypes of the ports linked to them (their own
#: declared datatypes are nominal: a date passed through an Input port declared decimal stays a date)
NOMINAL = ("Input Transformation", "Output Transformation")


def _kinds(plan: Plan, step: Step, port: Port, ref: PortRef) -> tuple[str, str, Port | None]:
    source = feeding_port(plan, ref) if step.transformation is not None else None
    if source is None:
        return "", "", None
    have, want = expr_type(source.datatype), expr_type(port.datatype)
    if step.kind in NOMINAL or plan.step(ref.step).kind in NOMINAL:
        return (have, want, source) if have == "string" and want in NUMERIC_PREFIX else ("", "", None)
    return have, want, source


def converts(plan: Plan, step: Step, port: Port, ref: PortRef) -> bool:
    """Whether the link from ``ref`` into input ``port`` of ``step`` converts its value (or is refused)."""
    have, want, _source = _kinds(plan, step, port, ref)
    pair = (have, want)
    return (have == "string" and want in NUMERIC_PREFIX) or pair in CONVERSIONS or pair in REFUSED


def _date_format(plan: Plan) -> str:
    return session_config(plan.session, plan.task_instance).date_format


def select_item(plan: Plan, step: Step, port: Port, ref: PortRef, column: str) -> str:
    """The select item that gives input ``port`` of ``step`` its value from ``column`` (the values of
    the port ``ref``): the column itself, renamed, converted when the link joins ports of different
    datatypes. A link PowerCenter refuses (a number into a date port, a date into a number port) is a
    :class:`ConversionError`."""
    have, want, source = _kinds(plan, step, port, ref)
    if (have, want) in REFUSED:
        raise ConversionError(
            f"port {port.name} ({port.datatype}) is linked from {ref.step}.{ref.port} "
            f"({source.datatype if source else have}):"
            f" PowerCenter does not convert a {REFUSED[(have, want)]} port to this datatype (Designer Guide, "
            '"Port-to-Port Data Conversion")',
            port.location.file,
            port.location.line,
        )
    if have == "string" and want in NUMERIC_PREFIX:
        return f"{string_to_number(column, port)}.alias({py_str(port.name)})"
    convert = CONVERSIONS.get((have, want))
    if convert is not None and source is not None:
        return f"{convert(column, source, _date_format(plan))}.alias({py_str(port.name)})"
    if column == port.name:
        return py_str(port.name)
    return f"F.col({py_str(column)}).alias({py_str(port.name)})"


def error_item(plan: Plan, step: Step, port: Port, ref: PortRef, column: str) -> str | None:
    """The select item keeping the text a link converts to a date (``_link_text_<port>``), from which
    :func:`reject_link_errors` finds the strings that are not dates; ``None`` when the link cannot fail."""
    have, want, source = _kinds(plan, step, port, ref)
    if (have, want) != ("string", "date") or source is None:
        return None
    return f"F.col({py_str(column)}).alias({py_str(LINK_TEXT + port.name)})"


LINK_TEXT = "_link_text_"


def reject_link_errors(plan: Plan, step: Step, var: str, ports: list[str]) -> list[str]:
    """Lines rejecting the rows whose string is not a date in the session's format (a ``_link_text_<port>``
    that is not NULL where the port is NULL), first failing port first, as PowerCenter rejects a row with a
    transformation error."""
    if not ports:
        return []
    fmt = _date_format(plan)
    errors = [
        f"F.when(F.col({py_str(LINK_TEXT + p)}).isNotNull() & F.col({py_str(p)}).isNull(), "
        f"F.lit({py_str(f'{p}: the string is not a date in the format {fmt}')}))"
        for p in ports
    ]
    drop = ", ".join(py_str(LINK_TEXT + p) for p in ports)
    return [
        f"{var} = {var}.withColumn({py_str(ROW_ERROR)}, {first_error(errors)}).drop({drop})",
        *reject_rows(step, var, errors),
    ]
