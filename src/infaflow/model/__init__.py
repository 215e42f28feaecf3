"""The model of a PowerCenter export: plain typed dataclasses, each with its source location.

The model knows nothing of XML. It is built by :mod:`infaflow.export` and read by the graph, runtime,
code generation and report layers. Names follow PowerCenter's own (``TaskInstance``, ``WorkflowLink``,
``Session``, ``Mapping``); attribute maps (``ATTRIBUTE``/``TABLEATTRIBUTE`` name-value pairs) are
case-insensitive because exports mix spellings such as ``Output is deterministic`` and
``Output Is Deterministic``.

References between objects (a session's mapping, a task instance's task, an instance's transformation)
are resolved by the loader and stored in fields marked ``repr=False, compare=False``; a reference that
could not be resolved stays ``None`` and is reported as a load problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from infaflow.errors import Location, Problem


class Attributes(dict[str, str]):
    """Name-value pairs compared case-insensitively (``ATTRIBUTE``, ``TABLEATTRIBUTE``).

    Keeps the names as written for display; ``get``/``[]``/``in`` ignore case and surrounding spaces.
    """

    def _key(self, name: str) -> str | None:
        wanted = name.strip().lower()
        for key in dict.keys(self):
            if key.strip().lower() == wanted:
                return key
        return None

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        key = self._key(name)
        return default if key is None else dict.__getitem__(self, key)

    def __getitem__(self, name: str) -> str:
        key = self._key(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None

    def flag(self, name: str, default: bool = False) -> bool:
        """A YES/NO attribute as a bool."""
        value = self.get(name)
        if value is None or value.strip() == "":
            return default
        return value.strip().upper() in ("YES", "Y", "TRUE", "1")

    def merged(self, overrides: Attributes | dict[str, str]) -> Attributes:
        """A copy with ``overrides`` applied (an override replaces the same name in any case)."""
        out = Attributes(self)
        for name, value in overrides.items():
            key = out._key(name)
            if key is not None:
                del out[key]
            out[name] = value
        return out


def yes(value: str | None, default: bool = False) -> bool:
    """PowerCenter's YES/NO flags as a bool."""
    if value is None or value.strip() == "":
        return default
    return value.strip().upper() in ("YES", "Y", "TRUE", "1")


# --------------------------------------------------------------------------------------------------
# Task types


TASK_TYPES: tuple[str, ...] = (
    "Start",
    "Session",
    "Command",
    "Decision",
    "Assignment",
    "Timer",
    "Email",
    "Control",
    "Event Wait",
    "Event Raise",
    "Worklet",
)

_TASK_TYPE_KEYS = {t.lower().replace(" ", "").replace("-", "").replace("_", ""): t for t in TASK_TYPES}


def normalize_task_type(raw: str) -> str | None:
    """The canonical task type for a TASKTYPE/TYPE value (``Event-wait`` and ``Event Wait`` alike),
    or ``None`` when it is not a task type PowerCenter has."""
    return _TASK_TYPE_KEYS.get(raw.strip().lower().replace(" ", "").replace("-", "").replace("_", ""))


# --------------------------------------------------------------------------------------------------
# Sources, targets, transformations


@dataclass
class FlatFile:
    """A FLATFILE definition of a source or target (delimiters, quoting, header lines...).

    ``attrs`` holds every XML attribute as written (``DELIMITED``, ``DELIMITERS``, ``QUOTE_CHARACTER``,
    ``SKIPROWS``, ``HEADERLINES``/``SKIPROWS``, ``NULL_CHARACTER``, ``CODEPAGE``, ``ROWDELIMITER``...).
    """

    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)

    @property
    def delimited(self) -> bool:
        return yes(self.attrs.get("DELIMITED"), True)

    @property
    def delimiters(self) -> str:
        return self.attrs.get("DELIMITERS", ",")

    @property
    def quote_character(self) -> str:
        return self.attrs.get("QUOTE_CHARACTER", "NONE")

    @property
    def skip_rows(self) -> int:
        try:
            return int(self.attrs.get("SKIPROWS", "0") or 0)
        except ValueError:
            return 0


@dataclass
class Field:
    """A SOURCEFIELD or TARGETFIELD."""

    name: str
    datatype: str
    precision: int = 0
    scale: int = 0
    nullable: bool = True
    key_type: str = "NOT A KEY"
    occurs: int = 0
    field_number: int = 0
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)
    children: list[Field] = field(default_factory=list)  # nested SOURCEFIELDs (COBOL group items)


