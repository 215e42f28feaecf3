"""Email tasks (and the success/failure emails of sessions)."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Mapping
from typing import Any

from infaflow.runtime import email
from infaflow.runtime.status import FAILED
from infaflow.runtime.tasks.base import TaskContext, TaskResult


def expand_email_text(text: str, fields: dict[str, str]) -> str:
    """PowerCenter's email variables (``%s`` session, ``%w`` workflow, ``%e`` status...) and the
    ``\\n``/``\\t`` tags; unknown ``%x`` stay as written."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 1 < len(text) and text[i + 1] in fields:
            out.append(fields[text[i + 1]])
            i += 2
            continue
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "nt":
            out.append("\n" if text[i + 1] == "n" else "\t")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def email_fields(ctx: TaskContext, status: str = "", session: str = "", mapping: str = "") -> dict[str, str]:
    services = ctx.services
    started = ctx.task_started
    return {
        "b": started.strftime("%m/%d/%Y %H:%M:%S"),
        "c": dt.datetime.now().strftime("%m/%d/%Y %H:%M:%S"),
        "d": services.repository,
        "e": status,
        "i": str(dt.datetime.now() - started).split(".")[0],
        "m": mapping,
        "n": services.folder_name,
        "s": session,
        "u": services.user,
        "v": "infaflow",
        "w": services.workflow_name,
        "z": str(ctx.run_id),
    }


def send(ctx: TaskContext, attributes_source: Mapping[str, Any], fields: dict[str, str]) -> TaskResult:
    """Send the email described by ``attributes_source`` (an Attributes map)."""
    to = email.recipients(ctx.expand(attributes_source.get("Email User Name", "") or ""))
    subject = expand_email_text(ctx.expand(attributes_source.get("Email Subject", "") or ""), fields)
    body = expand_email_text(ctx.expand(attributes_source.get("Email Text", "") or ""), fields)
    if ctx.dry_run:  # a dry run succeeds every task; a missing recipient is only noted
        ctx.log.write(
            f"dry run: would email {', '.join(to) or '(no recipient: Email User Name is empty)'}: {subject}"
        )
        return TaskResult.ok()
    if not to:
        return TaskResult(FAILED, error="email has no recipient (Email User Name is empty)", error_code=1)
    config = ctx.services.smtp
    msg = email.build_message(to, subject, body, config.sender if config else "infaflow@localhost")
    try:
        where = email.deliver(msg, config, ctx.services.outbox, ctx.path.replace("/", "__"))
    except (OSError, smtplib.SMTPException) as exc:
        return TaskResult(FAILED, error=f"email to {', '.join(to)} not sent: {exc}", error_code=1)
    message = f"email to {', '.join(to)}: {where}"
    ctx.log.write(f"email to {', '.join(to)} ({subject!r}): {where}")
    return TaskResult.ok(message=message)


def run_email_task(ctx: TaskContext) -> TaskResult:
    """Email task: ``Email User Name``, ``Email Subject``, ``Email Text``."""
    return send(ctx, ctx.attributes, email_fields(ctx))
