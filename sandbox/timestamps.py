"""Moving the timestamps of recorded data in time, keeping the distances between them.

A data set is recorded at some moment; served months later, every object would look months old.
``time_shift`` says how far to move the data so that its newest timestamp becomes "now", and
``shift_timestamps`` moves every timestamp in a JSON-like value by that much. A timestamp is a
string that is wholly an RFC 3339 date-time (``2026-09-01T11:05:00Z``,
``2026-09-01T11:05:00.123456Z``, ``...+02:00``), wherever it stands (``creationTimestamp``,
``status.startTime``, condition ``lastTransitionTime``, event times, annotation values, ...);
text that merely contains one (a message) is left alone. Shifted timestamps are written in UTC
with ``Z``, with microseconds only where the original had a fraction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _parse(text: str) -> tuple[datetime, bool] | None:
    """The moment an RFC 3339 timestamp names and whether it has a fraction; None for other text."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")), match.group(1) is not None
    except ValueError:
        return None


def _timestamps(value: Any) -> Iterable[datetime]:
    if isinstance(value, str):
        parsed = _parse(value)
        if parsed is not None:
            yield parsed[0]
    elif isinstance(value, dict):
        for item in value.values():
            yield from _timestamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _timestamps(item)


def time_shift(values: Iterable[Any], now: datetime) -> timedelta:
    """How far to move ``values`` so that their newest timestamp is ``now`` (whole seconds; 0 without any)."""
    newest = max((moment for value in values for moment in _timestamps(value)), default=None)
    if newest is None:
        return timedelta()
    return now.replace(microsecond=0) - newest.replace(microsecond=0)


def shift_timestamps(value: Any, shift: timedelta) -> Any:
    """A copy of ``value`` with every timestamp moved by ``shift`` (other values as they are).

    Go's zero time (``0001-01-01T00:00:00Z``, what Forklift writes for a time never set) means
    "unset", not a moment, and stays as it is.
    """
    if isinstance(value, str):
        parsed = _parse(value)
        if parsed is None or not shift or parsed[0].year == 1:
            return value
        moment, fraction = parsed
        shifted = (moment + shift).astimezone(UTC)
        return shifted.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if fraction else "%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {key: shift_timestamps(item, shift) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_timestamps(item, shift) for item in value]
    return value
