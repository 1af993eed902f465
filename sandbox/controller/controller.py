"""The sandbox's migration controller: a Migration becomes virt-v2v pods that run on the sandbox clock.

For each VM of the migrated plan it walks Forklift's cold itinerary on the clock (``timing.py``): while
``Initialize`` runs it creates the per-VM Secret and one PVC per disk (Pending); ``DiskAllocation`` lasts
until the storage class's provisioner has bound them; then it creates (2.12+) a Conversion CR and the
convertor pod from ``build_convertor_pod``; schedules the pod with the
sandbox's own ``scheduler`` (never ``core.placement``: the product's predictions are checked, not
echoed) against the store's nodes and pods (bound and Running, or Pending with a
``FailedScheduling`` Warning); writes the virt-v2v log as the clock advances; ends the pod
(Succeeded, exit 0; or Failed/OOMKilled when asked to) and keeps Migration and Plan status like
Forklift, a successful pod followed by ``VirtualMachineCreation`` before the VM Succeeds. Pending
pods are retried whenever a convertor ends or is canceled, and (2.12+) fail the
VM after the pending timeout. A VM listed in the Migration's ``spec.cancel`` is canceled as Forklift
does (``pkg/controller/plan/migration.go``: ``execute`` sets the VM's Canceled condition,
``Cancel``/``cleanup`` delete its convertor pod and Secret, ``kubevirt.go`` ``CancelConversion``
marks its Conversion CR Canceled); a migration whose VMs were all canceled ends Canceled
(``Migration.end``). New or changed Plans are validated (``plans.py``), so a plan created through
the API becomes Ready as with Forklift. Events are processed in time order, so one big clock step gives the same result
as many small ones.

Test hooks, as plan annotations or ``ControllerOptions``:
``sandbox.mtv-mcp.io/fail-vms: "vm-2041=oom,vm-2050=disk-full"`` (kinds in ``v2v_log.FAILURES``) and
``sandbox.mtv-mcp.io/off-rule-vms: "vm-2050=worker-0"`` (bind there whatever the rules say).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from mtv_mcp.core.convertor.pod_template import CONVERTOR_CONTAINER, ConvertorSettings
from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.clock import format_time
from mtv_mcp.sandbox.controller import status as st
from mtv_mcp.sandbox.controller.convertor_pod import DiskVolume, build_convertor_pod, conversion_type
from mtv_mcp.sandbox.controller.facts import VmFacts
from mtv_mcp.sandbox.controller.links import LinkModel
from mtv_mcp.sandbox.controller.plans import needs_validation, validate_plan
from mtv_mcp.sandbox.controller.pods import bind_and_start, mark_unschedulable, terminate
from mtv_mcp.sandbox.controller.scheduler import Wording, schedule
from mtv_mcp.sandbox.controller.timing import INITIALIZE_SECONDS, allocation_seconds, vm_creation_seconds
from mtv_mcp.sandbox.controller.v2v_log import FAILURES, ConversionScript, Failure, LogLine, conversion_script
from mtv_mcp.sandbox.kube.status import ApiError
from mtv_mcp.sandbox.kube.store import ChangeEvent, ObjectStore

if TYPE_CHECKING:
    from mtv_mcp.sandbox.runner import Sandbox

FAIL_ANNOTATION = "sandbox.mtv-mcp.io/fail-vms"
OFF_RULE_ANNOTATION = "sandbox.mtv-mcp.io/off-rule-vms"
MIB = 1024 * 1024
Key = tuple[str, str]
Stage = Literal["initialize", "allocate", "pod", "create-vm", "done"]
_TIMED: tuple[Stage, ...] = ("initialize", "allocate", "create-vm")


@dataclass(frozen=True)
class ControllerOptions:
    """How the sandbox's Forklift behaves."""

    settings: ConvertorSettings = field(
        default_factory=lambda: ConvertorSettings(image="registry.example.com/mtv/virt-v2v-rhel9:2.12.5")
    )
    bytes_per_second: float = 400 * MIB
    links: LinkModel | None = None
    """Copy rate by the node the pod runs on (``links.LinkModel``); None: ``bytes_per_second`` everywhere."""
    pending_timeout: timedelta | None = timedelta(minutes=5)
    vm_facts: Mapping[str, VmFacts] = field(default_factory=dict)
    failures: Mapping[str, Failure] = field(default_factory=dict)
    off_rule: Mapping[str, str] = field(default_factory=dict)
    scheduler_wording: Wording = "current"


