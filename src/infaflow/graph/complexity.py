"""Complexity of mappings and workflows, with a documented score used to rank migration effort.

**Mapping score** = the sum over its transformation instances of the weight of their type
(:data:`TRANSFORMATION_WEIGHTS`, 2 for a type not listed; sources, targets and mapplet instances weigh 0
themselves)
+ 1 per expression (a port whose EXPRESSION is more than its own name, a Router group condition, or a
condition attribute of :data:`CONDITION_ATTRIBUTES`)
+ 1 per two function calls inside those expressions (nesting is where logic hides)
+ 2 per unconnected lookup call (``:LKP.name(...)``)
+ 2 per SQL override (``Sql Query``, ``Lookup Sql Override``, ``User Defined Join``, ``Source Filter``)
+ 1 per ten ports (rounded up)
+ 1 per source and per target instance
+ the score of every distinct mapplet it uses.

**Workflow score** = its orchestration score + the scores of the distinct mappings its sessions run
(in the workflow and in its worklets). Orchestration score = the sum over its task instances, worklets' tasks
included, of :data:`TASK_WEIGHTS` (Start 0, Session 1, Decision 3, Worklet 3...) + 2 per conditional link.

Bands: score < 20 low, < 60 medium, < 150 high, else very high.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from infaflow.errors import Location
from infaflow.model import Folder, Mapping, Mapplet, Session, Transformation, Workflow

#: Weight of one instance of a transformation type (the type a user recognises, see ``Transformation.kind``).
TRANSFORMATION_WEIGHTS: dict[str, int] = {
    "Source Qualifier": 1,
    "App Multi-Group Source Qualifier": 2,
    "Expression": 1,
    "Filter": 1,
    "Sorter": 1,
    "Sequence": 1,
    "Sequence Generator": 1,
    "Input Transformation": 0,
    "Output Transformation": 0,
    "Router": 2,
    "Rank": 2,
    "Update Strategy": 2,
    "Union Transformation": 2,
    "Union": 2,
    "Transaction Control": 2,
    "Aggregator": 3,
    "Joiner": 3,
    "Lookup Procedure": 3,
    "Lookup": 3,
    "Normalizer": 3,
    "XML Source Qualifier": 2,
    "XML Parser": 4,
    "XML Generator": 4,
    "Stored Procedure": 4,
    "SQL Transformation": 5,
    "SQL Transform": 5,
    "Java Transformation": 5,
    "HTTP Transformation": 5,
    "Custom Transformation": 5,
}
DEFAULT_TRANSFORMATION_WEIGHT = 2
_WEIGHT_BY_KEY = {name.lower(): weight for name, weight in TRANSFORMATION_WEIGHTS.items()}


def transformation_weight(kind: str) -> int:
    """The weight of a transformation type (case-insensitive), :data:`DEFAULT_TRANSFORMATION_WEIGHT` if
    unlisted."""
    return _WEIGHT_BY_KEY.get(kind.strip().lower(), DEFAULT_TRANSFORMATION_WEIGHT)


#: Weight of one task instance of a type in the orchestration score.
TASK_WEIGHTS: dict[str, int] = {
    "Start": 0,
    "Session": 1,
    "Command": 1,
    "Decision": 3,
    "Assignment": 1,
    "Timer": 2,
    "Email": 1,
    "Control": 2,
    "Event Wait": 2,
    "Event Raise": 2,
    "Worklet": 3,
}

#: Transformation attributes holding an expression of the transformation language.
CONDITION_ATTRIBUTES: tuple[str, ...] = (
    "Filter Condition",
    "Update Strategy Expression",
    "Lookup condition",
    "Join Condition",
    "Transaction Control Condition",
)
#: Attributes holding SQL written by hand.
SQL_ATTRIBUTES: tuple[str, ...] = ("Sql Query", "Lookup Sql Override", "User Defined Join", "Source Filter")

BANDS: tuple[tuple[int, str], ...] = ((20, "low"), (60, "medium"), (150, "high"))

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_COMMENT = re.compile(r"(--|//)[^\n]*")
_CALL = re.compile(r"(?<![\w$.:])([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_LKP = re.compile(r":LKP\.", re.IGNORECASE)


def band(score: int) -> str:
    """The band of a score: low, medium, high or very high."""
    return next((name for limit, name in BANDS if score < limit), "very high")


def function_calls(expression: str) -> int:
    """How many function calls an expression makes (outside string literals and comments)."""
    text = _COMMENT.sub("", _STRING.sub("''", expression))
    return len(_CALL.findall(text))


def unconnected_lookups(expression: str) -> int:
    """How many ``:LKP.name(...)`` calls an expression makes (outside string literals and comments)."""
    return len(_LKP.findall(_COMMENT.sub("", _STRING.sub("''", expression))))


@dataclass
class MappingComplexity:
    """What a mapping is made of and its score (see the module documentation)."""

    name: str
    folder: str
    is_mapplet: bool
    transformations_by_type: dict[str, int]
    sources: int
    targets: int
    transformations: int
    expressions: int
    function_calls: int
    lookups: int
    unconnected_lookups: int
    joins: int
    sql_overrides: int
    ports: int
    connectors: int
    mapplets: list[str]
    score: int
    location: Location = field(default_factory=Location)

    @property
    def band(self) -> str:
        return band(self.score)


@dataclass
class WorkflowComplexity:
    """Orchestration figures of a workflow, the mappings it runs, and its score."""

    name: str
    folder: str
    tasks_by_type: dict[str, int]
    tasks: int
    links: int
    conditional_links: int
    worklets: int
    mappings: list[str]
    orchestration_score: int
    mapping_score: int
    score: int
    location: Location = field(default_factory=Location)

    @property
    def band(self) -> str:
        return band(self.score)


def _definition(mapping: Mapping, instance_name: str, transformation_name: str) -> object:
    inst = mapping.instance(instance_name)
    if inst is not None and inst.definition is not None:
        return inst.definition
    return mapping.transformation(transformation_name)


def _expressions(t: Transformation) -> list[str]:
    out = [
        p.expression
        for p in t.ports
        if p.expression.strip() and p.expression.strip().lower() != p.name.lower()
    ]
    out += [g.expression for g in t.groups if g.expression.strip()]
    out += [v for name in CONDITION_ATTRIBUTES if (v := (t.attributes.get(name) or "").strip())]
    return out


def mapping_complexity(mapping: Mapping, _stack: tuple[str, ...] = ()) -> MappingComplexity:
    """Count what ``mapping`` (or mapplet) is made of and score it."""
    by_type: Counter[str] = Counter()
    sources = targets = ports = sql = 0
    expressions: list[str] = []
    mapplets: list[MappingComplexity] = []
    for inst in mapping.instances:
        kind_of_instance = inst.type.upper()
        if kind_of_instance == "SOURCE":
            sources += 1
            continue
        if kind_of_instance == "TARGET":
            targets += 1
            continue
        definition = _definition(mapping, inst.name, inst.transformation_name)
        if kind_of_instance == "MAPPLET" or isinstance(definition, Mapplet):
            by_type["Mapplet"] += 1
            counted = (
                any(m.name == definition.name for m in mapplets) if isinstance(definition, Mapping) else True
            )
            if isinstance(definition, Mapping) and not counted and definition.name.lower() not in _stack:
                mapplets.append(mapping_complexity(definition, (*_stack, mapping.name.lower())))
            continue
        if isinstance(definition, Transformation):
            by_type[definition.kind] += 1
            ports += len(definition.ports)
            expressions += _expressions(definition)
            attrs = definition.attributes.merged(inst.attributes)
            sql += sum(1 for name in SQL_ATTRIBUTES if (attrs.get(name) or "").strip())
        else:
            by_type[inst.transformation_type or "Unknown"] += 1
    calls = sum(function_calls(e) for e in expressions)
    unconnected = sum(unconnected_lookups(e) for e in expressions)
    weight = sum(transformation_weight(k) * n for k, n in by_type.items() if k != "Mapplet")
    score = (
        weight
        + len(expressions)
        + calls // 2
        + 2 * unconnected
        + 2 * sql
        + math.ceil(ports / 10)
        + sources
        + targets
        + sum(m.score for m in mapplets)
    )
    return MappingComplexity(
        name=mapping.name,
        folder=mapping.folder,
        is_mapplet=mapping.is_mapplet or isinstance(mapping, Mapplet),
        transformations_by_type=dict(sorted(by_type.items())),
        sources=sources,
        targets=targets,
        transformations=sum(by_type.values()),
        expressions=len(expressions),
        function_calls=calls,
        lookups=by_type.get("Lookup Procedure", 0) + by_type.get("Lookup", 0) + unconnected,
        unconnected_lookups=unconnected,
        joins=by_type.get("Joiner", 0),
        sql_overrides=sql,
        ports=ports,
        connectors=len(mapping.connectors),
        mapplets=[m.name for m in mapplets],
        score=score,
        location=mapping.location,
    )


def session_of(
    instance_task: object, task_name: str, workflow: Workflow, folder: Folder | None
) -> Session | None:
    """The session a Session task instance runs (resolved reference, else by TASKNAME)."""
    if isinstance(instance_task, Session):
        return instance_task
    wanted = task_name.lower()
    pool: list[Session] = list(workflow.sessions) + (list(folder.sessions) if folder else [])
    return next((s for s in pool if s.name.lower() == wanted), None)


def mapping_of(session: Session, folder: Folder | None) -> Mapping | None:
    """The mapping a session runs (resolved reference, else by MAPPINGNAME in ``folder``)."""
    if session.mapping is not None:
        return session.mapping
    return folder.mapping(session.mapping_name) if folder else None


def workflow_mappings(
    workflow: Workflow, folder: Folder | None = None, _stack: tuple[str, ...] = ()
) -> list[Mapping]:
    """The distinct mappings run by the sessions of ``workflow`` and of its worklets, in export order."""
    from infaflow.graph.build import resolve_worklet

    out: list[Mapping] = []
    for inst in workflow.instances:
        found: Iterable[Mapping] = ()
        if inst.task_type == "Session":
            session = session_of(inst.task, inst.task_name, workflow, folder)
            mapping = mapping_of(session, folder) if session else None
            found = [mapping] if mapping else []
        elif inst.task_type == "Worklet":
            worklet = resolve_worklet(inst, workflow, folder)
            if worklet is not None and worklet.name.lower() not in _stack:
                found = workflow_mappings(worklet, folder, (*_stack, workflow.name.lower()))
        for m in found:
            if all(m is not seen for seen in out):
                out.append(m)
    return out


def _count_tasks(
    workflow: Workflow, folder: Folder | None, stack: tuple[str, ...]
) -> tuple[Counter[str], int, int]:
    """Tasks by type, links and conditional links, worklets' contents included."""
    from infaflow.graph.build import resolve_worklet

    by_type: Counter[str] = Counter(i.task_type for i in workflow.instances)
    links = len(workflow.links)
    conditional = sum(1 for link in workflow.links if link.condition.strip())
    for inst in workflow.instances:
        if inst.task_type != "Worklet":
            continue
        inner = resolve_worklet(inst, workflow, folder)
        if inner is not None and inner.name.lower() not in stack:
            t, n, c = _count_tasks(inner, folder, (*stack, workflow.name.lower()))
            by_type.update(t)
            links += n
            conditional += c
    return by_type, links, conditional


