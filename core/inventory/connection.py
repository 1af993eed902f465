"""One tool call's connection: the Kubernetes client, its bearer token, the inventory URL and the
inventory client, each built on first use and at most once, and closed together.

    with Connection(credentials, settings) as connection:
        plan = connection.cluster.get_plan("openshift-mtv", "wave1")
        providers = connection.inventory.providers()

Nothing is built up front: a call that only needs the cluster never builds the inventory client,
and a call served from the inventory cache never reads the kubeconfig.
"""

from __future__ import annotations

from types import TracebackType

from mtv_mcp.core.cluster import ClusterClient
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.client import InventoryClient
from mtv_mcp.core.inventory.discovery import configured_inventory_url, discover_from_routes


class Connection:
    """The cluster and inventory access of one call (a context manager)."""

    def __init__(self, credentials: Credentials, settings: Settings) -> None:
        self.credentials = credentials
        self.settings = settings
        self._cluster: ClusterClient | None = None
        self._inventory_url: str | None = None
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
        """The configured inventory URL, else the one of the ``forklift-inventory`` Route."""
        if self._inventory_url is None:
            configured = configured_inventory_url(self.settings)
            self._inventory_url = configured or discover_from_routes(self.cluster, self.settings)
        return self._inventory_url

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
            self._inventory = InventoryClient.for_settings(url, token, self.settings)
        return self._inventory

    def close(self) -> None:
        if self._inventory is not None:
            self._inventory.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
