"""Variable scopes: user workflow/worklet variables, parameters, persistent values and built-ins.

Start value of a user variable (SPEC.md D): parameter (``--param``, then parameter files, see
:mod:`infaflow.runtime.paramfile`) -> saved persistent value (ISPERSISTENT=YES) -> DEFAULTVALUE ->
the datatype's default ('' / 0 / 01/01/1753). Only user-defined variables (``$$x``) can be assigned.
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infaflow.errors import InputError
from infaflow.model import Workflow, WorkflowVariable
from infaflow.runtime import values as V

#: Process directories and their local defaults, relative to $PMRootDir (PowerCenter's standard names).
PROCESS_DIRS: dict[str, str] = {
    "$PMSessionLogDir": "SessLogs",
    "$PMBadFileDir": "BadFiles",
    "$PMCacheDir": "Cache",
    "$PMTargetFileDir": "TgtFiles",
    "$PMSourceFileDir": "SrcFiles",
    "$PMExtProcDir": "ExtProc",
    "$PMTempDir": "Temp",
    "$PMWorkflowLogDir": "WorkflowLogs",
    "$PMLookupFileDir": "LkpFiles",
    "$PMStorageDir": "Storage",
}


@dataclass
class Param:
    """A value given from outside: ``--param`` or a parameter file line."""

    name: str
    text: str | None  # None: an empty value, i.e. NULL
    origin: str  # "--param" or "file:line"


def builtins(
    *,
    workflow: str,
    folder: str,
    run_id: int,
    repository: str,
    root_dir: Path,
    params: Mapping[str, Param],
) -> dict[str, V.Value]:
    """Built-in and process variables by lower-case name (process directories may be overridden by
    parameters)."""

    def given(name: str) -> str | None:
        p = params.get(name.lower())
        return p.text if p is not None and p.text is not None else None

    root = given("$PMRootDir") or str(root_dir)
    out: dict[str, V.Value] = {
        "$pmworkflowname": workflow,
        "$pmworkflowrunid": run_id,
        "$pmworkflowruninstancename": "",
        "$pmfoldername": folder,
        "$pmintegrationservicename": "infaflow",
        "$pmrepositoryservicename": repository,
        "$pmrepositoryusername": _user(),
        "$pmrootdir": root,
        "$pmsuccessemailuser": given("$PMSuccessEmailUser") or "",
        "$pmfailureemailuser": given("$PMFailureEmailUser") or "",
        "$pmsessionlogcount": 0,
        "$pmsessionerrorthreshold": 0,
    }
    for name, sub in PROCESS_DIRS.items():
        out[name.lower()] = given(name) or str(Path(root) / sub)
    return out


#: Process directories a PowerCenter node always has and sessions write into. A local run creates them
#: (as the service's installation did) so that a target file, reject file or `touch $PMTargetFileDir/x` in
#: a Command task works on a fresh checkout; source and lookup directories are inputs and never created.
OUTPUT_DIRS: tuple[str, ...] = (
    "$PMTargetFileDir",
    "$PMBadFileDir",
    "$PMSessionLogDir",
    "$PMWorkflowLogDir",
    "$PMCacheDir",
    "$PMTempDir",
    "$PMStorageDir",
)


def create_output_dirs(values: Mapping[str, V.Value]) -> list[Path]:
    """Create the output process directories named in ``values`` (lower-case names, see :func:`builtins`);
    returns the directories that were created."""
    created: list[Path] = []
    for name in OUTPUT_DIRS:
        value = values.get(name.lower())
        if not isinstance(value, str) or not value.strip():
            continue
        path = Path(value)
        if not path.exists():
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError:
                continue  # the task that writes there reports it, with its own message
            created.append(path)
    return created


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


@dataclass
class VariableScope:
    """The user variables of one workflow or worklet instance, plus the parameters given to it."""

    path: str
    declared: dict[str, WorkflowVariable] = field(default_factory=dict)  # lower(name) -> declaration
    values: dict[str, V.Value] = field(default_factory=dict)  # lower(name) -> current value
    params: dict[str, Param] = field(default_factory=dict)  # lower(name) -> parameter (declared or not)

    @classmethod
    def create(
        cls,
        wf: Workflow,
        path: str,
        params: Mapping[str, Param],
        persistent: Mapping[str, V.Value],
        overrides: Mapping[str, V.Value] | None = None,
    ) -> VariableScope:
        """Declare ``wf``'s user variables and give each its start value; ``overrides`` (values passed
        into a worklet through its instance) win over everything."""
        scope = cls(path, params=dict(params))
        persistent = {name.lower(): value for name, value in persistent.items()}
        for var in wf.variables:
            if not var.user_defined:
                continue
            key = var.name.lower()
            scope.declared[key] = var
            scope.values[key] = scope._start_value(var, persistent)
        for name, value in (overrides or {}).items():
            key = name.lower()
            known = scope.declared.get(key)
            scope.values[key] = V.coerce(value, known.datatype) if known is not None else value
        return scope

    def _start_value(self, var: WorkflowVariable, persistent: Mapping[str, V.Value]) -> V.Value:
        key = var.name.lower()
        param = self.params.get(key)
        where = var.location
        if param is not None:
            if param.text is None:
                return None
            try:
                return V.parse_value(param.text, var.datatype)
            except ValueError as exc:
                raise InputError(
                    f"{param.origin}: value for {var.name} ({var.datatype}): {exc}", where.file, where.line
                ) from None
        if var.is_persistent and key in persistent:
            return persistent[key]
        if var.is_null and not var.default_value:
            return None
        if var.default_value != "":
            try:
                return V.parse_value(var.default_value, var.datatype)
            except ValueError as exc:
                raise InputError(
                    f"default value of {var.name} ({var.datatype}): {exc}", where.file, where.line
                ) from None
        return V.datatype_default(var.datatype)

    def has(self, name: str) -> bool:
        key = name.lower()
        return key in self.values or key in self.params

    def get(self, name: str) -> V.Value:
        """The current value of ``$$name`` (declared variable, else an undeclared parameter as text)."""
        key = name.lower()
        if key in self.values:
            return self.values[key]
        param = self.params[key]  # KeyError when unknown
        return param.text

    def assign(self, name: str, value: V.Value) -> V.Value:
        """Assign a user variable (converted to its datatype); ``KeyError`` when it is not declared."""
        key = name.lower()
        var = self.declared[key]
        self.values[key] = V.coerce(value, var.datatype)
        return self.values[key]

    def display(self) -> dict[str, V.Value]:
        """Current values by the names as declared."""
        return {var.name: self.values.get(key) for key, var in self.declared.items()}

    def persistent_values(self) -> dict[str, V.Value]:
        return {var.name: self.values.get(key) for key, var in self.declared.items() if var.is_persistent}


_REFERENCE = re.compile(r"\$\$?[A-Za-z_][A-Za-z0-9_]*(?:@[A-Za-z0-9_]+)?")


def expand(
    text: str,
    lookup: Mapping[str, V.Value] | None = None,
    resolver: Callable[[str], tuple[bool, V.Value]] | None = None,
) -> str:
    """Replace ``$$var``, ``$PMRootDir``, ``$Param`` references whose value is known; others stay as written.

    ``resolver(name) -> (found, value)`` takes precedence over ``lookup`` (by lower-case name).
    """

    def sub(match: re.Match[str]) -> str:
        name = match.group(0)
        if resolver is not None:
            found, value = resolver(name)
            if found:
                return V.format_value(value)
        if lookup is not None and name.lower() in lookup:
            return V.format_value(lookup[name.lower()])
        return name

    return _REFERENCE.sub(sub, text)


def now() -> dt.datetime:
    return dt.datetime.now()
