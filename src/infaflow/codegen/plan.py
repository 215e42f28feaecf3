"""A session's mapping as an ordered plan: one step per instance in data-flow order.

Mapplet instances are inlined (their inner instances become steps named ``mapplet_instance.inner``),
the session's overrides are applied to each instance's attributes (SESSTRANSFORMATIONINST attributes
win over INSTANCE overrides, which win over the TRANSFORMATION's own), and every step knows, for each of
its input ports, which step and port feed it (from the CONNECTORs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from infaflow.errors import Location
from infaflow.model import (
    Attributes,
    Connector,
    FlatFile,
    Folder,
    Instance,
    Mapping,
    Port,
    Session,
    SessionExtension,
    Source,
    Target,
    TaskInstance,
    Transformation,
)
from infaflow.ordering import OrderCycle, topological_order


@dataclass(frozen=True)
class PortRef:
    """An output port of a step: where an input port's values come from."""

    step: str
    port: str


@dataclass
class Gap:
    """Something that could not be converted, with the instance and the place in the export."""

    instance: str
    message: str
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = str(Location(self.file, self.line)) if self.file else "<unknown>"
        return f"{where}: {self.instance}: {self.message}"


@dataclass
class Step:
    """One instance of the mapping, ready for its handler."""

    name: str  # Informatica instance name; inside a mapplet "mapplet_instance.inner"
    kind: str  # handler key: TYPE (TEMPLATENAME for Custom Transformations), Source/Target Definition
    instance: Instance
    transformation: Transformation | None = None
    source: Source | None = None
    target: Target | None = None
    attributes: Attributes = field(default_factory=Attributes)
    inputs: dict[str, PortRef] = field(default_factory=dict)  # input port (lower-case) -> feeding port
    extensions: list[SessionExtension] = field(default_factory=list)
    location: Location = field(default_factory=Location)
    session_flatfile: FlatFile | None = None  # the session's file properties of this instance, if set

    @property
    def ports(self) -> list[Port]:
        return self.transformation.ports if self.transformation else []

    def port(self, name: str) -> Port | None:
        return self.transformation.port(name) if self.transformation else None

    @property
    def flatfile(self) -> FlatFile | None:
        """The file properties the session reads or writes with: the session's own (SESSTRANSFORMATIONINST
        FLATFILE, "Set File Properties") over the definition's FLATFILE (Workflow Basics Guide: the session
        settings override those of the source, target or lookup definition)."""
        definition = self.source or self.target or self.transformation
        own = getattr(definition, "flatfile", None)
        if self.session_flatfile is None:
            return own
        attrs = {**(own.attrs if own else {}), **self.session_flatfile.attrs}
        return FlatFile(attrs, self.session_flatfile.location)

    def extension(self, kind: str) -> SessionExtension | None:
        """The session's READER or WRITER extension of this instance, if any."""
        return next((e for e in self.extensions if e.type.upper() == kind.upper()), None)


@dataclass
class Plan:
    """A mapping, as run by one session, in data-flow order."""

    mapping: Mapping
    session: Session | None
    folder: Folder | None
    steps: list[Step]
    gaps: list[Gap] = field(default_factory=list)
    task_instance: TaskInstance | None = None  # the workflow's instance running the session (its overrides)

    def step(self, name: str) -> Step:
        return self._by_name[name.lower()]

    def __post_init__(self) -> None:
        self._by_name = {s.name.lower(): s for s in self.steps}

    def consumers(self, name: str) -> list[Step]:
        """Steps with at least one input port fed by step ``name``."""
        key = name.lower()
        return [s for s in self.steps if any(r.step.lower() == key for r in s.inputs.values())]

    def treat_rows_as(self) -> str:
        """The session's `Treat source rows as`; when no session sets it (a mapping converted without its
        workflow), the Workflow Manager's default for a new session: Data Driven when the mapping has an
        Update Strategy transformation, Insert otherwise (Transformation Guide, "Setting the Update
        Strategy for a Session")."""
        has_update_strategy = any(s.kind.strip().lower() == "update strategy" for s in self.steps)
        default = "Data Driven" if has_update_strategy else "Insert"
        return str(self.source_attribute("Treat source rows as", default) or default)

    def source_attribute(self, name: str, default: str = "") -> str:
        """A session attribute (``Treat source rows as``...) or ``default``."""
        if self.session is None:
            return default
        value = self.session.attributes.get(name)
        if value is None and self.session.config is not None:
            value = self.session.config.attributes.get(name)
        return default if value is None else value


