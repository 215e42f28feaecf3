"""Building the model from a parsed export tree.

One small function per element type, dispatched from tables; every model object keeps the line it was
read from. Builders never resolve references between objects: that is :mod:`infaflow.export.resolve`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from lxml import etree

from infaflow.errors import InputError, Location, Problem
from infaflow.export import lookalike, xmldef
from infaflow.model import (
    Attributes,
    Config,
    ConfigReference,
    ConnectionReference,
    Connector,
    Export,
    Field,
    FlatFile,
    Folder,
    Group,
    Instance,
    Mapping,
    MappingVariable,
    Mapplet,
    Port,
    Repository,
    Scheduler,
    Session,
    SessionComponent,
    SessionExtension,
    SessTransformationInst,
    Shortcut,
    Source,
    Target,
    TargetLoadOrder,
    Task,
    TaskInstance,
    Timer,
    Transformation,
    ValuePair,
    Workflow,
    WorkflowEvent,
    WorkflowLink,
    WorkflowVariable,
    normalize_task_type,
    yes,
)

Element: TypeAlias = etree._Element


class Builder:
    """Turns one parsed export into an :class:`Export`; collects problems instead of stopping when lenient."""

    def __init__(self, path: str, lenient: bool = False) -> None:
        self.path = path
        self.lenient = lenient
        self.problems: list[Problem] = []

    # -- helpers ---------------------------------------------------------------------------------

    def loc(self, el: Element) -> Location:
        return Location(self.path, el.sourceline or 0)

    def problem(self, el: Element | None, message: str, *, error: bool = False) -> None:
        """Record a problem; an error stops the load unless lenient (then it becomes a warning)."""
        line = (el.sourceline or 0) if el is not None else 0
        if error and not self.lenient:
            raise InputError(message, self.path, line)
        self.problems.append(Problem("warning", message, self.path, line))

    @staticmethod
    def attributes(el: Element, tag: str = "ATTRIBUTE") -> Attributes:
        out = Attributes()
        for child in el.iterchildren(tag):
            out[child.get("NAME", "")] = child.get("VALUE", "")
        return out

    @staticmethod
    def _int(value: str | None, default: int = 0) -> int:
        if not value:  # most often absent: no exception on the hot path
            return default
        try:
            return int(str(value).strip())
        except (TypeError, ValueError):
            return default

    def value_pairs(self, el: Element) -> list[ValuePair]:
        return [
            ValuePair(
                name=v.get("NAME", ""),
                value=v.get("VALUE", ""),
                exec_order=self._int(v.get("EXECORDER"), i),
                reverse_assignment=yes(v.get("REVERSEASSIGNMENT")),
                location=self.loc(v),
            )
            for i, v in enumerate(el.iterchildren("VALUEPAIR"))
        ]

    # -- top level -------------------------------------------------------------------------------

    def export(self, tree: etree._ElementTree) -> Export:
        root = tree.getroot()
        docinfo = tree.docinfo
        export = Export(
            path=self.path,
            creation_date=root.get("CREATION_DATE", ""),
            repository_version=root.get("REPOSITORY_VERSION", ""),
            encoding=docinfo.encoding or "",
        )
        for rep in root.iterchildren("REPOSITORY"):
            export.repositories.append(self.repository(rep))
        if not export.repositories:
            self.problem(root, "export holds no REPOSITORY element", error=True)
        export.problems = self.problems
        return export

    def repository(self, el: Element) -> Repository:
        return Repository(
            name=el.get("NAME", ""),
            version=el.get("VERSION", ""),
            codepage=el.get("CODEPAGE", ""),
            database_type=el.get("DATABASETYPE", ""),
            folders=[self.folder(f) for f in el.iterchildren("FOLDER")],
            location=self.loc(el),
        )

    def folder(self, el: Element) -> Folder:
        folder = Folder(
            name=el.get("NAME", ""),
            owner=el.get("OWNER", ""),
            shared=el.get("SHARED", "").upper() == "SHARED",
            description=el.get("DESCRIPTION", ""),
            uuid=el.get("UUID", ""),
            location=self.loc(el),
        )
        for child in el.iterchildren():
            if not isinstance(child.tag, str):
                continue
            entry = _FOLDER_CHILDREN.get(child.tag)
            if entry is None:
                continue
            collection, build = entry
            obj = build(self, child)
            if obj is None:
                continue
            if hasattr(obj, "folder"):
                obj.folder = folder.name
            getattr(folder, collection).append(obj)
        if self.lenient:
            for message, where in lookalike.read_mappings(folder):
                self.problems.append(Problem("warning", message, where.file, where.line))
        return folder

    # -- sources and targets ---------------------------------------------------------------------

    def flatfile(self, el: Element) -> FlatFile | None:
        ff = el.find("FLATFILE")
        if ff is None:
            return None
        return FlatFile(attrs=dict(ff.attrib), location=self.loc(ff))

    def field(self, el: Element) -> Field:
        a = dict(el.attrib)  # one copy of the attributes; lookups in it are cheaper than in the element
        return Field(
            name=a.get("NAME", ""),
            datatype=a.get("DATATYPE", ""),
            precision=self._int(a.get("PRECISION")),
            scale=self._int(a.get("SCALE")),
            nullable=a.get("NULLABLE", "NULL").upper() != "NOTNULL",
            key_type=a.get("KEYTYPE", "NOT A KEY"),
            occurs=self._int(a.get("OCCURS")),
            field_number=self._int(a.get("FIELDNUMBER")),
            attrs=a,
            location=self.loc(el),
            children=[self.field(f) for f in el.iterchildren("SOURCEFIELD")],
        )

    def source(self, el: Element) -> Source:
        source = Source(
            name=el.get("NAME", ""),
            database_type=el.get("DATABASETYPE", ""),
            dbd_name=el.get("DBDNAME", ""),
            owner_name=el.get("OWNERNAME", ""),
            business_name=el.get("BUSINESSNAME", ""),
            description=el.get("DESCRIPTION", ""),
            fields=[self.field(f) for f in el.iterchildren("SOURCEFIELD")],
            flatfile=self.flatfile(el),
            table_attributes=self.attributes(el, "TABLEATTRIBUTE"),
            location=self.loc(el),
        )
        if source.database_type.strip().upper() == "XML":
            self.xml_source(el, source)
        elif self.lenient and source.flatfile is None and source.database_type.strip().lower() == "flat file":
            source.flatfile, why = lookalike.flat_file_from_attributes(source.table_attributes)
            if source.flatfile is not None:
                self.problem(
                    el,
                    f"flat-file source {source.name!r} has no FLATFILE element: read with the settings "
                    "of its TABLEATTRIBUTEs ("
                    f"{', '.join(f'{k}={v}' for k, v in source.flatfile.attrs.items())})",
                )
            elif why:
                self.problem(el, f"flat-file source {source.name!r} has no FLATFILE element; {why}")
        return source

    def xml_source(self, el: Element, source: Source) -> None:
        """The groups of an XML source and the XPath of each field (see :mod:`infaflow.export.xmldef`)."""
        source.xml_views, problem = xmldef.xml_views(el)
        if problem:
            self.problem(el.find("XMLINFO"), f"XML source {source.name!r}: {problem}")
        for f, field_el in zip(source.fields, el.iterchildren("SOURCEFIELD"), strict=True):
            f.field_attributes = xmldef.field_attributes(field_el)

    def target(self, el: Element) -> Target:
        return Target(
            name=el.get("NAME", ""),
            database_type=el.get("DATABASETYPE", ""),
            business_name=el.get("BUSINESSNAME", ""),
            description=el.get("DESCRIPTION", ""),
            fields=[self.field(f) for f in el.iterchildren("TARGETFIELD")],
            flatfile=self.flatfile(el),
            table_attributes=self.attributes(el, "TABLEATTRIBUTE"),
            location=self.loc(el),
        )

    # -- transformations and mappings ------------------------------------------------------------

    def port(self, el: Element) -> Port:
        a = dict(el.attrib)
        return Port(
            name=a.get("NAME", ""),
            datatype=a.get("DATATYPE", ""),
            port_type=a.get("PORTTYPE", ""),
            precision=self._int(a.get("PRECISION")),
            scale=self._int(a.get("SCALE")),
            default_value=a.get("DEFAULTVALUE", ""),
            expression=a.get("EXPRESSION", ""),
            expression_type=a.get("EXPRESSIONTYPE", ""),
            group=a.get("GROUP", ""),
            ref_field=a.get("REF_FIELD", ""),
            is_sort_key=yes(a.get("ISSORTKEY")),
            sort_direction=a.get("SORTDIRECTION", ""),
            attrs=a,
            location=self.loc(el),
        )

    def group(self, el: Element) -> Group:
        return Group(
            name=el.get("NAME", ""),
            type=el.get("TYPE", ""),
            order=self._int(el.get("ORDER")),
            expression=el.get("EXPRESSION", ""),
            description=el.get("DESCRIPTION", ""),
            attrs=dict(el.attrib),
            location=self.loc(el),
        )

    def transformation(self, el: Element) -> Transformation:
        return Transformation(
            name=el.get("NAME", ""),
            type=el.get("TYPE", ""),
            reusable=yes(el.get("REUSABLE")),
            template_name=el.get("TEMPLATENAME", ""),
            description=el.get("DESCRIPTION", ""),
            ports=[self.port(p) for p in el.iterchildren("TRANSFORMFIELD")],
            groups=[self.group(g) for g in el.iterchildren("GROUP")],
            attributes=self.attributes(el, "TABLEATTRIBUTE"),
            flatfile=self.flatfile(el),
            location=self.loc(el),
            source_fields=[self.field(f) for f in el.iterchildren("SOURCEFIELD")],
            attrs=dict(el.attrib),
            metadata_extensions={
                m.get("NAME", ""): m.get("VALUE", "") for m in el.iterchildren("METADATAEXTENSION")
            },
        )

    def instance(self, el: Element) -> Instance:
        kind, transformation_type = el.get("TYPE", "").upper(), el.get("TRANSFORMATION_TYPE", "")
        name = el.get("TRANSFORMATION_NAME", "")
        if self.lenient and (read := lookalike.instance_type(el.get("TYPE", ""))) is not None:
            kind, transformation_type = read[0], transformation_type or read[1]
            name = name or el.get("TRANSFORMATION", "")
            self.problem(
                el,
                f"instance {el.get('NAME', '')!r}: TYPE={el.get('TYPE')!r} is not an INSTANCE TYPE "
                f'({", ".join(lookalike.INSTANCE_TYPES)}); read as TYPE="{kind}" '
                f'TRANSFORMATION_TYPE="{transformation_type}"',
            )
        return Instance(
            name=el.get("NAME", ""),
            type=kind,
            transformation_name=name,
            transformation_type=transformation_type,
            reusable=yes(el.get("REUSABLE")),
            dbd_name=el.get("DBDNAME", ""),
            description=el.get("DESCRIPTION", ""),
            associated_source_instances=[
                a.get("NAME", "") for a in el.iterchildren("ASSOCIATED_SOURCE_INSTANCE")
            ],
            attributes=self.attributes(el, "TABLEATTRIBUTE"),
            location=self.loc(el),
        )

    def connector(self, el: Element) -> Connector:
        return Connector(
            from_instance=el.get("FROMINSTANCE", ""),
            from_field=el.get("FROMFIELD", ""),
            to_instance=el.get("TOINSTANCE", ""),
            to_field=el.get("TOFIELD", ""),
            from_instance_type=el.get("FROMINSTANCETYPE", ""),
            to_instance_type=el.get("TOINSTANCETYPE", ""),
            location=self.loc(el),
        )

    def mapping_variable(self, el: Element) -> MappingVariable:
        return MappingVariable(
            name=el.get("NAME", ""),
            datatype=el.get("DATATYPE", "string"),
            default_value=el.get("DEFAULTVALUE", ""),
            is_param=yes(el.get("ISPARAM")),
            aggfunction=el.get("AGGFUNCTION", "NONE") or "NONE",
            precision=self._int(el.get("PRECISION")),
            scale=self._int(el.get("SCALE")),
            is_expression_variable=yes(el.get("ISEXPRESSIONVARIABLE")),
            user_defined=yes(el.get("USERDEFINED"), True),
            description=el.get("DESCRIPTION", ""),
            location=self.loc(el),
        )

    def mapping(self, el: Element, cls: type[Mapping] = Mapping) -> Mapping:
        return cls(
            name=el.get("NAME", ""),
            is_valid=yes(el.get("ISVALID"), True),
            description=el.get("DESCRIPTION", ""),
            transformations=[self.transformation(t) for t in el.iterchildren("TRANSFORMATION")],
            instances=[self.instance(i) for i in el.iterchildren("INSTANCE")],
            connectors=[self.connector(c) for c in el.iterchildren("CONNECTOR")],
            target_load_order=[
                TargetLoadOrder(
                    order=self._int(t.get("ORDER")),
                    target_instance=t.get("TARGETINSTANCE", ""),
                    location=self.loc(t),
                )
                for t in el.iterchildren("TARGETLOADORDER")
            ],
            variables=[self.mapping_variable(v) for v in el.iterchildren("MAPPINGVARIABLE")],
            is_mapplet=cls is Mapplet,
            location=self.loc(el),
        )

    def mapplet(self, el: Element) -> Mapplet:
        return self.mapping(el, Mapplet)  # type: ignore[return-value]

    # -- tasks, sessions, workflows --------------------------------------------------------------

    def timer(self, el: Element) -> Timer | None:
        timer = el.find("TIMER")
        if timer is None:
            return None
        start = timer.find("STARTOPTIONS")
        recurring = timer.find("RECURRING")
        return Timer(
            timer_type=timer.get("TIMERTYPE", ""),
            attrs=dict(timer.attrib),
            start_options=dict(start.attrib) if start is not None else {},
            recurring=dict(recurring.attrib) if recurring is not None else {},
            location=self.loc(timer),
        )

    def task_type(self, el: Element, raw: str) -> str:
        canonical = normalize_task_type(raw)
        if canonical is None:
            known = ", ".join(
                ["Start", "Session", "Command", "Decision", "Assignment", "Timer", "Email", "Control"]
                + ["Event Wait", "Event Raise", "Worklet"]
            )
            self.problem(
                el,
                f"unknown task type {raw!r} on {el.tag} {el.get('NAME', '')!r} (known: {known})",
                error=True,
            )
            return raw
        return canonical

    def task(self, el: Element) -> Task:
        raw = el.get("TYPE", "")
        return Task(
            name=el.get("NAME", ""),
            type=self.task_type(el, raw),
            raw_type=raw,
            reusable=yes(el.get("REUSABLE")),
            description=el.get("DESCRIPTION", ""),
            attributes=self.attributes(el),
            value_pairs=self.value_pairs(el),
            timer=self.timer(el),
            location=self.loc(el),
        )

    def config_reference(self, el: Element) -> ConfigReference | None:
        ref = el.find("CONFIGREFERENCE")
        if ref is None:
            return None
        return ConfigReference(
            ref_object_name=ref.get("REFOBJECTNAME", ""),
            type=ref.get("TYPE", ""),
            attributes=self.attributes(ref),
            location=self.loc(ref),
        )

    def session_component(self, el: Element) -> SessionComponent:
        inner = el.find("TASK")
        return SessionComponent(
            type=el.get("TYPE", ""),
            ref_object_name=el.get("REFOBJECTNAME", ""),
            reusable=yes(el.get("REUSABLE")),
            is_none=yes(el.get("ISNONE")),
            value_pairs=self.value_pairs(el),
            attributes=self.attributes(el),
            task=self.task(inner) if inner is not None else None,
            location=self.loc(el),
        )

    def session_extension(self, el: Element) -> SessionExtension:
        return SessionExtension(
            name=el.get("NAME", ""),
            type=el.get("TYPE", ""),
            subtype=el.get("SUBTYPE", ""),
            sinstance_name=el.get("SINSTANCENAME", ""),
            dsq_inst_name=el.get("DSQINSTNAME", ""),
            dsq_inst_type=el.get("DSQINSTTYPE", ""),
            connection_references=[
                ConnectionReference(
                    cnx_ref_name=c.get("CNXREFNAME", ""),
                    connection_name=c.get("CONNECTIONNAME", ""),
                    connection_type=c.get("CONNECTIONTYPE", ""),
                    connection_subtype=c.get("CONNECTIONSUBTYPE", ""),
                    variable=c.get("VARIABLE", ""),
                    location=self.loc(c),
                )
                for c in el.iterchildren("CONNECTIONREFERENCE")
            ],
            attributes=self.attributes(el),
            location=self.loc(el),
        )

    def session(self, el: Element) -> Session:
        return Session(
            name=el.get("NAME", ""),
            mapping_name=el.get("MAPPINGNAME", ""),
            reusable=yes(el.get("REUSABLE")),
            is_valid=yes(el.get("ISVALID"), True),
            description=el.get("DESCRIPTION", ""),
            attributes=self.attributes(el),
            transformation_instances=[
                SessTransformationInst(
                    sinstance_name=s.get("SINSTANCENAME", ""),
                    transformation_name=s.get("TRANSFORMATIONNAME", ""),
                    transformation_type=s.get("TRANSFORMATIONTYPE", ""),
                    pipeline=self._int(s.get("PIPELINE")),
                    stage=self._int(s.get("STAGE")),
                    attributes=self.attributes(s),
                    location=self.loc(s),
                    flatfile=self.flatfile(s),
                )
                for s in el.iterchildren("SESSTRANSFORMATIONINST")
            ],
            config_reference=self.config_reference(el),
            components=[self.session_component(c) for c in el.iterchildren("SESSIONCOMPONENT")],
            extensions=[self.session_extension(x) for x in el.iterchildren("SESSIONEXTENSION")],
            location=self.loc(el),
        )

    def task_instance(self, el: Element) -> TaskInstance:
        raw = el.get("TASKTYPE", "")
        return TaskInstance(
            name=el.get("NAME", ""),
            task_name=el.get("TASKNAME", ""),
            task_type=self.task_type(el, raw),
            raw_task_type=raw,
            reusable=yes(el.get("REUSABLE")),
            is_enabled=yes(el.get("ISENABLED"), True),
            treat_input_link_as_and=yes(el.get("TREAT_INPUTLINK_AS_AND"), True),
            fail_parent_if_instance_fails=yes(el.get("FAIL_PARENT_IF_INSTANCE_FAILS")),
            fail_parent_if_instance_did_not_run=yes(el.get("FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN")),
            description=el.get("DESCRIPTION", ""),
            attributes=self.attributes(el),
            value_pairs=self.value_pairs(el),
            config_reference=self.config_reference(el),
            components=[self.session_component(c) for c in el.iterchildren("SESSIONCOMPONENT")],
            extensions=[self.session_extension(x) for x in el.iterchildren("SESSIONEXTENSION")],
            xml_attrs=dict(el.attrib),
            location=self.loc(el),
        )

    def workflow_variable(self, el: Element) -> WorkflowVariable:
        return WorkflowVariable(
            name=el.get("NAME", ""),
            datatype=el.get("DATATYPE", "string"),
            default_value=el.get("DEFAULTVALUE", ""),
            is_null=yes(el.get("ISNULL")),
            is_persistent=yes(el.get("ISPERSISTENT")),
            user_defined=yes(el.get("USERDEFINED"), True),
            description=el.get("DESCRIPTION", ""),
            location=self.loc(el),
        )

    def scheduler(self, el: Element) -> Scheduler:
        info = el.find("SCHEDULEINFO")
        return Scheduler(
            name=el.get("NAME", ""),
            reusable=yes(el.get("REUSABLE")),
            description=el.get("DESCRIPTION", ""),
            schedule_type=info.get("SCHEDULETYPE", "") if info is not None else "",
            schedule_attrs=dict(info.attrib) if info is not None else {},
            location=self.loc(el),
        )

    def workflow(self, el: Element, is_worklet: bool = False) -> Workflow:
        scheduler = el.find("SCHEDULER")
        return Workflow(
            name=el.get("NAME", ""),
            is_worklet=is_worklet,
            reusable=yes(el.get("REUSABLE"), True),
            is_enabled=yes(el.get("ISENABLED"), True),
            suspend_on_error=yes(el.get("SUSPEND_ON_ERROR")),
            suspension_email=el.get("SUSPENSION_EMAIL", ""),
            server_name=el.get("SERVERNAME", ""),
            scheduler_name=el.get("SCHEDULERNAME", ""),
            description=el.get("DESCRIPTION", ""),
            scheduler=self.scheduler(scheduler) if scheduler is not None else None,
            tasks=[self.task(t) for t in el.iterchildren("TASK")],
            sessions=[self.session(s) for s in el.iterchildren("SESSION")],
            worklets=[self.workflow(w, is_worklet=True) for w in el.iterchildren("WORKLET")],
            instances=[self.task_instance(i) for i in el.iterchildren("TASKINSTANCE")],
            links=[
                WorkflowLink(
                    from_task=lk.get("FROMTASK", ""),
                    to_task=lk.get("TOTASK", ""),
                    condition=lk.get("CONDITION", ""),
                    location=self.loc(lk),
                )
                for lk in el.iterchildren("WORKFLOWLINK")
            ],
            variables=[self.workflow_variable(v) for v in el.iterchildren("WORKFLOWVARIABLE")],
            events=[
                WorkflowEvent(
                    name=e.get("NAME", ""), description=e.get("DESCRIPTION", ""), location=self.loc(e)
                )
                for e in el.iterchildren("WORKFLOWEVENT")
            ],
            attributes=self.attributes(el),
            location=self.loc(el),
        )

    def worklet(self, el: Element) -> Workflow:
        return self.workflow(el, is_worklet=True)

    def config(self, el: Element) -> Config:
        return Config(
            name=el.get("NAME", ""),
            is_default=yes(el.get("ISDEFAULT")),
            description=el.get("DESCRIPTION", ""),
            attributes=self.attributes(el),
            location=self.loc(el),
        )

    def shortcut(self, el: Element) -> Shortcut:
        return Shortcut(
            name=el.get("NAME", ""),
            ref_object_name=el.get("REFOBJECTNAME", ""),
            folder_name=el.get("FOLDERNAME", ""),
            repository_name=el.get("REPOSITORYNAME", ""),
            reference_type=el.get("REFERENCETYPE", ""),
            object_type=el.get("OBJECTTYPE", "").upper(),
            object_subtype=el.get("OBJECTSUBTYPE", ""),
            dbd_name=el.get("DBDNAME", ""),
            location=self.loc(el),
        )


# FOLDER child element -> (Folder collection, builder)
_FOLDER_CHILDREN: dict[str, tuple[str, Callable[[Builder, Element], Any]]] = {
    "SOURCE": ("sources", Builder.source),
    "TARGET": ("targets", Builder.target),
    "TRANSFORMATION": ("transformations", Builder.transformation),
    "MAPPLET": ("mapplets", Builder.mapplet),
    "MAPPING": ("mappings", Builder.mapping),
    "SESSION": ("sessions", Builder.session),
    "TASK": ("tasks", Builder.task),
    "WORKLET": ("worklets", Builder.worklet),
    "WORKFLOW": ("workflows", Builder.workflow),
    "CONFIG": ("configs", Builder.config),
    "SCHEDULER": ("schedulers", Builder.scheduler),
    "SHORTCUT": ("shortcuts", Builder.shortcut),
}
