"""One tool call's connection: the Kubernetes client, its bearer token, the inventory URL and the
inventory client, each built on first use and at most once, and closed together.

    with Connection(credentials, settings) as connection:
        plan = connection.cluster.get_plan("openshift-mtv", "wave1")
        providers = connection.inventory.providers()

Nothing is built up front: a call that only needs the cluster never builds the inventory client,
and a call served from the inventory cache never reads the kubeconfig. With ``shared`` (the
server's `SharedInventoryAccess`) the Route's URL and the inventory client outlive the call; a
call whose inventory request fails without an answer from the inventory forgets the URL.
"""

from __future__ import annotations

import ssl
from types import TracebackType

from mtv_mcp.core.cluster import ClusterClient
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.client import InventoryClient, InventoryError
from mtv_mcp.core.inventory.discovery import configured_inventory_url, discover_from_routes, service_url
from mtv_mcp.core.inventory.shared import SharedInventoryAccess
from mtv_mcp.core.inventory.trust import cluster_cas, inventory_verify

# Statuses that say the URL may not lead to the inventory (any more): no answer (None), not found, a
# gateway without its backend.
ROUTE_FAILURES = frozenset({None, 404, 502, 503})


class Connection:
    """The cluster and inventory access of one call (a context manager)."""

    def __init__(
        self, credentials: Credentials, settings: Settings, shared: SharedInventoryAccess | None = None
    ) -> None:
        self.credentials = credentials
        self.settings = settings
        self.shared = shared
        self._cluster: ClusterClient | None = None
        self._inventory_url: str | None = None
        self._discovered = False
        self._inventory: InventoryClient | None = None

    @property
    def cluster(self) -> ClusterClient:
        """The Kubernetes client (reads the kubeconfig the first time)."""
        if self._cluster is None:
            self._cluster = ClusterClient.connect(self.credentials, self.settings)
        return self._cluster

    @property
    def bearer_token(self) -> str | None:
        """The token the credentials send: the given one, else the kubeconfig user's."""
        if self.credentials.token:
            return self.credentials.token.get_secret_value()
        return self.cluster.bearer_token

    @property
    def inventory_url(self) -> str:
        """The configured inventory URL, else (in a pod) the Service's, else the Route's."""
        if self._inventory_url is None:
            self._inventory_url = configured_inventory_url(self.settings) or self._route_url()
        return self._inventory_url

    def _route_url(self) -> str:
        self._discovered = True
        server = self.cluster.server
        known = self.shared.route(server) if self.shared is not None else None
        if known is not None:
            return known
        if self.credentials.source == "in-cluster":
            url = service_url(self.cluster)
        else:
            url = discover_from_routes(self.cluster, self.settings)
        if self.shared is not None:
            self.shared.remember_route(server, url)
        return url

    def know_inventory_url(self, url: str) -> None:
        """Use ``url`` (say, of a cached inventory) instead of discovering the inventory again."""
        if self._inventory_url is None:
            self._inventory_url = url

    @property
    def inventory(self) -> InventoryClient:
        """The inventory client (the inventory accepts only bearer tokens)."""
        if self._inventory is None:
            url, token = self.inventory_url, self.bearer_token
            if not token:
                raise MtvError(
                    "the credentials carry no bearer token, which the Forklift inventory requires "
                    "(a kubeconfig with client certificates only has none)",
                    hint="use a kubeconfig user with a token (oc login), or --server/--token, "
                    "or a bearer token per request",
                )
            if self.shared is not None:
                self._inventory = self.shared.client(url, token, self.settings, self.inventory_trust)
            else:
                self._inventory = InventoryClient.for_settings(url, token, self.settings, self.inventory_trust())
        return self._inventory

    def inventory_trust(self) -> ssl.SSLContext | bool:
        """What the inventory client verifies the inventory's certificate with (``core.inventory.trust``)."""
        return inventory_verify(self.settings, lambda: cluster_cas(self.cluster))

    def close(self) -> None:
        if self._inventory is not None and self.shared is None:
            self._inventory.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        failed = isinstance(exc, InventoryError) and exc.status in ROUTE_FAILURES
        if failed and self._discovered and self.shared is not None and self._inventory_url is not None:
            self.shared.forget_route(self.cluster.server, self._inventory_url)
        self.close()
