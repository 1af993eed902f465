"""The sandbox's ASGI application: fault injection in front of the Kubernetes API and the inventory.

Requests for ``/providers`` and below go to the Forklift inventory app (when one is given);
everything else to ``KubeApi``. The two share one port because their paths never collide.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mtv_mcp.sandbox.faults import FaultMiddleware, Faults
from mtv_mcp.sandbox.identity import Identities
from mtv_mcp.sandbox.kube.handlers import KubeApi
from mtv_mcp.sandbox.kube.store import ObjectStore

INVENTORY_PREFIX = "/providers"


def create_app(store: ObjectStore, identities: Identities, faults: Faults, inventory: ASGIApp | None = None) -> ASGIApp:
    """Compose the sandbox app for one store."""
    kube = KubeApi(store, identities)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        is_inventory = path == INVENTORY_PREFIX or path.startswith(INVENTORY_PREFIX + "/")
        await (inventory if inventory is not None and is_inventory else kube)(scope, receive, send)

    return FaultMiddleware(app, faults)
