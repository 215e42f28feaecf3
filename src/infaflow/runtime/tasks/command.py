"""Command tasks and the command parts of sessions (pre- and post-session commands)."""

from __future__ import annotations

import os
from pathlib import Path

from infaflow.model import ValuePair
from infaflow.runtime import processes
from infaflow.runtime.status import FAILED, SUCCEEDED
from infaflow.runtime.tasks.base import TaskContext, TaskResult


def child_env(ctx: TaskContext) -> dict[str, str]:
    env = dict(os.environ)
    env[processes.RUN_MARKER] = str(ctx.run_id)
    env["INFAFLOW_TASK"] = ctx.path
    return env


def run_commands(
    ctx: TaskContext, pairs: list[ValuePair], fail_on_any: bool, what: str = "command"
) -> TaskResult:
    """Run ``pairs`` in EXECORDER, each in its own shell.

    ``fail_on_any`` ("Fail task if any command fails"): stop at the first failing command and fail the
    task; otherwise run them all and succeed, keeping the last failure in ErrorCode/ErrorMsg.
    """
    services = ctx.services
    last_error = ""
    last_code = 0
    for pair in sorted(pairs, key=lambda p: p.exec_order):
        text = ctx.expand(pair.value)
        label = pair.name or f"{what} {pair.exec_order}"
        if ctx.cancel.is_set() and not ctx.dry_run:
            # A stopped Command task finishes the command it runs and starts no other (Advanced Workflow
            # Guide).
            ctx.log.write(f"{label}: not run ({ctx.stopped_status.lower()} before it started)")
            return TaskResult(
                ctx.stopped_status, error=f"{ctx.stopped_status.lower()} before {label}", error_code=1
            )
        if ctx.dry_run:
            ctx.log.write(f"dry run: would run {label}: {text}")
            continue
        ctx.log.write(f"running {label}: {text}")
        start = _size(ctx.log.path)
        code, problem = processes.run_shell(
            text,
            path=ctx.path,
            registry=services.processes,
            cancel=ctx.cancel,
            log_path=ctx.log.path,
            env=child_env(ctx),
            cwd=services.working_dir,
            timeout=services.options.command_timeout,
        )
        if code is None and ctx.cancel.is_set():
            ctx.log.write(f"{label}: {problem}")
            return TaskResult(
                ctx.stopped_status, error=f"{label}: {ctx.stopped_status.lower()}", error_code=1
            )
        if code is None:
            message = f"{label}: {problem}"
            code = 124
        elif code != 0:
            message = f"{label} failed with exit status {code}{_cause(ctx.log.path, start)}"
        else:
            ctx.log.write(f"{label}: exit status 0")
            continue
        ctx.log.write(message)
        last_error, last_code = message, code
        if fail_on_any:
            return TaskResult(FAILED, error=message, error_code=code)
    if last_error:
        return TaskResult(SUCCEEDED, task_vars={"ErrorCode": last_code, "ErrorMsg": last_error})
    return TaskResult.ok()


#: Lines of a failed command's own output quoted in its error message.
CAUSE_LINES = 3


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def _cause(log: Path | None, start: int) -> str:
    """The last lines the command wrote (its output goes to the task log) and where the log is, so a
    failure says why without opening files: ``: ls: cannot access 'x' (log: .infaflow/runs/3/logs/t.log)``."""
    if log is None:
        return ""
    try:
        with log.open("rb") as fh:
            fh.seek(start)
            written = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in written.splitlines() if line.strip()]
    tail = " | ".join(lines[-CAUSE_LINES:])
    return (f": {tail}" if tail else "") + f" (log: {log})"


def run_command_task(ctx: TaskContext) -> TaskResult:
    """A Command task: its VALUEPAIRs (instance overrides else the task's) are the commands."""
    fail_on_any = ctx.attributes.flag("Fail task if any command fails", False)
    return run_commands(ctx, ctx.value_pairs, fail_on_any)
