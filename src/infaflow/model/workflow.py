"""Tasks, sessions, worklets and workflows."""

from __future__ import annotations

from dataclasses import dataclass, field

from infaflow.errors import Location
from infaflow.model.base import Attributes
from infaflow.model.mapping import FlatFile, Mapping

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
# Tasks, sessions, workflows


@dataclass
class ValuePair:
    """A VALUEPAIR: a command of a Command task, an assignment, a worklet parameter..."""

    name: str
    value: str
    exec_order: int = 0
    reverse_assignment: bool = False
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class Timer:
    """The TIMER of a Timer task."""

    timer_type: str  # START_AT_ABSOLUTE_TIME, START_AT_ABSOLUTE_VARIABLE, START_RELATIVE_TO_...
    attrs: dict[str, str] = field(default_factory=dict)
    start_options: dict[str, str] = field(default_factory=dict)
    recurring: dict[str, str] = field(default_factory=dict)  # DAYS, HOURS, MINUTES
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)

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
    location: Location = field(default_factory=Location, compare=False)
    flatfile: FlatFile | None = None  # the session's file properties ("Set File Properties"), if set


@dataclass
class ConnectionReference:
    cnx_ref_name: str = ""
    connection_name: str = ""
    connection_type: str = ""
    connection_subtype: str = ""
    variable: str = ""
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class ConfigReference:
    ref_object_name: str = ""
    type: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class Config:
    """A CONFIG: a session configuration object."""

    name: str
    is_default: bool = False
    description: str = ""
    attributes: Attributes = field(default_factory=Attributes)
    folder: str = ""
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class Scheduler:
    name: str
    reusable: bool = False
    description: str = ""
    schedule_type: str = ""
    schedule_attrs: dict[str, str] = field(default_factory=dict)
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)
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
    location: Location = field(default_factory=Location, compare=False)
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
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)


@dataclass
class WorkflowEvent:
    name: str
    description: str = ""
    location: Location = field(default_factory=Location, compare=False)


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
    location: Location = field(default_factory=Location, compare=False)

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
