"""Running the HTTP app under uvicorn with connection limits that slow or idle clients cannot beat.

uvicorn closes a keep-alive connection that stays idle after a response, and answers 503 above
``limit_concurrency`` connections, but it waits forever for the head of a request: a client that
connects and then sends its headers one byte a minute holds a socket for good. ``HeaderTimeout``
adds that missing limit: a request head (from the connection or from the request's first byte)
must be complete within ``header_timeout`` seconds, or the connection is closed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import uvicorn
from pydantic import BaseModel, Field
from uvicorn.protocols.http.h11_impl import H11Protocol

from mtv_mcp.core.config import Settings
from mtv_mcp.server.http import create_http_app
from mtv_mcp.server.http_guard import HttpPolicy


class ConnectionLimits(BaseModel):
    """Per-connection limits of the HTTP listener."""

    header_timeout: float = Field(10.0, gt=0, description="Seconds to receive a request's head")
    idle_timeout: int = Field(30, gt=0, description="Seconds a keep-alive connection may stay idle")
    max_connections: int = Field(1000, ge=1, description="Open connections before new requests get 503")


class HeaderTimeout(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request head does not arrive in time."""

    header_timeout = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # a head is (still) on its way
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_overdue)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_overdue(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def protocol_class(limits: ConnectionLimits) -> type[HeaderTimeout]:
    """A ``HeaderTimeout`` subclass carrying ``limits.header_timeout``."""
    return type("LimitedH11Protocol", (HeaderTimeout,), {"header_timeout": limits.header_timeout})


@dataclass(frozen=True)
class HttpListener:
    """Everything ``serve --http`` listens with, checked before the server starts."""

    settings: Settings
    policy: HttpPolicy
    limits: ConnectionLimits
    host: str
    port: int
    cert_file: Path | None = None
    key_file: Path | None = None

    def config(self, settings: Settings, **extra: Any) -> uvicorn.Config:
        """The uvicorn configuration serving ``settings`` (the effective ones, after --demo)."""
        return uvicorn.Config(
            create_http_app(settings, policy=self.policy),
            host=self.host,
            port=self.port,
            http=protocol_class(self.limits),
            timeout_keep_alive=self.limits.idle_timeout,
            limit_concurrency=self.limits.max_connections,
            ssl_certfile=self.cert_file,
            ssl_keyfile=self.key_file,
            log_level="warning",
            server_header=False,
            **extra,
        )

    def serve(self, settings: Settings) -> None:
        """Serve until interrupted."""
        uvicorn.Server(self.config(settings)).run()
