"""How many tool calls run at once, and for how long: applied to every tool at registration.

Tools are synchronous. Each call waits for one of ``max_concurrent_calls`` slots, then runs on a
worker thread under a deadline (``core.deadline``) that bounds every cluster and inventory
request it makes. A call still running when ``call_timeout`` (slot wait included) is over gets a
tool error at once; its thread ends at its next request, which the spent deadline refuses.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.mcpserver.exceptions import ToolError

from mtv_mcp.core.config import Settings
from mtv_mcp.core.deadline import call_deadline


class CallSlots:
    """The slots shared by all tools of one server (the limiter is made in the event loop)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.settings.max_concurrent_calls)
        return self._limiter

    def limit(self, function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        """``function`` as an async tool bounded by the slots and the time budget."""
        budget = self.settings.call_timeout

        @functools.wraps(function)
        async def limited(**kwargs: Any) -> Any:
            started = time.monotonic()
            stage = "waiting for a free slot"
            with anyio.move_on_after(budget):
                async with self.limiter:
                    stage = "running"
                    with call_deadline(budget - (time.monotonic() - started)):
                        return await anyio.to_thread.run_sync(
                            functools.partial(function, **kwargs), abandon_on_cancel=True
                        )
            raise ToolError(
                f"the call did not finish within its time budget of {budget:g} s ({stage})\n"
                "hint: narrow the call (fewer VMs, a smaller provider) and try again; the operator "
                "sets the budget with --call-timeout and the concurrency with --max-calls"
            )

        return limited