@dataclass
class Source:
    """A SOURCE definition (relational table or flat file)."""

    name: str
    database_type: str = ""
    dbd_name: str = ""
    owner_name: str = ""
    business_name: str = ""
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    flatfile: FlatFile | None = None
    table_attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location)

    @property
    def is_flat_file(self) -> bool:
        return self.flatfile is not None or self.database_type.lower() == "flat file"


@dataclass
class Target:
    """A TARGET definition (relational table or flat file)."""

    name: str
    database_type: str = ""
    business_name: str = ""
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    flatfile: FlatFile | None = None
    table_attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location)

    @property
    def is_flat_file(self) -> bool:
        return self.flatfile is not None or self.database_type.lower() == "flat file"


@dataclass
class Port:
    """A TRANSFORMFIELD: one port of a transformation."""

    name: str
    datatype: str
    port_type: str  # INPUT, OUTPUT, INPUT/OUTPUT, LOCAL VARIABLE, LOOKUP/OUTPUT, INPUT/MASTER, ...
    precision: int = 0
    scale: int = 0
    default_value: str = ""
    expression: str = ""
    expression_type: str = ""  # GENERAL, GROUPBY, RANKPORT, RANKINDEX
    group: str = ""
    ref_field: str = ""
    is_sort_key: bool = False
    sort_direction: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)

    def _parts(self) -> set[str]:
        return {p.strip().upper() for p in self.port_type.split("/")}

    @property
    def is_input(self) -> bool:
        return "INPUT" in self._parts()

    @property
    def is_output(self) -> bool:
        return "OUTPUT" in self._parts()

    @property
    def is_variable(self) -> bool:
        return "VARIABLE" in self.port_type.upper()

    @property
    def is_lookup(self) -> bool:
        return "LOOKUP" in self._parts()

    @property
    def is_return(self) -> bool:
        return "RETURN" in self._parts()

    @property
    def is_master(self) -> bool:
        return "MASTER" in self._parts()

    @property
    def is_group_by(self) -> bool:
        return self.expression_type.upper() == "GROUPBY"


@dataclass
class Group:
    """A GROUP of a transformation (Router groups, Union input groups, Normalizer...)."""

    name: str
    type: str = ""  # INPUT, OUTPUT, OUTPUT/DEFAULT
    order: int = 0
    expression: str = ""
    description: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)


@dataclass
class Transformation:
    """A TRANSFORMATION, reusable (folder level) or not (inside a mapping or mapplet).

    ``type`` is the XML TYPE as written (``Expression``, ``Lookup Procedure``, ``Sequence``,
    ``Custom Transformation`` ...); ``template_name`` tells Custom Transformations apart.
    """

    name: str
    type: str
    reusable: bool = False
    template_name: str = ""
    description: str = ""
    ports: list[Port] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location)
    flatfile: FlatFile | None = None  # FLATFILE of a flat-file Lookup (delimiters, header lines)
    source_fields: list[Field] = field(default_factory=list)  # SOURCEFIELDs of a Normalizer
    attrs: dict[str, str] = field(default_factory=dict)  # the XML attributes as written (ISVSAM_NORMALIZER...)

    def port(self, name: str) -> Port | None:
        wanted = name.lower()
        return next((p for p in self.ports if p.name.lower() == wanted), None)

    @property
    def kind(self) -> str:
        """The type a user recognises: the TEMPLATENAME for Custom Transformations, else TYPE."""
        if self.type.lower() == "custom transformation" and self.template_name:
            return self.template_name
        return self.type


# --------------------------------------------------------------------------------------------------
# Mappings and mapplets


@dataclass
class Instance:
    """An INSTANCE inside a mapping or mapplet: of a source, target, transformation or mapplet.

    ``definition`` is resolved by the loader: a :class:`Source`, :class:`Target`,
    :class:`Transformation` or :class:`Mapplet` (following shortcuts), or ``None`` if absent.
    """

    name: str
    type: str  # SOURCE, TARGET, TRANSFORMATION, MAPPLET
    transformation_name: str = ""
    transformation_type: str = ""
    reusable: bool = False
    dbd_name: str = ""
    description: str = ""
    associated_source_instances: list[str] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)  # TABLEATTRIBUTE overrides on the instance
    location: Location = field(default_factory=Location)
    definition: Source | Target | Transformation | Mapplet | None = field(
        default=None, repr=False, compare=False
    )


