"""The text of a generated DAG file (``dags/<workflow>.py``): readable, one statement per Airflow task,
task groups for worklet instances, then the edges. No Airflow import here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infaflow.airflow.graph import CLOSE, DagShape, DagTask
from infaflow.codegen.naming import Namer, py_str

_KIND_COMMENT = {"Workflow": "the end of workflow", "Worklet": "the end of worklet instance"}


@dataclass(frozen=True)
class Source:
    """Where the DAG finds its workflow: a converted project (``project``: a path relative to the DAG
    file) or export files (absolute paths)."""

    workflow: str
    folder: str
    project: str = ""
    exports: Sequence[str] = ()
    sessions: Mapping[str, Any] | None = None  # how Session tasks run (see infaflow.airflow.sessions)


def _workflow_block(source: Source) -> list[str]:
    lines = ["WORKFLOW = {"]
    if source.project:
        lines.append(f'    "project": str((HERE / {py_str(source.project)}).resolve()),')
    else:
        lines.append('    "exports": [')
        lines += [f"        {py_str(e)}," for e in source.exports]
        lines.append("    ],")
    lines.append(f'    "workflow": {py_str(source.workflow)},')
    lines.append(f'    "folder": {py_str(source.folder)},')
    if source.sessions is not None:
        lines.append(
            "    # Sessions: spark-submit (SparkSubmitOperator on the Airflow connection conn_id)"
            " or in-process"
        )
        lines.append('    "sessions": {')
        lines.append(f'        "run": {py_str(str(source.sessions["run"]))},')
        lines.append(f'        "conn_id": {py_str(str(source.sessions["conn_id"]))},')
        conf = source.sessions.get("conf") or {}
        if conf:
            lines.append('        "conf": {')
            lines += [f"            {py_str(str(k))}: {py_str(str(v))}," for k, v in conf.items()]
            lines.append("        },")
        else:
            lines.append('        "conf": {},')
        lines.append("    },")
    lines.append("}")
    return lines


def _task_line(task: DagTask, var: str, indent: str, first: bool) -> list[str]:
    what = (
        f"{_KIND_COMMENT[task.task_type]} {task.path or task.local_id}"
        if task.kind == CLOSE
        else f"{task.task_type} task {task.path}"
    )
    args = [
        f"task_id={py_str(task.local_id)}",
        f"instance_path={py_str(task.path)}",
        f"task_type={py_str(task.task_type)}",
    ]
    if task.kind == CLOSE:
        args.append('kind="close"')
    if first:
        args.append("first=True")
    if task.reads:
        args.append(f"reads=[{', '.join(py_str(r) for r in task.reads)}]")
    args.append("workflow=WORKFLOW")
    call = f"{indent}{var} = PowerCenterTask({', '.join(args)})"
    if len(call) <= 110:
        return [f"{indent}# {what}", call]
    return [
        f"{indent}# {what}",
        f"{indent}{var} = PowerCenterTask(",
        *(f"{indent}    {a}," for a in args),
        f"{indent})",
    ]


def render_dag(shape: DagShape, source: Source, first_task: str, exports_note: str = "") -> str:
    """The DAG file of ``shape``; ``first_task``: the id of the task that begins a run (the Start task)."""
    namer = Namer()
    for taken in ("dag", "here", "path", "workflow", "powercenter_task", "task_group"):
        namer(taken)
    names = {t.task_id: namer(t.task_id.replace(".", "__")) for t in shape.tasks}
    lines = [
        f'"""Airflow DAG of PowerCenter workflow {source.workflow} (folder {source.folder}), '
        "written by infaflow.",
        "",
        "Each task runs one task instance through infaflow's runtime (its readiness rule, link conditions,",
        "variables, parameter files and handler), so the run follows PowerCenter's semantics; "
        "the state passes",
        "from task to task through XCom. Worklet instances are task groups. See docs/airflow.md."
        + (f"\n\n{exports_note}" if exports_note else ""),
        '"""',
        "",
        "from pathlib import Path",
        "",
        "from airflow.sdk import DAG, TaskGroup",
        "",
        "from infaflow.airflow.operators import PowerCenterTask",
        "",
        "HERE = Path(__file__).resolve().parent",
        *_workflow_block(source),
        "",
        "with DAG(",
        f"    dag_id={py_str(shape.workflow)},",
        "    schedule=None,",
        "    catchup=False,",
        '    params={"param_files": [], "params": {}, "state_dir": "", "working_dir": "", "root_dir": ""},',
        f'    tags=["infaflow", {py_str(source.folder)}],',
        ") as dag:",
    ]
    lines += _body(shape.tasks, names, (), "    ", first_task)
    lines.append("")
    lines.append("    # PowerCenter links (and the end of each worklet and of the workflow)")
    for task in shape.tasks:
        if not task.upstream:
            continue
        ups = [names[u] for u in task.upstream]
        left = ups[0] if len(ups) == 1 else f"[{', '.join(ups)}]"
        line = f"    {left} >> {names[task.task_id]}"
        if len(line) > 110:
            line = "    [\n" + "".join(f"        {u},\n" for u in ups) + f"    ] >> {names[task.task_id]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _body(
    tasks: list[DagTask], names: dict[str, str], group: tuple[str, ...], indent: str, first_task: str
) -> list[str]:
    lines: list[str] = []
    done_groups: set[str] = set()
    for task in tasks:
        if task.group[: len(group)] != group:
            continue
        if len(task.group) == len(group):
            lines += _task_line(task, names[task.task_id], indent, task.task_id == first_task)
            continue
        sub = task.group[len(group)]
        if sub in done_groups:
            continue
        done_groups.add(sub)
        closing = next(t for t in tasks if t.kind == CLOSE and t.group == (*group, sub))
        lines.append(
            f"{indent}with TaskGroup({py_str(sub)}, tooltip={py_str('worklet instance ' + closing.path)}):"
        )
        lines += _body(tasks, names, (*group, sub), indent + "    ", first_task)
    return lines
