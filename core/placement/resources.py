"""Resource arithmetic as the scheduler does it: effective pod requests, node usage, free amounts.

CPU is counted in millicores, every other resource in whole units (bytes for memory), each
container's request rounded up as Kubernetes' ``MilliValue``/``Value`` do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from mtv_mcp.core.placement.models import Container, Pod, Quantity
from mtv_mcp.core.quantity import int_value, milli_value

CPU, MEMORY, PODS, EPHEMERAL = "cpu", "memory", "pods", "ephemeral-storage"
KVM_RESOURCE = "devices.kubevirt.io/kvm"  # the device KubeVirt's device plugin offers
# Requests assumed for a container without one, used for scoring only (Kubernetes' non-zero defaults).
DEFAULT_MILLI_CPU = 100
DEFAULT_MEMORY = 200 * 1024 * 1024


def amount(resource: str, quantity: Quantity) -> int:
    """``quantity`` of ``resource`` in scheduler units (millicores for CPU)."""
    return milli_value(quantity) if resource == CPU else int_value(quantity)


def format_amount(resource: str, value: int) -> str:
    """Scheduler units back to a readable quantity (``1500m``, ``1Gi``, ``3``)."""
    if resource == CPU:
        return f"{value // 1000}" if value % 1000 == 0 else f"{value}m"
    if resource in (MEMORY, EPHEMERAL) or resource.startswith("hugepages-"):
        for suffix, power in (("Ti", 4), ("Gi", 3), ("Mi", 2), ("Ki", 1)):
            if value and value % 1024**power == 0:
                return f"{value // 1024**power}{suffix}"
    return str(value)


def _container_requests(container: Container) -> Counter[str]:
    return Counter({name: amount(name, q) for name, q in container.resources.requests.items()})


def pod_requests(pod: Pod) -> Counter[str]:
    """Effective requests: max(regular + sidecars, each init container + sidecars started before it) + overhead."""
    total: Counter[str] = Counter()
    for container in pod.spec.containers:
        total.update(_container_requests(container))
    sidecars: Counter[str] = Counter()
    init_peak: Counter[str] = Counter()
    for init in pod.spec.init_containers:
        requests = _container_requests(init)
        if init.restart_policy == "Always":
            sidecars.update(requests)
            total.update(requests)
            continue
        for name, value in requests.items():
            init_peak[name] = max(init_peak[name], value + sidecars[name])
    for name, value in init_peak.items():
        total[name] = max(total[name], value)
    for name, q in pod.spec.overhead.items():
        total[name] += amount(name, q)
    return +total


def scoring_requests(pod: Pod) -> tuple[int, int]:
    """(millicores, bytes) with the non-zero defaults for containers that request nothing."""
    cpu = memory = 0
    for container in pod.spec.containers:
        requests = _container_requests(container)
        cpu += requests.get(CPU) or DEFAULT_MILLI_CPU
        memory += requests.get(MEMORY) or DEFAULT_MEMORY
    return cpu, memory


def allocatable(resources: Mapping[str, Quantity]) -> Counter[str]:
    """A node's allocatable resources in scheduler units."""
    return Counter({name: amount(name, q) for name, q in resources.items()})


def used(pods: Iterable[Pod]) -> Counter[str]:
    """What ``pods`` request together (including the ``pods`` count)."""
    total: Counter[str] = Counter()
    for pod in pods:
        total.update(pod_requests(pod))
        total[PODS] += 1
    return total