@dataclass
class Connector:
    """A CONNECTOR: a port-level edge between two instances."""

    from_instance: str
    from_field: str
    to_instance: str
    to_field: str
    from_instance_type: str = ""
    to_instance_type: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class TargetLoadOrder:
    order: int
    target_instance: str
    location: Location = field(default_factory=Location)


@dataclass
class MappingVariable:
    """A MAPPINGVARIABLE: a mapping parameter (``is_param``) or variable (with AGGFUNCTION)."""

    name: str
    datatype: str = "string"
    default_value: str = ""
    is_param: bool = False
    aggfunction: str = "NONE"
    precision: int = 0
    scale: int = 0
    is_expression_variable: bool = False
    user_defined: bool = True
    description: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class Mapping:
    """A MAPPING (or, with ``is_mapplet``, a MAPPLET: same content)."""

    name: str
    is_valid: bool = True
    description: str = ""
    transformations: list[Transformation] = field(default_factory=list)  # defined inside (non-reusable)
    instances: list[Instance] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    target_load_order: list[TargetLoadOrder] = field(default_factory=list)
    variables: list[MappingVariable] = field(default_factory=list)
    is_mapplet: bool = False
    folder: str = ""
    location: Location = field(default_factory=Location)

    def instance(self, name: str) -> Instance | None:
        return next((i for i in self.instances if i.name == name), None)

    def transformation(self, name: str) -> Transformation | None:
        return next((t for t in self.transformations if t.name == name), None)


class Mapplet(Mapping):
    """A MAPPLET: a mapping fragment with Input and Output transformations."""


# --------------------------------------------------------------------------------------------------
# Tasks, sessions, workflows


@dataclass
class ValuePair:
    """A VALUEPAIR: a command of a Command task, an assignment, a worklet parameter..."""

    name: str
    value: str
    exec_order: int = 0
    reverse_assignment: bool = False
    location: Location = field(default_factory=Location)


@dataclass
class Timer:
    """The TIMER of a Timer task."""

    timer_type: str  # START_AT_ABSOLUTE_TIME, START_AT_ABSOLUTE_VARIABLE, START_RELATIVE_TO_...
    attrs: dict[str, str] = field(default_factory=dict)
    start_options: dict[str, str] = field(default_factory=dict)
    recurring: dict[str, str] = field(default_factory=dict)  # DAYS, HOURS, MINUTES
    location: Location = field(default_factory=Location)


@dataclass
class Task:
    """A TASK of any type but Session and Worklet: Command, Decision, Assignment, Timer, Email,
    Control, Event Wait, Event Raise, Start."""

    name: str
    type: str  # canonical, see TASK_TYPES
    raw_type: str = ""
    reusable: bool = False
    description: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    value_pairs: list[ValuePair] = field(default_factory=list)
    timer: Timer | None = None
    folder: str = ""
    location: Location = field(default_factory=Location)

    def ordered_value_pairs(self) -> list[ValuePair]:
        return sorted(self.value_pairs, key=lambda v: v.exec_order)


@dataclass
class SessTransformationInst:
    """A SESSTRANSFORMATIONINST: per-instance session overrides (``Sql Query``, ``Table Name Prefix``...)."""

    sinstance_name: str
    transformation_name: str = ""
    transformation_type: str = ""
    pipeline: int = 0
    stage: int = 0
    attributes: Attributes = field(default_factory=Attributes)
    location: Location = field(default_factory=Location)


@dataclass
class ConnectionReference:
    cnx_ref_name: str = ""
    connection_name: str = ""
    connection_type: str = ""
    connection_subtype: str = ""
    variable: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class SessionExtension:
    """A SESSIONEXTENSION: reader/writer settings and connections of one session instance."""

    name: str = ""
    type: str = ""  # READER, WRITER
    subtype: str = ""  # Relational Reader, File Writer, ...
    sinstance_name: str = ""
    dsq_inst_name: str = ""
    dsq_inst_type: str = ""
    connection_references: list[ConnectionReference] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)
    location: Location = field(default_factory=Location)


@dataclass
class SessionComponent:
    """A SESSIONCOMPONENT: pre/post-session commands, success/failure emails, variable assignments.

    ``task`` is the embedded TASK, or the reusable one named by REFOBJECTNAME once resolved.
    """

    type: str
    ref_object_name: str = ""
    reusable: bool = False
    is_none: bool = False
    value_pairs: list[ValuePair] = field(default_factory=list)  # e.g. pre-session variable assignments
    attributes: Attributes = field(default_factory=Attributes)
    task: Task | None = field(default=None, compare=False)
    location: Location = field(default_factory=Location)


