"""The sandbox's notion of "now": wall time or a frozen instant, plus an offset tests can advance.

The object store stamps ``creationTimestamp``/event times with it and the migration controller
measures its timeouts with it, so a test can say ``sb.clock.advance(minutes=6)`` instead of
sleeping. Listeners registered with ``on_advance`` run (in the caller's thread) after each advance.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def format_time(moment: datetime) -> str:
    """RFC 3339 with a ``Z`` suffix and whole seconds, as Kubernetes writes timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SandboxClock:
    """Wall-clock time (or ``frozen_at``) shifted by everything passed to ``advance``."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen_at = frozen_at.astimezone(UTC) if frozen_at else None
        self._offset = timedelta()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[datetime], None]] = []

    def now(self) -> datetime:
        """The current sandbox time (timezone-aware, UTC)."""
        with self._lock:
            base = self._frozen_at or datetime.now(UTC)
            return base + self._offset

    def timestamp(self) -> str:
        """``now()`` formatted as a Kubernetes timestamp."""
        return format_time(self.now())

    def advance(self, delta: timedelta | None = None, *, seconds: float = 0, minutes: float = 0) -> datetime:
        """Move time forward and notify listeners; returns the new time."""
        step = (delta or timedelta()) + timedelta(seconds=seconds, minutes=minutes)
        if step < timedelta():
            raise ValueError(f"the sandbox clock only moves forward; got {step}")
        with self._lock:
            self._offset += step
            listeners = list(self._listeners)
        moment = self.now()
        for listener in listeners:
            listener(moment)
        return moment

    def on_advance(self, listener: Callable[[datetime], None]) -> Callable[[], None]:
        """Call ``listener(now)`` after every ``advance``; returns a function that unregisters it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe
