"""The Forklift inventory REST API over an ``Inventory`` (forklift-model §4.1-4.2).

Requests are prepared in the order of Forklift's ``base.Handler.Prepare``
(kubev2v/forklift ``pkg/controller/provider/web/base/handler.go``): ``detail`` (an integer or
``all``, else 400), the provider of ``/providers/<type>/<uid>...`` (unknown UID: 404 with
``X-Reason: ProviderNotFound``), then authorization by ``check``: ``get`` on that provider in its
namespace, or ``list`` providers in the ``namespace`` query parameter (cluster-wide without one) for
``/providers`` and ``/providers/<type>`` (``pkg/controller/provider/web/base/auth.go``);
``unauthenticated`` → 401, ``forbidden`` → 403. ``namespace`` also filters those provider lists
(``ListContent`` in ``pkg/controller/provider/web/vsphere/provider.go``). Unknown types,
collections and object ids are a plain 404; ``name`` filters a list by name or path. Error bodies
are empty, as Forklift's are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mtv_mcp.sandbox.inventory.load import load_inventory
from mtv_mcp.sandbox.inventory.model import COLLECTIONS, PROVIDER_TYPES, Inventory, Provider, summary, to_json

# (bearer token, verb, namespace) -> verdict; see ``Identities.check_inventory_request``.
RequestCheck = Callable[[str | None, str, str | None], Literal["ok", "unauthenticated", "forbidden"]]
Handler = Callable[[Request], Awaitable[Response]]
MAX_DETAIL = 4


class _HttpError(Exception):
    def __init__(self, status: int, reason: str | None = None, text: str = "") -> None:
        super().__init__(text)
        self.status, self.reason, self.text = status, reason, text


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _detail(request: Request) -> int:
    value = request.query_params.get("detail", "0")
    if value == "all":
        return MAX_DETAIL
    if not value.isdigit():
        raise _HttpError(400, text=f"detail must be an integer or 'all', not {value!r}")
    return int(value)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class InventoryApi:
    """Request handlers bound to one inventory and authorization check."""

    def __init__(self, inventory: Inventory, check: RequestCheck) -> None:
        self.inventory = inventory
        self.check = check

    def _permit(self, request: Request) -> None:
        _detail(request)
        if "uid" in request.path_params:
            meta = self._provider(request).object.get("metadata") or {}
            verdict = self.check(_bearer(request), "get", meta.get("namespace"))
        else:
            verdict = self.check(_bearer(request), "list", request.query_params.get("namespace") or None)
        if verdict != "ok":
            raise _HttpError(401 if verdict == "unauthenticated" else 403)

    def guarded(self, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            try:
                self._permit(request)
                return await handler(request)
            except _HttpError as problem:
                headers = {"X-Reason": problem.reason} if problem.reason else None
                return Response(problem.text, status_code=problem.status, headers=headers, media_type="text/plain")

        return run

    def _provider(self, request: Request) -> Provider:
        kind = self._type(request)
        provider = self.inventory.find(kind, request.path_params["uid"])
        if provider is None:
            raise _HttpError(404, "ProviderNotFound")
        return provider

    @staticmethod
    def _type(request: Request) -> str:
        kind = str(request.path_params["type"])
        if kind not in PROVIDER_TYPES:
            raise _HttpError(404)
        return kind

    @staticmethod
    def _collection(provider: Provider, request: Request) -> str:
        collection = str(request.path_params["collection"])
        if collection not in COLLECTIONS[provider.type]:
            raise _HttpError(404)
        return collection

    def _listed(self, request: Request, kind: str) -> list[dict[str, object]]:
        detail, namespace = _detail(request), request.query_params.get("namespace")
        return [p.entry(detail) for p in self.inventory.of_type(kind) if not namespace or p.namespace == namespace]

    async def all_providers(self, request: Request) -> Response:
        return _json(to_json({kind: self._listed(request, kind) for kind in PROVIDER_TYPES}))

    async def providers_of_type(self, request: Request) -> Response:
        return _json(to_json(self._listed(request, self._type(request))))

    async def provider(self, request: Request) -> Response:
        return _json(to_json(self._provider(request).entry(_detail(request))))

    async def collection(self, request: Request) -> Response:
        provider = self._provider(request)
        collection = self._collection(provider, request)
        detail = _detail(request)
        name = request.query_params.get("name")
        if name is None:
            return _json(provider.list_bytes(collection, detail))
        items = [item for item in provider.items(collection) if name in (item.get("name"), item.get("path"))]
        full = detail >= 1 or (provider.type == "vsphere" and collection == "vms")
        return _json(to_json(items if full else [summary(provider.type, item) for item in items]))

    async def one(self, request: Request) -> Response:
        provider = self._provider(request)
        item = provider.get(self._collection(provider, request), str(request.path_params["id"]))
        if item is None:
            raise _HttpError(404)
        return _json(to_json(item))


def create_inventory_app(inventory: Inventory | Path, check: RequestCheck) -> Starlette:
    """The inventory service for ``inventory`` (or the inventory folder at that path)."""
    data = load_inventory(inventory) if isinstance(inventory, Path) else inventory
    api = InventoryApi(data, check)
    routes = [
        Route("/providers", api.guarded(api.all_providers)),
        Route("/providers/{type}", api.guarded(api.providers_of_type)),
        Route("/providers/{type}/{uid}", api.guarded(api.provider)),
        Route("/providers/{type}/{uid}/{collection}", api.guarded(api.collection)),
        Route("/providers/{type}/{uid}/{collection}/{id}", api.guarded(api.one)),
    ]
    return Starlette(routes=routes)