@dataclass
class ConfigReference:
    ref_object_name: str = ""
    type: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    location: Location = field(default_factory=Location)


@dataclass
class Config:
    """A CONFIG: a session configuration object."""

    name: str
    is_default: bool = False
    description: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class Scheduler:
    name: str
    reusable: bool = False
    description: str = ""
    schedule_type: str = ""
    schedule_attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)


@dataclass
class Session:
    """A SESSION: runs one mapping with reader/writer settings and overrides."""

    name: str
    mapping_name: str
    reusable: bool = False
    is_valid: bool = True
    description: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    transformation_instances: list[SessTransformationInst] = field(default_factory=list)
    config_reference: ConfigReference | None = None
    components: list[SessionComponent] = field(default_factory=list)
    extensions: list[SessionExtension] = field(default_factory=list)
    folder: str = ""
    location: Location = field(default_factory=Location)
    mapping: Mapping | None = field(default=None, repr=False, compare=False)
    config: Config | None = field(default=None, repr=False, compare=False)

    @property
    def type(self) -> str:
        return "Session"


@dataclass
class TaskInstance:
    """A TASKINSTANCE: one use of a task, session or worklet inside a workflow or worklet.

    Links, ``$Name.Var`` references and parameter-file headings use the instance ``name``.
    Overrides written on the instance (ATTRIBUTE, VALUEPAIR, SESSIONCOMPONENT, SESSIONEXTENSION,
    CONFIGREFERENCE) are kept here; :attr:`task` is the resolved definition.
    """

    name: str
    task_name: str
    task_type: str  # canonical, see TASK_TYPES
    raw_task_type: str = ""
    reusable: bool = False
    is_enabled: bool = True
    treat_input_link_as_and: bool = True
    fail_parent_if_instance_fails: bool = False
    fail_parent_if_instance_did_not_run: bool = False
    description: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    value_pairs: list[ValuePair] = field(default_factory=list)
    config_reference: ConfigReference | None = None
    components: list[SessionComponent] = field(default_factory=list)
    extensions: list[SessionExtension] = field(default_factory=list)
    xml_attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location)
    task: Task | Session | Workflow | None = field(default=None, repr=False, compare=False)

    def effective_attributes(self) -> Attributes:
        """The definition's attributes with this instance's overrides applied."""
        base = getattr(self.task, "attributes", None) or Attributes()
        return base.merged(self.attributes)


@dataclass
class WorkflowLink:
    """A WORKFLOWLINK from one task instance to another, with its condition ('' = always)."""

    from_task: str
    to_task: str
    condition: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class WorkflowVariable:
    """A WORKFLOWVARIABLE: a user variable (``$$x``, ``user_defined``) or a predefined task variable."""

    name: str
    datatype: str = "string"
    default_value: str = ""
    is_null: bool = False
    is_persistent: bool = False
    user_defined: bool = True
    description: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class WorkflowEvent:
    name: str
    description: str = ""
    location: Location = field(default_factory=Location)


@dataclass
class Workflow:
    """A WORKFLOW or (``is_worklet``) a WORKLET, with its own tasks, sessions and nested worklets."""

    name: str
    is_worklet: bool = False
    reusable: bool = True
    is_enabled: bool = True
    suspend_on_error: bool = False
    suspension_email: str = ""
    server_name: str = ""
    scheduler_name: str = ""
    description: str = ""
    scheduler: Scheduler | None = None
    tasks: list[Task] = field(default_factory=list)  # non-reusable tasks defined inside
    sessions: list[Session] = field(default_factory=list)  # non-reusable sessions defined inside
    worklets: list[Workflow] = field(default_factory=list)  # non-reusable worklets defined inside
    instances: list[TaskInstance] = field(default_factory=list)
    links: list[WorkflowLink] = field(default_factory=list)
    variables: list[WorkflowVariable] = field(default_factory=list)
    events: list[WorkflowEvent] = field(default_factory=list)
    attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location)

    @property
    def type(self) -> str:
        return "Worklet" if self.is_worklet else "Workflow"

    def instance(self, name: str) -> TaskInstance | None:
        return next((i for i in self.instances if i.name == name), None)

    @property
    def user_variables(self) -> list[WorkflowVariable]:
        return [v for v in self.variables if v.user_defined]

    def start_instances(self) -> list[TaskInstance]:
        return [i for i in self.instances if i.task_type == "Start"]


