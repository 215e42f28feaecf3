"""The session configuration a job honours: the config object, with the session's and the task instance's
overrides.

PowerCenter resolves a session's configuration from its config object (CONFIG, named by the session's
CONFIGREFERENCE), then the attributes written on that CONFIGREFERENCE (overrides made in the session), then
those of the CONFIGREFERENCE of the workflow's task instance (overrides made on the instance). Attributes that
change the rows a session computes:

- ``DateTime Format String``: the default date format of TO_CHAR/TO_DATE without a format and of implicit
  conversions between strings and dates (Transformation Language Reference, "Default Date Format");
  ``MM/DD/YYYY HH24:MI:SS.US`` when absent.
- ``On Stored Procedure error``: Stop (the default) fails the session when a pre- or post-session stored
  procedure fails; Continue goes on (Transformation Guide, "Stored Procedure Transformation", Error Handling).
- ``Stop on errors``: read by :func:`infaflow.codegen.job.stop_on_errors`.
- ``Pre 85 Timestamp Compatibility``: not honoured (no documentation of its effect on values was found); a
  job whose session sets it says so in a comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from infaflow.model import Attributes, Session, TaskInstance

DEFAULT_DATE_FORMAT = "MM/DD/YYYY HH24:MI:SS.US"


def config_attributes(session: Session | None, task_instance: TaskInstance | None = None) -> Attributes:
    """The session's configuration attributes, overrides applied (config object < session < task instance)."""
    out = Attributes()
    if session is None:
        return out
    if session.config is not None:
        out = out.merged(session.config.attributes)
    if session.config_reference is not None:
        out = out.merged(session.config_reference.attributes)
    inst = getattr(task_instance, "config_reference", None)
    if inst is not None:
        out = out.merged(inst.attributes)
    return out


@dataclass(frozen=True)
class SessionConfig:
    """The configuration attributes that change what a converted job computes."""

    date_format: str = DEFAULT_DATE_FORMAT
    stop_on_procedure_error: bool = True
    pre85_timestamps: bool = False  # `Pre 85 Timestamp Compatibility`: not honoured, said in the job

    def notes(self) -> list[str]:
        """Comment lines for the job about settings it does not honour."""
        if not self.pre85_timestamps:
            return []
        return [
            "Pre 85 Timestamp Compatibility = YES is not honoured: its effect on values is not documented "
            "(docs/convert.md)"
        ]

    @property
    def date_format_is_default(self) -> bool:
        return self.date_format == DEFAULT_DATE_FORMAT


def session_config(session: Session | None, task_instance: TaskInstance | None = None) -> SessionConfig:
    """The :class:`SessionConfig` of ``session`` as run by ``task_instance`` (defaults without a session)."""
    attrs = config_attributes(session, task_instance)
    fmt = str(attrs.get("DateTime Format String", "") or "").strip() or DEFAULT_DATE_FORMAT
    on_error = str(attrs.get("On Stored Procedure error", "") or "Stop").strip().lower()
    pre85 = str(attrs.get("Pre 85 Timestamp Compatibility", "") or "").strip().upper() == "YES"
    return SessionConfig(
        date_format=fmt, stop_on_procedure_error=not on_error.startswith("continue"), pre85_timestamps=pre85
    )
