"""Seeding a sandbox store from a data folder and a CRD catalog.

A data folder (``sandbox/data/demo`` for ``--data demo``) holds:

- ``kube/*.yaml`` — multi-document YAML of Kubernetes objects of any served kind, loaded in file
  name order; Namespaces first, then CRDs, then everything else. Missing ``uid``,
  ``resourceVersion`` and ``creationTimestamp`` are filled in; CRD-backed kinds are validated
  strictly (an unknown field or a schema violation stops the load with file, document and field).
- ``logs/<namespace>/<pod>/<container>.log`` — a container's log;
  ``<container>.previous.log`` is the log of its previous instance.
- ``inventory/`` — the Forklift inventory data (read by ``mtv_mcp.sandbox.inventory``).

Timestamps are rebased: the data is recorded at some moment, so every timestamp in the
``kube/`` objects (``creationTimestamp``, ``status.startTime``, condition ``lastTransitionTime``,
event times, ...: any value that is wholly an RFC 3339 timestamp) is moved by the same amount so
that the newest one equals the sandbox clock's time when the data is loaded. Distances between
them stay as recorded; ages and "pending for" figures look as they did when the data was taken,
whenever the sandbox runs. ``load_objects`` returns that shift, and the runner moves the
inventory's timestamps by the same amount (``mtv_mcp.sandbox.timestamps``).

Namespaces ``default`` and ``openshift-mtv`` always exist, and every Forklift kind has a
CustomResourceDefinition object: the full one from the CRD folder when given, else a minimal one.
Labels and annotations of a CRD object in the data are merged into the one from the folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.crdschema import CrdCatalog
from mtv_mcp.sandbox.kube.resources import FORKLIFT_GROUP
from mtv_mcp.sandbox.kube.status import ApiError
from mtv_mcp.sandbox.kube.store import ObjectStore
from mtv_mcp.sandbox.timestamps import shift_timestamps, time_shift

OPERATOR_NAMESPACE = "openshift-mtv"
_BASE_NAMESPACES = ("default", OPERATOR_NAMESPACE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Document = tuple[str, dict[str, Any]]  # (where: "file.yaml#3", object)


class Loaded(NamedTuple):
    """What ``load_objects`` did: how many objects it created and how far it moved the data's times."""

    objects: int
    time_shift: timedelta


def read_documents(folder: Path) -> Iterator[Document]:
    """Every object document of ``folder/*.yaml`` (and ``*.yml``), with its origin."""
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER))
        except (OSError, yaml.YAMLError) as exc:
            raise MtvError(f"cannot read sandbox data file {path}: {exc}", hint="fix the YAML syntax") from exc
        for index, doc in enumerate(docs, start=1):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise MtvError(
                    f"{path.name} document {index} is not a mapping",
                    hint="each YAML document must be one Kubernetes object",
                )
            items = doc["items"] if doc.get("kind", "").endswith("List") and "items" in doc else [doc]
            for item in items:
                yield f"{path.name} document {index}", item


def _minimal_crd(kind: str, plural: str, group: str, version: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }


def _crd_objects(store: ObjectStore, crds: CrdCatalog | None) -> dict[str, dict[str, Any]]:
    objects = {str(crd["metadata"]["name"]): crd for crd in (crds.definitions if crds else ())}
    for res in store.resources.resources:
        if res.group == FORKLIFT_GROUP and res.qualified not in objects:
            objects[res.qualified] = _minimal_crd(res.kind, res.plural, res.group, res.version)
    return objects


def _merge_metadata(target: dict[str, Any], extra: dict[str, Any]) -> None:
    meta, more = target.setdefault("metadata", {}), extra.get("metadata") or {}
    for key in ("labels", "annotations"):
        if more.get(key):
            meta[key] = {**(meta.get(key) or {}), **more[key]}


def _create(store: ObjectStore, where: str, obj: dict[str, Any]) -> None:
    try:
        store.create(obj)
    except ApiError as exc:
        name = (obj.get("metadata") or {}).get("name", "?")
        raise MtvError(
            f"sandbox data {where} ({obj.get('kind')} {name!r}) was rejected: {exc.message}",
            hint="fix the object so that a real API server would accept it",
        ) from exc


