"""Small PowerCenter exports for the runtime tests, shaped like real ones (see ../shared/corpus).

``Flow`` describes a workflow or worklet: tasks (non-reusable, defined inside), task instances, links,
variables; ``export_xml`` renders a POWERMART document with one folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

TYPE_SPELLING = {"Event Wait": "Event Wait", "Event Raise": "Event Raise"}


@dataclass
class T:
    name: str
    type: str
    attrs: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (NAME, VALUE) in EXECORDER
    inst: dict[str, str] = field(default_factory=dict)  # TASKINSTANCE attributes
    timer: tuple[str, dict[str, str], dict[str, str]] | None = None  # (TIMERTYPE, STARTOPTIONS, RECURRING)
    inst_pairs: list[tuple[str, str, bool]] = field(default_factory=list)  # worklet instance values
    worklet: str = ""  # for Worklet instances: the worklet's name
    components: list[tuple[str, str, list[tuple[str, str]], dict[str, str]]] = field(default_factory=list)
    placed: bool = True  # False: a TASK defined in the workflow without a TASKINSTANCE
    config: dict[str, str] = field(default_factory=dict)  # a Session's CONFIGREFERENCE overrides


@dataclass
class Flow:
    name: str
    worklet: bool = False
    suspend_on_error: bool = False
    suspension_email: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    tasks: list[T] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    variables: list[tuple[str, str, str, bool]] = field(
        default_factory=list
    )  # name, datatype, default, persistent
    events: list[str] = field(default_factory=list)

    def add(self, name: str, type: str, **kw) -> Flow:  # noqa: A002, ANN003
        self.tasks.append(T(name, type, **kw))
        return self

    def cmd(self, name: str, *commands: str, **kw) -> Flow:  # noqa: ANN003
        return self.add(name, "Command", pairs=[(f"c{i}", c) for i, c in enumerate(commands, 1)], **kw)

    def link(self, a: str, b: str, cond: str = "") -> Flow:
        self.links.append((a, b, cond))
        return self

    def var(self, name: str, datatype: str = "integer", default: str = "", persistent: bool = False) -> Flow:
        self.variables.append((name, datatype, default, persistent))
        return self


def _a(**kw: str) -> str:
    return " ".join(f"{k} ={quoteattr(v)}" for k, v in kw.items())


def _attr(name: str, value: str) -> str:
    return f"<ATTRIBUTE NAME ={quoteattr(name)} VALUE ={quoteattr(value)}/>"


def _task_xml(t: T) -> str:
    if t.type in ("Session", "Worklet", "Start"):
        return ""
    body = [_attr(k, v) for k, v in t.attrs.items()]
    if t.timer is not None:
        kind, start, recurring = t.timer
        inner = ""
        if start:
            inner += f"<STARTOPTIONS {_a(**start)}/>"
        if recurring:
            inner += f"<RECURRING {_a(**recurring)}/>"
        body.append(f"<TIMER TIMERTYPE ={quoteattr(kind)}>{inner}</TIMER>")
    for i, (n, v) in enumerate(t.pairs, 1):
        body.append(f"<VALUEPAIR {_a(EXECORDER=str(i), NAME=n, REVERSEASSIGNMENT='NO', VALUE=v)}/>")
    return (
        f"<TASK {_a(DESCRIPTION='', NAME=t.name, REUSABLE='NO', TYPE=TYPE_SPELLING.get(t.type, t.type), VERSIONNUMBER='1')}>"
        + "".join(body)
        + "</TASK>"
    )


def _session_xml(t: T) -> str:
    comps = []
    for ctype, task_type, pairs, attrs in t.components:
        inner = "".join(_attr(k, v) for k, v in attrs.items())
        inner += "".join(
            f"<VALUEPAIR {_a(EXECORDER=str(i), NAME=n, REVERSEASSIGNMENT='NO', VALUE=v)}/>"
            for i, (n, v) in enumerate(pairs, 1)
        )
        comps.append(
            f"<SESSIONCOMPONENT {_a(REFOBJECTNAME=t.name + '_' + task_type, REUSABLE='NO', TYPE=ctype)}>"
            f"<TASK {_a(DESCRIPTION='', NAME=t.name + '_' + task_type, REUSABLE='NO', TYPE=task_type, VERSIONNUMBER='1')}>"
            f"{inner}</TASK></SESSIONCOMPONENT>"
        )
    attrs = "".join(_attr(k, v) for k, v in t.attrs.items())
    config = (
        (
            f"<CONFIGREFERENCE {_a(REFOBJECTNAME='default_session_config', TYPE='Session config')}>"
            + "".join(_attr(k, v) for k, v in t.config.items())
            + "</CONFIGREFERENCE>"
        )
        if t.config
        else ""
    )
    return (
        f"<SESSION {_a(DESCRIPTION='', ISVALID='YES', MAPPINGNAME='m_' + t.name, NAME=t.name, REUSABLE='NO', SORTORDER='Binary', VERSIONNUMBER='1')}>"
        + config
        + "".join(comps)
        + attrs
        + "</SESSION>"
    )


def _instance_xml(t: T) -> str:
    kw = {
        "DESCRIPTION": "",
        "ISENABLED": "YES",
        "NAME": t.name,
        "REUSABLE": "NO",
        "TASKNAME": t.worklet or t.name,
        "TASKTYPE": t.type,
    }
    if t.type != "Start":
        kw.update(
            {
                "FAIL_PARENT_IF_INSTANCE_DID_NOT_RUN": "NO",
                "FAIL_PARENT_IF_INSTANCE_FAILS": "NO",
                "TREAT_INPUTLINK_AS_AND": "YES",
            }
        )
    kw.update(t.inst)
    if t.worklet:
        kw["REUSABLE"] = "YES"
    pairs = "".join(
        f"<VALUEPAIR {_a(EXECORDER=str(i), NAME=n, REVERSEASSIGNMENT='YES' if rev else 'NO', VALUE=v)}/>"
        for i, (n, v, rev) in enumerate(t.inst_pairs, 1)
    )
    if pairs:
        return f"<TASKINSTANCE {_a(**kw)}>{pairs}</TASKINSTANCE>"
    return f"<TASKINSTANCE {_a(**kw)}/>"


def flow_xml(flow: Flow) -> str:
    tag = "WORKLET" if flow.worklet else "WORKFLOW"
    head = {"DESCRIPTION": "", "ISVALID": "YES", "NAME": flow.name, "VERSIONNUMBER": "1"}
    if flow.worklet:
        head["REUSABLE"] = "YES"
    else:
        head.update(
            {
                "ISENABLED": "YES",
                "SERVERNAME": "IS_local",
                "SUSPEND_ON_ERROR": "YES" if flow.suspend_on_error else "NO",
            }
        )
        if flow.suspension_email:
            head["SUSPENSION_EMAIL"] = flow.suspension_email
    parts = [f"<{tag} {_a(**head)}>"]
    tasks = flow.tasks
    if not any(t.type == "Start" for t in tasks):
        tasks = [T("Start", "Start"), *tasks]
    parts += [_task_xml(t) for t in tasks]
    parts += [_session_xml(t) for t in tasks if t.type == "Session"]
    parts += [_instance_xml(t) for t in tasks if t.placed]
    for a, b, cond in flow.links:
        parts.append(f"<WORKFLOWLINK {_a(CONDITION=cond, FROMTASK=a, TOTASK=b)}/>")
    for name, datatype, default, persistent in flow.variables:
        parts.append(
            f"<WORKFLOWVARIABLE {_a(DATATYPE=datatype, DEFAULTVALUE=default, DESCRIPTION='', ISNULL='NO', ISPERSISTENT='YES' if persistent else 'NO', NAME=name, USERDEFINED='YES')}/>"
        )
    for event in flow.events:
        parts.append(f"<WORKFLOWEVENT {_a(DESCRIPTION='', NAME=event)}/>")
    parts += [_attr(k, v) for k, v in flow.attrs.items()]
    parts.append(f"</{tag}>")
    return "\n".join(p for p in parts if p)


def export_xml(*flows: Flow, folder: str = "RT") -> str:
    body = "\n".join(flow_xml(f) for f in sorted(flows, key=lambda f: not f.worklet))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE POWERMART SYSTEM "powrmart.dtd">\n'
        '<POWERMART CREATION_DATE="01/01/2024 00:00:00" REPOSITORY_VERSION="184.93">\n'
        '<REPOSITORY NAME="REP_TEST" VERSION="184" CODEPAGE="UTF-8" DATABASETYPE="Oracle">\n'
        f'<FOLDER NAME="{folder}" GROUP="" OWNER="tester" SHARED="NOTSHARED" DESCRIPTION="" PERMISSIONS="rwx---r--" UUID="00000000-0000-0000-0000-000000000001">\n'
        f"{body}\n"
        "</FOLDER>\n</REPOSITORY>\n</POWERMART>\n"
    )


def write_export(directory: Path, *flows: Flow, name: str = "export.xml") -> Path:
    path = directory / name
    path.write_text(export_xml(*flows), encoding="utf-8")
    return path
