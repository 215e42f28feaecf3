"""A Gantt chart (inline SVG) of a recorded run: one row per task in the order tasks started, a bar from its
start to its end coloured by status, the actual critical path outlined, the planned one marked."""

from __future__ import annotations

from html import escape

from infaflow.report.metrics import fit_text, text_width
from infaflow.report.runview import RunView, TaskSpan
from infaflow.report.styles import CRITICAL
from infaflow.report.summary import seconds_text

ROW = 22.0
BAR = 14.0
TOP = 30.0  # room for the time axis
CHART = 600.0  # px of the time axis
NAME_SIZE = 11.0
MAX_NAME = 260.0
STATUS_ROOM = 130.0
PLANNED = "#1f5fa8"
FONT = "font-family:Helvetica,Arial,sans-serif"

#: Bar colour per task status (PowerCenter's names; STARTED is Monitor's "Running").
STATUS_COLOURS: dict[str, str] = {
    "SUCCEEDED": "#43a047",
    "FAILED": "#e53935",
    "ABORTED": "#8e24aa",
    "STOPPED": "#fb8c00",
    "STARTED": "#1e88e5",
    "SUSPENDED": "#fdd835",
    "DISABLED": "#bdbdbd",
    "NOTSTARTED": "#bdbdbd",
}
OTHER_STATUS = "#757575"
#: Statuses shown in Monitor's words where they differ from the stored ones.
MONITOR_WORDS = {"STARTED": "RUNNING"}
_STEPS = (
    0.1,
    0.2,
    0.5,
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
)


def tick_step(length: float, most: int = 10) -> float:
    """The smallest step of :data:`_STEPS` that cuts ``length`` seconds into at most ``most`` ticks."""
    for step in _STEPS:
        if length / step <= most:
            return float(step)
    return float(_STEPS[-1] * (int(length / _STEPS[-1] / most) + 1))


def _depth(path: str) -> int:
    return path.count("/")


def _tooltip(s: TaskSpan, planned: bool, actual: bool) -> str:
    lines = [f"{s.path} ({s.type})", f"status {MONITOR_WORDS.get(s.status, s.status)}"]
    if s.start is not None:
        lines.append(f"started at +{seconds_text(s.start)}")
    if s.duration is not None:
        lines.append(f"took {seconds_text(s.duration)}")
    if s.attempts > 1:
        lines.append(f"{s.attempts} attempts")
    if s.error:
        lines.append(s.error)
    if actual:
        lines.append("on the actual critical path")
    if planned:
        lines.append("on the planned critical path")
    return "\n".join(lines)


def render_gantt(view: RunView) -> str:
    """The SVG of ``view``'s tasks against time from the run's start."""
    actual, planned = set(view.actual_path), set(view.planned_path)
    name_col = (
        18.0
        + min(
            MAX_NAME,
            max(
                (text_width(s.path.rsplit("/", 1)[-1], NAME_SIZE) + 12 * _depth(s.path) for s in view.spans),
                default=60.0,
            ),
        )
        + 12.0
    )
    width = name_col + CHART + STATUS_ROOM
    height = TOP + ROW * len(view.spans) + 10
    length = max(view.length, 0.001)

    def x_of(seconds: float) -> float:
        return name_col + CHART * seconds / length

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="run {view.run_id}" style="{FONT}">'
    ]
    step = tick_step(length)
    k = 0
    while k * step <= length + 1e-9:
        x = x_of(k * step)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 6:.1f}" x2="{x:.1f}" y2="{height - 6:.1f}" stroke="#e3e7ec"/>'
            f'<text x="{x:.1f}" y="{TOP - 10:.1f}" font-size="10" text-anchor="middle" fill="#5b6573">'
            f"{escape(seconds_text(k * step))}</text>"
        )
        k += 1
    for row, s in enumerate(view.spans):
        y = TOP + row * ROW
        mid = y + ROW / 2
        indent = 12 * _depth(s.path)
        name = fit_text(s.path.rsplit("/", 1)[-1], name_col - 30 - indent, NAME_SIZE)
        is_actual, is_planned = s.path in actual, s.path in planned
        body = [f"<title>{escape(_tooltip(s, is_planned, is_actual))}</title>"]
        if row % 2:
            body.append(f'<rect x="0" y="{y:.1f}" width="{width:.0f}" height="{ROW:.0f}" fill="#f7f8fa"/>')
        if is_planned:
            body.append(
                f'<text class="planned" x="4" y="{mid + 4:.1f}" font-size="11" fill="{PLANNED}">◇</text>'
            )
        body.append(
            f'<text class="name" x="{18 + indent:.1f}" y="{mid + 4:.1f}" font-size="{NAME_SIZE:.0f}"'
            f"{' font-weight=' + chr(34) + 'bold' + chr(34) if is_actual else ''}>{escape(name)}</text>"
        )
        colour = STATUS_COLOURS.get(s.status, OTHER_STATUS)
        status = MONITOR_WORDS.get(s.status, s.status)
        if s.start is not None and s.end is not None:
            x0 = x_of(s.start)
            bar_width = max(2.0, x_of(s.end) - x0)
            thin = s.type == "Worklet"  # a worklet's bar spans its tasks, drawn thin above them
            bar_height = 6.0 if thin else BAR
            stroke = f' stroke="{CRITICAL}" stroke-width="2.5"' if is_actual else ""
            if s.tries:  # one segment per attempt on a thin line from the first start to the last end
                body.append(
                    f'<rect class="bar{" actual" if is_actual else ""}" x="{x0:.1f}" y="{mid - 1:.1f}" '
                    f'width="{bar_width:.1f}" height="2" fill="{OTHER_STATUS}"{stroke}/>'
                )
                for k, (start, end, outcome) in enumerate(s.tries, start=1):
                    tx = x_of(start)
                    body.append(
                        f'<rect class="attempt" x="{tx:.1f}" y="{mid - bar_height / 2:.1f}" '
                        f'width="{max(2.0, x_of(end if end is not None else s.end) - tx):.1f}" '
                        f'height="{bar_height:.0f}" rx="2" '
                        f'fill="{STATUS_COLOURS.get(outcome, OTHER_STATUS)}"><title>attempt {k}: '
                        f"{escape(MONITOR_WORDS.get(outcome, outcome))}</title></rect>"
                    )
            else:
                body.append(
                    f'<rect class="bar{" actual" if is_actual else ""}" x="{x0:.1f}" '
                    f'y="{mid - bar_height / 2:.1f}" width="{bar_width:.1f}" height="{bar_height:.0f}" '
                    f'rx="2" fill="{colour}"{stroke}/>'
                )
            label = f"{status} {seconds_text(s.duration or 0.0)}"
            if s.tries:
                label += f" ({len(s.tries)} attempts)"
        else:
            label = status
        body.append(
            f'<text class="status" x="{name_col + CHART + 8:.1f}" y="{mid + 4:.1f}" font-size="10" '
            f'fill="{colour if colour != STATUS_COLOURS["NOTSTARTED"] else OTHER_STATUS}">{escape(label)}'
            "</text>"
        )
        parts.append(f'<g class="span" data-path="{escape(s.path)}">{"".join(body)}</g>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["STATUS_COLOURS", "render_gantt", "tick_step"]