@dataclass
class Shortcut:
    """A SHORTCUT to an object of another (or the same) folder; ``target`` once resolved."""

    name: str
    ref_object_name: str
    folder_name: str = ""
    repository_name: str = ""
    reference_type: str = ""  # LOCAL, GLOBAL
    object_type: str = ""  # SOURCE, TARGET, MAPPING, TRANSFORMATION, MAPPLET, SESSION, ...
    object_subtype: str = ""
    dbd_name: str = ""
    location: Location = field(default_factory=Location)
    target: Any = field(default=None, repr=False, compare=False)


@dataclass
class Folder:
    """A FOLDER of a repository."""

    name: str
    owner: str = ""
    shared: bool = False
    description: str = ""
    uuid: str = ""
    sources: list[Source] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    transformations: list[Transformation] = field(default_factory=list)  # reusable ones
    mapplets: list[Mapplet] = field(default_factory=list)
    mappings: list[Mapping] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)  # reusable sessions
    tasks: list[Task] = field(default_factory=list)  # reusable tasks
    worklets: list[Workflow] = field(default_factory=list)  # reusable worklets
    workflows: list[Workflow] = field(default_factory=list)
    configs: list[Config] = field(default_factory=list)
    schedulers: list[Scheduler] = field(default_factory=list)
    shortcuts: list[Shortcut] = field(default_factory=list)
    location: Location = field(default_factory=Location)

    def workflow(self, name: str) -> Workflow | None:
        return _find(self.workflows, name)

    def mapping(self, name: str) -> Mapping | None:
        return _find(self.mappings, name)

    def all_sessions(self) -> Iterator[Session]:
        """Every session of the folder: reusable ones, then those defined inside workflows and worklets."""
        yield from self.sessions
        for wf in [*self.workflows, *self.worklets]:
            yield from _nested_sessions(wf)


def _nested_sessions(wf: Workflow) -> Iterator[Session]:
    yield from wf.sessions
    for inner in wf.worklets:
        yield from _nested_sessions(inner)


def _find(items: list[Any], name: str) -> Any:
    found = next((i for i in items if i.name == name), None)
    if found is None:
        wanted = name.lower()
        found = next((i for i in items if i.name.lower() == wanted), None)
    return found


@dataclass
class Repository:
    name: str
    version: str = ""
    codepage: str = ""
    database_type: str = ""
    folders: list[Folder] = field(default_factory=list)
    location: Location = field(default_factory=Location)


@dataclass
class Export:
    """A whole export file: POWERMART with its repositories; ``problems`` are load warnings/errors."""

    path: str
    creation_date: str = ""
    repository_version: str = ""
    encoding: str = ""
    repositories: list[Repository] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def folders(self) -> list[Folder]:
        return [f for r in self.repositories for f in r.folders]

    def folder(self, name: str) -> Folder | None:
        return _find(self.folders, name)

    def workflows(self) -> Iterator[tuple[Folder, Workflow]]:
        for folder in self.folders:
            for wf in folder.workflows:
                yield folder, wf

    def find_workflow(self, name: str, folder: str | None = None) -> tuple[Folder, Workflow] | None:
        """The workflow (or reusable worklet) called ``name``, optionally in ``folder``."""
        for f in self.folders:
            if folder is not None and f.name != folder:
                continue
            wf = f.workflow(name) or _find(f.worklets, name)
            if wf is not None:
                return f, wf
        return None


__all__ = [
    "TASK_TYPES",
    "Attributes",
    "Config",
    "ConfigReference",
    "ConnectionReference",
    "Connector",
    "Export",
    "Field",
    "FlatFile",
    "Folder",
    "Group",
    "Instance",
    "Mapping",
    "MappingVariable",
    "Mapplet",
    "Port",
    "Repository",
    "Scheduler",
    "Session",
    "SessionComponent",
    "SessionExtension",
    "SessTransformationInst",
    "Shortcut",
    "Source",
    "Target",
    "Task",
    "TaskInstance",
    "Timer",
    "Transformation",
    "ValuePair",
    "Workflow",
    "WorkflowEvent",
    "WorkflowLink",
    "WorkflowVariable",
    "normalize_task_type",
    "yes",
]
