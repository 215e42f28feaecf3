"""Link conditions, decision conditions and assignments through the expression language.

The environment resolves, case-insensitively: ``$$vars`` of the current scope (then undeclared
parameters), ``$Task.Var`` predefined task variables of the current scope, bare ``$Status`` /
``$PrevTaskStatus``... of the link's source task, built-ins (``$PMWorkflowName``, ``$PMRootDir``...),
``WORKFLOWSTARTTIME``; ``SYSDATE`` is the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from infaflow import expr as E
from infaflow.errors import InputError
from infaflow.runtime import values as V

#: Predefined task variables and their value for a task that ran without setting them (a task that has
#: not run has NULL for all of them but Status, NOTSTARTED: see ``task_env.task_variable``).
TASK_VARIABLE_DEFAULTS: dict[str, V.Value] = {
    "status": None,  # filled with NOTSTARTED's integer
    "prevtaskstatus": None,
    "starttime": None,
    "endtime": None,
    "errorcode": 0,
    "errormsg": "",
    "condition": None,
    "srcsuccessrows": 0,
    "srcfailedrows": 0,
    "tgtsuccessrows": 0,
    "tgtfailedrows": 0,
    "totaltranserrors": 0,
    "firsterrorcode": 0,
    "firsterrormsg": "",
}

#: Display names of the task variables (as in the export's WORKFLOWVARIABLE names).
TASK_VARIABLE_NAMES: dict[str, str] = {
    "status": "Status",
    "prevtaskstatus": "PrevTaskStatus",
    "starttime": "StartTime",
    "endtime": "EndTime",
    "errorcode": "ErrorCode",
    "errormsg": "ErrorMsg",
    "condition": "Condition",
    "srcsuccessrows": "SrcSuccessRows",
    "srcfailedrows": "SrcFailedRows",
    "tgtsuccessrows": "TgtSuccessRows",
    "tgtfailedrows": "TgtFailedRows",
    "totaltranserrors": "TotalTransErrors",
    "firsterrorcode": "FirstErrorCode",
    "firsterrormsg": "FirstErrorMsg",
}


def status_value(status: str) -> int:
    """The integer the language uses for a status name."""
    return E.STATUS[status]


def parse_condition(text: str, file: str, line: int) -> Any:
    """The parsed condition, or ``None`` for an empty one (always true)."""
    if text is None or not text.strip():
        return None
    return E.parse(text, file=file, line=line)


def parse_expression(text: str, file: str, line: int) -> Any:
    return E.parse(text, file=file, line=line)


class ScopeEnvironment(E.Environment):
    """Names visible to expressions evaluated in one scope (see the module docstring)."""

    def __init__(
        self,
        variables: Callable[[str], tuple[bool, V.Value]],
        task_variable: Callable[[str, str], tuple[bool, V.Value]],
        builtins: dict[str, V.Value],
        workflow_start: dt.datetime,
        current_task: str | None = None,
    ) -> None:
        self._variables = variables
        self._task_variable = task_variable
        self._builtins = builtins
        self._workflow_start = workflow_start
        self.current_task = current_task

    def resolve(self, name: str) -> Any:
        key = name.strip()
        low = key.lower()
        if low.startswith("$$"):
            found, value = self._variables(key)
            if found:
                return value
            raise E.UnknownName(name)
        if low.startswith("$"):
            body = key[1:]
            if "." in body:
                task, _, attr = body.partition(".")
                found, value = self._task_variable(task, attr)
                if found:
                    return value
                raise E.UnknownName(name)
            if body.lower() in TASK_VARIABLE_DEFAULTS and self.current_task is not None:
                found, value = self._task_variable(self.current_task, body)
                if found:
                    return value
            if low in self._builtins:
                return self._builtins[low]
            found, value = self._variables(key)  # session parameters ($DBConnection_x...) given as params
            if found:
                return value
            raise E.UnknownName(name)
        if low == "workflowstarttime":
            return self._workflow_start
        if low in ("sysdate", "systimestamp"):
            return dt.datetime.now()
        if low.upper() in E.STATUS:
            return E.STATUS[low.upper()]
        raise E.UnknownName(name)

    def now(self) -> dt.datetime:
        return dt.datetime.now()


def evaluate(node: Any, env: E.Environment) -> V.Value:
    return E.evaluate(node, env)


def holds(node: Any, env: E.Environment) -> bool:
    """A link or decision condition's truth: empty -> TRUE, NULL -> FALSE, 0 -> FALSE."""
    if node is None:
        return True
    return bool(E.truthy(E.evaluate(node, env)))


ExprError = E.ExprError
__all__ = [
    "ExprError",
    "InputError",
    "ScopeEnvironment",
    "evaluate",
    "holds",
    "parse_condition",
    "status_value",
]
