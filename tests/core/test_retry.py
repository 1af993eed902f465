"""call_with_retries: retries what is retryable, within one deadline, with backoff; on a fake clock
(the injected ``sleep`` advances it), so no test waits for real."""

from __future__ import annotations

import logging

import pytest

from mtv_mcp.core.retry import FIRST_DELAY, RetryableStatus, call_with_retries


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Flaky:
    def __init__(self, failures: int, error: Exception, time: FakeTime | None = None, cost: float = 0.0) -> None:
        self.failures, self.error, self.calls = failures, error, 0
        self.budgets: list[float] = []
        self.time, self.cost = time, cost

    def __call__(self, seconds: float) -> str:
        self.calls += 1
        self.budgets.append(seconds)
        if self.time:
            self.time.now += self.cost
        if self.calls <= self.failures:
            raise self.error
        return "ok"


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def test_retries_until_success(fake: FakeTime) -> None:
    flaky = Flaky(2, ConnectionError("drop"))
    result = call_with_retries(flaky, timeout=5, retryable=lambda e: True, sleep=fake.sleep, clock=fake.clock)
    assert result == "ok"
    assert flaky.calls == 3
    assert fake.slept == [FIRST_DELAY, 2 * FIRST_DELAY]  # exponential backoff
    assert flaky.budgets == pytest.approx([5, 5 - FIRST_DELAY, 5 - 3 * FIRST_DELAY])  # one deadline for all


def test_gives_up_after_the_last_attempt(fake: FakeTime) -> None:
    flaky = Flaky(5, ConnectionError("drop"))
    with pytest.raises(ConnectionError):
        call_with_retries(flaky, timeout=5, retryable=lambda e: True, attempts=2, sleep=fake.sleep, clock=fake.clock)
    assert flaky.calls == 2
    assert fake.slept == [FIRST_DELAY]


def test_never_retries_what_is_not_retryable(fake: FakeTime) -> None:
    flaky = Flaky(1, ValueError("bad"))
    with pytest.raises(ValueError, match="bad"):
        call_with_retries(
            flaky, timeout=5, retryable=lambda e: isinstance(e, ConnectionError), sleep=fake.sleep, clock=fake.clock
        )
    assert flaky.calls == 1
    assert fake.slept == []


def test_no_retry_when_the_deadline_is_too_close(fake: FakeTime) -> None:
    flaky = Flaky(1, ConnectionError("drop"))
    with pytest.raises(ConnectionError):
        call_with_retries(flaky, timeout=0.1, retryable=lambda e: True, sleep=fake.sleep, clock=fake.clock)
    assert flaky.calls == 1


def test_a_slow_failure_uses_up_the_deadline(fake: FakeTime) -> None:
    flaky = Flaky(5, ConnectionError("drop"), time=fake, cost=4.5)
    with pytest.raises(ConnectionError):
        call_with_retries(flaky, timeout=5, retryable=lambda e: True, sleep=fake.sleep, clock=fake.clock)
    assert flaky.calls == 1  # 0.5 s left is less than the backoff plus a minimal attempt


def test_retries_are_logged_by_what_was_called(fake: FakeTime, caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(5, RetryableStatus(503, b"busy"))
    with caplog.at_level(logging.INFO, logger="mtv_mcp.core.retry"), pytest.raises(RetryableStatus):
        call_with_retries(
            flaky, timeout=5, retryable=lambda e: True, what="GET /api/v1/nodes", sleep=fake.sleep, clock=fake.clock
        )
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "GET /api/v1/nodes: attempt 1 of 3 failed (HTTP 503); retrying in 0.2 s",
        "GET /api/v1/nodes: attempt 2 of 3 failed (HTTP 503); retrying in 0.4 s",
        "GET /api/v1/nodes failed after 3 attempts: HTTP 503",
    ]
