"""patch_plan through a real MCP client against the demo sandbox (CRD validation on): set, change
and clear each placement field of a copy of the demo plan wave2-db (read back with kubectl), dry
runs, and the refusal while the demo plan wave1 runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mtv_mcp.sandbox.crdschema import CrdCatalog
from mtv_mcp.sandbox.runner import Sandbox
from tests.tools.plan_fixtures import NAMESPACE, connect, kubectl_get, sandbox, text_of, tls_sandbox

pytestmark = pytest.mark.anyio
__all__ = ["sandbox", "tls_sandbox"]

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


def copy_of_wave2_db(sandbox: Sandbox, name: str) -> str:
    """A not-yet-started plan ``name`` with the spec of the demo plan wave2-db (one per test)."""
    spec = sandbox.store.get("plans", NAMESPACE, "wave2-db")["spec"]
    plan = {"apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Plan", "spec": spec}
    sandbox.store.create({**plan, "metadata": {"name": name, "namespace": NAMESPACE}})
    return name


async def patch(sandbox: Sandbox, name: str, **arguments: Any) -> Any:
    async with connect(sandbox) as client:
        return await client.call_tool("patch_plan", {"name": name, **arguments})


def patcher(client: Client, name: str) -> Callable[..., Awaitable[Any]]:
    """``await patch_plan(**arguments)`` calls patch_plan on plan ``name`` through ``client``."""

    async def call(**arguments: Any) -> Any:
        return await client.call_tool("patch_plan", {"name": name, **arguments})

    return call


@pytest.mark.parametrize("case", FIELDS, ids=[f[0] for f in FIELDS])
async def test_set_change_and_clear(
    tls_sandbox: Sandbox, crd_dir: Path, case: tuple[str, str, Any, Any, Any, Any]
) -> None:
    argument, key, first, first_spec, second, second_spec = case
    name = copy_of_wave2_db(tls_sandbox, argument.replace("_", "-"))
    catalog = CrdCatalog.load(crd_dir)
    before = kubectl_get(tls_sandbox, "plan", name)
    assert key not in before["spec"]

    async with connect(tls_sandbox) as client:
        patch_plan = patcher(client, name)
        dry = await patch_plan(**{argument: first})
        assert not dry.is_error, text_of(dry)
        assert dry.structured_content["status"] == "dry-run"
        assert dry.structured_content["changed_fields"] == [key]
        assert f"+{key}:" in dry.structured_content["diff"]
        assert kubectl_get(tls_sandbox, "plan", name)["spec"] == before["spec"]

        for value, spec_value in ((first, first_spec), (second, second_spec)):
            result = await patch_plan(**{argument: value}, dry_run=False)
            assert not result.is_error, text_of(result)
            assert result.structured_content["status"] == "patched"
            stored = kubectl_get(tls_sandbox, "plan", name)
            assert stored["spec"][key] == spec_value
            assert catalog.validate(stored) == []
        again = await patch_plan(**{argument: second}, dry_run=False)
        assert again.structured_content["status"] == "unchanged"

        cleared = await patch_plan(**{argument: None}, dry_run=False)
        assert cleared.structured_content["changed_fields"] == [key]
        assert f"-{key}:" in cleared.structured_content["diff"]
        assert kubectl_get(tls_sandbox, "plan", name)["spec"] == before["spec"]


def stored_spec(sandbox: Sandbox, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = sandbox.store.get("plans", NAMESPACE, name)["spec"]
    return spec


async def test_omitted_fields_are_kept_and_empty_clears(sandbox: Sandbox) -> None:
    name = copy_of_wave2_db(sandbox, "omitted")
    await patch(sandbox, name, convertor_labels="team=db", target_labels="env=prod", dry_run=False)
    result = await patch(sandbox, name, target_labels="", dry_run=False)
    spec = stored_spec(sandbox, name)
    assert spec["convertorLabels"] == {"team": "db"}
    assert "targetLabels" not in spec
    assert result.structured_content["changed_fields"] == ["targetLabels"]
    assert any("team=db" in line for line in result.structured_content["placement"])


async def test_convertor_affinity_without_spreading_warns(sandbox: Sandbox) -> None:
    result = await patch(sandbox, "wave2-db", convertor_affinity="AVOID pods(tier=database) on node")
    assert any("replaces Forklift's default" in w for w in result.structured_content["warnings"])
    assert "plan wave2-db" in text_of(result)
    assert "convertorAffinity" not in stored_spec(sandbox, "wave2-db")


async def test_refused_while_running(sandbox: Sandbox) -> None:
    result = await patch(sandbox, "wave1", convertor_labels="team=x")
    assert result.is_error
    text = text_of(result)
    assert "plan 'wave1' cannot be changed while it runs: migration wave1-x8k2p of plan wave1" in text
    assert "win-sql-01 (ConvertGuest)" in text
    assert "hint: wait until the migration finishes" in text
    assert stored_spec(sandbox, "wave1")["convertorLabels"] == {"team": "migration", "wave": "1"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "nope"}, "name"),
        ({"convertor_labels": "plan=x"}, "convertor_labels"),
        ({"convertor_affinity": "PREFER pods(a=b) on node weight=500"}, "convertor_affinity"),
        ({"target_node_selector": "zone"}, "target_node_selector"),
    ],
)
async def test_bad_arguments_name_the_argument(sandbox: Sandbox, arguments: dict[str, Any], field: str) -> None:
    arguments = {"name": "wave2-db", **arguments}
    result = await patch(sandbox, arguments.pop("name"), **arguments)
    assert result.is_error
    assert f"patch_plan: {field}: " in text_of(result)


async def test_read_only_and_viewer(sandbox: Sandbox) -> None:
    async with connect(sandbox, read_only=True) as client:
        refused = await client.call_tool("patch_plan", {"name": "wave2-db", "target_labels": "a=b", "dry_run": False})
    assert "dry_run: this server is read-only" in text_of(refused)
    async with connect(sandbox, token=sandbox.viewer_token) as client:
        forbidden = await client.call_tool("patch_plan", {"name": "wave2-db", "target_labels": "a=b", "dry_run": False})
    assert forbidden.is_error
    assert "(403)" in text_of(forbidden)
    assert "targetLabels" not in stored_spec(sandbox, "wave2-db")