def load_objects(store: ObjectStore, data_dir: Path | None, crds: CrdCatalog | None) -> Loaded:
    """Create the objects of ``data_dir/kube`` (plus base namespaces and CRDs), timestamps rebased."""
    recorded = list(read_documents(data_dir / "kube")) if data_dir and (data_dir / "kube").is_dir() else []
    shift = time_shift((doc for _, doc in recorded), store.clock.now())
    documents = [(where, shift_timestamps(doc, shift)) for where, doc in recorded]
    namespaces = [d for d in documents if d[1].get("kind") == "Namespace"]
    given = {d[1].get("metadata", {}).get("name") for d in namespaces}
    namespaces += [
        ("base namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for name in _BASE_NAMESPACES
        if name not in given
    ]
    crd_objects = _crd_objects(store, crds)
    others: list[Document] = []
    for where, doc in documents:
        name = (doc.get("metadata") or {}).get("name", "")
        if doc.get("kind") == "CustomResourceDefinition" and name in crd_objects:
            _merge_metadata(crd_objects[name], doc)
        elif doc.get("kind") == "CustomResourceDefinition":
            crd_objects[name] = doc
        elif doc.get("kind") != "Namespace":
            others.append((where, doc))
    ordered = [*namespaces, *((f"CRD {name}", crd) for name, crd in crd_objects.items()), *others]
    for where, obj in ordered:
        _create(store, where, obj)
    return Loaded(len(ordered), shift)


def load_logs(store: ObjectStore, data_dir: Path | None) -> int:
    """Seed container logs from ``data_dir/logs``; returns the number of files read."""
    root = data_dir / "logs" if data_dir else None
    if root is None or not root.is_dir():
        return 0
    count = 0
    for path in sorted(root.glob("*/*/*.log")):
        namespace, pod = path.parent.parent.name, path.parent.name
        container = path.name.removesuffix(".log")
        previous = container.endswith(".previous")
        store.set_logs(
            namespace,
            pod,
            container.removesuffix(".previous"),
            path.read_text(encoding="utf-8"),
            previous=previous,
        )
        count += 1
    return count


def seed_inventory_route(store: ObjectStore, host: str, *, tls: bool = False) -> dict[str, Any]:
    """Point the ``forklift-inventory`` Route at the sandbox (``spec.tls`` only when it serves HTTPS:
    re-encrypt, as kubev2v/forklift ``operator/roles/forkliftcontroller/templates/controller/
    route-inventory.yml.j2`` makes it, so clients see the ingress certificate)."""
    existing = store.find("routes", OPERATOR_NAMESPACE, "forklift-inventory")
    route = existing or {
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": {
            "name": "forklift-inventory",
            "namespace": OPERATOR_NAMESPACE,
            "labels": {"app": "forklift", "service": "forklift-inventory"},
        },
        "spec": {
            "to": {"kind": "Service", "name": "forklift-inventory", "weight": 100},
            "port": {"targetPort": "https"},
        },
    }
    route["spec"]["host"] = host
    route["spec"].pop("tls", None)
    if tls:
        route["spec"]["tls"] = {"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect"}
    route.setdefault("status", {})["ingress"] = [
        {"host": host, "routerName": "default", "conditions": [{"type": "Admitted", "status": "True"}]}
    ]
    return store.update(route) if existing else store.create(route)


INGRESS_CA_NAMESPACE = "openshift-config-managed"
INGRESS_CA_CONFIGMAP = "default-ingress-cert"


def publish_ingress_ca(store: ObjectStore, ca_pem: str) -> dict[str, Any]:
    """Publish the ingress CA as OpenShift's ingress operator does: ConfigMap ``default-ingress-cert``
    in ``openshift-config-managed``, key ``ca-bundle.crt`` (openshift/cluster-ingress-operator
    ``pkg/operator/controller/certificate-publisher``), readable by every authenticated user."""
    if store.find("namespaces", None, INGRESS_CA_NAMESPACE) is None:
        store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": INGRESS_CA_NAMESPACE}})
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": INGRESS_CA_CONFIGMAP, "namespace": INGRESS_CA_NAMESPACE},
        "data": {"ca-bundle.crt": ca_pem},
    }
    existing = store.find("configmaps", INGRESS_CA_NAMESPACE, INGRESS_CA_CONFIGMAP)
    return store.update(configmap) if existing else store.create(configmap)
