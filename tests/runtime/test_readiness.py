"""Readiness rules (SPEC.md B, Joins): a pure function of input link states."""

from __future__ import annotations

import pytest

from infaflow.runtime.readiness import Link, Verdict, decide

T, F, P, D = Link.TRUE, Link.FALSE, Link.PENDING, Link.DEAD


@pytest.mark.parametrize(
    ("links", "and_join", "verdict"),
    [
        ([], True, Verdict.READY),  # Start
        ([T], True, Verdict.READY),
        ([F], True, Verdict.NEVER),
        ([P], True, Verdict.WAIT),
        ([D], True, Verdict.NEVER),
        ([T, T], True, Verdict.READY),
        ([T, P], True, Verdict.WAIT),
        ([T, F], True, Verdict.NEVER),  # AND: one false link is enough to never run
        ([P, F], True, Verdict.NEVER),  # ... even while another is pending
        ([T, D], True, Verdict.NEVER),  # AND: a predecessor that never ran
        ([T, P], False, Verdict.READY),  # OR: runs as soon as one is true
        ([F, P], False, Verdict.WAIT),
        ([F, F], False, Verdict.NEVER),
        ([F, D], False, Verdict.NEVER),
        ([D, T], False, Verdict.READY),  # OR reached another way
        ([D, P], False, Verdict.WAIT),
    ],
)
def test_decide(links: list[Link], and_join: bool, verdict: Verdict) -> None:
    got = decide(links, and_join)
    assert got.verdict is verdict, got.reason
    assert got.reason


def test_reason_is_readable() -> None:
    assert decide([T, F, D], True).reason == "AND join: 1 link(s) false, 1 from tasks that did not run"
    assert decide([F, F], False).reason == "OR join: none of 2 link(s) can be true"
