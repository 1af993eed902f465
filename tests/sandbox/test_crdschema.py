"""CRD admission: defaults, pruning and validation errors shaped like the API server's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.crdschema import CrdCatalog


@pytest.fixture(scope="module")
def catalog(crd_dir: Path) -> CrdCatalog:
    return CrdCatalog.load(crd_dir)


def plan(**spec: Any) -> dict[str, Any]:
    base = {
        "targetNamespace": "app-migrated",
        "provider": {"source": {"name": "vsphere-prod"}, "destination": {"name": "host"}},
        "map": {"network": {"name": "n"}, "storage": {"name": "s"}},
        "vms": [{"id": "vm-1"}],
    }
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Plan",
        "metadata": {"name": "p"},
        "spec": {**base, **spec},
    }


def test_loads_every_forklift_kind(catalog: CrdCatalog) -> None:
    kinds = {kind for _, kind in catalog.versions}
    assert {"Plan", "Provider", "NetworkMap", "StorageMap", "Migration", "Hook"} <= kinds


def test_valid_plan_gets_crd_defaults(catalog: CrdCatalog) -> None:
    obj = plan()
    admission = catalog.admit(obj)
    assert admission.errors == ()
    assert obj["spec"]["preserveStaticIPs"] is True
    assert obj["spec"]["migrateSharedDisks"] is True


def test_errors_name_field_reason_and_message(catalog: CrdCatalog) -> None:
    obj = plan(type="hot", targetNamespace=5)
    del obj["spec"]["vms"]
    errors = {e.field: e for e in catalog.validate(obj)}
    assert errors["spec.type"].reason == "FieldValueNotSupported"
    assert errors["spec.type"].message.startswith('Unsupported value: "hot": supported values: "cold"')
    assert errors["spec.vms"].reason == "FieldValueRequired"
    assert errors["spec.targetNamespace"].reason == "FieldValueTypeInvalid"
    assert "must be of type string" in errors["spec.targetNamespace"].message


def test_pattern_and_nested_paths(catalog: CrdCatalog) -> None:
    obj = plan(serviceAccount="Bad_SA", convertorLabels={"team": 3})
    errors = {e.field: e for e in catalog.validate(obj)}
    assert "should match" in errors["spec.serviceAccount"].message
    assert "spec.convertorLabels[team]" in errors


def test_unknown_fields_are_pruned_and_reported(catalog: CrdCatalog) -> None:
    obj = plan(convertorTolerations=[{"key": "x"}])
    admission = catalog.admit(obj)
    assert admission.unknown_fields == ("spec.convertorTolerations",)
    assert "convertorTolerations" not in obj["spec"]


def test_validate_does_not_change_the_object(catalog: CrdCatalog) -> None:
    obj = plan()
    catalog.validate(obj)
    assert "preserveStaticIPs" not in obj["spec"]


def test_unknown_kind_passes(catalog: CrdCatalog) -> None:
    assert catalog.validate({"apiVersion": "v1", "kind": "Pod", "metadata": {}}) == []


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MtvError, match="does not exist"):
        CrdCatalog.load(tmp_path / "nope")
