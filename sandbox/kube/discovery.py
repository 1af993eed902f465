"""Discovery documents: ``/version``, ``/api``, ``/apis``, group versions and OpenAPI v3.

The legacy (unaggregated) discovery format is served; kubectl falls back to it when the answer
is plain ``application/json``. The OpenAPI v3 documents describe every resource's PATCH
operation with the ``fieldValidation`` parameter, which is what kubectl checks before it leaves
field validation to the server; CRD-backed kinds carry their ``openAPIV3Schema``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mtv_mcp.sandbox.kube.resources import ResourceCatalog, ResourceType

KUBE_VERSION = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.6",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-02-12T00:00:00Z",
    "goVersion": "go1.22.12",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_PATCH_TYPES = ("application/merge-patch+json", "application/json-patch+json")


def api_versions() -> dict[str, Any]:
    """``GET /api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    }


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def api_groups(catalog: ResourceCatalog) -> dict[str, Any]:
    """``GET /apis``."""
    versions: dict[str, list[str]] = {}
    for res in catalog.resources:
        if res.group and res.version not in versions.setdefault(res.group, []):
            versions[res.group].append(res.version)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g, v) for g, v in versions.items()]}


def api_group(catalog: ResourceCatalog, group: str) -> dict[str, Any] | None:
    """``GET /apis/<group>``."""
    versions = list(dict.fromkeys(r.version for r in catalog.resources if r.group == group))
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(group, versions)} if versions else None


def _resource_entries(res: ResourceType) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "name": res.plural,
        "singularName": res.singular,
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": list(res.verbs),
    }
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    subs = [
        {
            "name": f"{res.plural}/{sub}",
            "singularName": "",
            "namespaced": res.namespaced,
            "kind": "Pod" if sub == "log" else res.kind,
            "verbs": ["get"] if sub == "log" else ["get", "patch", "update"],
        }
        for sub in sorted(res.subresources)
    ]
    return [entry, *subs]


def resource_list(catalog: ResourceCatalog, group_version: str) -> dict[str, Any] | None:
    """``GET /api/v1`` or ``GET /apis/<group>/<version>``."""
    resources = catalog.group_versions().get(group_version)
    if not resources:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [entry for res in resources for entry in _resource_entries(res)],
    }


def _gv_path(group_version: str) -> str:
    return f"api/{group_version}" if "/" not in group_version else f"apis/{group_version}"


class OpenApiV3:
    """The OpenAPI v3 root and per-group-version documents, built once per catalog."""

    def __init__(self, catalog: ResourceCatalog) -> None:
        self._docs = {_gv_path(gv): _document(gv, resources) for gv, resources in catalog.group_versions().items()}
        self._hashes = {
            path: hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16].upper()
            for path, doc in self._docs.items()
        }

    def root(self) -> dict[str, Any]:
        """``GET /openapi/v3``."""
        return {
            "paths": {
                path: {"serverRelativeURL": f"/openapi/v3/{path}?hash={self._hashes[path]}"} for path in self._docs
            }
        }

    def document(self, path: str) -> dict[str, Any] | None:
        """``GET /openapi/v3/<api/v1 | apis/group/version>``."""
        return self._docs.get(path.strip("/"))


def _document(group_version: str, resources: list[ResourceType]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for res in resources:
        gvk = {"group": res.group, "version": res.version, "kind": res.kind}
        schema_name = f"{'.'.join(reversed(res.group.split('.'))) or 'io.k8s.api.core'}.{res.version}.{res.kind}"
        schema = dict(res.crd.schema) if res.crd else {"type": "object"}
        schemas[schema_name] = {**schema, "x-kubernetes-group-version-kind": [gvk]}
        ref = {"$ref": f"#/components/schemas/{schema_name}"}
        namespace = "/namespaces/{namespace}" if res.namespaced else ""
        base = f"/{_gv_path(group_version)}{namespace}/{res.plural}"
        paths[base] = {"get": _operation("list", gvk, ref)}
        if "patch" in res.verbs:
            paths[f"{base}/{{name}}"] = {
                "get": _operation("read", gvk, ref),
                "patch": _operation("patch", gvk, ref),
            }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (mtv-mcp sandbox)", "version": "v1.31.6"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _operation(action: str, gvk: dict[str, str], ref: dict[str, str]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
    }
    if action == "patch":
        operation["parameters"] = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}]
        operation["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in _PATCH_TYPES}}
    return operation
