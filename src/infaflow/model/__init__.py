"""The model of a PowerCenter export set: plain typed dataclasses, each with its source location.

The model knows nothing of XML. It is built by :mod:`infaflow.export` and read by the graph, runtime,
code generation and report layers. Names follow PowerCenter's own (``TaskInstance``, ``WorkflowLink``,
``Session``, ``Mapping``); attribute maps (``ATTRIBUTE``/``TABLEATTRIBUTE`` name-value pairs) are
case-insensitive because exports mix spellings such as ``Output is deterministic`` and
``Output Is Deterministic``.

It is split by domain: :mod:`~infaflow.model.mapping` (sources, targets, transformations, mappings),
:mod:`~infaflow.model.workflow` (tasks, sessions, worklets, workflows) and
:mod:`~infaflow.model.repository` (folders, repositories, the files of an export set). Everything is
re-exported here.

References between objects (a session's mapping, a task instance's task, an instance's transformation)
are resolved by the loader and stored in fields marked ``repr=False, compare=False``; a reference that
could not be resolved stays ``None`` and is recorded in ``Export.missing``. Locations do not take part in
equality either: two definitions are equal when their content is, wherever they were read from.
"""

from __future__ import annotations

from infaflow.model.base import Attributes, yes
from infaflow.model.mapping import (
    Connector,
    Field,
    FlatFile,
    Group,
    Instance,
    Mapping,
    MappingVariable,
    Mapplet,
    Port,
    Source,
    Target,
    TargetLoadOrder,
    Transformation,
    XmlView,
)
from infaflow.model.repository import Export, ExportFile, Folder, MissingReference, Repository, Shortcut
from infaflow.model.workflow import (
    TASK_TYPES,
    Config,
    ConfigReference,
    ConnectionReference,
    Scheduler,
    Session,
    SessionComponent,
    SessionExtension,
    SessTransformationInst,
    Task,
    TaskInstance,
    Timer,
    ValuePair,
    Workflow,
    WorkflowEvent,
    WorkflowLink,
    WorkflowVariable,
    normalize_task_type,
)

__all__ = [
    "TASK_TYPES",
    "Attributes",
    "Config",
    "ConfigReference",
    "ConnectionReference",
    "Connector",
    "Export",
    "ExportFile",
    "Field",
    "FlatFile",
    "Folder",
    "Group",
    "Instance",
    "Mapping",
    "MappingVariable",
    "Mapplet",
    "MissingReference",
    "Port",
    "Repository",
    "Scheduler",
    "Session",
    "SessionComponent",
    "SessionExtension",
    "SessTransformationInst",
    "Shortcut",
    "Source",
    "XmlView",
    "Target",
    "TargetLoadOrder",
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
