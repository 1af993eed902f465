"""Demo objects of plan ``wave1`` (demo-dataset.md §8) shared by the convertor tests."""

from __future__ import annotations

from typing import Any

import pytest

PLAN_UID = "7c1d4e2a-0b8f-4c55-9a71-2f6f3c9d1e01"
MIGRATION_UID = "a3b9f0c2-5d1e-4e8a-b7c6-0e4d2f1a9b02"
AVOID_DATABASES = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"tier": "database"}}, "topologyKey": "kubernetes.io/hostname"}
        ]
    }
}


@pytest.fixture
def plan() -> dict[str, Any]:
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Plan",
        "metadata": {"name": "wave1", "namespace": "openshift-mtv", "uid": PLAN_UID},
        "spec": {
            "targetNamespace": "app-migrated",
            "type": "cold",
            "vms": [
                {"id": "vm-2050", "name": "web-frontend-01", "luks": {}},
                {"id": "vm-2041", "name": "pg-prod-01", "luks": {}},
                {"id": "vm-2061", "name": "win-sql-01", "luks": {}},
            ],
            "migrateSharedDisks": True,
            "convertorLabels": {"team": "migration", "wave": "1"},
            "convertorNodeSelector": {"storage": "nvme", "network.example.com/vmware-migration": "true"},
            "convertorAffinity": AVOID_DATABASES,
        },
    }


@pytest.fixture
def migration() -> dict[str, Any]:
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Migration",
        "metadata": {"name": "wave1-x8k2p", "namespace": "openshift-mtv", "uid": MIGRATION_UID},
        "spec": {"plan": {"name": "wave1", "namespace": "openshift-mtv"}},
    }
