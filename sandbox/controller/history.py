"""Migrations that a data set records as already run: played through the real controller, in the past.

A Migration in the data that carries ``sandbox.mtv-mcp.io/replay: finished`` and has no status is run
to its end when the sandbox loads: a scratch store holds a copy of the cluster as it was when the
Migration was created (nodes, namespaces, the pods that already ran, the Forklift objects) on a clock
frozen at that moment; the ``MigrationController`` runs it there, the clock jumping from one
controller event to the next, and what it made (pods, PVCs, Secrets, Conversions, Events, logs,
the Migration's and Plan's status) is copied into the sandbox with its timestamps. So a finished
baseline (the demo's ``wave0``) has the timings, placement and logs the controller produces, not
hand-written ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtv_mcp.core.convertor.pod_status import parse_time
from mtv_mcp.sandbox.clock import SandboxClock
from mtv_mcp.sandbox.controller.controller import ControllerOptions, MigrationController
from mtv_mcp.sandbox.controller.facts import inventory_facts
from mtv_mcp.sandbox.controller.links import DEMO_LINKS
from mtv_mcp.sandbox.kube.store import ObjectStore

if TYPE_CHECKING:
    from mtv_mcp.sandbox.runner import Sandbox

REPLAY_ANNOTATION = "sandbox.mtv-mcp.io/replay"
_CONTEXT = ("namespaces", "nodes", "storageclasses", "providers", "plans", "networkmaps", "storagemaps")
_OWNED = ("secrets", "persistentvolumeclaims", "conversions", "pods")
_MAX_EVENTS = 10_000


def _copy(obj: Mapping[str, Any]) -> dict[str, Any]:
    found = {**obj, "metadata": {**obj["metadata"]}}
    found["metadata"].pop("resourceVersion", None)
    return found


def _created(obj: Mapping[str, Any]) -> datetime | None:
    return parse_time((obj.get("metadata") or {}).get("creationTimestamp"))


def _existing_pods(store: ObjectStore, at: datetime) -> Iterable[dict[str, Any]]:
    """Pods that already ran at ``at`` and are not Forklift's (they shape where convertors go)."""
    for pod in store.list("pods"):
        created = _created(pod)
        labels = pod["metadata"].get("labels") or {}
        if "forklift.app" not in labels and created is not None and created <= at:
            yield pod


def replay_finished(store: ObjectStore, options: ControllerOptions) -> list[str]:
    """Run every Migration marked ``replay: finished`` to its end; returns their names."""
    done: list[str] = []
    for migration in store.list("migrations"):
        meta = migration["metadata"]
        marked = (meta.get("annotations") or {}).get(REPLAY_ANNOTATION) == "finished"
        if marked and not (migration.get("status") or {}).get("started"):
            _replay(store, migration, options)
            done.append(str(meta["name"]))
    return done


def _replay(store: ObjectStore, migration: dict[str, Any], options: ControllerOptions) -> None:
    started = _created(migration)
    if started is None:
        raise ValueError(f"Migration {migration['metadata']['name']} has no creationTimestamp to replay from")
    scratch = ObjectStore(store.resources, SandboxClock(frozen_at=started), seed=0)
    for resource in _CONTEXT:
        for obj in store.list(resource):
            scratch.create(_copy(obj))
    for pod in _existing_pods(store, started):
        scratch.create(_copy(pod))
    controller = MigrationController(scratch, options)
    stop = controller.start()
    try:
        scratch.create(_copy(migration))
        for _ in range(_MAX_EVENTS):
            moment = controller.next_event_time()
            if moment is None:
                break
            scratch.clock.advance(max(moment - scratch.clock.now(), timedelta()))
    finally:
        stop()
    _copy_back(store, scratch, migration)


def _copy_back(store: ObjectStore, scratch: ObjectStore, migration: dict[str, Any]) -> None:
    meta = migration["metadata"]
    ran = scratch.get("migrations", meta["namespace"], meta["name"])
    selector = f"migration={meta['uid']}"
    uids: set[str] = set()
    for resource in _OWNED:
        for obj in scratch.list(resource, label_selector=selector):
            store.create(_copy(obj))
            uids.add(str(obj["metadata"]["uid"]))
            if resource == "pods":
                for container in obj["spec"].get("containers") or []:
                    where = (obj["metadata"]["namespace"], obj["metadata"]["name"], container["name"])
                    lines = scratch.logs.lines(*where)
                    if lines:
                        store.set_logs(*where, "\n".join(lines) + "\n")
    for event in scratch.list("events"):
        if (event.get("involvedObject") or {}).get("uid") in uids:
            store.create(_copy(event))
    store.patch("migrations", meta["namespace"], meta["name"], {"status": ran["status"]}, part="status")
    ref = (migration.get("spec") or {}).get("plan") or {}
    plan = scratch.get("plans", ref.get("namespace") or meta["namespace"], ref["name"])
    store.patch(
        "plans", plan["metadata"]["namespace"], plan["metadata"]["name"], {"status": plan["status"]}, part="status"
    )


def options_for_data(data_dir: Path | None) -> ControllerOptions:
    """How the controller runs a data set's migrations: disks and guests from its inventory, copy rates
    by node (``links.DEMO_LINKS``)."""
    return ControllerOptions(vm_facts=inventory_facts(data_dir), links=DEMO_LINKS)


def data_set_controller() -> Callable[[Sandbox], Callable[[], None]]:
    """A ``Sandbox.start`` plugin: the migration controller with ``options_for_data`` of the sandbox's data."""

    def plugin(sandbox: Sandbox) -> Callable[[], None]:
        return MigrationController(sandbox.store, options_for_data(sandbox.data_dir)).start()

    return plugin
