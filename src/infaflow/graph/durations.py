"""Task durations used to weight the critical path.

Precedence, most specific first: a duration given for the task's instance path (``wl/s_load``), then for the
instance name (``s_load``), then for the task definition name (TASKNAME, shared by the instances of a reusable
task), then :data:`DEFAULT_SECONDS` for its type. Names compare case-insensitively. A disabled task never runs
and weighs 0 s.

The caller passes one plain ``dict[str, float]``: durations read from a file (:func:`load_durations`),
recorded run durations, or both merged (later sources override earlier ones with
``{**from_file, **recorded}``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infaflow.errors import InputError

#: Default seconds per task type when nothing better is known: a round, documented guess of typical
#: production runs. Timer and Event Wait wait for a clock time or an outside event that cannot be
#: predicted, so they weigh 0 s; a Worklet weighs what its own tasks weigh.
DEFAULT_SECONDS: dict[str, float] = {
    "Start": 0.0,
    "Session": 300.0,
    "Command": 30.0,
    "Decision": 1.0,
    "Assignment": 1.0,
    "Timer": 0.0,
    "Email": 5.0,
    "Control": 1.0,
    "Event Wait": 0.0,
    "Event Raise": 1.0,
    "Worklet": 0.0,
}
UNKNOWN_TYPE_SECONDS = 1.0


def _number(value: Any, file: str, line: int, name: str) -> float:
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise InputError(f"duration of {name!r} is not a number of seconds: {value!r}", file, line) from None
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise InputError(
            f"duration of {name!r} must be a finite number of seconds >= 0: {value!r}", file, line
        )
    return seconds


def _from_json(text: str, file: str) -> dict[str, float]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file, exc.lineno) from None
    if isinstance(data, dict) and isinstance(data.get("durations"), dict | list):
        data = data["durations"]
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for name, value in data.items():
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InputError(f"duration of {name!r} is not a number of seconds: {value!r}", file, 1)
            out[str(name)] = _number(value, file, 1, str(name))
        return out
    if isinstance(data, list):
        for item in data:
            if not isinstance(item, dict) or "task" not in item or "seconds" not in item:
                raise InputError('a durations list holds objects {"task": name, "seconds": number}', file, 1)
            out[str(item["task"])] = _number(item["seconds"], file, 1, str(item["task"]))
        return out
    raise InputError(
        'durations JSON must be an object {"task": seconds} or a list of {"task", "seconds"}', file, 1
    )


def _from_csv(text: str, file: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not cells or all(c == "" for c in cells) or cells[0].startswith("#"):
            continue
        if len(cells) < 2:
            raise InputError("a durations CSV row is: task,seconds", file, number)
        if number == 1 and cells[1].lower() in ("seconds", "duration", "duration_seconds", "secs"):
            continue  # header
        out[cells[0]] = _number(cells[1], file, number, cells[0])
    return out


def load_durations(path: str | Path) -> dict[str, float]:
    """Read a durations file: JSON (``{"s_load": 620, "wl/s_x": 12.5}`` or ``[{"task":..., "seconds":...}]``)
    or CSV (``task,seconds`` rows, optional header). Raises :class:`InputError` with file and line."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read durations file: {exc.strerror}", file) from None
    except UnicodeDecodeError:
        raise InputError("durations file is not UTF-8 text", file) from None
    stripped = text.lstrip()
    if not stripped:
        raise InputError("durations file is empty", file, 1)
    if file.lower().endswith(".json") or stripped[0] in "[{":
        return _from_json(text, file)
    return _from_csv(text, file)


class DurationTable:
    """Looks up the duration of a task from a ``dict[str, float]`` with the precedence described above."""

    def __init__(
        self, durations: Mapping[str, float] | None = None, defaults: Mapping[str, float] | None = None
    ) -> None:
        self._given = {k.strip().lower(): float(v) for k, v in (durations or {}).items()}
        self._defaults = dict(DEFAULT_SECONDS if defaults is None else defaults)
        self.used: set[str] = set()

    def seconds(self, path: str, node: Mapping[str, Any]) -> float:
        """Seconds for the flattened node ``path`` with node attributes ``node``."""
        if not node.get("enabled", True):
            return 0.0
        inst = node.get("instance")
        keys = [path, path.rsplit("/", 1)[-1]]
        if inst is not None and inst.task_name:
            keys.append(inst.task_name)
        for key in keys:
            value = self._given.get(key.lower())
            if value is not None:
                self.used.add(key.lower())
                return value
        return self._defaults.get(node.get("type", ""), UNKNOWN_TYPE_SECONDS)

    def unused(self) -> list[str]:
        """Names given a duration that matched no task (likely typos)."""
        return sorted(k for k in self._given if k not in self.used)


__all__ = ["DEFAULT_SECONDS", "DurationTable", "load_durations"]