def workflow_complexity(
    workflow: Workflow, folder: Folder | None = None, mapping_scores: dict[int, int] | None = None
) -> WorkflowComplexity:
    """Score ``workflow``; ``mapping_scores`` (``id(mapping) -> score``) avoids recomputing mapping scores."""
    by_type, links, conditional = _count_tasks(workflow, folder, ())
    orchestration = sum(TASK_WEIGHTS.get(t, 1) * n for t, n in by_type.items()) + 2 * conditional
    mappings = workflow_mappings(workflow, folder)
    scores = mapping_scores or {}
    mapping_score = sum(scores.get(id(m)) or mapping_complexity(m).score for m in mappings)
    return WorkflowComplexity(
        name=workflow.name,
        folder=workflow.folder or (folder.name if folder else ""),
        tasks_by_type=dict(sorted(by_type.items())),
        tasks=sum(by_type.values()),
        links=links,
        conditional_links=conditional,
        worklets=by_type.get("Worklet", 0),
        mappings=[m.name for m in mappings],
        orchestration_score=orchestration,
        mapping_score=mapping_score,
        score=orchestration + mapping_score,
        location=workflow.location,
    )


__all__ = [
    "BANDS",
    "CONDITION_ATTRIBUTES",
    "TASK_WEIGHTS",
    "TRANSFORMATION_WEIGHTS",
    "MappingComplexity",
    "WorkflowComplexity",
    "band",
    "function_calls",
    "transformation_weight",
    "mapping_complexity",
    "mapping_of",
    "session_of",
    "unconnected_lookups",
    "workflow_complexity",
    "workflow_mappings",
]
