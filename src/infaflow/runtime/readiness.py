"""When may a task run? A pure function of the states of its input links.

A link is PENDING until its source task completes; it is then TRUE or FALSE once (its condition is
evaluated exactly once). A link whose source will never run (not started, or suspended) is DEAD.
AND joins run when every input link is TRUE and never run once one is FALSE or DEAD; OR joins run as
soon as one is TRUE and never run once all are FALSE or DEAD (SPEC.md B, "Joins").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


class Link(Enum):
    """The state of one input link."""

    PENDING = "pending"  # the source task has not completed yet
    TRUE = "true"  # fired: the source completed and the condition held
    FALSE = "false"  # the source completed and the condition was false
    DEAD = "dead"  # the source will never complete (did not run, or suspended)


class Verdict(Enum):
    READY = "ready"
    WAIT = "wait"
    NEVER = "never"


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    reason: str


def decide(links: Sequence[Link], and_join: bool) -> Readiness:
    """The verdict for a task with these input links (``and_join``: TREAT_INPUTLINK_AS_AND=YES).

    A task without input links (the Start task) is READY.
    """
    if not links:
        return Readiness(Verdict.READY, "no input links")
    n = len(links)
    true = sum(1 for s in links if s is Link.TRUE)
    false = sum(1 for s in links if s is Link.FALSE)
    dead = sum(1 for s in links if s is Link.DEAD)
    if and_join:
        if false or dead:
            return Readiness(
                Verdict.NEVER, f"AND join: {false} link(s) false, {dead} from tasks that did not run"
            )
        if true == n:
            return Readiness(Verdict.READY, f"AND join: all {n} link(s) true")
        return Readiness(Verdict.WAIT, f"AND join: {true}/{n} link(s) true")
    if true:
        return Readiness(Verdict.READY, f"OR join: {true}/{n} link(s) true")
    if false + dead == n:
        return Readiness(Verdict.NEVER, f"OR join: none of {n} link(s) can be true")
    return Readiness(Verdict.WAIT, f"OR join: waiting for {n - false - dead} link(s)")
