"""Which credentials a call uses, resolved per call in a fixed order of precedence.

Order: the HTTP request's ``Authorization: Bearer`` (and optional ``X-Kubernetes-Server``) >
``--server``/``--token`` > kubeconfig (``--kubeconfig``, ``$KUBECONFIG``, ``~/.kube/config``,
with ``--context``) > the in-cluster service account. A request's token goes to its
``X-Kubernetes-Server`` (only when ``--allowed-kube-servers`` lists it), else ``--server``, else
the in-cluster API: never to a kubeconfig, whose exec plugins would run for a stranger. An HTTP
request without a token gets the server's own identity only with ``http_server_credentials``.
Nothing here touches the network or reads files: that happens when a client is built.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from mtv_mcp.core.config import Settings
from mtv_mcp.core.errors import MtvError

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")

CredentialSource = Literal["request", "flags", "kubeconfig", "in-cluster"]


class Credentials(BaseModel):
    """Where one call's Kubernetes identity comes from. ``repr`` never shows the token."""

    model_config = ConfigDict(frozen=True)

    source: CredentialSource
    server: str | None = None
    token: SecretStr | None = None
    kubeconfig: Path | None = None
    context: str | None = None
    ca_file: Path | None = None
    insecure: bool = False

    @property
    def cache_key(self) -> tuple[str, ...]:
        """A key that differs whenever the identity differs (for per-credential caches)."""
        token = self.token.get_secret_value() if self.token else ""
        return (self.source, self.server or "", str(hash(token)), str(self.kubeconfig or ""), self.context or "")


# RFC 6750 section 2.1: ``Bearer`` 1*SP b64token.
_BEARER = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*) *$")


class AuthorizationError(MtvError):
    """An ``Authorization`` header that is present but not ``Bearer <token>``."""


def request_bearer_token(headers: Mapping[str, str] | None) -> str | None:
    """The token of the request's ``Authorization: Bearer`` header; None when there is no header.

    A header that is there but malformed (another scheme, no token, stray characters) raises
    ``AuthorizationError``: it is never read as "no token", which would fall back to the server's
    own credentials.
    """
    value = (headers or {}).get("authorization")
    if value is None:
        return None
    match = _BEARER.match(value)
    if match is None:
        raise AuthorizationError(
            "the Authorization header is not 'Bearer <token>'",
            hint="send 'Authorization: Bearer <token>' with a Kubernetes bearer token (e.g. from 'oc whoami -t')",
        )
    return match.group(1)


_SERVER_FORM = "write the Kubernetes API as https://host[:port], e.g. https://api.example.com:6443"


def normalize_kube_server(url: str) -> str:
    """``https://host[:port]`` in canonical form (lower case, explicit port); ``MtvError`` otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 443
    except ValueError as error:
        raise MtvError(f"'{url[:100]}' is not a URL: {error}", hint=_SERVER_FORM) from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise MtvError(f"'{url[:100]}' is not an https URL", hint=_SERVER_FORM)
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise MtvError(f"'{url[:100]}' has more than a scheme, host and port", hint=_SERVER_FORM)
    host = parts.hostname.lower()
    return f"https://{f'[{host}]' if ':' in host else host}:{port}"


def allowed_kube_server(named: str, settings: Settings) -> str:
    """The ``X-Kubernetes-Server`` of a request, if ``--allowed-kube-servers`` lists it.

    Checked before any connection: a bearer token only ever goes to an API the operator listed.
    """
    refused = MtvError(
        f"X-Kubernetes-Server '{named[:100]}' is not one of this server's allowed Kubernetes APIs",
        hint="leave the header out to use the server's own API, or ask the operator to add the URL "
        "to --allowed-kube-servers",
    )
    try:
        server = normalize_kube_server(named)
    except MtvError:
        raise refused from None
    if server not in settings.allowed_kube_servers:
        raise refused
    return server


def default_kubeconfig() -> Path | None:
    """``$KUBECONFIG`` (first entry) or ``~/.kube/config`` when that file exists."""
    env = os.environ.get("KUBECONFIG", "")
    first = next((p for p in env.split(os.pathsep) if p), None)
    if first:
        return Path(first)
    home = Path.home() / ".kube" / "config"
    return home if home.exists() else None


def resolve_credentials(settings: Settings, headers: Mapping[str, str] | None = None) -> Credentials:
    """The credentials for one call, by precedence; raises when there are none at all."""
    tls = {"ca_file": settings.kube_ca_file, "insecure": settings.kube_insecure}
    token = request_bearer_token(headers)
    if token:
        named = (headers or {}).get("x-kubernetes-server")
        server = allowed_kube_server(named, settings) if named else settings.kube_server
        return Credentials(source="request", server=server, token=SecretStr(token), **tls)
    if headers is not None and not settings.http_server_credentials:
        raise AuthorizationError(
            "this HTTP request carries no bearer token, and this server does not lend its own identity",
            hint="send 'Authorization: Bearer <token>' with a Kubernetes bearer token (e.g. from 'oc whoami -t')",
        )
    if settings.kube_server and settings.kube_token:
        return Credentials(source="flags", server=settings.kube_server, token=settings.kube_token, **tls)
    kubeconfig = settings.kubeconfig or default_kubeconfig()
    if kubeconfig:
        return Credentials(source="kubeconfig", kubeconfig=kubeconfig, context=settings.kube_context, **tls)
    if (SERVICE_ACCOUNT_DIR / "token").exists() and os.environ.get("KUBERNETES_SERVICE_HOST"):
        return Credentials(source="in-cluster", **tls)
    raise MtvError(
        "no Kubernetes credentials: no bearer token on the request, no --server/--token, "
        "no kubeconfig and no in-cluster service account",
        hint="start the server with --kubeconfig PATH (or --server URL --token TOKEN), "
        "send 'Authorization: Bearer <token>' in HTTP mode, or try it with --demo",
    )
