"""The sandbox's object store: the state and the write rules of a Kubernetes API server.

One ``ObjectStore`` per sandbox, shared by the HTTP handlers, the data loader, the migration
controller and tests. Every method is thread-safe and works on copies (mutating a returned
object never changes the store). Resources are named any way ``ResourceCatalog.resolve``
accepts: ``"pods"``, ``"Pod"``, ``"plan"``, ``"plans.forklift.konveyor.io"``.

    store.get("plans", "openshift-mtv", "wave1")
    store.list("pods", "app-migrated", label_selector="plan-name=wave1", field_selector="status.phase=Running")
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "x-", ...}, ...})
    store.update(obj)                       # 409 Conflict when obj's resourceVersion is stale
    store.patch("plans", ns, name, {"spec": {...}})                     # merge patch by default
    store.delete("plans", ns, name)         # cascades to objects owned by it
    store.emit_event(pod, "FailedScheduling", "0/9 nodes are available: ...", type="Warning")
    store.append_log(ns, pod, "virt-v2v", ["line 1", "line 2"])
    unsubscribe = store.on_change(lambda change: ...)   # ChangeEvent(type, resource, object)

Write rules: ``generateName`` (5 random characters), ``uid``/``creationTimestamp`` filled when
missing (the HTTP layer resets them, as a real server does), a global ``resourceVersion``,
``generation`` bumped on spec changes, namespaced objects need an existing namespace, CRD-backed
kinds are defaulted, pruned and validated (``field_validation`` ``Strict``/``Warn``/``Ignore``),
kinds with a status subresource keep status and spec apart when ``part`` is ``"main"`` or
``"status"``. Errors are ``ApiError`` (``status.py``). Change callbacks run synchronously in the
writer's thread after the write; keep them short (hand long work to your own thread).
"""

from __future__ import annotations

import copy
import logging
import random
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mtv_mcp.core.plan.diff import apply_merge_patch
from mtv_mcp.sandbox.clock import SandboxClock
from mtv_mcp.sandbox.crdschema import FieldError
from mtv_mcp.sandbox.kube.logs import LogBook, read_pod_log
from mtv_mcp.sandbox.kube.patch import (
    JSON_PATCH,
    MERGE_PATCH,
    STRATEGIC_MERGE_PATCH,
    PatchError,
    json_patch,
    strategic_merge_patch,
)
from mtv_mcp.sandbox.kube.resources import ResourceCatalog, ResourceType
from mtv_mcp.sandbox.kube.selectors import (
    FieldSelector,
    LabelSelector,
    SelectorError,
    parse_field_selector,
    parse_label_selector,
)
from mtv_mcp.sandbox.kube.status import (
    ApiError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
    unsupported_media_type,
)

log = logging.getLogger(__name__)

ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]
FieldValidation = Literal["Strict", "Warn", "Ignore"]
WritePart = Literal["all", "main", "status"]
Propagation = Literal["Background", "Foreground", "Orphan"]
ResourceName = str | ResourceType
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"
_SYSTEM_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp")


@dataclass(frozen=True)
class ChangeEvent:
    """One write, as a watch would report it; ``object`` is a copy of the stored object."""

    type: ChangeType
    resource: ResourceType
    object: dict[str, Any]


Key = tuple[str, str]  # (namespace or "", name)
# aliases: inside ObjectStore the name `list` is a method
Objects = list[dict[str, Any]]
Changes = list[ChangeEvent]
Warnings = list[str]
Listeners = list[Callable[[ChangeEvent], None]]


