"""Keeping big inventories cheap for Python's memory management.

An inventory of 100,000 VMs is millions of dicts and lists. Python's cyclic garbage collector
walks every container it tracks: decoding and enriching one inventory used to trigger about three
full collections (63% of a first ``query_vms`` call at 100k VMs), and every later full
collection walked each cached inventory again. Decoded JSON holds no reference cycles, so
reference counting alone frees it: the collector is paused while an inventory is built, and what
exists then moves to the permanent generation (``gc.freeze``), which later collections skip.
Objects frozen that way are still freed by reference counting; only cyclic garbage that happens
to exist at that moment stays until the process ends.

A replaced inventory is released by a short-lived thread, so that the call which replaced it
does not wait while its millions of objects are freed. A response too large to decode in the
memory available is refused before it is read whole (the machine would swap, or the container be
killed).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class _Pauses:
    """Nested pauses of the collector across threads: it runs again when the last one ends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                gc.freeze()
                if self.was_enabled:
                    gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside; what was built is frozen out of later collections."""
    _PAUSES.enter()
    try:
        yield
    finally:
        _PAUSES.leave()


def release_in_background(objects: list[Any]) -> None:
    """Drop ``objects`` (holding the caller's last references to them) on another thread."""
    if any(item is not None for item in objects):
        threading.Thread(target=objects.clear, name="inventory-release", daemon=True).start()


# Decoded JSON takes about 4 times its bytes as Python objects (msgspec, vSphere VM lists,
# measured; 2.9 times with the repeats shared, see ``stream``), enrichment 0.4 times; the body is
# not held whole. The rest is a margin: a refusal is better than swapping.
BYTES_PER_JSON_BYTE = 6
_MEMINFO = Path("/proc/meminfo")
_CGROUP = Path("/sys/fs/cgroup")


def available_memory() -> int | None:
    """Bytes this process can still take without swapping: the kernel's MemAvailable, capped by
    the room left under the cgroup's (container's) limit; None where neither can be read."""
    found: list[int] = []
    try:
        for line in _MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = (_CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            found.append(int(limit) - int((_CGROUP / "memory.current").read_text()))
    except (OSError, ValueError):
        pass
    return max(min(found), 0) if found else None


def json_budget() -> int | None:
    """The largest JSON body that can be decoded and enriched in the memory available now."""
    available = available_memory()
    return None if available is None else available // BYTES_PER_JSON_BYTE
