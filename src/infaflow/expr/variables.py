"""What SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE and SETCOUNTVARIABLE do to a mapping variable."""

from __future__ import annotations

from infaflow.expr.types import Value


def apply_variable_function(function: str, current: Value, value: Value) -> Value:
    """The variable's new current value. A NULL value leaves the variable unchanged (PowerCenter ignores
    NULLs in these functions); SETCOUNTVARIABLE adds one."""
    function = function.upper()
    if function == "SETCOUNTVARIABLE":
        return (current or 0) + 1  # type: ignore[operator]
    if value is None:
        return current
    if function == "SETVARIABLE" or current is None:
        return value
    if function == "SETMAXVARIABLE":
        return value if value > current else current  # type: ignore[operator]
    if function == "SETMINVARIABLE":
        return value if value < current else current  # type: ignore[operator]
    raise ValueError(f"not a variable function: {function}")
