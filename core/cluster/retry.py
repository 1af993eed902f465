"""Retries with backoff for idempotent reads, bounded by one deadline for the whole call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from mtv_mcp.core.deadline import time_left

T = TypeVar("T")

MAX_ATTEMPTS = 3
FIRST_DELAY = 0.2
MIN_ATTEMPT_SECONDS = 0.5


def call_with_retries(
    attempt: Callable[[float], T],
    *,
    timeout: float,
    retryable: Callable[[BaseException], bool],
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """Run ``attempt(seconds_left)`` until it succeeds, a failure is not ``retryable``, or time runs out.

    Every attempt gets the time left of ``timeout``, so the whole call, retries and backoff
    included, ends within ``timeout`` seconds, or sooner at the tool call's deadline
    (``core.deadline``), plus one short attempt at most. Only pass
    operations that are safe to repeat (reads).
    """
    deadline = time.monotonic() + time_left(timeout)
    delay = FIRST_DELAY
    number = 1
    while True:
        try:
            return attempt(max(deadline - time.monotonic(), MIN_ATTEMPT_SECONDS))
        except Exception as error:
            left = deadline - time.monotonic()
            if number >= attempts or not retryable(error) or left < delay + MIN_ATTEMPT_SECONDS:
                raise
        time.sleep(delay)
        delay *= 2
        number += 1
