"""Row errors in generated steps: the ``_row_error`` column and the ``job.reject_errors`` call.

PowerCenter does not fail a session on a transformation error: it skips the row, counts it and logs it with
its message (Transformation Guide, "Default Values for Ports"). A step whose expressions can raise a row
error computes them in row-error mode (``Generator.translate_checked``): the value is NULL where the row
fails, and ``_row_error`` holds the message of the row's first error (NULL when the row is fine).
``job.reject_errors`` then drops those rows, counts them (TotalTransErrors) and keeps them for the session's
row-error file. Handlers import these helpers; they depend on nothing but the plan and naming modules.
"""

from __future__ import annotations

from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Step
from infaflow.codegen.rowcontract import ROW_ERROR

REJECT_COMMENT = "# rows with a row error are rejected: counted, written to the row-error file"


def first_error(errors: list[str]) -> str:
    """The message of the first failing port, in port order (PowerCenter evaluates ports in order)."""
    return errors[0] if len(errors) == 1 else f"F.coalesce({', '.join(errors)})"


def reject_rows(step: Step, var: str, errors: list[str]) -> list[str]:
    """``job.reject_errors`` when a port can raise a row error."""
    if not errors:
        return []
    return [REJECT_COMMENT, f"{var} = job.reject_errors({py_str(step.name)}, {var})"]


def reject_failing(step: Step, var: str, frame: str, errors: list[str]) -> list[str]:
    """``var`` = ``frame`` with ``_row_error`` (the first of ``errors``, in order), then the rows with an
    error rejected; no line when nothing can fail and ``var`` is ``frame``."""
    errors = [e for e in errors if e]
    if not errors:
        return [] if var == frame else [f"{var} = {frame}"]
    return [
        f"{var} = {frame}.withColumn({py_str(ROW_ERROR)}, {first_error(errors)})",
        *reject_rows(step, var, errors),
    ]
