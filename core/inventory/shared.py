"""What calls share about the inventory: its URL per cluster and one client per credentials.

Finding the inventory through the ``forklift-inventory`` Route costs one or two API requests per
call, and a new httpx client costs a new SSL context (the CA bundle read and parsed). Both are
kept here for the life of the server: the URL per Kubernetes API server (forgotten when a
request to it fails, so a moved Route is found again), the client per inventory URL, bearer
token and TLS settings (its connection pool is reused too).
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable

from mtv_mcp.core.config import Settings
from mtv_mcp.core.inventory.client import InventoryClient

MAX_CLIENTS = 32

ClientKey = tuple[str, str, str, bool, float]


class SharedInventoryAccess:
    """Inventory URLs per cluster and inventory clients per credentials (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, str] = {}
        self._clients: OrderedDict[ClientKey, InventoryClient] = OrderedDict()

    def route(self, cluster: str) -> str | None:
        """The inventory URL found earlier for the API server ``cluster``."""
        with self._lock:
            return self._routes.get(cluster)

    def remember_route(self, cluster: str, url: str) -> None:
        with self._lock:
            self._routes[cluster] = url

    def forget_route(self, cluster: str, url: str) -> None:
        """Forget ``url`` for ``cluster`` (a request to it failed); the next call discovers it again."""
        with self._lock:
            if self._routes.get(cluster) == url:
                del self._routes[cluster]

    def client(
        self, url: str, token: str, settings: Settings, trust: Callable[[], ssl.SSLContext | bool] | None = None
    ) -> InventoryClient:
        """The client for ``url`` with ``token`` and these TLS settings, built on first use (with
        ``trust()``, the certificate check, which may read the cluster's CAs; default: the settings').

        The least recently used client beyond ``MAX_CLIENTS`` is closed; a call still using it
        gets a transport error it may retry.
        """
        ca = str(settings.inventory_ca_file or "")
        key: ClientKey = (url, token, ca, settings.inventory_insecure, settings.request_timeout)
        with self._lock:
            found = self._clients.get(key)
            if found is not None:
                self._clients.move_to_end(key)
                return found
        built = InventoryClient.for_settings(url, token, settings, trust() if trust else None)
        with self._lock:
            found = self._clients.setdefault(key, built)
            evicted = self._clients.popitem(last=False)[1] if len(self._clients) > MAX_CLIENTS else None
        if found is not built:
            built.close()
        if evicted is not None:
            evicted.close()
        return found

    def close(self) -> None:
        """Close every client (the server stops); the access can be used again afterwards."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), OrderedDict()
            self._routes.clear()
        for client in clients:
            client.close()
