"""ForkliftController settings and the source type → the convertor pod the preview models."""

from __future__ import annotations

import pytest

from mtv_mcp.core.convertor.controller_settings import describe, settings_from_controller
from mtv_mcp.core.convertor.pod_template import preview_convertor_pod


def test_defaults_are_forklifts_own() -> None:
    settings, changed = settings_from_controller(None)
    used = describe(settings, "defaults", changed)
    assert used.requests == {"cpu": "1", "memory": "1Gi", "devices.kubevirt.io/kvm": "1"}
    assert used.limits == {"cpu": "4", "memory": "8Gi", "devices.kubevirt.io/kvm": "1"}
    assert changed == {}


def test_controller_values_shape_the_previewed_pod() -> None:
    spec = {
        "virt_v2v_container_requests_cpu": "1500m",
        "virt_v2v_container_requests_memory": "3Gi",
        "virt_v2v_container_limits_memory": "16Gi",
        "virt_v2v_dont_request_kvm": "true",
        "controller_max_vm_inflight": 20,
    }
    settings, changed = settings_from_controller(spec)
    assert set(changed) == {*spec} - {"controller_max_vm_inflight"}
    container = preview_convertor_pod("ns", settings=settings)["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "1500m", "memory": "3Gi"}
    assert container["resources"]["limits"] == {"cpu": "4", "memory": "16Gi"}
    assert describe(settings, "x", changed).kvm_requested is False


@pytest.mark.parametrize(
    ("provider", "version", "kvm"),
    [
        ("vsphere", "2.12.5", True),
        ("ova", "2.10", True),
        ("hyperv", "2.12", True),
        ("hyperv", "2.11.3", False),
        ("ec2", "2.12", False),
        ("ovirt", "2.12", True),  # no convertor of its own; previews fall back to vSphere's pod
    ],
)
def test_kvm_follows_the_source_type_and_version(provider: str, version: str, kvm: bool) -> None:
    settings, _ = settings_from_controller({}, provider_type=provider, version=version)
    assert settings.kvm_requested is kvm
    requests = preview_convertor_pod("ns", settings=settings)["spec"]["containers"][0]["resources"]["requests"]
    assert ("devices.kubevirt.io/kvm" in requests) is kvm


def test_dont_request_kvm_accepts_a_real_boolean() -> None:
    settings, _ = settings_from_controller({"virt_v2v_dont_request_kvm": True})
    assert settings.kvm_requested is False
