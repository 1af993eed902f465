"""call_with_retries: retries what is retryable, within one deadline."""

from __future__ import annotations

import pytest

from mtv_mcp.core.cluster.retry import call_with_retries


class Flaky:
    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0
        self.budgets: list[float] = []

    def __call__(self, seconds: float) -> str:
        self.calls += 1
        self.budgets.append(seconds)
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def test_retries_until_success() -> None:
    flaky = Flaky(2, ConnectionError("drop"))
    assert call_with_retries(flaky, timeout=5, retryable=lambda e: True) == "ok"
    assert flaky.calls == 3
    assert flaky.budgets[0] > flaky.budgets[-1]


def test_gives_up_after_the_last_attempt() -> None:
    flaky = Flaky(5, ConnectionError("drop"))
    with pytest.raises(ConnectionError):
        call_with_retries(flaky, timeout=5, retryable=lambda e: True, attempts=2)
    assert flaky.calls == 2


def test_never_retries_what_is_not_retryable() -> None:
    flaky = Flaky(1, ValueError("bad"))
    with pytest.raises(ValueError, match="bad"):
        call_with_retries(flaky, timeout=5, retryable=lambda e: isinstance(e, ConnectionError))
    assert flaky.calls == 1


def test_no_retry_when_the_deadline_is_too_close() -> None:
    flaky = Flaky(1, ConnectionError("drop"))
    with pytest.raises(ConnectionError):
        call_with_retries(flaky, timeout=0.1, retryable=lambda e: True)
    assert flaky.calls == 1
