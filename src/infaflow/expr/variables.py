"""What SETVARIABLE, SETMAXVARIABLE, SETMINVARIABLE and SETCOUNTVARIABLE do to a mapping variable.

The rules (PowerCenter 10.x Transformation Language Reference, "SETVARIABLE", "SETMAXVARIABLE",
"SETMINVARIABLE", "SETCOUNTVARIABLE"; Designer Guide, "Variable Functions"):

- each function acts only on rows of some row types (:data:`ACTS_ON`): SETMAX/SETMIN only on rows marked
  for insert, SETVARIABLE on insert and update, SETCOUNTVARIABLE adds one for an insert and subtracts one for
  a delete; on any other row the current value stays as it is;
- a NULL value leaves the current value unchanged, and the function returns the current value;
- each function is allowed only with some aggregation types (:data:`AGGREGATION_TYPES`): the Designer refuses
  the other combinations;
- at the end of a successful session the saved value is the final current value; for SETVARIABLE it is first
  compared with the start value by the aggregation type (:func:`saved_value`).
"""

from __future__ import annotations

from infaflow.expr.types import Value

DD_INSERT, DD_UPDATE, DD_DELETE, DD_REJECT = 0, 1, 2, 3

#: the row types on which each function changes the current value
ACTS_ON: dict[str, frozenset[int]] = {
    "SETVARIABLE": frozenset({DD_INSERT, DD_UPDATE}),
    "SETMAXVARIABLE": frozenset({DD_INSERT}),
    "SETMINVARIABLE": frozenset({DD_INSERT}),
    "SETCOUNTVARIABLE": frozenset({DD_INSERT, DD_DELETE}),
}

#: the aggregation types (MAPPINGVARIABLE AGGFUNCTION) each function may be used with
AGGREGATION_TYPES: dict[str, frozenset[str]] = {
    "SETVARIABLE": frozenset({"MAX", "MIN"}),
    "SETMAXVARIABLE": frozenset({"MAX"}),
    "SETMINVARIABLE": frozenset({"MIN"}),
    "SETCOUNTVARIABLE": frozenset({"COUNT"}),
}

VARIABLE_FUNCTIONS = frozenset(ACTS_ON)


def apply_variable_function(
    function: str, current: Value, value: Value, row_type: int | None = DD_INSERT
) -> Value:
    """The variable's new current value after the function ran on a row of ``row_type``.

    A NULL value, or a row type the function ignores, leaves the variable unchanged; SETCOUNTVARIABLE adds
    one for an insert and subtracts one for a delete (from 0 when the current value is NULL)."""
    function = function.upper()
    if function not in ACTS_ON:
        raise ValueError(f"not a variable function: {function}")
    if row_type not in ACTS_ON[function]:
        return current
    if function == "SETCOUNTVARIABLE":
        return (current or 0) + (1 if row_type == DD_INSERT else -1)  # type: ignore[operator]
    if value is None:
        return current
    if function == "SETVARIABLE" or current is None:
        return value
    if function == "SETMAXVARIABLE":
        return value if value > current else current  # type: ignore[operator]
    return value if value < current else current  # type: ignore[operator]


def saved_value(function: str, aggregation: str, start: Value, current: Value) -> Value:
    """The value saved at the end of a successful session from the start and final current values.

    SETVARIABLE compares the final current value with the start value by the aggregation type (the larger
    for Max, the smaller for Min); the other functions' current value already includes the start value."""
    if function.upper() != "SETVARIABLE" or current is None or start is None:
        return current if current is not None else start
    if aggregation.upper() == "MAX":
        return current if current > start else start  # type: ignore[operator]
    if aggregation.upper() == "MIN":
        return current if current < start else start  # type: ignore[operator]
    return current
