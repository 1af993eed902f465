"""Retries with backoff for idempotent reads, bounded by one deadline for the whole call; shared
by the Kubernetes client (``core/cluster``) and the inventory client (``core/inventory``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from mtv_mcp.core.deadline import time_left

T = TypeVar("T")

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
FIRST_DELAY = 0.2
MIN_ATTEMPT_SECONDS = 0.5
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Answers that say "try again": too many requests, and a gateway or service that is not ready."""


class RetryableStatus(Exception):  # noqa: N818 - a signal between an attempt and the retry loop
    """An HTTP answer in ``RETRYABLE_STATUSES``; carries the answer for the error raised at the end."""

    def __init__(self, status: int, answer: Any) -> None:
        super().__init__(status)
        self.status = status
        self.answer = answer


def call_with_retries(
    attempt: Callable[[float], T],
    *,
    timeout: float,
    retryable: Callable[[BaseException], bool],
    attempts: int = MAX_ATTEMPTS,
    what: str = "request",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``attempt(seconds_left)`` until it succeeds, a failure is not ``retryable``, or time runs out.

    Every attempt gets the time left of ``timeout``, so the whole call, retries and backoff
    included, ends within ``timeout`` seconds, or sooner at the tool call's deadline
    (``core.deadline``), plus one short attempt at most. Only pass
    operations that are safe to repeat (reads). ``what`` names the call in the log (method and
    path, never credentials); ``sleep`` and ``clock`` are injectable so tests do not wait.
    """
    deadline = clock() + time_left(timeout)
    delay = FIRST_DELAY
    number = 1
    while True:
        try:
            return attempt(max(deadline - clock(), MIN_ATTEMPT_SECONDS))
        except Exception as error:
            left = deadline - clock()
            if number >= attempts or not retryable(error) or left < delay + MIN_ATTEMPT_SECONDS:
                if number > 1:
                    log.warning("%s failed after %d attempts: %s", what, number, _reason(error))
                raise
            log.info(
                "%s: attempt %d of %d failed (%s); retrying in %.1f s", what, number, attempts, _reason(error), delay
            )
        sleep(delay)
        delay *= 2
        number += 1


def _reason(error: BaseException) -> str:
    if isinstance(error, RetryableStatus):
        return f"HTTP {error.status}"
    return type(error).__name__
