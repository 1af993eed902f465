"""Fault injection for the sandbox's HTTP port: latency, error statuses, dropped connections, hangs.

A rule is written ``[METHOD ]PATH_GLOB=ACTION[xCOUNT]``:

- ``METHOD`` — ``GET``, ``POST``, ... or ``*`` (default: any method);
- ``PATH_GLOB`` — a shell-style pattern over the URL path without the query, ``*`` crossing
  ``/`` (``/providers*`` hits ``/providers`` and everything below it);
- ``ACTION`` — an HTTP status (``500``, ``503``, ``429``; answered with a Kubernetes ``Status``
  body; a 2xx status has an empty body, as Forklift's inventory answers ``206 Partial Content``
  while a provider is still loading: ``EnsureParity`` in kubev2v/forklift
  ``pkg/lib/inventory/web/handler.go``, written with ``ctx.Status`` by the handlers of
  ``pkg/controller/provider/web/``), ``delay:SECONDS`` (wait, then serve normally), ``drop``
  (close the connection without answering) or ``hang`` (hold the request until the client gives
  up, or until the rule is removed — then it is served normally);
- ``xCOUNT`` — apply to the first COUNT matching requests only (default: all).

Examples: ``GET /providers*=500``, ``GET /providers/*=206x1`` (one "still loading" answer),
``/api/v1/namespaces/*/pods*=delay:0.5``,
``POST /apis/forklift.konveyor.io/*=dropx1`` (drop the next POST only).

From tests: ``sb.faults.add("GET /providers*=503x2")`` returns the ``FaultRule`` (``hits`` counts
matched requests); ``sb.faults.remove(rule)``, ``sb.faults.clear()``, or
``with sb.faults.injected("..."):`` for a block. ``FaultMiddleware`` is the ASGI side.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mtv_mcp.core.errors import MtvError

FaultKind = Literal["status", "delay", "late", "garble", "drop", "hang"]
_RULE = re.compile(r"^\s*(?:(?P<method>[A-Za-z]+|\*)\s+)?(?P<path>/\S*)\s*=\s*(?P<action>\S+?)(?:x(?P<count>\d+))?\s*$")
_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
SYNTAX_HINT = (
    "write [METHOD ]PATH_GLOB=ACTION[xCOUNT] with ACTION one of an HTTP status (500), delay:SECONDS, "
    "drop or hang, e.g. 'GET /providers*=500' or '/api/v1/*=delay:0.5x3'"
)


@dataclass(eq=False)
class FaultRule:
    """One active fault; ``hits`` counts the requests it has affected."""

    method: str
    path: str
    kind: FaultKind
    status: int = 0
    delay: float = 0.0
    remaining: int | None = None
    hits: int = 0
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method.upper())) and fnmatch.fnmatchcase(path, self.path)

    def __str__(self) -> str:
        action = {"status": str(self.status), "delay": f"delay:{self.delay:g}", "late": f"late:{self.delay:g}"}.get(
            self.kind, self.kind
        )
        count = f"x{self.remaining}" if self.remaining is not None else ""
        return f"{self.method} {self.path}={action}{count}"


def parse_fault(text: str) -> FaultRule:
    """Parse one rule (see the module docstring); ``MtvError`` explains a malformed one."""
    match = _RULE.match(text)
    if not match:
        raise MtvError(f"cannot read fault rule {text!r}", hint=SYNTAX_HINT, field="--fault")
    method = (match["method"] or "*").upper()
    action = match["action"].lower()
    count = int(match["count"]) if match["count"] else None
    if action.isdigit() and 100 <= int(action) <= 599:
        return FaultRule(method, match["path"], "status", status=int(action), remaining=count)
    kind, _, value = action.partition(":")
    if kind in ("delay", "late") and value:
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if seconds < 0:
            raise MtvError(
                f"fault rule {text!r}: {kind} needs a number of seconds >= 0, got {value!r}",
                hint=SYNTAX_HINT,
                field="--fault",
            )
        return FaultRule(method, match["path"], kind, delay=seconds, remaining=count)  # type: ignore[arg-type]
    if action in ("drop", "hang", "garble"):
        return FaultRule(method, match["path"], action, remaining=count)  # type: ignore[arg-type]
    raise MtvError(f"fault rule {text!r}: unknown action {match['action']!r}", hint=SYNTAX_HINT, field="--fault")


class Faults:
    """The active fault rules of one sandbox (thread-safe; first matching rule wins)."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: str | FaultRule) -> FaultRule:
        """Activate a rule (a ``FaultRule`` or its text form)."""
        parsed = parse_fault(rule) if isinstance(rule, str) else rule
        with self._lock:
            self._rules.append(parsed)
        return parsed

    def remove(self, rule: FaultRule) -> None:
        """Deactivate a rule and release requests it holds."""
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)
        rule.released.set()

    def clear(self) -> None:
        """Deactivate every rule."""
        with self._lock:
            rules, self._rules = self._rules, []
        for rule in rules:
            rule.released.set()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    @contextlib.contextmanager
    def injected(self, *rules: str | FaultRule) -> Iterator[list[FaultRule]]:
        """Activate rules for the duration of a ``with`` block."""
        active = [self.add(rule) for rule in rules]
        try:
            yield active
        finally:
            for rule in active:
                self.remove(rule)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule a request hits (counting the hit), or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None


