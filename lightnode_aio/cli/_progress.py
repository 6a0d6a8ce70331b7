"""Progress of a bulk run on standard error.

On a terminal it is one line redrawn in place::

    stop [##########--------------]  8/20  ok 7  failed 1

Anywhere else (a pipe, a CI log) each fleet event is a line of its own, so
the log keeps every step.
"""

from __future__ import annotations

from typing import Final, TextIO

from lightnode_aio.fleet import EventKind, FleetEvent

__all__ = ["Progress"]

_BAR_WIDTH: Final = 24


class Progress:
    """A fleet ``on_event`` callback that reports on standard error.

    Args:
        stream: Where to write (standard error).
        label: What is running, such as ``reinstall``.
        total: How many items the run has.
        redraw: Redraw one line (for a terminal) instead of a line per event.
    """

    def __init__(self, stream: TextIO, label: str, total: int, *, redraw: bool):
        self._stream = stream
        self._label = label
        self._total = total
        self._redraw = redraw
        self._finished = 0
        self._counts: dict[EventKind, int] = dict.fromkeys(EventKind, 0)
        self._drawn = False

    def __call__(self, event: FleetEvent) -> None:
        """Takes one fleet event."""
        self._counts[event.kind] += 1
        self._finished = max(self._finished, event.finished)
        if self._redraw:
            self._draw()
        else:
            self._stream.write(f"{self._label}: {event}\n")
            self._stream.flush()

    def start(self) -> None:
        """Shows the empty bar at once, before the first event."""
        if self._redraw:
            self._draw()

    def finish(self) -> None:
        """Ends the redrawn line, so what follows starts on a new one."""
        if self._redraw and self._drawn:
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        done = min(self._finished, self._total)
        filled = _BAR_WIDTH * done // self._total if self._total else _BAR_WIDTH
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        width = len(str(self._total))
        parts = [
            f"\r{self._label} [{bar}] {done:>{width}}/{self._total}",
            f"ok {self._counts[EventKind.SUCCEEDED]}",
            f"failed {self._counts[EventKind.FAILED]}",
        ]
        for kind in (EventKind.UNKNOWN, EventKind.SKIPPED):
            if self._counts[kind]:
                parts.append(f"{kind.value} {self._counts[kind]}")
        self._stream.write("  ".join(parts))
        self._stream.flush()
        self._drawn = True
