"""Values that move between a session and its workflow or worklet (Advanced Workflow Guide, "Assigning
Parameter and Variable Values in a Session"): what a session's properties see of the workflow variables,
the datatype conversion of a pre-session variable assignment, and the sources of a post-session
variable assignment.

Pure functions over the model and plain values; :mod:`infaflow.runtime.task_env` and
:mod:`infaflow.runtime.tasks.session` apply them at the documented moments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from infaflow.expr.dateformat import DEFAULT_DATE_FORMAT, format_date, parse_date
from infaflow.model import Folder, MappingVariable, Session
from infaflow.runtime import values as V

#: Mapping datatypes read as text (a value assigned to them is converted to a string).
_TEXT_TYPES = frozenset({"string", "nstring", "text", "ntext", "char", "nchar", "varchar", "nvarchar"})
_DATE_TYPES = frozenset({"date/time", "date", "timestamp"})


def mapping_declarations(session: object, folder: Folder | None) -> dict[str, MappingVariable] | None:
    """The mapping parameters and variables of ``session``'s mapping by lower-case name, or ``None`` when
    the mapping is not in the export (then nothing is known of its declarations)."""
    if not isinstance(session, Session):
        return None
    mapping = session.mapping
    if mapping is None and folder is not None:
        mapping = folder.mapping(session.mapping_name)
    if mapping is None:
        return None
    return {var.name.lower(): var for var in mapping.variables}


def scope_values_for_session(
    current: Mapping[str, V.Value], declared: Mapping[str, MappingVariable] | None
) -> dict[str, V.Value]:
    """The workflow/worklet variables (``current``: name as declared -> current value) a session's
    properties see when it starts: every user variable of the session's own scope, except a name the
    mapping declares as a parameter or variable (a mapping's own ``$$X`` only takes a workflow variable's
    value through a pre-session variable assignment or a parameter file). A NULL value is given as the
    empty text it expands to in a file name or SQL text (as in a command)."""
    known = declared or {}
    return {
        name: "" if value is None else value for name, value in current.items() if name.lower() not in known
    }


def to_mapping_type(value: V.Value, var: MappingVariable | None, date_format: str = "") -> V.Value:
    """A value assigned to a mapping parameter or variable before the session (pre-session variable
    assignment) converted to its datatype: to a string with the session's DateTime Format String for a
    date, from a string with that format (else the documented month-first forms) for a Date/Time, to a
    number by the numeric prefix of a string. NULL stays NULL. Raises ``ValueError`` when the value
    cannot be converted (a date into a number, text that is no date)."""
    if value is None or var is None:
        return value
    kind = var.datatype.strip().lower()
    fmt = date_format or DEFAULT_DATE_FORMAT
    if kind in _TEXT_TYPES:
        return format_date(value, fmt) if isinstance(value, dt.datetime) else V.format_value(value)
    if kind in _DATE_TYPES and isinstance(value, str):
        try:
            return parse_date(value.strip(), fmt)
        except ValueError:
            return V.parse_datetime(value)
    return V.coerce(value, var.datatype)


def post_session_source(
    name: str,
    final_values: Mapping[str, V.Value],
    received: Mapping[str, V.Value],  # the session's own parameters (not the workflow's variables)
    declared: Mapping[str, MappingVariable] | None,
) -> tuple[bool, V.Value]:
    """``(found, value)`` of the mapping parameter or variable ``name`` for a post-session variable
    assignment: a mapping variable's final value when the session returned one, else the value the
    session started with (a mapping parameter's value does not change during the session; a variable
    without a final value, after a failure, keeps its start value); a declared name the session got no
    value for is its initial value (DEFAULTVALUE, else the datatype's default)."""
    key = name.strip().lower()
    finals = {k.lower(): v for k, v in final_values.items()}
    if key in finals:
        return True, finals[key]
    given = {k.lower(): v for k, v in received.items()}
    var = (declared or {}).get(key)
    if key in given:
        return True, given[key]
    if var is not None:
        if var.default_value != "":
            try:
                return True, V.parse_value(var.default_value, var.datatype)
            except ValueError:
                return True, var.default_value
        return True, V.datatype_default(var.datatype)
    return False, None
