"""How a task sees parameters and variables: parameter files and ``--param`` for a scope, the built-in
variables, user variables, predefined task variables (``$task.Status``...), and the expression
environment, ``$$`` expansion and evaluator handed to task handlers, and a session's parameters.

:func:`lookup` and :func:`task_variable` are pure functions of a scope's state; a
:class:`TaskEnvironment` (one per run, owned by the :class:`~infaflow.runtime.scheduler.Runner`) adds what
the whole run shares: its parameter files, built-ins, start time and run store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

from infaflow.model import Export, Folder, Workflow
from infaflow.runtime import conditions, paramfile, session_vars
from infaflow.runtime import values as V
from infaflow.runtime.plan import Node
from infaflow.runtime.run_state import ScopeRun
from infaflow.runtime.status import DISABLED, NOTSTARTED
from infaflow.runtime.store import RunStore
from infaflow.runtime.summary import MAPPING_SCOPE
from infaflow.runtime.variables import Param, builtins, expand


def lookup(scope: ScopeRun, builtin: Mapping[str, V.Value], name: str) -> tuple[bool, V.Value]:
    """``(found, value)`` of the variable or parameter ``name`` as a task of ``scope`` sees it: a ``$$``
    name is the scope's user variable; any other name is a built-in first, then the scope's."""
    key = name.strip()
    low = key.lower()
    if low.startswith("$$"):
        if scope.vars.has(key):
            return True, scope.vars.get(key)
        return False, None
    if low in builtin:
        return True, builtin[low]
    if scope.vars.has(key):
        return True, scope.vars.get(key)
    return False, None


def task_variable(scope: ScopeRun, task: str, attr: str) -> tuple[bool, V.Value]:
    """``(found, value)`` of the predefined task variable ``$task.attr`` in ``scope``: the value the
    task recorded, else its default (``Status`` of a task that has not ended is its current status).

    Every variable but ``Status`` is NULL for a task that has not run (not yet, NOTSTARTED, or DISABLED
    except its ``PrevTaskStatus``): Advanced Workflow Guide, "Predefined Workflow Variables"."""
    name = scope.lower.get(task.lower())
    key = attr.lower()
    if name is None or key not in conditions.TASK_VARIABLE_DEFAULTS:
        return False, None
    values = scope.task_vars.get(name)
    if key == "status":
        status = (values.get(key) if values else None) or scope.status.get(name, NOTSTARTED)
        return True, conditions.status_value(str(status))
    if key == "prevtaskstatus":
        previous = (values.get(key) or values.get("status")) if values else None
        return True, conditions.status_value(str(previous)) if previous else None
    if values and key in values:
        return True, values[key]
    ran = values is not None and values.get("status") not in (None, NOTSTARTED, DISABLED)
    return True, conditions.TASK_VARIABLE_DEFAULTS[key] if ran else None


class TaskEnvironment:
    """Parameters and variables as the tasks of one run see them."""

    def __init__(
        self,
        *,
        export: Export,
        folder: Folder,
        workflow: Workflow,
        store: RunStore,
        run_id: int,
        repository: str,
        root_dir: Path,
        param_files: list[paramfile.ParamFile],
        cli_params: dict[str, Param],
        workflow_started: dt.datetime,
        warnings: list[str],
    ) -> None:
        self.export = export
        self.folder = folder
        self.workflow = workflow
        self.store = store
        self.param_files = param_files
        self.cli_params = cli_params
        self.workflow_started = workflow_started
        self.warnings = warnings  # the run's warnings (a session parameter file that is missing)
        self.builtins = builtins(
            workflow=workflow.name,
            folder=folder.name,
            run_id=run_id,
            repository=repository,
            root_dir=root_dir.resolve(),
            params=self.params_for(paramfile.Scope(folder.name, workflow.name)),
        )

    def params_for(
        self, scope: paramfile.Scope, extra_files: list[paramfile.ParamFile] | None = None
    ) -> dict[str, Param]:
        """The parameters of ``scope`` from the run's parameter files (then ``extra_files``), with
        ``--param`` values over them."""
        files = [*self.param_files, *(extra_files or [])]
        found = paramfile.resolve(files, scope)
        out = {key: Param(name, value, f"{file}:{line}") for key, (name, value, file, line) in found.items()}
        out.update(self.cli_params)
        return out

    def lookup(self, scope: ScopeRun, name: str) -> tuple[bool, V.Value]:
        """:func:`lookup` with the run's built-ins."""
        return lookup(scope, self.builtins, name)

    def scope_environment(
        self, scope: ScopeRun, current: str | None = None, own: Mapping[str, V.Value] | None = None
    ) -> conditions.ScopeEnvironment:
        """The environment link conditions and task expressions of ``scope`` are evaluated in
        (``current``: the task whose bare ``$Status``-style names they use; ``own``: that task's own
        predefined variables by lower-case name while it ends, before they are recorded)."""

        def task_var(task: str, attr: str) -> tuple[bool, V.Value]:
            if own is not None and current is not None and task.strip().lower() == current.lower():
                if attr.lower() in own:
                    return True, own[attr.lower()]
            return task_variable(scope, task, attr)

        return conditions.ScopeEnvironment(
            variables=lambda name: self.lookup(scope, name),
            task_variable=task_var,
            builtins=self.builtins,
            workflow_start=self.workflow_started,
            current_task=current,
        )

    def expander(self, scope: ScopeRun) -> Callable[[str], str]:
        """``$$`` / ``$Param`` expansion of text (commands, file names) in ``scope``."""
        return lambda text: expand(text, resolver=lambda name: self.lookup(scope, name))

    def evaluator(self, scope: ScopeRun, node: Node) -> Callable[[str], V.Value]:
        """Evaluates an expression of ``node`` (errors located at the task instance)."""
        file = node.instance.location.file or self.export.path
        line = node.instance.location.line

        def evaluate(text: str, date_format: str = "", own: Mapping[str, V.Value] | None = None) -> V.Value:
            parsed = conditions.parse_expression(text, file, line)
            env = self.scope_environment(scope, node.name, own)
            if date_format:  # a session's DateTime Format String (pre-session variable assignments)
                env.date_format = date_format
            return conditions.evaluate(parsed, env)

        return evaluate

    def session_params(self, scope: ScopeRun, node: Node) -> tuple[dict[str, V.Value], set[str]]:
        """A session's parameters: built-ins, then saved mapping variables, then the current values of
        the user variables of its workflow or worklet (see :func:`session_vars.scope_values_for_session`),
        then parameter files and ``--param`` (these are "fixed": pre-session variable assignments do not
        override them). For a name that is one of those workflow variables only a value written under the
        session's own heading beats its current value: a value under the workflow's heading (or
        ``[Global]``, ``--param``) was the variable's start value, which the run may have changed since."""
        extra: list[paramfile.ParamFile] = []
        session_attrs = getattr(node.definition, "attributes", None)
        session_file = session_attrs.get("Parameter Filename", "") if session_attrs is not None else ""
        session_file = node.instance.attributes.get("Parameter Filename", session_file) or ""
        if session_file.strip():
            path = Path(self.expander(scope)(session_file.strip()).replace("\\", "/"))
            if path.is_file():
                extra.append(paramfile.load(path))
            else:
                self.warnings.append(f"{node.path}: session parameter file {path} not found; ignored")
        params: dict[str, V.Value] = {name: value for name, value in self.builtins.items()}
        params["$PMSessionName"] = node.name
        params["$PMMappingName"] = getattr(node.definition, "mapping_name", "")
        params["$PMSessionRunMode"] = "Normal"
        params.update(
            self.store.persistent_values(self.folder.name, self.workflow.name, f"{node.path}{MAPPING_SCOPE}")
        )
        declared = session_vars.mapping_declarations(node.definition, self.folder)
        current = session_vars.scope_values_for_session(scope.vars.display(), declared)
        _put_all(params, current)
        fixed: set[str] = set()
        scope_key = paramfile.Scope(
            self.folder.name, self.workflow.name, scope.plan.worklet_names(), node.name
        )
        own_heading = paramfile.session_heading_names([*self.param_files, *extra], scope_key)
        workflow_vars = {name.lower() for name in current}
        for key, param in self.params_for(scope_key, extra).items():
            if key in workflow_vars and key not in own_heading:
                continue  # the workflow variable's current value stands
            _put_all(params, {param.name: param.text})
            fixed.add(key)
        return params, fixed


def _put_all(params: dict[str, V.Value], values: Mapping[str, V.Value]) -> None:
    """Set ``values`` in ``params``, replacing a name written in another case."""
    for name, value in values.items():
        for old in [k for k in params if k.lower() == name.lower()]:
            del params[old]
        params[name] = value
