"""How statuses read on screen: Workflow Monitor's words, one colour per status, the final summary line.

Pure functions shared by the live progress view and ``infaflow show`` / ``runs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infaflow.report.summary import seconds_text
from infaflow.runtime.status import (
    ABORTED,
    DISABLED,
    FAILED,
    NOTSTARTED,
    STARTED,
    STOPPED,
    SUCCEEDED,
    SUSPENDED,
)

#: Workflow Monitor's word for a task or workflow that is running (the store records STARTED, the
#: value ``$t.Status`` has while it runs).
RUNNING = "RUNNING"
#: Workflow Monitor's word for a run whose process ended without recording an end (a crash, kill -9).
TERMINATED = "TERMINATED"

#: rich style of each status, as Workflow Monitor colours them (green succeeded, red failed...).
STATUS_STYLE: dict[str, str] = {
    SUCCEEDED: "green",
    FAILED: "bold red",
    ABORTED: "bold red",
    STOPPED: "yellow",
    SUSPENDED: "magenta",
    RUNNING: "cyan",
    STARTED: "cyan",
    TERMINATED: "red",
    DISABLED: "dim",
    NOTSTARTED: "dim",
}

#: Order of statuses in the summary line: what went well first, then what did not, then what never ran.
SUMMARY_ORDER = [SUCCEEDED, FAILED, STOPPED, ABORTED, SUSPENDED, DISABLED, NOTSTARTED, STARTED]


def style_of(status: str) -> str:
    """The rich style of ``status`` (none for an unknown one)."""
    return STATUS_STYLE.get(status, "")


def shown_status(status: str, alive: bool) -> str:
    """The status a Monitor user reads: STARTED is RUNNING while the run's process lives, TERMINATED
    after it died without recording an end; every other status as recorded."""
    if status != STARTED:
        return status
    return RUNNING if alive else TERMINATED


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """``{status: count}`` in :data:`SUMMARY_ORDER` (unknown statuses after, by name)."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    rank: dict[str, int] = {s: i for i, s in enumerate(SUMMARY_ORDER)}
    return dict(sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def summary_line(counts: Mapping[str, int], seconds: float) -> str:
    """dbt's closing line: ``Done. SUCCEEDED=7 FAILED=1 NOTSTARTED=1 in 17.2s``."""
    parts = " ".join(f"{status}={n}" for status, n in counts.items())
    return f"Done. {parts} in {seconds_text(seconds)}".replace("  ", " ")


__all__ = [
    "RUNNING",
    "STATUS_STYLE",
    "TERMINATED",
    "count_statuses",
    "seconds_text",
    "shown_status",
    "style_of",
    "summary_line",
]
