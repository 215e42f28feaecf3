"""Steps that no source feeds: transformations whose input ports come only from a Sequence Generator (or
are all unconnected, so every value is a constant).

PowerCenter runs such a step in the pipeline it joins downstream: its values are computed for the rows of
the step where its ports meet ports that a source feeds (a Sequence Generator gives the next value to each
of those rows). A target that receives data from no source at all makes the mapping invalid (Designer
Guide, "Troubleshooting Mappings": the Designer checks "targets that do not receive data from any
sources"; an invalid mapping cannot be run), so it is reported, never invented.
"""

from __future__ import annotations

from infaflow.codegen.plan import Plan, PortRef, Step

SEQUENCE_KINDS = ("sequence", "sequence generator")


def _is_sequence(step: Step) -> bool:
    return step.kind.strip().lower() in SEQUENCE_KINDS


def sourced_steps(plan: Plan) -> set[str]:
    """Steps (lower-case names) that a source definition feeds, directly or through other steps."""
    sourced: set[str] = set()
    for step in plan.steps:  # data-flow order: every feeding step comes first
        feeds = {ref.step.lower() for ref in step.inputs.values()}
        if step.source is not None or feeds & sourced or step.instance.associated_source_instances:
            sourced.add(step.name.lower())
    return sourced


def drivers(plan: Plan) -> dict[str, PortRef]:
    """For each step that no source feeds (Sequence Generators aside), the port whose rows it is computed
    for: an input of the first step downstream where its values meet values a source feeds."""
    sourced = sourced_steps(plan)
    out: dict[str, PortRef] = {}
    for step in plan.steps:
        key = step.name.lower()
        if key in sourced or _is_sequence(step) or step.target is not None:
            continue
        driver = _meeting_point(plan, step, sourced, set())
        if driver is not None:
            out[key] = driver
    return out


def _meeting_point(plan: Plan, step: Step, sourced: set[str], seen: set[str]) -> PortRef | None:
    for consumer in plan.consumers(step.name):
        name = consumer.name.lower()
        if name in seen:
            continue
        seen.add(name)
        fed = [ref for ref in consumer.inputs.values() if ref.step.lower() in sourced]
        if fed:
            return fed[0]
        if not _is_sequence(consumer):
            found = _meeting_point(plan, consumer, sourced, seen)
            if found is not None:
                return found
    return None


def ordered(plan: Plan, driven: dict[str, PortRef]) -> list[Step]:
    """The plan's steps, each driven step moved just after the step whose rows drive it (its own feeding
    steps, Sequence Generators or other driven steps, stay before it)."""
    steps = list(plan.steps)
    for step in [s for s in plan.steps if s.name.lower() in driven]:
        steps.remove(step)
        after = {driven[step.name.lower()].step.lower(), *(ref.step.lower() for ref in step.inputs.values())}
        last = max(i for i, s in enumerate(steps) if s.name.lower() in after | {steps[0].name.lower()})
        steps.insert(last + 1, step)
    return steps