_LKP_CALL = re.compile(r":LKP\.([A-Za-z_][A-Za-z0-9_$#]*)", re.IGNORECASE)
_INSTANCE_KINDS = {"SOURCE": "Source Definition", "TARGET": "Target Definition"}


def _find(items: list[Any], name: str) -> Any:
    low = name.lower()
    return next((i for i in items if i.name == name), None) or next(
        (i for i in items if i.name.lower() == low), None
    )


def _definition(inst: Instance, container: Mapping, folder: Folder | None) -> Any:
    """The instance's definition: as resolved by the loader, else looked up by name."""
    if inst.definition is not None:
        return inst.definition
    name = inst.transformation_name or inst.name
    kind = inst.type.upper()
    if kind == "TRANSFORMATION":
        found = container.transformation(name)
        if found is None and folder is not None:
            found = _find(folder.transformations, name)
        return found
    if folder is None:
        return None
    tables: dict[str, list[Any]] = {
        "SOURCE": folder.sources,
        "TARGET": folder.targets,
        "MAPPLET": folder.mapplets,
    }
    table = tables.get(kind, [])
    return _find(table, name)


def _overrides(session: Session | None, task_instance: TaskInstance | None) -> dict[str, Attributes]:
    """SESSTRANSFORMATIONINST attributes by instance name (lower-case)."""
    out: dict[str, Attributes] = {}
    if session is None:
        return out
    for sti in session.transformation_instances:
        key = sti.sinstance_name.lower()
        out[key] = out.get(key, Attributes()).merged(sti.attributes)
    return out


def _session_flatfiles(session: Session | None) -> dict[str, FlatFile]:
    """The session's FLATFILE overrides by instance name (lower-case)."""
    if session is None:
        return {}
    return {
        sti.sinstance_name.lower(): sti.flatfile
        for sti in session.transformation_instances
        if sti.flatfile is not None
    }


def _extensions(
    session: Session | None, task_instance: TaskInstance | None
) -> dict[str, list[SessionExtension]]:
    """SESSIONEXTENSIONs by instance name (lower-case); task-instance ones replace the session's."""
    out: dict[str, list[SessionExtension]] = {}
    sources = [session.extensions if session else [], task_instance.extensions if task_instance else []]
    for exts in sources:
        for ext in exts:
            key = ext.sinstance_name.lower()
            kept = [e for e in out.get(key, []) if e.type.upper() != ext.type.upper()]
            out[key] = [*kept, ext]
    return out


