"""Port-to-port data conversion: a string passed over a link into a numeric port.

PowerCenter converts data to the datatype of the port it enters (Designer Guide, Datatype Reference,
"Port-to-Port Data Conversion"). A string entering a numeric port becomes the number its text begins
with, and 0 when it begins with none ("Converting Strings to Numbers", 10.x):

| string       | Decimal | Double, Real | Bigint, Integer, Small Integer |
|--------------|---------|--------------|--------------------------------|
| '18e-3'      | 18      | 0.018        | 18                             |
| '123abc'     | 123     | 123          | 123                            |
| 'A123cb'     | 0       | 0            | 0                              |

So a Decimal port reads digits and a decimal point, an integer port digits only, a Double port an
exponent as well. Leading blanks are skipped and NULL stays NULL. Only links between transformations
are converted here: sources are typed by their readers and targets by their writers.
"""

from __future__ import annotations

from infaflow.codegen.exprs import expr_type
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Plan, PortRef, Step
from infaflow.codegen.types import spark_type
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


def converts(plan: Plan, step: Step, port: Port, ref: PortRef) -> bool:
    """Whether the link from ``ref`` into input ``port`` of ``step`` converts a string to a number."""
    if step.transformation is None:
        return False
    source = feeding_port(plan, ref)
    return (
        source is not None
        and expr_type(source.datatype) == "string"
        and expr_type(port.datatype) in NUMERIC_PREFIX
    )


def select_item(plan: Plan, step: Step, port: Port, ref: PortRef, column: str) -> str:
    """The select item that gives input ``port`` of ``step`` its value from ``column`` (the values of
    the port ``ref``): the column itself, renamed, converted when a string enters a numeric port."""
    if converts(plan, step, port, ref):
        return f"{string_to_number(column, port)}.alias({py_str(port.name)})"
    if column == port.name:
        return py_str(port.name)
    return f"F.col({py_str(column)}).alias({py_str(port.name)})"
