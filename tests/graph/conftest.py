"""Builders of model objects for graph tests (no loader needed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infaflow.errors import Location
from infaflow.model import Attributes, TaskInstance, Workflow, WorkflowLink

TYPES = {
    "start": "Start",
    "s": "Session",
    "cmd": "Command",
    "dec": "Decision",
    "wl": "Worklet",
    "asg": "Assignment",
    "tmr": "Timer",
    "ew": "Event Wait",
    "em": "Email",
    "ctl": "Control",
}


def task_type(name: str) -> str:
    """The task type told by a name's prefix: s_x -> Session, dec_x -> Decision, start -> Start."""
    return TYPES.get(name.split("_", 1)[0].lower(), "Session")


def make(
    name: str,
    tasks: list[str],
    links: list[tuple[str, str] | tuple[str, str, str]],
    worklets: list[Workflow] | None = None,
    is_worklet: bool = False,
    disabled: tuple[str, ...] = (),
    decisions: dict[str, str] | None = None,
) -> Workflow:
    """A workflow (or worklet) whose task instances and links are written one per line from line 10."""
    file = f"{name}.xml"
    line = 10
    instances = []
    for t in tasks:
        task_name, _, instance_name = t.partition("=")  # "wl_a=wl_inst" names an instance of wl_a
        ttype = task_type(task_name)
        attrs = (
            Attributes({"Decision Name": (decisions or {}).get(task_name, "")})
            if ttype == "Decision"
            else Attributes()
        )
        instances.append(
            TaskInstance(
                name=instance_name or task_name,
                task_name=task_name,
                task_type=ttype,
                is_enabled=(instance_name or task_name) not in disabled,
                attributes=attrs,
                location=Location(file, line),
            )
        )
        line += 1
    wf_links = []
    for link in links:
        wf_links.append(
            WorkflowLink(link[0], link[1], link[2] if len(link) > 2 else "", Location(file, line))
        )
        line += 1
    return Workflow(
        name=name,
        is_worklet=is_worklet,
        instances=instances,
        links=wf_links,
        worklets=worklets or [],
        location=Location(file, 2),
    )


@pytest.fixture
def make_workflow() -> Callable[..., Workflow]:
    return make