@dataclass
class _Run:
    """One VM's way through the pipeline: its timed steps, then its convertor pod (``pod`` is empty
    until it is created)."""

    migration: Key
    vm: dict[str, Any]
    namespace: str
    facts: VmFacts
    failure: Failure | None
    created: datetime
    """When the VM started; when its pod was created, once it was."""
    next_at: datetime
    """When the timed ``stage`` (initialize, allocate, create-vm) ends."""
    pvcs: list[str]
    stage: Stage = "initialize"
    pod: str = ""
    script: ConversionScript | None = None
    node: str | None = None
    started: datetime | None = None
    ended: bool = False
    written: int = 0
    conversion: Key | None = None
    message: str = ""
    secret: str = ""

    @property
    def vm_id(self) -> str:
        return str(self.vm["id"])

    @property
    def waiting(self) -> bool:
        """Its pod exists and is Pending."""
        return self.stage == "pod" and self.started is None and not self.ended


def _pairs(text: str | None, field_name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise MtvError(f"{part.strip()!r} is not vm=value", field=field_name, hint="e.g. vm-2041=oom,vm-2050=vddk")
        found[key.strip()] = value.strip()
    return found


def _go_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes}m{secs}s" if hours else f"{minutes}m{secs}s"


class MigrationController:
    """Watches the store for new Migrations and runs their convertor pods on the store's clock."""

    def __init__(self, store: ObjectStore, options: ControllerOptions | None = None) -> None:
        self.store = store
        self.clock = store.clock
        self.options = options or ControllerOptions()
        self._runs: list[_Run] = []
        self._vm_status: dict[tuple[Key, str], dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._stops: list[Callable[[], None]] = []

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Callable[[], None]:
        """Begin watching (and pick up Migrations that were created but never started); returns ``stop``."""
        self._stops = [self.store.on_change(self._on_change), self.clock.on_advance(self.run_until)]
        for migration in self.store.list("migrations"):
            if not (migration.get("status") or {}).get("started"):
                self.begin(migration)
        return self.stop

    def stop(self) -> None:
        while self._stops:
            self._stops.pop()()

    def runs(self) -> list[tuple[str, str, str]]:
        """(vm id, pod namespace, pod name) of every convertor pod this controller made."""
        with self._lock:
            return [(r.vm_id, r.namespace, r.pod) for r in self._runs if r.pod]

    def _on_change(self, change: ChangeEvent) -> None:
        if not change.resource.group or change.type == "DELETED":
            return
        if change.resource.kind == "Plan" and needs_validation(change.object):
            validate_plan(self.store, change.object, self.clock.timestamp())
        if change.resource.kind != "Migration":
            return
        if change.type == "ADDED":
            self.begin(change.object)
        elif change.type == "MODIFIED":
            self.cancel_requested(change.object)

    # -- a new migration --------------------------------------------------------------------------

    def begin(self, migration: dict[str, Any]) -> None:
        """Start ``migration``: create and schedule a convertor pod per VM of its plan."""
        with self._lock:
            meta = migration["metadata"]
            key = (meta["namespace"], meta["name"])
            ref = (migration.get("spec") or {}).get("plan") or {}
            plan = self.store.find("plans", ref.get("namespace") or meta["namespace"], ref.get("name") or "")
            now = self.clock.timestamp()
            if plan is None:
                message = f"Plan {ref.get('namespace') or meta['namespace']}/{ref.get('name')} not found"
                conditions = [
                    st.condition(
                        "Ready", category="Critical", now=now, status="False", reason="NotFound", message=message
                    )
                ]
                self._patch_status("migrations", key, {"conditions": conditions})
                return
            try:
                failures = {**self.options.failures, **self._failures(plan)}
                off_rule = {
                    **self.options.off_rule,
                    **_pairs(_annotation(plan, OFF_RULE_ANNOTATION), OFF_RULE_ANNOTATION),
                }
            except MtvError as exc:
                conditions = [
                    st.condition(
                        "Ready", category="Critical", now=now, status="False", reason="NotValid", message=str(exc)
                    )
                ]
                self._patch_status("migrations", key, {"conditions": conditions})
                return
            migration = self._patch_status(
                "migrations",
                key,
                {
                    "started": now,
                    "conditions": [
                        st.condition(
                            "Running",
                            category="Advisory",
                            now=now,
                            reason="Started",
                            message="The migration is RUNNING.",
                        )
                    ],
                },
            )
            canceled = _canceled_ids(migration)
            for vm in plan["spec"].get("vms") or []:
                if vm["id"] in canceled:
                    facts = self._facts(vm)
                    status = st.initial_vm_status({**vm, "name": vm.get("name") or facts.name}, facts.disks, now)
                    st.cancel_vm(status, now)
                    self._vm_status[(key, vm["id"])] = status
                    continue
                self._start_vm(plan, migration, vm, failures.get(vm["id"]), off_rule.get(vm["id"]))
            self._write_status(key, plan)

    # -- cancellation -----------------------------------------------------------------------------

    def cancel_requested(self, migration: dict[str, Any]) -> None:
        """Cancel the VMs of ``migration``'s ``spec.cancel`` whose convertor pods have not ended."""
        with self._lock:
            meta = migration["metadata"]
            key = (meta["namespace"], meta["name"])
            ids = _canceled_ids(migration)
            runs = [r for r in self._runs if r.migration == key and r.vm_id in ids and not r.ended]
            if not runs:
                return
            at = self.clock.now()
            for run in runs:
                self._cancel(run, at)
            for waiting in [r for r in self._runs if r.waiting]:
                self._schedule(waiting, at)
            plan = self._plan_of(key)
            if plan is not None:
                self._write_status(key, plan)

    def _cancel(self, run: _Run, at: datetime) -> None:
        """Stop the VM's convertor: the kubelet kills the container, the pod and its Secret are deleted."""
        if run.started is not None:
            self._write_log(run, at)
        run.ended, run.stage = True, "done"
        when = format_time(at)
        pod = self.store.find("pods", run.namespace, run.pod) if run.pod else None
        if pod is not None:
            if run.started is not None:
                self.store.emit_event(
                    pod,
                    "Killing",
                    f"Stopping container {CONVERTOR_CONTAINER}",
                    component="kubelet",
                    host=run.node,
                )
            self.store.delete("pods", run.namespace, run.pod)
        if run.secret and self.store.find("secrets", run.namespace, run.secret) is not None:
            self.store.delete("secrets", run.namespace, run.secret)
        st.cancel_vm(self._vm_status[(run.migration, run.vm_id)], when)
        self._conversion_status(run, {"phase": "Canceled", "stage": "Finished", "completionTime": when})

    def _failures(self, plan: dict[str, Any]) -> dict[str, Failure]:
        found = _pairs(_annotation(plan, FAIL_ANNOTATION), FAIL_ANNOTATION)
        unknown = sorted(v for v in found.values() if v not in FAILURES)
        if unknown:
            raise MtvError(
                f"unknown failure kind {unknown[0]!r}", field=FAIL_ANNOTATION, hint=f"use one of: {', '.join(FAILURES)}"
            )
        return cast(dict[str, Failure], found)

    def _facts(self, vm: Mapping[str, Any]) -> VmFacts:
        return self.options.vm_facts.get(vm["id"]) or VmFacts(name=str(vm.get("name") or vm["id"]))

    def _start_vm(
        self,
        plan: dict[str, Any],
        migration: dict[str, Any],
        vm: dict[str, Any],
        failure: Failure | None,
        off_rule: str | None,
    ) -> None:
        """``Started``: the VM's Secret and Pending claims now, its pod when ``Initialize`` and
        ``DiskAllocation`` have run (``_advance``)."""
        facts = self._facts(vm)
        vm = {**vm, "name": vm.get("name") or facts.name}
        now_dt = self.clock.now()
        key = (migration["metadata"]["namespace"], migration["metadata"]["name"])
        self._vm_status[(key, vm["id"])] = st.initial_vm_status(vm, facts.disks, format_time(now_dt))
        target = plan["spec"]["targetNamespace"]
        owned = self._owned_labels(plan, migration, vm["id"])
        secret = self.store.create(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "generateName": f"{plan['metadata']['name']}-{vm['id']}-",
                    "namespace": target,
                    "labels": owned,
                },
                "data": {"user": base64.b64encode(b"svc-mtv@vsphere.local").decode()},
            }
        )
        run = _Run(
            migration=key,
            vm=vm,
            namespace=target,
            facts=facts,
            failure=failure,
            created=now_dt,
            next_at=now_dt + timedelta(seconds=INITIALIZE_SECONDS),
            pvcs=[self._create_pvc(plan, facts, index, size, owned) for index, (_, size) in enumerate(facts.disks)],
            node=off_rule,
            secret=secret["metadata"]["name"],
        )
        self._runs.append(run)

    def _advance(self, run: _Run, at: datetime) -> None:
        """End ``run``'s timed stage at ``at``: Initialize → DiskAllocation → pod; VM creation → Succeeded."""
        status = self._vm_status[(run.migration, run.vm_id)]
        when = format_time(at)
        if run.stage == "initialize":
            st.enter(status, "AllocateDisks", when)
            provisioner = self._provisioner(run)
            run.stage, run.next_at = (
                "allocate",
                at + timedelta(seconds=allocation_seconds(provisioner, run.facts.disk_sizes)),
            )
        elif run.stage == "allocate":
            for name in run.pvcs:
                self._bind_pvc(run.namespace, name)
            st.enter(status, "CreateGuestConversionPod", when)
            self._create_pod(run, at)
        else:
            run.stage = "done"
            st.finish_vm(status, when)

    def _create_pod(self, run: _Run, at: datetime) -> None:
        """``CreateGuestConversionPod``: (2.12+) the Conversion CR and the convertor pod, scheduled now."""
        plan = self._plan_of(run.migration)
        migration = self.store.find("migrations", *run.migration)
        if plan is None or migration is None:
            run.stage, run.ended = "done", True
            return
        owned = self._owned_labels(plan, migration, run.vm_id)
        conversion = self._create_conversion(plan, migration, run.vm, owned) if self._uses_conversion_cr() else None
        pod = build_convertor_pod(
            plan,
            migration,
            run.vm,
            settings=self._settings_for(plan),
            disks=[DiskVolume(pvc_name=name) for name in run.pvcs],
            secret_name=run.secret,
            conversion_name=conversion[1] if conversion else None,
        )
        pod["metadata"]["creationTimestamp"] = format_time(at)
        stored = self.store.create(pod)
        run.stage, run.pod, run.created, run.conversion = "pod", stored["metadata"]["name"], at, conversion
        self._vm_status[(run.migration, run.vm_id)]["phase"] = "ConvertGuest"
        self._schedule(run, at)

    def _settings_for(self, plan: dict[str, Any]) -> ConvertorSettings:
        """The controller settings as the store's ForkliftController and the source provider shape them.

        The operator hands ``virt_v2v_container_{requests,limits}_{cpu,memory}`` and
        ``virt_v2v_dont_request_kvm`` to the controller, which reads them in
        ``pkg/settings/migration.go``; the provider's type decides KVM (``shouldRequestKVM``) and its
        ``vddkInitImage`` is used when none is set globally.
        """
        update: dict[str, Any] = {}
        for controller in self.store.list("forkliftcontrollers")[:1]:
            spec = controller.get("spec") or {}
            for part in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    value = spec.get(f"virt_v2v_container_{part}_{resource}")
                    if value:
                        update[f"{part}_{resource}"] = str(value)
            if str(spec.get("virt_v2v_dont_request_kvm", "")).lower() == "true":
                update["request_kvm"] = False
        ref = ((plan["spec"].get("provider") or {}).get("source")) or {}
        provider = self.store.find(
            "providers", ref.get("namespace") or plan["metadata"]["namespace"], ref.get("name") or ""
        )
        provider_spec = (provider or {}).get("spec") or {}
        if provider_spec.get("type") in ("vsphere", "ova", "hyperv", "ec2"):
            update["provider_type"] = provider_spec["type"]
        image = (provider_spec.get("settings") or {}).get("vddkInitImage")
        if image and not self.options.settings.vddk_image:
            update["vddk_image"] = image
        return self.options.settings.model_copy(update=update)

    def _uses_conversion_cr(self) -> bool:
        settings = self.options.settings
        return settings.release >= (2, 12) and settings.use_conversion_cr

    def _owned_labels(self, plan: dict[str, Any], migration: dict[str, Any], vm_id: str) -> dict[str, str]:
        labels = {"plan": plan["metadata"]["uid"], "migration": migration["metadata"]["uid"], "vmID": vm_id}
        if self.options.settings.release >= (2, 12):
            labels |= {"plan-name": plan["metadata"]["name"], "plan-namespace": plan["metadata"]["namespace"]}
        return labels

    def _create_pvc(self, plan: dict[str, Any], facts: VmFacts, index: int, size: int, labels: dict[str, str]) -> str:
        """A Pending claim for one disk (``CreateDataVolumes``); ``_bind_pvc`` binds it."""
        storage_class, mode, access = self._storage_target(plan)
        gib = max(1, -(-size // 1024**3))
        pvc = self.store.create(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {
                    "generateName": f"{plan['metadata']['name'][:15]}-{facts.name[:15]}-disk-{index}-".lower(),
                    "namespace": plan["spec"]["targetNamespace"],
                    "labels": labels,
                },
                "spec": {
                    "accessModes": [access],
                    "volumeMode": mode,
                    "resources": {"requests": {"storage": f"{gib}Gi"}},
                    **({"storageClassName": storage_class} if storage_class else {}),
                },
                "status": {"phase": "Pending"},
            }
        )
        return str(pvc["metadata"]["name"])

    def _provisioner(self, run: _Run) -> str | None:
        """The provisioner of the storage class of ``run``'s claims (None: no class, or not in the store)."""
        pvc = self.store.find("persistentvolumeclaims", run.namespace, run.pvcs[0]) if run.pvcs else None
        name = ((pvc or {}).get("spec") or {}).get("storageClassName")
        storage_class = self.store.find("storageclasses", None, name) if name else None
        return (storage_class or {}).get("provisioner")

    def _bind_pvc(self, namespace: str, name: str) -> None:
        pvc = self.store.find("persistentvolumeclaims", namespace, name)
        if pvc is None:
            return
        spec = pvc["spec"]
        capacity = spec["resources"]["requests"]["storage"]
        status = {"phase": "Bound", "accessModes": spec["accessModes"], "capacity": {"storage": capacity}}
        pvc = self.store.patch("persistentvolumeclaims", namespace, name, {"status": status}, part="status")
        storage_class = self.store.find("storageclasses", None, spec.get("storageClassName") or "")
        self.store.emit_event(
            pvc,
            "ProvisioningSucceeded",
            f"Successfully provisioned volume for claim {namespace}/{name}",
            component=str((storage_class or {}).get("provisioner") or "openshift-storage.rbd.csi.ceph.com"),
        )

    def _storage_target(self, plan: dict[str, Any]) -> tuple[str | None, str, str]:
        ref = (plan["spec"].get("map") or {}).get("storage") or {}
        storage_map = (
            self.store.find("storagemaps", ref.get("namespace") or plan["metadata"]["namespace"], ref.get("name") or "")
            if ref.get("name")
            else None
        )
        pairs = ((storage_map or {}).get("spec") or {}).get("map") or []
        destination = (pairs[0].get("destination") or {}) if pairs else {}
        return (
            destination.get("storageClass"),
            destination.get("volumeMode") or "Filesystem",
            destination.get("accessMode") or "ReadWriteOnce",
        )

    def _create_conversion(
        self, plan: dict[str, Any], migration: dict[str, Any], vm: dict[str, Any], labels: dict[str, str]
    ) -> Key:
        settings = self.options.settings
        kind = conversion_type(
            plan, provider_type=settings.provider_type, vm_id=vm["id"], local_destination=settings.local_destination
        )
        created = self.store.create(
            {
                "apiVersion": "forklift.konveyor.io/v1beta1",
                "kind": "Conversion",
                "metadata": {
                    "generateName": f"{plan['metadata']['name']}-{vm['id']}-",
                    "namespace": plan["metadata"]["namespace"],
                    "labels": {**labels, "conversion-type": kind},
                },
                "spec": {
                    "type": kind,
                    "vm": {"id": vm["id"], "name": vm.get("name", "")},
                    "targetNamespace": plan["spec"]["targetNamespace"],
                    "image": self.options.settings.image,
                },
            }
        )
        meta = created["metadata"]
        return meta["namespace"], meta["name"]

    # -- scheduling -------------------------------------------------------------------------------

    def _schedule(self, run: _Run, at: datetime) -> None:
        """Bind the pod (its chosen off-rule node, or the sandbox scheduler's pick) or leave it Pending."""
        pod = self.store.get("pods", run.namespace, run.pod)
        when = format_time(at)
        node = run.node
        message = ""
        if node is None:
            decision = schedule(
                pod,
                self.store.list("nodes"),
                self.store.list("pods"),
                self.store.list("namespaces"),
                wording=self.options.scheduler_wording,
            )
            node, message = decision.node, decision.message
        if node is None:
            if run.message != message:
                run.message = message
            mark_unschedulable(self.store, pod, message, when)
            self._conversion_status(
                run, {"phase": "Running", "stage": "CreatingPod", "message": f"pod {run.pod} is Pending: {message}"}
            )
            return
        run.node, run.started = node, at
        run.script = conversion_script(
            run.facts.guest(), run.facts.disk_sizes, bytes_per_second=self._rate(node, run), failure=run.failure
        )
        bind_and_start(self.store, pod, node, when)
        self._conversion_status(run, {"phase": "Running", "stage": "PodRunning", "startTime": when})

    def _rate(self, node: str, run: _Run) -> float:
        """The copy rate of ``run`` starting on ``node`` now (flat, or by the node's links)."""
        links = self.options.links
        node_obj = self.store.find("nodes", None, node)
        if links is None or node_obj is None:
            return self.options.bytes_per_second
        beside = sum(1 for r in self._runs if r is not run and r.node == node and r.started is not None and not r.ended)
        return links.rate(node_obj, beside)

    def next_event_time(self) -> datetime | None:
        """When the next convertor ends or Pending pod times out (None: nothing left to happen)."""
        with self._lock:
            event = self._next_event()
            return event[0] if event else None

    def _conversion_status(self, run: _Run, status: dict[str, Any]) -> None:
        if run.conversion is not None:
            status["pod"] = {"namespace": run.namespace, "name": run.pod}
            self._patch_status("conversions", run.conversion, status)

    # -- time -------------------------------------------------------------------------------------

    def _next_event(self) -> tuple[datetime, _Run] | None:
        timeout = self.options.pending_timeout if self.options.settings.release >= (2, 12) else None
        candidates: list[tuple[datetime, _Run]] = []
        for run in self._runs:
            if run.stage in _TIMED:
                candidates.append((run.next_at, run))
            elif run.ended:
                continue
            elif run.started is not None and run.script is not None:
                candidates.append((run.started + timedelta(seconds=run.script.duration), run))
            elif timeout is not None:
                candidates.append((run.created + timeout, run))
        return min(candidates, key=lambda c: c[0]) if candidates else None

    def run_until(self, now: datetime) -> None:
        """Play every event up to ``now`` in time order, then write logs and status as of ``now``."""
        with self._lock:
            touched: set[Key] = set()
            while (event := self._next_event()) is not None and event[0] <= now:
                at, run = event
                touched.add(run.migration)
                if run.stage in _TIMED:
                    self._advance(run, at)
                elif run.started is not None:
                    self._write_log(run, at)
                    self._end(run, at)
                    for waiting in [r for r in self._runs if r.waiting]:
                        self._schedule(waiting, at)
                else:
                    self._time_out(run, at)
            for run in self._runs:
                if run.started is not None and not run.ended:
                    self._write_log(run, now)
                    touched.add(run.migration)
            for key in touched:
                plan = self._plan_of(key)
                if plan is not None:
                    self._write_status(key, plan)

    def _write_log(self, run: _Run, at: datetime) -> None:
        assert run.started is not None
        assert run.script is not None
        lines = run.script.until((at - run.started).total_seconds())
        new = lines[run.written :]
        status = self._vm_status[(run.migration, run.vm_id)]
        if new:
            self.store.append_log(run.namespace, run.pod, "virt-v2v", [line.text for line in new])
            run.written = len(lines)
        # Each line moves the pipeline at its own time, so steps start and end when the log says,
        # however far the clock jumped.
        steps: list[LogLine | None] = list(new) or [lines[-1] if lines else None]
        for line in steps:
            when = run.started + timedelta(seconds=line.at) if line is not None and new else at
            st.apply_progress(status, line, run.facts.disk_sizes, format_time(when))

    def _end(self, run: _Run, at: datetime) -> None:
        run.ended, run.stage = True, "done"
        when = format_time(at)
        script = run.script
        assert script is not None
        terminate(self.store, self.store.get("pods", run.namespace, run.pod), script.outcome, script.exit_code, when)
        status = self._vm_status[(run.migration, run.vm_id)]
        if script.outcome == "Succeeded":
            st.enter(status, "CreateVM", when)
            run.stage, run.next_at = "create-vm", at + timedelta(seconds=vm_creation_seconds(len(run.facts.disks)))
            self._conversion_status(run, {"phase": "Succeeded", "stage": "Finished", "completionTime": when})
            return
        reason = script.error or ("OOMKilled" if script.outcome == "OOMKilled" else "Error")
        error = f"guest conversion failed: container virt-v2v in pod {run.pod} terminated: {reason}"
        st.finish_vm(status, when, error)
        self._conversion_status(run, {"phase": "Failed", "stage": "Finished", "message": error, "completionTime": when})

    def _time_out(self, run: _Run, at: datetime) -> None:
        run.ended, run.stage = True, "done"
        timeout = self.options.pending_timeout or timedelta()
        error = (
            f"conversion pod {run.pod} stuck in Pending for {_go_duration(timeout)} "
            f"(reason: Unschedulable: {run.message})"
        )
        st.finish_vm(self._vm_status[(run.migration, run.vm_id)], format_time(at), error)
        self._conversion_status(run, {"phase": "Failed", "stage": "CreatingPod", "message": error})

    # -- status -----------------------------------------------------------------------------------

    def _plan_of(self, key: Key) -> dict[str, Any] | None:
        migration = self.store.find("migrations", *key)
        ref = ((migration or {}).get("spec") or {}).get("plan") or {}
        return self.store.find("plans", ref.get("namespace") or key[0], ref.get("name") or "") if migration else None

    def _write_status(self, key: Key, plan: dict[str, Any]) -> None:
        migration = self.store.find("migrations", *key)
        if migration is None:
            return
        vms = [
            self._vm_status[(key, vm["id"])]
            for vm in plan["spec"].get("vms") or []
            if (key, vm["id"]) in self._vm_status
        ]
        now = self.clock.timestamp()
        status = dict(migration.get("status") or {})
        conditions = list(status.get("conditions") or [])
        done = all(vm["phase"] == "Completed" for vm in vms)
        plan_conditions = list((plan.get("status") or {}).get("conditions") or [])
        if done:
            kind = st.outcome(vms)
            message = f"The migration has {'been CANCELED' if kind == 'Canceled' else kind.upper()}."
            conditions = st.set_condition(
                st.drop_condition(conditions, "Running"),
                st.condition(kind, category="Advisory", now=now, message=message),
            )
            plan_conditions = st.set_condition(
                st.drop_condition(plan_conditions, "Executing"),
                st.condition(kind, category="Advisory", now=now, message=message),
            )
            status.setdefault("completed", now)
        else:
            plan_conditions = st.set_condition(
                plan_conditions,
                st.condition("Executing", category="Advisory", now=now, message="The plan is EXECUTING."),
            )
        status.update(conditions=conditions, vms=vms)
        self._patch_status("migrations", key, status)
        plan_migration = {
            "started": status["started"],
            "vms": vms,
            "history": [self._snapshot(plan, migration, conditions)],
            **({"completed": status["completed"]} if "completed" in status else {}),
        }
        self._patch_status(
            "plans",
            (plan["metadata"]["namespace"], plan["metadata"]["name"]),
            {"conditions": plan_conditions, "migration": plan_migration},
        )

    def _snapshot(self, plan: dict[str, Any], migration: dict[str, Any], conditions: list[Any]) -> dict[str, Any]:
        spec = plan["spec"]

        def ref(resource: str, obj_ref: Mapping[str, Any] | None) -> dict[str, Any]:
            obj_ref = obj_ref or {}
            found = (
                self.store.find(
                    resource, obj_ref.get("namespace") or plan["metadata"]["namespace"], obj_ref.get("name") or ""
                )
                if obj_ref.get("name")
                else None
            )
            meta = (found or {}).get("metadata") or {}
            return {
                "namespace": obj_ref.get("namespace", ""),
                "name": obj_ref.get("name", ""),
                "uid": meta.get("uid", ""),
                "generation": int(meta.get("generation", 0)),
            }

        def own(obj: dict[str, Any]) -> dict[str, Any]:
            meta = obj["metadata"]
            return {
                "namespace": meta["namespace"],
                "name": meta["name"],
                "uid": meta["uid"],
                "generation": int(meta.get("generation", 1)),
            }

        provider, maps = spec.get("provider") or {}, spec.get("map") or {}
        return {
            "conditions": conditions,
            "plan": own(plan),
            "migration": own(migration),
            "provider": {
                "source": ref("providers", provider.get("source")),
                "destination": ref("providers", provider.get("destination")),
            },
            "map": {
                "network": ref("networkmaps", maps.get("network")),
                "storage": ref("storagemaps", maps.get("storage")),
            },
        }

    def _patch_status(self, resource: str, key: Key, status: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.store.patch(resource, key[0], key[1], {"status": status}, part="status")
        except ApiError as exc:
            if exc.code == 404:
                return {}
            raise


def _canceled_ids(migration: Mapping[str, Any]) -> set[str]:
    """VM ids in ``spec.cancel`` (refs without an id are skipped, as Forklift's ``MigrationSpec.Canceled`` does)."""
    return {str(ref["id"]) for ref in (migration.get("spec") or {}).get("cancel") or [] if ref.get("id")}


def _annotation(obj: Mapping[str, Any], key: str) -> str | None:
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(key)
    return str(value) if value is not None else None


def migration_controller(options: ControllerOptions | None = None) -> Callable[[Sandbox], Callable[[], None]]:
    """A ``Sandbox.start(plugins=[...])`` plugin that runs a ``MigrationController`` on the sandbox's store."""

    def plugin(sandbox: Sandbox) -> Callable[[], None]:
        return MigrationController(sandbox.store, options).start()

    return plugin
