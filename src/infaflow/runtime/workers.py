"""A fixed pool of worker threads that takes the most critical ready task first."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any


class PriorityPool:
    """``size`` daemon threads running submitted calls, highest priority first (FIFO among equals)."""

    def __init__(self, size: int, name: str = "infaflow-task") -> None:
        self._queue: queue.PriorityQueue[tuple[float, int, Callable[..., Any] | None, Any]] = (
            queue.PriorityQueue()
        )
        self._seq = itertools.count()
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True) for i in range(max(1, size))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, priority: float, fn: Callable[[Any], Any], arg: Any) -> None:
        self._queue.put((-priority, next(self._seq), fn, arg))

    def _serve(self) -> None:
        while True:
            _, _, fn, arg = self._queue.get()
            if fn is None:
                return
            fn(arg)

    def shutdown(self) -> None:
        """Stop the threads once the calls already running end (queued calls are dropped)."""
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        for _ in self._threads:
            self._queue.put((float("inf"), next(self._seq), None, None))
