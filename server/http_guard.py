"""What every ``/mcp`` request must pass before the MCP layer reads it.

- ``Host`` names this server: a loopback name or address, or one of ``--allowed-hosts`` (else
  421), so a page that rebinds its own DNS name to this address cannot reach the tools.
- ``Origin``, when a browser sends one, is a loopback origin or one of ``--allowed-origins``
  (else 403). Clients that send no ``Origin`` (every non-browser MCP client) pass.
- ``Authorization`` is ``Bearer <token>``, or absent where the server lends its own identity;
  otherwise 401 with ``WWW-Authenticate: Bearer`` (RFC 6750 section 3), before any tool runs.

Loopback is 127.0.0.0/8, ::1 and ``localhost``, the same test as the bind check.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from mtv_mcp.core.credentials import AuthorizationError, request_bearer_token
from mtv_mcp.core.errors import MtvError

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _host_and_port(authority: str) -> tuple[str, int | None]:
    """``name``, ``name:port``, ``[v6]:port`` → (lower-case host without brackets, port)."""
    parts = urlsplit(f"//{authority.strip()}")
    return (parts.hostname or "").lower(), parts.port


def _origin(url: str) -> str:
    """``scheme://host[:port]`` with the default port left out, lower case."""
    parts = urlsplit(url.strip())
    host, port = (parts.hostname or "").lower(), parts.port
    if parts.scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        raise ValueError(url)
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port and port != DEFAULT_PORTS[parts.scheme] else "")


@dataclass(frozen=True)
class HttpPolicy:
    """Which names and origins the server answers to, and whether a token is required."""

    allowed_hosts: frozenset[str] = frozenset()
    allowed_origins: frozenset[str] = frozenset()
    tokens_required: bool = True

    @classmethod
    def build(cls, hosts: Iterable[str], origins: Iterable[str], *, tokens_required: bool) -> HttpPolicy:
        """A policy from the flags' values; ``MtvError`` names a malformed entry."""
        try:
            allowed_origins = frozenset(_origin(origin) for origin in origins)
        except ValueError as error:
            raise MtvError(
                f"--allowed-origins entry '{error}' is not an origin",
                hint="write origins as scheme://host[:port], e.g. https://chat.example.com",
            ) from None
        allowed_hosts = set()
        for entry in hosts:
            try:
                host, port = _host_and_port(entry)
            except ValueError:
                host, port = "", None
            if not (_HOST_NAME.fullmatch(host) or is_loopback(host) or _is_address(host)):
                raise MtvError(
                    f"--allowed-hosts entry '{entry}' is not a host name",
                    hint="write host or host:port, e.g. mtv-mcp.openshift-mtv.svc",
                )
            allowed_hosts.add(f"{host}:{port}" if port else host)
        return cls(frozenset(allowed_hosts), allowed_origins, tokens_required)

    def host_allowed(self, header: str | None) -> bool:
        try:
            host, port = _host_and_port(header or "")
        except ValueError:
            return False
        return bool(host) and (
            is_loopback(host) or host in self.allowed_hosts or f"{host}:{port}" in self.allowed_hosts
        )

    def origin_allowed(self, header: str | None) -> bool:
        if header is None:
            return True
        try:
            origin = _origin(header)
        except ValueError:
            return False
        return is_loopback(urlsplit(origin).hostname or "") or origin in self.allowed_origins


def _refusal(status: int, message: str, authenticate: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": authenticate} if authenticate else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class GuardMiddleware:
    """ASGI middleware applying an ``HttpPolicy`` to every request under ``path``."""

    def __init__(self, app: ASGIApp, policy: HttpPolicy, *, path: str) -> None:
        self.app = app
        self.policy = policy
        self.path = path

    def refusal(self, headers: Headers) -> JSONResponse | None:
        """The answer refusing this request, or None when it may go on."""
        if not self.policy.host_allowed(headers.get("host")):
            return _refusal(421, "this server does not answer to that Host name; see --allowed-hosts")
        if not self.policy.origin_allowed(headers.get("origin")):
            return _refusal(403, "requests from that Origin are not allowed; see --allowed-origins")
        try:
            token = request_bearer_token(headers)
        except AuthorizationError as error:
            return _refusal(401, str(error), 'Bearer realm="mtv-mcp", error="invalid_request"')
        if token is None and self.policy.tokens_required:
            return _refusal(
                401,
                "a bearer token is required: send 'Authorization: Bearer <token>' with a Kubernetes token",
                'Bearer realm="mtv-mcp"',
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(self.path):
            refusal = self.refusal(Headers(scope=scope))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)
