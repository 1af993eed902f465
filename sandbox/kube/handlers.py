"""The HTTP face of the object store: the ``/api`` and ``/apis`` trees of a Kubernetes API server.

``KubeApi`` is one ASGI app (mounted at the root by ``sandbox.app``). It parses the resource path
itself (``/api/v1/namespaces/<ns>/pods/<name>/log``, ``/apis/<g>/<v>/<plural>``...), authenticates
the bearer token, authorizes the verb with ``Identities`` and maps the request onto the store:
list (label/field selectors, ``limit``/``continue``, ``watch``, ``Table`` output), get, create,
update, patch (merge, JSON, strategic), delete (``propagationPolicy``, preconditions), delete
collection, the ``status`` and ``log`` subresources and SelfSubjectAccessReviews. Every error is
a ``Status`` object with the real status code.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from mtv_mcp.sandbox.identity import Identities, User
from mtv_mcp.sandbox.kube import discovery
from mtv_mcp.sandbox.kube.metrics import METRICS_GROUP, metrics_list
from mtv_mcp.sandbox.kube.patch import JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH
from mtv_mcp.sandbox.kube.resources import ResourceType
from mtv_mcp.sandbox.kube.selectors import SelectorError, parse_field_selector, parse_label_selector
from mtv_mcp.sandbox.kube.status import ApiError, bad_request, forbidden, method_not_allowed, not_found, unauthorized
from mtv_mcp.sandbox.kube.store import ChangeEvent, FieldValidation, ObjectStore, Propagation, WritePart
from mtv_mcp.sandbox.kube.tables import to_table

_PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
_DISCOVERY_PREFIXES = ("/api", "/apis", "/openapi")
_PATCH_TYPES = (MERGE_PATCH, JSON_PATCH, STRATEGIC_MERGE_PATCH)


@dataclass(frozen=True)
class Target:
    """What a resource URL addresses."""

    resource: ResourceType
    namespace: str | None
    name: str | None
    subresource: str = ""


def json_response(body: Any, status: int = 200, warnings: list[str] | None = None) -> Response:
    """A compact JSON response, with ``Warning`` headers for each warning."""
    response = Response(json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json")
    for warning in warnings or ():
        response.headers.append("Warning", '299 - "' + warning.replace('"', '\\"') + '"')
    return response


def error_response(error: ApiError) -> Response:
    """The ``Status`` answer of an ``ApiError``."""
    return json_response(error.to_status(), error.code)


class KubeApi:
    """ASGI app serving the Kubernetes API over an ``ObjectStore``."""

    def __init__(self, store: ObjectStore, identities: Identities) -> None:
        self.store = store
        self.identities = identities
        self.openapi = discovery.OpenApiV3(store.resources)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except ApiError as error:
            response = error_response(error)
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        """Route one request."""
        path = request.url.path.rstrip("/") or "/"
        if path in _PUBLIC_PATHS:
            return json_response(discovery.KUBE_VERSION) if path == "/version" else Response("ok")
        user = self.identities.authenticate(request.headers.get("authorization"))
        if user is None:
            raise unauthorized()
        if path.startswith("/openapi/"):
            return self._openapi(path)
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] not in ("api", "apis"):
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        documents = self._discovery(parts)
        if documents is not None:
            return json_response(documents)
        target = self._target(parts, path)
        return await self._resource_request(request, user, target)

    # -- discovery -----------------------------------------------------------------------------

    def _openapi(self, path: str) -> Response:
        if path == "/openapi/v3":
            return json_response(self.openapi.root())
        document = self.openapi.document(path.removeprefix("/openapi/v3/")) if path.startswith("/openapi/v3/") else None
        if document is None:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        return json_response(document)

    def _discovery(self, parts: list[str]) -> dict[str, Any] | None:
        catalog = self.store.resources
        missing = ApiError(404, "NotFound", f"the server could not find the requested resource (/{'/'.join(parts)})")
        if parts == ["api"]:
            return discovery.api_versions()
        if parts == ["apis"]:
            return discovery.api_groups(catalog)
        if parts[0] == "api" and len(parts) == 2:
            return discovery.resource_list(catalog, parts[1]) or _raise(missing)
        if parts[0] == "apis" and len(parts) == 2:
            return discovery.api_group(catalog, parts[1]) or _raise(missing)
        if parts[0] == "apis" and len(parts) == 3:
            return discovery.resource_list(catalog, f"{parts[1]}/{parts[2]}") or _raise(missing)
        return None

    def _target(self, parts: list[str], path: str) -> Target:
        group, version, rest = ("", parts[1], parts[2:]) if parts[0] == "api" else (parts[1], parts[2], parts[3:])
        catalog = self.store.resources
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            nested = catalog.by_url(group, version, rest[2])
            if nested is not None and nested.namespaced:
                namespace, rest = rest[1], rest[2:]
        resource = catalog.by_url(group, version, rest[0])
        if resource is None or len(rest) > 3:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in resource.subresources:
            raise ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")
        return Target(resource, namespace, name, sub)

    # -- resources -----------------------------------------------------------------------------

    async def _resource_request(self, request: Request, user: User, target: Target) -> Response:
        res, method = target.resource, request.method
        verb = _verb(method, target, request.query_params)
        if verb not in res.verbs and not (target.subresource and verb in ("get", "update", "patch")):
            raise method_not_allowed(f"{verb} is not supported on {res.qualified}")
        if res.kind == "SelfSubjectAccessReview":
            return self._access_review(user, await _body(request))
        if not self.identities.allowed(
            user, verb, res.group, res.plural, target.subresource, namespace=target.namespace, name=target.name or ""
        ):
            raise forbidden(
                user.name,
                verb,
                res.group,
                res.plural,
                target.namespace,
                name=target.name or "",
                subresource=target.subresource,
            )
        query = request.query_params
        if res.group == METRICS_GROUP:
            return self._metrics(target, query)
        if query.get("dryRun"):
            raise bad_request(
                "the sandbox does not support dryRun; validate objects with mtv_mcp.sandbox.crdschema instead"
            )
        if target.subresource == "log":
            return self._log(target, query)
        if verb == "watch":
            return self._watch(request, target)
        if verb == "list":
            return self._list(request, target)
        if verb == "get":
            return json_response(self.store.get(res, target.namespace, cast(str, target.name)))
        if verb == "deletecollection":
            return self._delete_collection(target, query)
        if verb == "delete":
            return self._delete(target, await _body(request, optional=True), query)
        warnings: list[str] = []
        validation = _field_validation(query.get("fieldValidation"))
        part: WritePart = "status" if target.subresource == "status" else "main"
        if verb == "create":
            body = _with_kind(await _body(request), res)
            created = self.store.create(
                body,
                namespace=target.namespace,
                field_validation=validation,
                warnings=warnings,
                part=part,
                reset_system_fields=True,
            )
            return json_response(created, 201, warnings)
        if verb == "update":
            body = _with_kind(await _body(request), res)
            if body.get("metadata", {}).get("name") not in (None, target.name):
                raise bad_request(
                    f"the name of the object ({body['metadata']['name']}) does not match the name "
                    f"on the URL ({target.name})"
                )
            body.setdefault("metadata", {})["name"] = target.name
            updated = self.store.update(
                body, namespace=target.namespace, field_validation=validation, warnings=warnings, part=part
            )
            return json_response(updated, 200, warnings)
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        patched = self.store.patch(
            res,
            target.namespace,
            cast(str, target.name),
            await _body(request, any_json=True),
            content_type,
            field_validation=validation,
            warnings=warnings,
            part=part,
        )
        return json_response(patched, 200, warnings)

    def _list(self, request: Request, target: Target) -> Response:
        query = request.query_params
        items, version = self.store.list_with_version(
            target.resource,
            target.namespace,
            label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"),
        )
        start = _continue_offset(query.get("continue"))
        limit = int(query["limit"]) if query.get("limit", "").isdigit() and int(query["limit"]) > 0 else None
        page = items[start : start + limit] if limit else items[start:]
        metadata: dict[str, Any] = {"resourceVersion": version}
        if limit and start + limit < len(items):
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps({"start": start + limit}).encode()).decode()
            metadata["remainingItemCount"] = len(items) - start - limit
        if "as=Table" in request.headers.get("accept", ""):
            table = to_table(
                target.resource,
                page,
                self.store.clock.now(),
                resource_version=version,
                include_object=query.get("includeObject", "Metadata"),
            )
            table["metadata"].update(metadata)
            return json_response(table)
        res = target.resource
        return json_response(
            {"kind": res.list_kind, "apiVersion": res.api_version, "metadata": metadata, "items": page}
        )

    def _metrics(self, target: Target, query: Mapping[str, str]) -> Response:
        """``metrics.k8s.io``: computed from the nodes and running pods now (``sandbox.kube.metrics``)."""
        res = target.resource
        try:
            items = metrics_list(
                res.kind,
                self.store.list("nodes"),
                self.store.list("pods"),
                self.store.clock.timestamp(),
                namespace=target.namespace,
                label_selector=None if target.name else query.get("labelSelector"),
            )
        except SelectorError as exc:
            raise bad_request(f"unable to parse requirement: {exc}") from exc
        if target.name is None:
            return json_response({"kind": res.list_kind, "apiVersion": res.api_version, "metadata": {}, "items": items})
        found = next((i for i in items if i["metadata"]["name"] == target.name), None)
        if found is None:
            raise not_found(res.group, res.plural, target.name)
        return json_response(found)

    def _log(self, target: Target, query: Mapping[str, str]) -> Response:
        tail = _int_param(query, "tailLines")
        limit_bytes = _int_param(query, "limitBytes")
        text = self.store.read_log(
            cast(str, target.namespace),
            cast(str, target.name),
            query.get("container"),
            tail_lines=tail,
            previous=query.get("previous", "").lower() in ("true", "1"),
            limit_bytes=limit_bytes,
        )
        return Response(text, media_type="text/plain")

    def _delete(self, target: Target, options: dict[str, Any], query: Mapping[str, str]) -> Response:
        res, name = target.resource, cast(str, target.name)
        preconditions = options.get("preconditions") or {}
        if preconditions:
            current = self.store.get(res, target.namespace, name)["metadata"]
            for field in ("uid", "resourceVersion"):
                if preconditions.get(field) and preconditions[field] != current.get(field):
                    raise ApiError(
                        409,
                        "Conflict",
                        f"Precondition failed: {field} in precondition: "
                        f"{preconditions[field]}, {field} in object meta: {current.get(field)}",
                    )
        deleted = self.store.delete(res, target.namespace, name, propagation=_propagation(options, query))
        return json_response(deleted)

    def _delete_collection(self, target: Target, query: Mapping[str, str]) -> Response:
        res = target.resource
        matching = self.store.list(
            res,
            target.namespace,
            label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"),
        )
        deleted = []
        for obj in matching:
            meta = obj["metadata"]
            found = self.store.find(res, meta.get("namespace"), meta["name"])
            if found is not None:
                deleted.append(
                    self.store.delete(res, meta.get("namespace"), meta["name"], propagation=_propagation({}, query))
                )
        return json_response(
            {
                "kind": res.list_kind,
                "apiVersion": res.api_version,
                "metadata": {"resourceVersion": self.store.resource_version},
                "items": deleted,
            }
        )

    def _access_review(self, user: User, body: dict[str, Any]) -> Response:
        attributes = (body.get("spec") or {}).get("resourceAttributes") or {}
        allowed = self.identities.allowed(
            user,
            attributes.get("verb", ""),
            attributes.get("group", ""),
            attributes.get("resource", ""),
            attributes.get("subresource", ""),
            namespace=attributes.get("namespace") or None,
        )
        review = {
            **body,
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "status": {"allowed": allowed, "reason": f"sandbox role {user.role!r}" if allowed else ""},
        }
        review.setdefault("metadata", {})
        return json_response(review, 201)

    def _watch(self, request: Request, target: Target) -> Response:
        query = request.query_params
        res = target.resource
        try:
            labels = parse_label_selector(query.get("labelSelector"))
            fields = parse_field_selector(query.get("fieldSelector"), res.field_keys)
        except SelectorError as exc:
            raise bad_request(str(exc)) from exc
        timeout = _int_param(query, "timeoutSeconds") or 1800
        send_initial = query.get("resourceVersion") in (None, "", "0")
        initial = (
            self.store.list(res, target.namespace, label_selector=labels, field_selector=fields) if send_initial else []
        )
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[ChangeEvent] = asyncio.Queue()

        def relay(change: ChangeEvent) -> None:
            meta = change.object["metadata"]
            if (
                change.resource == res
                and (not target.namespace or meta.get("namespace") == target.namespace)
                and labels.matches(meta.get("labels"))
                and fields.matches(change.object)
            ):
                loop.call_soon_threadsafe(queue.put_nowait, change)

        unsubscribe = self.store.on_change(relay)

        async def stream() -> AsyncIterator[bytes]:
            try:
                for obj in initial:
                    yield json.dumps({"type": "ADDED", "object": obj}).encode() + b"\n"
                deadline = loop.time() + timeout
                while (remaining := deadline - loop.time()) > 0:
                    try:
                        change = await asyncio.wait_for(queue.get(), timeout=min(remaining, 1.0))
                    except TimeoutError:
                        if await request.is_disconnected():
                            return
                        continue
                    yield json.dumps({"type": change.type, "object": change.object}).encode() + b"\n"
            finally:
                unsubscribe()

        return StreamingResponse(stream(), media_type="application/json")


def _raise(error: ApiError) -> dict[str, Any]:
    raise error


def _verb(method: str, target: Target, query: Mapping[str, str]) -> str:
    if method in ("GET", "HEAD"):
        if target.name is not None:
            return "get"
        return "watch" if query.get("watch", "").lower() in ("true", "1") else "list"
    verbs = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
    if method not in verbs:
        raise method_not_allowed(f"method {method} is not allowed")
    if target.name is None and method != "POST":
        if method == "DELETE":
            return "deletecollection"
        raise method_not_allowed(f"{method} needs an object name in the URL")
    if target.name is not None and method == "POST":
        raise method_not_allowed("POST creates objects in a collection; the URL must not name an object")
    return verbs[method]


async def _body(request: Request, *, optional: bool = False, any_json: bool = False) -> Any:
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise bad_request("the request body is empty; send the object as JSON")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"couldn't decode the request body as JSON: {exc}") from exc
    if not any_json and not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body


def _with_kind(body: dict[str, Any], res: ResourceType) -> dict[str, Any]:
    body.setdefault("apiVersion", res.api_version)
    body.setdefault("kind", res.kind)
    if body["apiVersion"] != res.api_version:
        raise bad_request(
            f"the API version in the data ({body['apiVersion']}) does not match the expected API "
            f"version ({res.api_version})"
        )
    if body["kind"] != res.kind:
        raise bad_request(f"the kind in the data ({body['kind']}) does not match the kind of the URL ({res.kind})")
    return body


def _field_validation(value: str | None) -> FieldValidation:
    if value in (None, "", "Warn"):
        return "Warn"
    if value in ("Strict", "Ignore"):
        return cast(FieldValidation, value)
    raise bad_request(f'fieldValidation must be one of "Strict", "Warn" or "Ignore", got {value!r}')


def _propagation(options: Mapping[str, Any], query: Mapping[str, str]) -> Propagation:
    value = options.get("propagationPolicy") or query.get("propagationPolicy") or "Background"
    if value not in ("Background", "Foreground", "Orphan"):
        raise bad_request(f'propagationPolicy must be "Background", "Foreground" or "Orphan", got {value!r}')
    return cast(Propagation, value)


def _int_param(query: Mapping[str, str], name: str) -> int | None:
    value = query.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise bad_request(f"{name} must be an integer, got {value!r}") from exc


def _continue_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["start"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(410, "Expired", "the continue token is invalid or expired; list again from the start") from exc
