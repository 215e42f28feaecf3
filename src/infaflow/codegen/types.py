"""PowerCenter datatypes (transformation, source and target) as Spark SQL type names."""

from __future__ import annotations

# Exact names, compared lower-case. Transformation datatypes first, then the common database ones.
_FIXED: dict[str, str] = {
    "bigint": "bigint",
    "integer": "int",
    "int": "int",
    "small integer": "int",
    "smallint": "int",
    "tinyint": "int",
    "double": "double",
    "real": "double",
    "float": "double",
    "binary_double": "double",
    "binary_float": "double",
    "date/time": "timestamp",
    "date": "timestamp",
    "datetime": "timestamp",
    "datetime2": "timestamp",
    "smalldatetime": "timestamp",
    "timestamp": "timestamp",
    "string": "string",
    "nstring": "string",
    "text": "string",
    "ntext": "string",
    "char": "string",
    "nchar": "string",
    "varchar": "string",
    "varchar2": "string",
    "nvarchar": "string",
    "nvarchar2": "string",
    "clob": "string",
    "long": "string",
    "binary": "binary",
    "varbinary": "binary",
    "raw": "binary",
    "blob": "binary",
    "bit": "int",
    "boolean": "boolean",
}

_DECIMAL = {"decimal", "number", "numeric", "number(p,s)", "money", "smallmoney", "dec"}


def spark_type(datatype: str, precision: int = 0, scale: int = 0) -> str:
    """The Spark SQL type for a PowerCenter datatype; decimals keep precision and scale (capped at 38).

    ``number`` without precision (Oracle NUMBER) becomes ``decimal(38,10)``; unknown names become
    ``string`` so no value is lost.
    """
    key = datatype.strip().lower()
    if key in _FIXED:
        return _FIXED[key]
    if key in _DECIMAL or key.startswith("number") or key.startswith("decimal"):
        if precision <= 0:
            return "decimal(38,10)"
        p = min(precision, 38)
        s = max(0, min(scale, p))
        return f"decimal({p},{s})"
    if "int" in key:
        return "bigint"
    if "char" in key or "string" in key or "text" in key:
        return "string"
    if "date" in key or "time" in key:
        return "timestamp"
    return "string"


def default_value_literal(spark_type_name: str) -> object:
    """The value a variable port starts with for its type: 0, '' or 01/01/0001 (SPEC E)."""
    if spark_type_name == "string":
        return ""
    if spark_type_name == "timestamp":
        return "0001-01-01 00:00:00"
    return 0
