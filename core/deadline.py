"""One time budget per tool call, shared by every cluster and inventory request the call makes.

The server sets it around a call (``call_deadline``); ``time_left`` shortens each request's
timeout so that the call as a whole, retries included, ends by the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from mtv_mcp.core.errors import MtvError

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("mtv_mcp_call_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Within the block, requests end at most ``seconds`` from now."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left(timeout: float) -> float:
    """``timeout``, or the time left of the call's budget when that is shorter.

    Raises ``MtvError`` once the budget is spent, so no request starts after the deadline.
    """
    current = _DEADLINE.get()
    if current is None:
        return timeout
    deadline, budget = current
    left = deadline - time.monotonic()
    if left <= 0:
        raise MtvError(
            f"the call used up its time budget of {budget:g} s",
            hint="narrow the call (fewer VMs, a smaller provider), or ask the operator to raise --call-timeout",
        )
    return min(timeout, left)