class ObjectStore:
    """Thread-safe in-memory objects by resource, namespace and name."""

    def __init__(
        self, resources: ResourceCatalog, clock: SandboxClock | None = None, *, seed: int | None = None
    ) -> None:
        self.resources = resources
        self.clock = clock or SandboxClock()
        self.logs = LogBook()
        self._objects: dict[ResourceType, dict[Key, dict[str, Any]]] = {r: {} for r in resources.resources}
        self._version = 0
        self._lock = threading.RLock()
        self._listeners: Listeners = []
        self._random = random.Random(seed)

    # -- reading -------------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        """The newest resourceVersion handed out."""
        with self._lock:
            return str(self._version)

    def resource(self, name: ResourceName) -> ResourceType:
        """Resolve a resource name, raising ``ApiError`` 404 for names the sandbox does not serve."""
        try:
            return self.resources.resolve(name)
        except LookupError as exc:
            raise ApiError(404, "NotFound", str(exc)) from exc

    def get(self, resource: ResourceName, namespace: str | None, name: str) -> dict[str, Any]:
        """A copy of one object, or ``ApiError`` 404."""
        res = self.resource(resource)
        with self._lock:
            return copy.deepcopy(self._existing(res, namespace, name)[1])

    def find(self, resource: ResourceName, namespace: str | None, name: str) -> dict[str, Any] | None:
        """Like ``get`` but None when absent."""
        try:
            return self.get(resource, namespace, name)
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise

    def list(
        self,
        resource: ResourceName,
        namespace: str | None = None,
        *,
        label_selector: str | LabelSelector | None = None,
        field_selector: str | FieldSelector | None = None,
    ) -> Objects:
        """Copies of the matching objects, sorted by namespace and name (all namespaces if None)."""
        return self.list_with_version(
            resource, namespace, label_selector=label_selector, field_selector=field_selector
        )[0]

    def list_with_version(
        self,
        resource: ResourceName,
        namespace: str | None = None,
        *,
        label_selector: str | LabelSelector | None = None,
        field_selector: str | FieldSelector | None = None,
    ) -> tuple[Objects, str]:
        """``list`` plus the resourceVersion the list was taken at."""
        res = self.resource(resource)
        try:
            labels = (
                label_selector if isinstance(label_selector, LabelSelector) else parse_label_selector(label_selector)
            )
            fields = (
                field_selector
                if isinstance(field_selector, FieldSelector)
                else parse_field_selector(field_selector, res.field_keys)
            )
        except SelectorError as exc:
            raise bad_request(str(exc)) from exc
        with self._lock:
            items = [
                copy.deepcopy(obj)
                for key, obj in sorted(self._objects[res].items())
                if (not namespace or not res.namespaced or key[0] == namespace)
                and labels.matches(obj["metadata"].get("labels"))
                and fields.matches(obj)
            ]
            return items, str(self._version)

    # -- writing -------------------------------------------------------------------------------

    def create(
        self,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        field_validation: FieldValidation = "Strict",
        warnings: Warnings | None = None,
        part: WritePart = "all",
        reset_system_fields: bool = False,
    ) -> dict[str, Any]:
        """Store a new object and return it as stored."""
        res, new, meta = self._writable_copy(obj)
        if reset_system_fields:
            if meta.get("resourceVersion"):
                raise ApiError(500, "InternalError", "resourceVersion should not be set on objects to be created")
            for system_field in _SYSTEM_FIELDS:
                meta.pop(system_field, None)
        if part == "main" and res.has_status:
            new.pop("status", None)
        with self._lock:
            self._place(res, meta, namespace)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = self._generate_name(res, meta)
            self._check_name(res, new)
            key = self._key(res, meta.get("namespace"), meta["name"])
            if key in self._objects[res]:
                raise already_exists(res.group, res.plural, meta["name"])
            self._admit(res, new, field_validation, warnings)
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", self.clock.timestamp())
            if res.crd is not None or res.has_status:
                meta.setdefault("generation", 1)
            stored = self._store(res, key, new)
        self._notify(ChangeEvent("ADDED", res, copy.deepcopy(stored)))
        return stored

    def update(
        self,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        field_validation: FieldValidation = "Strict",
        warnings: Warnings | None = None,
        part: WritePart = "all",
    ) -> dict[str, Any]:
        """Replace an object; a set ``metadata.resourceVersion`` must match the stored one (else 409)."""
        res, new, meta = self._writable_copy(obj)
        with self._lock:
            self._place(res, meta, namespace)
            name = meta.get("name")
            if not name:
                raise invalid(
                    res.group,
                    res.kind,
                    "",
                    [FieldError("metadata.name", "FieldValueRequired", "Required value: name is required")],
                )
            key, old = self._existing(res, meta.get("namespace"), name)
            stored = self._replace(res, key, old, new, field_validation=field_validation, warnings=warnings, part=part)
        self._notify(ChangeEvent("MODIFIED", res, copy.deepcopy(stored)))
        return stored

    def patch(
        self,
        resource: ResourceName,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str = MERGE_PATCH,
        *,
        field_validation: FieldValidation = "Strict",
        warnings: Warnings | None = None,
        part: WritePart = "all",
    ) -> dict[str, Any]:
        """Apply a merge, JSON or (built-in kinds) strategic merge patch and store the result."""
        res = self.resource(resource)
        with self._lock:
            key, old = self._existing(res, namespace, name)
            try:
                if patch_type == MERGE_PATCH:
                    new = apply_merge_patch(old, patch)
                elif patch_type == JSON_PATCH:
                    new = json_patch(old, patch)
                elif patch_type == STRATEGIC_MERGE_PATCH and res.crd is None and res.group != "forklift.konveyor.io":
                    new = strategic_merge_patch(old, patch)
                else:
                    raise unsupported_media_type(patch_type)
            except PatchError as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc
            if not isinstance(new, dict):
                raise ApiError(422, "Invalid", "the patch turned the object into something other than a JSON object")
            new_meta = new.setdefault("metadata", {})
            if new_meta.get("name") != name or (res.namespaced and new_meta.get("namespace") != namespace):
                raise bad_request("the name and namespace of an object cannot be changed by a patch")
            if new_meta.get("resourceVersion") in (None, ""):
                new_meta["resourceVersion"] = old["metadata"]["resourceVersion"]
            stored = self._replace(res, key, old, new, field_validation=field_validation, warnings=warnings, part=part)
        self._notify(ChangeEvent("MODIFIED", res, copy.deepcopy(stored)))
        return stored

    def delete(
        self,
        resource: ResourceName,
        namespace: str | None,
        name: str,
        *,
        propagation: Propagation = "Background",
    ) -> dict[str, Any]:
        """Delete an object (and, unless ``Orphan``, everything it owns); returns the deleted object."""
        res = self.resource(resource)
        changes: Changes = []
        with self._lock:
            key, _ = self._existing(res, namespace, name)
            deleted = self._delete_locked(res, key, propagation, changes)
        for change in changes:
            self._notify(change)
        return deleted

    # -- events and logs -------------------------------------------------------------------------

    def emit_event(
        self,
        involved: Mapping[str, Any],
        reason: str,
        message: str,
        *,
        type: str = "Normal",
        component: str = "sandbox",
        host: str | None = None,
    ) -> dict[str, Any]:
        """Record a core/v1 Event about ``involved``; a repeat of the same reason and message bumps ``count``."""
        meta = involved.get("metadata", {})
        namespace = meta.get("namespace") or "default"
        now = self.clock.timestamp()
        for event in self.list("events", namespace, field_selector=f"involvedObject.uid={meta.get('uid', '')}"):
            if (event.get("reason"), event.get("message"), event.get("type")) == (reason, message, type):
                event["count"] = int(event.get("count", 1)) + 1
                event["lastTimestamp"] = now
                event["metadata"].pop("resourceVersion", None)
                return self.update(event)
        source: dict[str, str] = {"component": component}
        if host:
            source["host"] = host
        return self.create(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"namespace": namespace, "generateName": f"{meta.get('name', 'object')}."},
                "involvedObject": {
                    "kind": involved.get("kind", ""),
                    "apiVersion": involved.get("apiVersion", ""),
                    "namespace": meta.get("namespace", ""),
                    "name": meta.get("name", ""),
                    "uid": meta.get("uid", ""),
                    "resourceVersion": meta.get("resourceVersion", ""),
                },
                "reason": reason,
                "message": message,
                "type": type,
                "count": 1,
                "source": source,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "reportingComponent": component,
            }
        )

    def append_log(
        self, namespace: str, pod: str, container: str, lines: str | Iterable[str], *, previous: bool = False
    ) -> None:
        """Append lines to a container's log (the pod need not exist yet)."""
        self.logs.append(namespace, pod, container, lines, previous=previous)

    def set_logs(self, namespace: str, pod: str, container: str, text: str, *, previous: bool = False) -> None:
        """Replace a container's whole log."""
        self.logs.replace(namespace, pod, container, text, previous=previous)

    def read_log(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        *,
        tail_lines: int | None = None,
        previous: bool = False,
        limit_bytes: int | None = None,
    ) -> str:
        """What ``GET .../pods/<pod>/log`` returns, with the kubelet's 400 answers as ``ApiError``."""
        return read_pod_log(
            self.logs,
            self.get("pods", namespace, pod),
            container,
            tail_lines=tail_lines,
            previous=previous,
            limit_bytes=limit_bytes,
        )

    # -- subscriptions --------------------------------------------------------------------------

    def on_change(self, callback: Callable[[ChangeEvent], None]) -> Callable[[], None]:
        """Call ``callback`` after every write; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    # -- internals ------------------------------------------------------------------------------

    def _notify(self, change: ChangeEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:
                log.exception(
                    "sandbox change listener %r failed on %s %s",
                    listener,
                    change.type,
                    change.object.get("metadata", {}).get("name"),
                )

    def _writable_copy(self, obj: Mapping[str, Any]) -> tuple[ResourceType, dict[str, Any], dict[str, Any]]:
        """The resource of ``obj``, a deep copy of it and the copy's ``metadata`` (added when missing)."""
        new = copy.deepcopy(dict(obj))
        return self._resource_of(obj), new, new.setdefault("metadata", {})

    def _resource_of(self, obj: Mapping[str, Any]) -> ResourceType:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not api_version or not kind:
            raise bad_request(
                "Object 'Kind' is missing or 'apiVersion' is missing in the object: "
                "every object needs both, e.g. apiVersion: v1, kind: Pod"
            )
        res = self.resources.by_kind(str(api_version), str(kind))
        if res is None:
            raise ApiError(
                404,
                "NotFound",
                f'the server could not find the requested resource: no kind "{kind}" '
                f'is registered for version "{api_version}" in the sandbox',
            )
        return res

    def _key(self, res: ResourceType, namespace: str | None, name: str) -> Key:
        return ((namespace or "") if res.namespaced else "", name)

    def _existing(self, res: ResourceType, namespace: str | None, name: str) -> tuple[Key, dict[str, Any]]:
        """The key and the stored object (not a copy; hold the lock), or ``ApiError`` 404."""
        key = self._key(res, namespace, name)
        found = self._objects[res].get(key)
        if found is None:
            raise not_found(res.group, res.plural, name)
        return key, found

    def _place(self, res: ResourceType, meta: dict[str, Any], namespace: str | None) -> None:
        if not res.namespaced:
            meta.pop("namespace", None)
            return
        given = meta.get("namespace")
        if namespace and given and given != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = given or namespace or "default"
        namespaces = self.resources.resolve("namespaces")
        if meta["namespace"] and ("", meta["namespace"]) not in self._objects[namespaces]:
            raise not_found("", "namespaces", meta["namespace"])

    def _generate_name(self, res: ResourceType, meta: dict[str, Any]) -> str:
        for _ in range(100):
            name = str(meta["generateName"]) + "".join(self._random.choice(_SUFFIX_CHARS) for _ in range(5))
            if self._key(res, meta.get("namespace"), name) not in self._objects[res]:
                return name
        raise ApiError(500, "AlreadyExists", f"no free name for generateName {meta['generateName']!r}")

    def _check_name(self, res: ResourceType, obj: dict[str, Any]) -> None:
        name = obj["metadata"].get("name")
        if not name:
            raise invalid(
                res.group,
                res.kind,
                "",
                [
                    FieldError(
                        "metadata.name",
                        "FieldValueRequired",
                        "Required value: name or generateName is required",
                    )
                ],
            )
        if not _SUBDOMAIN.match(name) or len(name) > 253:
            raise invalid(
                res.group,
                res.kind,
                name,
                [
                    FieldError(
                        "metadata.name",
                        "FieldValueInvalid",
                        f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
                        "alphanumeric "
                        "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        "'example.com', regex used for validation is "
                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                    )
                ],
            )

    def _admit(
        self,
        res: ResourceType,
        obj: dict[str, Any],
        field_validation: FieldValidation,
        warnings: Warnings | None,
    ) -> None:
        if res.crd is None:
            return
        admission = res.crd.admit(obj)
        if admission.unknown_fields and field_validation == "Strict":
            listed = ", ".join(f'unknown field "{path}"' for path in admission.unknown_fields)
            raise bad_request(
                f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: '
                f"strict decoding error: {listed}"
            )
        if warnings is not None and field_validation == "Warn":
            warnings.extend(f'unknown field "{path}"' for path in admission.unknown_fields)
        if admission.errors:
            raise invalid(res.group, res.kind, obj["metadata"].get("name", ""), list(admission.errors))

    def _replace(
        self,
        res: ResourceType,
        key: Key,
        old: dict[str, Any],
        new: dict[str, Any],
        *,
        field_validation: FieldValidation,
        warnings: Warnings | None,
        part: WritePart,
    ) -> dict[str, Any]:
        meta = new["metadata"]
        given = meta.get("resourceVersion")
        if given not in (None, "") and given != old["metadata"]["resourceVersion"]:
            raise conflict(res.group, res.plural, key[1])
        if res.has_status and part == "main":
            new = {k: v for k, v in new.items() if k != "status"}
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        elif res.has_status and part == "status":
            new = {
                **copy.deepcopy({k: v for k, v in old.items() if k != "status"}),
                **({"status": new["status"]} if "status" in new else {}),
            }
        meta = new["metadata"]
        for field in ("uid", "creationTimestamp", "generation"):
            if field in old["metadata"]:
                meta[field] = old["metadata"][field]
        self._admit(res, new, field_validation, warnings)
        if "generation" in meta and _spec_of(new) != _spec_of(old):
            meta["generation"] = int(meta["generation"]) + 1
        return self._store(res, key, new)

    def _store(self, res: ResourceType, key: Key, obj: dict[str, Any]) -> dict[str, Any]:
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        self._objects[res][key] = obj
        return copy.deepcopy(obj)

    def _delete_locked(self, res: ResourceType, key: Key, propagation: Propagation, changes: Changes) -> dict[str, Any]:
        obj = self._objects[res].pop(key)
        self._version += 1
        uid = obj["metadata"].get("uid")
        changes.append(ChangeEvent("DELETED", res, copy.deepcopy(obj)))
        if res.plural == "pods" and not res.group:
            self.logs.forget_pod(key[0], key[1])
        for other, objects in self._objects.items():
            for other_key, other_obj in list(objects.items()):
                if other_key not in objects:
                    continue
                in_namespace = res.kind == "Namespace" and other.namespaced and other_key[0] == key[1]
                owners = other_obj["metadata"].get("ownerReferences") or []
                owned = any(ref.get("uid") == uid for ref in owners)
                if in_namespace or (owned and propagation != "Orphan"):
                    self._delete_locked(other, other_key, propagation, changes)
                elif owned:
                    other_obj["metadata"]["ownerReferences"] = [r for r in owners if r.get("uid") != uid]
                    self._store(other, other_key, other_obj)
                    changes.append(ChangeEvent("MODIFIED", other, copy.deepcopy(other_obj)))
        return obj


def _spec_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}
