"""Waiting, on the sandbox clock, for the pipeline steps that come before a convertor pod.

The sandbox controller runs Initialize and DiskAllocation for a few seconds before it creates a VM's
convertor pod (``sandbox/controller/timing.py``); tests that look at the pods step the clock a second
at a time until the pods they need exist, so they see them as soon as they are created.
"""

from __future__ import annotations

from collections.abc import Callable

from mtv_mcp.sandbox.runner import Sandbox

LIMIT_SECONDS = 300


def advance_until(sandbox: Sandbox, done: Callable[[], bool]) -> int:
    """Advance ``sandbox``'s clock one second at a time until ``done()``; returns the seconds it took."""
    for waited in range(LIMIT_SECONDS + 1):
        if done():
            return waited
        sandbox.clock.advance(seconds=1)
    raise AssertionError(f"not done after {LIMIT_SECONDS} s on the sandbox clock")


def until_pods(sandbox: Sandbox, label_selector: str, count: int) -> int:
    """Advance until ``count`` pods match ``label_selector`` (in any namespace)."""
    return advance_until(sandbox, lambda: len(sandbox.store.list("pods", None, label_selector=label_selector)) >= count)