class FaultMiddleware:
    """ASGI middleware applying ``Faults`` before the wrapped app sees a request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self.faults.take(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "delay":
            await asyncio.sleep(rule.delay)
            await self.app(scope, receive, send)
        elif rule.kind in ("late", "garble"):
            await _served_then_spoiled(self.app, scope, receive, send, rule)
        elif rule.kind == "status":
            await _send_status(send, rule)
        elif rule.kind == "drop":
            await _drop(send)
        else:
            replay = await _hang(receive, rule)
            if replay is not None:
                await self.app(scope, replay, send)


async def _served_then_spoiled(app: ASGIApp, scope: Scope, receive: Receive, send: Send, rule: FaultRule) -> None:
    """Serve the request, then send its answer late (``late``) or with a non-JSON body (``garble``)."""
    answer: list[Message] = []

    async def keep(message: Message) -> None:
        answer.append(message)

    await app(scope, receive, keep)
    if rule.kind == "late":
        await asyncio.sleep(rule.delay)
        for message in answer:
            await send(message)
        return
    start = next(message for message in answer if message["type"] == "http.response.start")
    body = b"<html><body>502 upstream says hello</body></html>"
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_status(send: Send, rule: FaultRule) -> None:
    if rule.status < 300:
        await send({"type": "http.response.start", "status": rule.status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    reason = _REASONS.get(rule.status, "InternalError" if rule.status >= 500 else "BadRequest")
    body = json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f"injected fault {rule}",
            "reason": reason,
            "code": rule.status,
        }
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if rule.status in (429, 503):
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class DroppedConnectionError(Exception):
    """Raised after a half-sent response when the server gives no way to close the socket."""


async def _drop(send: Send) -> None:
    """Close the TCP connection without a response (uvicorn exposes the transport on ``send``)."""
    transport: Any = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
    raise DroppedConnectionError("connection dropped by an injected fault")


async def _hang(receive: Receive, rule: FaultRule) -> Receive | None:
    """Hold the request until the rule is removed or the client leaves (None).

    Returns a ``receive`` that replays the request body read meanwhile, to serve the request with.
    """
    buffered: list[Message] = []
    while not rule.released.is_set():
        try:
            message = await asyncio.wait_for(receive(), timeout=0.05)
        except TimeoutError:
            continue
        if message["type"] == "http.disconnect":
            return None
        buffered.append(message)

    async def replay() -> Message:
        return buffered.pop(0) if buffered else await receive()

    return replay
