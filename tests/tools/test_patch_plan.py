"""patch_plan through a real MCP client against the sandbox: set, change and clear each placement
field of plan wave2-db (read back with kubectl), dry runs, and the refusal while wave1 runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from mtv_mcp.core.crdschema import CrdCatalog
from mtv_mcp.sandbox.runner import Sandbox
from tests.core.inventory.fake_inventory import FakeInventory
from tests.tools.plan_fixtures import CRDS, connect, inventory, kubectl_get, sandbox, shared_sandbox, text_of

pytestmark = pytest.mark.anyio
__all__ = ["inventory", "sandbox", "shared_sandbox"]

AFFINITY_RULE = "PREFER pods(app=rook-ceph-osd) in namespaces(openshift-storage) on node weight=80"
# argument, spec field, first value, its spec form, second value, its spec form
FIELDS: list[tuple[str, str, Any, Any, Any, Any]] = [
    ("convertor_labels", "convertorLabels", "team=db", {"team": "db"}, {"team": "web"}, {"team": "web"}),
    (
        "convertor_node_selector",
        "convertorNodeSelector",
        {"storage": "nvme"},
        {"storage": "nvme"},
        "storage=sas",
        {"storage": "sas"},
    ),
    ("target_labels", "targetLabels", "env=prod", {"env": "prod"}, "env=dev", {"env": "dev"}),
    ("target_node_selector", "targetNodeSelector", "zone=a", {"zone": "a"}, "zone=b", {"zone": "b"}),
    (
        "convertor_affinity",
        "convertorAffinity",
        AFFINITY_RULE,
        {
            "podAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 80,
                        "podAffinityTerm": {
                            "labelSelector": {"matchLabels": {"app": "rook-ceph-osd"}},
                            "namespaces": ["openshift-storage"],
                            "topologyKey": "kubernetes.io/hostname",
                        },
                    }
                ]
            }
        },
        "REQUIRE nodes(storage=nvme)",
        {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "storage", "operator": "In", "values": ["nvme"]}]}
                    ]
                }
            }
        },
    ),
    (
        "target_affinity",
        "targetAffinity",
        "AVOID pods(app=web) on zone",
        {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "topology.kubernetes.io/zone"}
                ]
            }
        },
        ["REPEL pods(app=web) on node weight=5"],
        {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 5,
                        "podAffinityTerm": {
                            "labelSelector": {"matchLabels": {"app": "web"}},
                            "topologyKey": "kubernetes.io/hostname",
                        },
                    }
                ]
            }
        },
    ),
]


async def patch(sandbox: Sandbox, inventory: FakeInventory, **arguments: Any) -> Any:
    async with connect(sandbox, inventory) as client:
        return await client.call_tool("patch_plan", {"name": "wave2-db", **arguments})


@pytest.mark.parametrize("case", FIELDS, ids=[f[0] for f in FIELDS])
async def test_set_change_and_clear(
    sandbox: Sandbox, inventory: FakeInventory, case: tuple[str, str, Any, Any, Any, Any]
) -> None:
    argument, key, first, first_spec, second, second_spec = case
    catalog = CrdCatalog.load(CRDS)
    before = kubectl_get(sandbox, "plan", "wave2-db")
    assert key not in before["spec"]

    dry = await patch(sandbox, inventory, **{argument: first})
    assert not dry.is_error, text_of(dry)
    assert dry.structured_content["status"] == "dry-run"
    assert dry.structured_content["changed_fields"] == [key]
    assert f"+{key}:" in dry.structured_content["diff"]
    assert kubectl_get(sandbox, "plan", "wave2-db")["spec"] == before["spec"]

    for value, spec_value in ((first, first_spec), (second, second_spec)):
        result = await patch(sandbox, inventory, **{argument: value}, dry_run=False)
        assert not result.is_error, text_of(result)
        assert result.structured_content["status"] == "patched"
        stored = kubectl_get(sandbox, "plan", "wave2-db")
        assert stored["spec"][key] == spec_value
        assert catalog.validate(stored) == []
    again = await patch(sandbox, inventory, **{argument: second}, dry_run=False)
    assert again.structured_content["status"] == "unchanged"

    cleared = await patch(sandbox, inventory, **{argument: None}, dry_run=False)
    assert cleared.structured_content["changed_fields"] == [key]
    assert f"-{key}:" in cleared.structured_content["diff"]
    assert kubectl_get(sandbox, "plan", "wave2-db")["spec"] == before["spec"]


async def test_omitted_fields_are_kept_and_empty_clears(sandbox: Sandbox, inventory: FakeInventory) -> None:
    await patch(sandbox, inventory, convertor_labels="team=db", target_labels="env=prod", dry_run=False)
    result = await patch(sandbox, inventory, target_labels="", dry_run=False)
    spec = kubectl_get(sandbox, "plan", "wave2-db")["spec"]
    assert spec["convertorLabels"] == {"team": "db"}
    assert "targetLabels" not in spec
    assert result.structured_content["changed_fields"] == ["targetLabels"]
    assert any("team=db" in line for line in result.structured_content["placement"])


async def test_convertor_affinity_without_spreading_warns(sandbox: Sandbox, inventory: FakeInventory) -> None:
    result = await patch(sandbox, inventory, convertor_affinity="AVOID pods(tier=database) on node")
    assert any("replaces Forklift's default" in w for w in result.structured_content["warnings"])
    assert "plan wave2-db" in text_of(result)


async def test_refused_while_running(shared_sandbox: Sandbox, inventory: FakeInventory) -> None:
    async with connect(shared_sandbox, inventory) as client:
        result = await client.call_tool("patch_plan", {"name": "wave1", "convertor_labels": "team=x"})
    assert result.is_error
    text = text_of(result)
    assert "plan 'wave1' cannot be changed while it runs: plan wave1 is executing" in text
    assert "hint: wait until the migration finishes" in text
    assert kubectl_get(shared_sandbox, "plan", "wave1")["spec"]["convertorLabels"] == {"team": "migration"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "nope"}, "name"),
        ({"convertor_labels": "plan=x"}, "convertor_labels"),
        ({"convertor_affinity": "PREFER pods(a=b) on node weight=500"}, "convertor_affinity"),
        ({"target_node_selector": "zone"}, "target_node_selector"),
    ],
)
async def test_bad_arguments_name_the_argument(
    shared_sandbox: Sandbox, inventory: FakeInventory, arguments: dict[str, Any], field: str
) -> None:
    async with connect(shared_sandbox, inventory) as client:
        result = await client.call_tool("patch_plan", {"name": "wave2-db", **arguments})
    assert result.is_error
    assert f"patch_plan: {field}: " in text_of(result)


async def test_read_only_and_viewer(sandbox: Sandbox, inventory: FakeInventory) -> None:
    async with connect(sandbox, inventory, read_only=True) as client:
        refused = await client.call_tool("patch_plan", {"name": "wave2-db", "target_labels": "a=b", "dry_run": False})
    assert "dry_run: this server is read-only" in text_of(refused)
    async with connect(sandbox, inventory, token=sandbox.viewer_token) as client:
        forbidden = await client.call_tool("patch_plan", {"name": "wave2-db", "target_labels": "a=b", "dry_run": False})
    assert forbidden.is_error
    assert "(403)" in text_of(forbidden)
