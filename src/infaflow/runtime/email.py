"""Sending email: SMTP from the environment, else a .eml file in the run's outbox (never dropped).

Configuration: ``INFAFLOW_SMTP_HOST``, ``INFAFLOW_SMTP_PORT`` (25), ``INFAFLOW_SMTP_USER``,
``INFAFLOW_SMTP_PASSWORD``, ``INFAFLOW_SMTP_FROM`` (``infaflow@<host>``), ``INFAFLOW_SMTP_STARTTLS``
(YES/NO, default NO).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = ""
    starttls: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """The SMTP settings from ``INFAFLOW_SMTP_*``; ``None`` when no host is configured."""
        env = os.environ if env is None else env
        host = env.get("INFAFLOW_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(env.get("INFAFLOW_SMTP_PORT", "25") or 25),
            user=env.get("INFAFLOW_SMTP_USER", ""),
            password=env.get("INFAFLOW_SMTP_PASSWORD", ""),
            sender=env.get("INFAFLOW_SMTP_FROM", "") or f"infaflow@{socket.gethostname()}",
            starttls=env.get("INFAFLOW_SMTP_STARTTLS", "NO").strip().upper() in ("YES", "Y", "TRUE", "1"),
        )


def recipients(text: str) -> list[str]:
    """Addresses in an ``Email User Name`` value (separated by ``;`` or ``,``)."""
    return [a.strip() for a in re.split(r"[;,]", text) if a.strip()]


def build_message(to: list[str], subject: str, body: str, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain="infaflow.local")
    msg.set_content(body)
    return msg


def deliver(msg: EmailMessage, config: SmtpConfig | None, outbox: Path, stem: str) -> str:
    """Send ``msg`` through SMTP, or write it to ``outbox`` when no SMTP host is configured.

    Returns a description of where it went; raises ``OSError``/``smtplib.SMTPException`` when sending
    fails.
    """
    if config is None:
        outbox.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        path = outbox / f"{stamp}_{safe}.eml"
        path.write_bytes(bytes(msg))
        return f"no SMTP host configured: written to {path}"
    if not msg.get("From") or msg["From"] == "":
        msg.replace_header("From", config.sender)
    with smtplib.SMTP(config.host, config.port, timeout=30) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.user:
            smtp.login(config.user, config.password)
        smtp.send_message(msg)
    return f"sent through {config.host}:{config.port}"
