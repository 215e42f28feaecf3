"""One session (or a mapping on its own) as a PySpark module, rendered from ``templates/job.py.j2``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import jinja2

from infaflow.codegen import handlers
from infaflow.codegen.generate import Generator, uses_name
from infaflow.codegen.handlers import stored_procedure
from infaflow.codegen.naming import py_str
from infaflow.codegen.plan import Gap, Plan, build_plan
from infaflow.codegen.rowcontract import SUPPORT_VERSION
from infaflow.codegen.session_config import config_attributes, session_config
from infaflow.codegen.types import spark_type
from infaflow.model import Folder, Mapping, Session, TaskInstance


@dataclass
class JobSource:
    """A generated module and what it could not convert."""

    module: str  # module name without .py
    code: str
    plan: Plan | None  # None for a module read from a converted project
    gaps: list[Gap]
    scans: list = field(default_factory=list)  # sequential scans of variable ports (codegen.scan.ScanNote)
    database_steps: list = field(
        default_factory=list
    )  # SQL run on the database (sql_transformation.DatabaseStep)

    @property
    def complete(self) -> bool:
        return not self.gaps


@cache
def template_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("infaflow.codegen", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _parameters(plan: Plan) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for v in plan.mapping.variables:
        out.append(
            (
                py_str(v.name),
                f"({py_str(spark_type(v.datatype, v.precision, v.scale))}, "
                f"{py_str(v.default_value) if v.default_value != '' else _empty(v.datatype)})",
            )
        )
    builtins = {
        "$PMMappingName": plan.mapping.name,
        "$PMSessionName": plan.session.name if plan.session else plan.mapping.name,
        "$PMFolderName": plan.folder.name if plan.folder else "",
    }
    for name, value in builtins.items():
        out.append((py_str(name), f'("string", {py_str(value)})'))
    return out


def _variables(plan: Plan) -> list[tuple[str, str]]:
    """The mapping variables (not parameters) and their aggregation types, as code."""
    return [
        (py_str(v.name), py_str((v.aggfunction or "NONE").upper()))
        for v in plan.mapping.variables
        if not v.is_param
    ]


def _empty(datatype: str) -> str:
    kind = spark_type(datatype)
    if kind == "string":
        return '""'
    if kind == "timestamp":
        return '"01/01/1753 00:00:00"'
    return '"0"'


def stop_on_errors(plan: Plan) -> str:
    """The session's `Stop on errors` (config object, session override), as code: a number or the name
    of a variable (``$PMSessionErrorThreshold``); "0" without a session."""
    session = plan.session
    if session is None:
        return "0"
    value = session.attributes.get("Stop on errors")
    if value is None:
        value = config_attributes(session, plan.task_instance).get("Stop on errors")
    text = str(value or "0").strip()
    if text.startswith("$"):
        return py_str(text)
    return text if text.isdigit() else "0"


def job_options(plan: Plan) -> dict[str, str]:
    """Keyword arguments of ``Job(...)`` for the session's settings that differ from PowerCenter's
    defaults, by the name of the setting."""
    options = {}
    threshold = stop_on_errors(plan)
    if threshold != "0":
        options["Stop on errors"] = f"stop_on_errors={threshold}"
    config = session_config(plan.session, plan.task_instance)
    if not config.date_format_is_default:
        options["DateTime Format String"] = f"date_format={py_str(config.date_format)}"
    if not config.stop_on_procedure_error:
        options["On Stored Procedure error"] = "stop_on_procedure_error=False"
    if _variables(plan):
        options["mapping variables"] = "variables=MAPPING_VARIABLES"
    return options


def render_plan(plan: Plan, module: str, file: str = "") -> JobSource:
    """The module source of ``plan``."""
    gen = Generator(plan, file, handler_for=handlers.handler_for)  # looked up at each call: tests replace it
    steps = gen.run()
    body = "\n".join(line for s in steps for line in s.lines)
    where_loc = plan.session.location if plan.session else plan.mapping.location
    options = job_options(plan)
    title = (
        f"Session {plan.session.name}" if plan.session else f"Mapping {plan.mapping.name}"
    ) + " as a PySpark job."
    code = (
        template_env()
        .get_template("job.py.j2")
        .render(
            title=title,
            mapping=plan.mapping.name,
            folder=plan.folder.name if plan.folder else "",
            session=plan.session.name if plan.session else "",
            where=str(where_loc) if where_loc.file else file,
            gaps=[str(g) for g in gen.gaps],
            module=module,
            support_version=SUPPORT_VERSION,
            pyspark_imports=[
                "from pyspark.sql import SparkSession" + (", Window" if uses_name(body, "Window") else ""),
                *(["from pyspark.sql import functions as F"] if uses_name(body, "F") else []),
            ],
            session_literal=py_str(plan.session.name if plan.session else plan.mapping.name),
            parameters=_parameters(plan),
            variables=_variables(plan),
            job_options=list(options.values()),
            job_settings=" and ".join(options),
            prologue=stored_procedure.session_calls(gen),
            config_notes=session_config(plan.session, plan.task_instance).notes(),
            steps=steps,
        )
    )
    return JobSource(module, code, plan, gen.gaps, gen.scans, gen.database_steps)


def render_session(
    session: Session,
    folder: Folder | None,
    module: str,
    file: str = "",
    task_instance: TaskInstance | None = None,
) -> JobSource:
    """The job of a session: its mapping with the session's overrides."""
    mapping = session.mapping
    if mapping is None and folder is not None:
        mapping = folder.mapping(session.mapping_name)
    if mapping is None:
        empty = Plan(
            Mapping(session.mapping_name),
            session,
            folder,
            [],
            [
                Gap(
                    session.name,
                    f"mapping {session.mapping_name!r} is not in the export",
                    session.location.file or file,
                    session.location.line,
                )
            ],
        )
        return JobSource(module, "", empty, empty.gaps)
    return render_plan(build_plan(mapping, session, folder, task_instance), module, file)


def render_mapping(mapping: Mapping, folder: Folder | None, module: str, file: str = "") -> JobSource:
    """The job of a mapping that no session runs (default reader and writer settings)."""
    return render_plan(build_plan(mapping, None, folder), module, file)