@dataclass
class _Flat:
    """A mapping flattened: instances by step name and connectors between step names."""

    instances: dict[str, tuple[Instance, Mapping]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def _flatten(
    mapping: Mapping, folder: Folder | None, prefix: str, flat: _Flat, depth: int = 0
) -> dict[str, str]:
    """Add the instances of ``mapping`` (a mapping or mapplet) to ``flat``, mapplets inlined.

    Returns, for a mapplet, the map from its interface port name (lower-case) to the inner step that
    carries it (Input and Output transformations).
    """
    interface: dict[str, str] = {}
    mapplet_io: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    typed: dict[tuple[str, str], str] = {}
    for inst in mapping.instances:
        step_name = f"{prefix}{inst.name}"
        definition = _definition(inst, mapping, folder)
        if inst.type.upper() == "MAPPLET":
            if not isinstance(definition, Mapping) or depth > 10:
                flat.gaps.append(
                    Gap(
                        step_name,
                        f"mapplet {inst.transformation_name!r} is not in the export",
                        inst.location.file,
                        inst.location.line,
                    )
                )
                continue
            inner_if = _flatten(definition, folder, f"{step_name}.", flat, depth + 1)
            mapplet_io[inst.name.lower()] = ({}, inner_if)
            continue
        if step_name.lower() in flat.instances:
            # A source and a target instance may share a name; connectors tell them apart by type.
            step_name = f"{step_name} ({inst.type.lower()})"
        typed[(inst.name.lower(), inst.type.upper())] = step_name
        flat.instances[step_name.lower()] = (inst, mapping)
        flat.order.append(step_name)
        if isinstance(definition, Transformation) and definition.type.lower() in (
            "input transformation",
            "output transformation",
        ):
            for port in definition.ports:
                interface.setdefault(port.name.lower(), step_name)

    def resolve(name: str, field_name: str, instance_type: str) -> str:
        io = mapplet_io.get(name.lower())
        if io is None:
            kind = {"source definition": "SOURCE", "target definition": "TARGET"}.get(
                instance_type.strip().lower(), "TRANSFORMATION"
            )
            return typed.get((name.lower(), kind), f"{prefix}{name}")
        return io[1].get(field_name.lower(), f"{prefix}{name}")

    for c in mapping.connectors:
        flat.connectors.append(
            Connector(
                from_instance=resolve(c.from_instance, c.from_field, c.from_instance_type),
                from_field=c.from_field,
                to_instance=resolve(c.to_instance, c.to_field, c.to_instance_type),
                to_field=c.to_field,
                from_instance_type=c.from_instance_type,
                to_instance_type=c.to_instance_type,
                location=c.location,
            )
        )
    return interface


def _kind(inst: Instance, definition: object) -> str:
    kind = _INSTANCE_KINDS.get(inst.type.upper())
    if kind:
        return kind
    if isinstance(definition, Transformation):
        return definition.kind
    return inst.transformation_type or inst.type


def build_plan(
    mapping: Mapping,
    session: Session | None = None,
    folder: Folder | None = None,
    task_instance: TaskInstance | None = None,
) -> Plan:
    """The plan of ``mapping`` as run by ``session`` (``None``: the mapping's own settings)."""
    flat = _Flat()
    _flatten(mapping, folder, "", flat)
    overrides = _overrides(session, task_instance)
    extensions = _extensions(session, task_instance)
    flatfiles = _session_flatfiles(session)

    steps: dict[str, Step] = {}
    for name in flat.order:
        key = name.lower()
        inst, container = flat.instances[key]
        definition = _definition(inst, container, folder)
        short = name.rsplit(".", 1)[-1].lower()
        step = Step(
            name=name,
            kind=_kind(inst, definition),
            instance=inst,
            location=inst.location,
            extensions=extensions.get(key) or extensions.get(short) or [],
            session_flatfile=flatfiles.get(key) or flatfiles.get(short),
        )
        if isinstance(definition, Transformation):
            step.transformation = definition
            attrs = definition.attributes.merged(inst.attributes)
        elif isinstance(definition, Source):
            step.source = definition
            attrs = definition.table_attributes.merged(inst.attributes)
        elif isinstance(definition, Target):
            step.target = definition
            attrs = definition.table_attributes.merged(inst.attributes)
        else:
            attrs = Attributes(inst.attributes)
            flat.gaps.append(
                Gap(
                    name,
                    f"definition of {inst.type.lower()} {inst.transformation_name or inst.name!r} "
                    "is not in the export",
                    inst.location.file,
                    inst.location.line,
                )
            )
        if key in overrides:
            attrs = attrs.merged(overrides[key])
        for ext in step.extensions:
            attrs = attrs.merged(ext.attributes)
        step.attributes = attrs
        steps[key] = step

    edges: dict[str, set[str]] = {k: set() for k in steps}
    for c in flat.connectors:
        src, dst = c.from_instance.lower(), c.to_instance.lower()
        if src not in steps or dst not in steps:
            continue
        steps[dst].inputs[c.to_field.lower()] = PortRef(steps[src].name, c.from_field)
        edges[dst].add(src)
    # A Source Qualifier depends on its associated sources even when a port is left unconnected.
    for key, step in steps.items():
        for assoc in step.instance.associated_source_instances:
            prefix = step.name.rsplit(".", 1)[0] + "." if "." in step.name else ""
            src = f"{prefix}{assoc}".lower()
            if f"{src} (source)" in steps:
                src = f"{src} (source)"
            if src in steps:
                edges[key].add(src)

    # An expression calling :LKP.name depends on the unconnected lookup instance.
    by_short = {k.rsplit(".", 1)[-1]: k for k in steps}
    for key, step in steps.items():
        for port in step.ports:
            for name in _LKP_CALL.findall(port.expression or ""):
                called = by_short.get(name.lower())
                if called is not None and called != key:
                    edges[key].add(called)
    try:
        ordered = topological_order([n.lower() for n in flat.order], edges, lambda key: steps[key].name)
    except OrderCycle as cycle:
        flat.gaps.append(
            Gap(
                mapping.name,
                f"the mapping has a cycle: {cycle.text}",
                mapping.location.file,
                mapping.location.line,
            )
        )
        ordered = [n.lower() for n in flat.order]
    return Plan(
        mapping=mapping,
        session=session,
        folder=folder,
        steps=[steps[k] for k in ordered],
        gaps=flat.gaps,
        task_instance=task_instance,
    )
