"""Frames that several targets read are computed once.

Spark evaluates a DataFrame anew for every action, and a job writes each target with its own action: a
mapping whose Aggregator feeds four targets would run the sources, the join and the aggregation four
times. PowerCenter reads each source once per session and pushes every row through the pipeline once, so
a frame where the targets' paths part is marked ``job.share(frame)`` (persisted, released when the job
ends). Besides speed this keeps the targets consistent with each other, as PowerCenter's are: a database
source is read once, and rows numbered after an Aggregator or a Union carry the same numbers in every
target.

A frame is shared when it is a split point (two or more of its consumers lead to different targets) and
computing it costs more than re-reading a file: the step or an unshared step above it joins, aggregates,
sorts, uses a window, or reads a database. Pure functions over the plan and the rendered code.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from infaflow.codegen.comments import WIDTH
from infaflow.codegen.plan import Plan, Step
from infaflow.codegen.stepcode import Output

TARGET_KIND = "Target Definition"

# Calls in generated code that shuffle rows or read a database: what makes a frame worth keeping.
_COSTLY = re.compile(
    r"\.(join|groupBy|over|orderBy|sort|distinct|dropDuplicates|repartition|sortWithinPartitions)\("
    r"|\bjob\.(read_table|read_query|read_sql|read_xml|sql_query|sql_script|call_procedure)\("
)


@dataclass(frozen=True)
class Share:
    """A frame computed once: the step that builds it, its variable and the targets that read it."""

    step: str
    var: str
    targets: tuple[str, ...]


def targets_reached(plan: Plan) -> dict[str, frozenset[str]]:
    """Step name (lower case) -> the targets its rows reach, through every path of the plan."""
    consumers = {s.name.lower(): plan.consumers(s.name) for s in plan.steps}
    memo: dict[str, frozenset[str]] = {}

    def reach(step: Step) -> frozenset[str]:
        key = step.name.lower()
        if key not in memo:
            memo[key] = frozenset()  # a cycle (invalid mapping) reaches nothing more
            found = {step.name} if step.kind == TARGET_KIND else set()
            for consumer in consumers[key]:
                found |= reach(consumer)
            memo[key] = frozenset(found)
        return memo[key]

    for step in plan.steps:
        reach(step)
    return memo


def split_points(plan: Plan) -> list[Step]:
    """Steps read by two or more consumers that lead to targets, when the targets reached are two or more:
    every action that writes one of those targets computes the step again."""
    reached = targets_reached(plan)
    out = []
    for step in plan.steps:
        if step.kind == TARGET_KIND or len(reached[step.name.lower()]) < 2:
            continue
        if sum(1 for c in plan.consumers(step.name) if reached[c.name.lower()]) >= 2:
            out.append(step)
    return out


def shares(
    plan: Plan,
    code: Mapping[str, list[str]],
    variables: Mapping[str, str],
    outputs: Mapping[str, Mapping[str, Output]],
    not_converted: Iterable[str] = (),
) -> list[Share]:
    """The frames to compute once, in plan order. ``code``: each step's generated lines, ``variables``:
    each step's frame variable, ``outputs``: where each step's output ports are (all lower-case step names);
    steps in ``not_converted`` are never shared (their job stops there).

    A split point whose outputs are frames of their own (a Router's groups: cheap filters) is not kept
    itself; the single step that feeds it is, when there is one."""
    skipped = {n.lower() for n in not_converted}
    reached = targets_reached(plan)

    def keepable(step: Step) -> bool:
        key = step.name.lower()
        var = variables.get(key, "")
        ports = outputs.get(key, {})
        return key not in skipped and bool(var) and bool(ports) and all(o.var == var for o in ports.values())

    chosen: dict[str, Share] = {}
    for point in split_points(plan):
        step: Step | None = point
        while step is not None and not keepable(step):
            feeding = {r.step.lower() for r in step.inputs.values()}
            step = plan.step(feeding.pop()) if len(feeding) == 1 else None
        if step is None or step.name.lower() in chosen or not _costly(plan, step, code, chosen):
            continue
        key = step.name.lower()
        chosen[key] = Share(step.name, variables[key], tuple(sorted(reached[key], key=str.lower)))
    order = {s.name.lower(): i for i, s in enumerate(plan.steps)}
    return sorted(chosen.values(), key=lambda share: order[share.step.lower()])


def _costly(plan: Plan, step: Step, code: Mapping[str, list[str]], chosen: Mapping[str, Share]) -> bool:
    """Whether ``step`` or a step above it, up to the frames already shared, shuffles or reads a database."""
    seen: set[str] = set()
    todo = [step.name.lower()]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        if any(_COSTLY.search(line) for line in code.get(key, [])):
            return True
        for ref in plan.step(key).inputs.values():
            if ref.step.lower() not in chosen:
                todo.append(ref.step.lower())
    return False


def share_lines(share: Share) -> list[str]:
    """The generated lines that keep ``share``'s frame for the targets after it."""
    text = f"computed once for the {len(share.targets)} targets it feeds: {', '.join(share.targets)}"
    comment = textwrap.wrap(text, width=WIDTH - 6, initial_indent="# ", subsequent_indent="#   ")
    return [*comment, f"{share.var} = job.share({share.var})"]
