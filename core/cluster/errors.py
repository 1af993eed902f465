"""Kubernetes failures turned into messages that say what was attempted, on what, and how to fix it."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any

from mtv_mcp.core.cluster.kinds import Kind
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig

RETRY_HINT = "the API server is overloaded or failing; try again in a moment"


@dataclass(frozen=True)
class Operation:
    """One API call in words: ``verb`` (get, list, create, patch, delete, read logs of) a kind."""

    verb: str
    kind: Kind
    namespace: str | None = None
    name: str | None = None

    @property
    def where(self) -> str:
        return f" in namespace {self.namespace}" if self.namespace and self.kind.namespaced else ""

    @property
    def target(self) -> str:
        """ "plan 'wave1' in namespace openshift-mtv", "pods in app-migrated", "nodes"."""
        if self.name:
            return f"{self.kind.singular} '{self.name}'{self.where}"
        scope = f" in {self.namespace}" if self.namespace and self.kind.namespaced else ""
        if self.kind.namespaced and not self.namespace:
            scope = " in all namespaces"
        return f"{self.kind.plural_noun}{scope}"

    def describe(self) -> str:
        return f"{self.verb} {self.target}"


class ClusterError(MtvError):
    """A Kubernetes API call failed; ``status`` is the HTTP status of the answer (None: no answer)."""

    def __init__(self, message: str, *, status: int | None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class UnreadableAnswer(ClusterError):  # noqa: N818 - reads as what happened
    """A 2xx answer whose body is not JSON: the call may well have taken effect."""


class ClusterUnreachable(ClusterError):  # noqa: N818 - reads as what happened
    """No HTTP answer came: the connection was refused, timed out, was dropped, or TLS failed."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, status=None, hint=hint)


def _status_body(body: bytes | str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {"message": (body.decode(errors="replace") if isinstance(body, bytes) else str(body))[:300]}
    return parsed if isinstance(parsed, dict) else {}


def status_error(op: Operation, status: int, body: bytes | str | None, server: str) -> ClusterError:
    """The error for an HTTP error answer (a Kubernetes ``Status`` body, usually)."""
    details = _status_body(body)
    message = str(details.get("message") or "").strip()
    reason = str(details.get("reason") or "")
    kind = op.kind
    if status == 401:
        return ClusterError(
            f"the Kubernetes API at {server} rejected the credentials (401 Unauthorized) while trying to "
            f"{op.describe()}",
            status=status,
            hint="the token is missing, invalid or expired: log in again or pass a valid token",
        )
    if status == 403:
        resource = f"{kind.plural}.{kind.group}" if kind.group else kind.plural
        scope = f" in namespace {op.namespace}" if op.namespace and kind.namespaced else ""
        return ClusterError(
            f"the token may not {op.describe()} (403)",
            status=status,
            hint=f"ask a cluster admin for RBAC permission to {op.verb.split()[0]} {resource}{scope}, "
            "or use credentials that have it",
        )
    if status == 404 and op.name and dig(details, "details", "name"):
        return ClusterError(
            f"{kind.singular} '{op.name}' not found{op.where}",
            status=status,
            hint=f"check the name and the namespace; list the {kind.plural_noun} to see which exist",
        )
    if status == 404:
        return ClusterError(
            f"the cluster does not serve {kind.plural_noun} ({kind.api_version}) (404) while trying to "
            f"{op.describe()}" + (f": {message}" if message else ""),
            status=status,
            hint=f"is the API group {kind.group or 'core'} installed (Forklift/MTV for forklift.konveyor.io)?",
        )
    if status == 409 and op.verb == "create":
        return ClusterError(
            f"{kind.singular} '{op.name}' already exists{op.where} (409)",
            status=status,
            hint="choose another name, or change the existing object instead",
        )
    if status == 400 and op.verb == "read the logs of":
        return ClusterError(
            f"no logs of pod '{op.name}'{op.where} yet: {message}",
            status=status,
            hint="the container has not started (the pod is not scheduled, or still initialising); "
            "look at the pod's events instead",
        )
    if status in (400, 409, 422):
        return ClusterError(
            f"the Kubernetes API refused to {op.describe()} ({status} {reason or 'Invalid'}): {message}",
            status=status,
            hint="fix the request as the message says" if status != 409 else "read the object again and retry",
        )
    return ClusterError(
        f"the Kubernetes API failed to {op.describe()} ({status} {reason}): {message}".rstrip(": "),
        status=status,
        hint=RETRY_HINT,
    )


def transport_error(op: Operation, error: BaseException, server: str, timeout: float) -> ClusterUnreachable:
    """The error for a call that got no HTTP answer: refused, dropped, timed out, TLS failure."""
    import urllib3.exceptions as u3  # noqa: PLC0415 - urllib3 comes with the lazily imported client

    cause = error.reason if isinstance(error, u3.MaxRetryError) and error.reason else error
    # NewConnectionError is a kind of TimeoutError in urllib3, so it is tested first.
    if isinstance(cause, u3.NewConnectionError | u3.NameResolutionError):
        return ClusterUnreachable(
            f"cannot reach the Kubernetes API at {server} to {op.describe()}: connection failed",
            hint="check the server URL (--server or the kubeconfig's cluster) and that the cluster is up",
        )
    if isinstance(cause, u3.TimeoutError):
        return ClusterUnreachable(
            f"the Kubernetes API at {server} did not answer within {timeout:g} s while trying to {op.describe()}",
            hint="the API server is slow or unreachable; try again, or raise --timeout",
        )
    if isinstance(cause, u3.SSLError | ssl.SSLError):
        return tls_error(server, cause)
    if isinstance(cause, u3.ProtocolError | u3.HTTPError | ConnectionError):
        return ClusterUnreachable(
            f"the connection to the Kubernetes API at {server} was dropped while trying to {op.describe()}",
            hint="a proxy or the API server closed the connection; try again",
        )
    raise error


def tls_error(server: str, cause: object) -> ClusterUnreachable:
    return ClusterUnreachable(
        f"TLS verification of the Kubernetes API at {server} failed: {cause}",
        hint="pass the cluster's CA with --certificate-authority, or --insecure-skip-tls-verify for a test cluster",
    )


def client_error(op: Operation, error: Any, server: str) -> ClusterError:
    """The error for the client's own ``ApiException``: a TLS failure (``SSLError``), or a request it
    could not encode (upstream ``kubernetes/client/rest.py``)."""
    reason = str(getattr(error, "reason", "") or error)
    kind, _, detail = reason.partition("\n")
    if kind == "SSLError":
        return tls_error(server, detail or kind)
    return ClusterError(
        f"the Kubernetes client could not send the request to {op.describe()}: {' '.join(reason.split())}",
        status=None,
        hint="this is a bug in mtv-mcp; please report it with the tool call that caused it",
    )
