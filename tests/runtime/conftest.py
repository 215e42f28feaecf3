"""Helpers of the runtime tests: write a small export, run it, read the outcome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from runtime_xml import Flow, write_export

from infaflow.export import load
from infaflow.runtime.api import RunResult, run_workflow
from infaflow.runtime.scheduler import RunOptions

Runner = Callable[..., RunResult]


@pytest.fixture
def run_flows(tmp_path: Path) -> Runner:
    """``run_flows(*flows, workflow=None, **run_workflow kwargs)``: write the export, run the (first
    non-worklet) workflow with commands running in ``tmp_path``; returns the RunResult."""

    def run(
        *flows: Flow, workflow: str | None = None, options: RunOptions | None = None, **kw: Any
    ) -> RunResult:
        path = write_export(tmp_path, *flows)
        export = load(path)
        name = workflow or next(f.name for f in flows if not f.worklet)
        opts = options or RunOptions()
        opts.working_dir = str(tmp_path)
        kw.setdefault("state_dir", tmp_path / ".infaflow")
        return run_workflow(export, name, options=opts, **kw)

    return run


def statuses(result: RunResult) -> dict[str, str]:
    return {path: t["status"] for path, t in result.summary["tasks"].items()}
