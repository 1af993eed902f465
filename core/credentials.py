"""Which credentials a call uses, resolved per call in a fixed order of precedence.

Order: the HTTP request's ``Authorization: Bearer`` (and optional ``X-Kubernetes-Server``) >
``--server``/``--token`` > kubeconfig (``--kubeconfig``, ``$KUBECONFIG``, ``~/.kube/config``,
with ``--context``) > the in-cluster service account. Nothing here touches the network or
reads files: that happens when a client is built from the result.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

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


def request_bearer_token(headers: Mapping[str, str] | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    if not headers:
        return None
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


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
        server = (headers or {}).get("x-kubernetes-server") or settings.kube_server
        kubeconfig = None if server else settings.kubeconfig or default_kubeconfig()
        return Credentials(
            source="request",
            server=server,
            token=SecretStr(token),
            kubeconfig=kubeconfig,
            context=settings.kube_context,
            **tls,
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
