"""Where the Forklift inventory service is: ``Settings.inventory_url`` (``--inventory-url`` or
``$MTV_INVENTORY_URL``, read by the command line), in a pod the ``forklift-inventory`` Service, else
the ``forklift-inventory`` Route (in the operator namespace, then the current one).
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.core.cluster import ClusterClient, ClusterError, operator_namespace
from mtv_mcp.core.config import DEFAULT_NAMESPACE, Settings
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig

ROUTE_NAME = "forklift-inventory"
ROUTE_SELECTOR = "app=forklift,service=forklift-inventory"
URL_HINT = (
    "pass --inventory-url (or set $MTV_INVENTORY_URL); on plain Kubernetes port-forward the Service "
    "forklift-inventory (port 8443) and pass https://127.0.0.1:<port>"
)


def route_url(route: dict[str, Any]) -> str | None:
    """``https://<spec.host>`` for a Route with TLS, ``http://`` without."""
    spec = route.get("spec") or {}
    host = spec.get("host")
    if not host:
        return None
    return f"{'https' if spec.get('tls') else 'http'}://{host}"


def _pick(routes: list[dict[str, Any]]) -> dict[str, Any] | None:
    named = [r for r in routes if dig(r, "metadata", "name") == ROUTE_NAME]
    chosen = named or routes
    return chosen[0] if chosen else None


def discover_from_routes(cluster: ClusterClient, settings: Settings) -> str:
    """The URL of the inventory Route in the operator namespace, else the current namespace."""
    candidates = [operator_namespace(cluster) or DEFAULT_NAMESPACE, cluster.default_namespace, settings.namespace]
    namespaces = list(dict.fromkeys(ns for ns in candidates if ns))
    refused: list[ClusterError] = []
    for namespace in namespaces:
        try:
            routes = cluster.list_routes(namespace, ROUTE_SELECTOR)
        except ClusterError as error:
            if error.status == 403:
                refused.append(error)
                continue
            if error.status == 404:
                raise MtvError(
                    "this cluster has no OpenShift Routes, so the Forklift inventory cannot be found by itself",
                    hint=URL_HINT,
                ) from None
            raise
        route = _pick(routes)
        url = route_url(route) if route else None
        if url:
            return url
    if refused and len(refused) == len(namespaces):
        raise MtvError(f"{refused[0].message}, so the Forklift inventory cannot be found", hint=URL_HINT)
    searched = ", ".join(namespaces)
    denied = f" ({'; '.join(error.message for error in refused)})" if refused else ""
    raise MtvError(f"no {ROUTE_NAME} Route with a host in namespaces {searched}{denied}", hint=URL_HINT)


SERVICE_PORT = 8443


def service_url(cluster: ClusterClient) -> str:
    """In a pod: the ``forklift-inventory`` Service in the operator namespace, port 8443, whose
    certificate the service CA signs (kubev2v/forklift
    ``operator/roles/forkliftcontroller/templates/controller/service-inventory.yml.j2``)."""
    namespace = operator_namespace(cluster) or DEFAULT_NAMESPACE
    return f"https://{ROUTE_NAME}.{namespace}.svc:{SERVICE_PORT}"


def configured_inventory_url(settings: Settings) -> str | None:
    """The configured inventory URL (``--inventory-url`` or ``$MTV_INVENTORY_URL``), when given."""
    given = settings.inventory_url
    return given.rstrip("/") if given else None
