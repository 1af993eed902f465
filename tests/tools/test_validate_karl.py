"""validate_karl through a real MCP client (in process, both protocol eras)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.server.app import create_server
from mtv_mcp.tools import validate_karl

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    async with Client(create_server(Settings(), tools=[validate_karl.TOOL]), mode=request.param) as connected:
        yield connected


async def call(client: Client, **arguments: Any) -> Any:
    return await client.call_tool("validate_karl", arguments)


async def test_schema_documents_the_arguments(client: Client) -> None:
    (tool,) = (await client.list_tools()).tools
    properties = tool.input_schema["properties"]
    assert set(properties) == {
        "rules",
        "purpose",
        "keep_default_spreading",
        "check_cluster",
        "node_selector",
        "target_namespace",
    }
    assert "nodes(" in properties["rules"]["description"]
    assert properties["check_cluster"]["default"] is False
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert tool.annotations.open_world_hint is True  # the placement preview reads the cluster
    assert "placement" in tool.output_schema["properties"]


async def test_valid_rule(client: Client) -> None:
    result = await call(client, rules="PREFER pods(app=ceph-osd) on node weight=90")
    assert not result.is_error
    data = result.structured_content
    assert data["valid"] is True
    assert data["errors"] == []
    assert data["affinity"] == {
        "podAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 90,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app": "ceph-osd"}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    assert yaml.safe_load(data["affinity_yaml"]) == data["affinity"]
    assert data["soft_equivalent"] is None
    assert any("only sees pods in the namespace" in w for w in data["warnings"])
    assert data["explanation"] == [
        "The convertor pod prefers (weight 90) to run on a node that runs a pod with app=ceph-osd in its own namespace."
    ]
    assert "valid: 1 rule(s)" in result.content[0].text


async def test_invalid_rule_is_an_error_an_assistant_can_act_on(client: Client) -> None:
    result = await call(client, rules="PREFER pods(app=ceph-osd) on node weight=500")
    assert result.is_error
    text = result.content[0].text
    assert "weight must be from 1 to 100, got 500 (column 42)" in text
    assert "^" in text
    assert "hint:" in text
    (issue,) = result.structured_content["errors"]
    assert issue["column"] == 42
    assert issue["field"] is None


async def test_several_rules_and_all_errors_reported(client: Client) -> None:
    good = await call(client, rules=["REQUIRE pods(a=b) on zone", "REPEL pods(c=d) on node weight=10"])
    assert good.structured_content["rules"] == [
        "REQUIRE pods(a=b) on zone",
        "REPEL pods(c=d) on node weight=10",
    ]
    assert set(good.structured_content["affinity"]) == {"podAffinity", "podAntiAffinity"}
    assert good.structured_content["soft_equivalent"] == [
        "PREFER pods(a=b) on zone",
        "REPEL pods(c=d) on node weight=10",
    ]
    bad = await call(client, rules=["REQUIRE pods(a=b) on zone", "ATTRACT pods(x=y) on node", "AVOID pods() on node"])
    assert bad.is_error
    fields = [issue["field"] for issue in bad.structured_content["errors"]]
    assert fields == ["rules[1]", "rules[2]"]
    assert "did you mean PREFER" in bad.content[0].text


async def test_extensions(client: Client) -> None:
    result = await call(
        client,
        rules="REQUIRE nodes(disk=ssd); PREFER pods(app=ceph-osd) in namespaces(openshift-storage) on node",
        keep_default_spreading=True,
    )
    data = result.structured_content
    assert data["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] == {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}]
    }
    terms = data["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert terms[0]["podAffinityTerm"]["namespaces"] == ["openshift-storage"]
    spread = data["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert spread["podAffinityTerm"]["namespaceSelector"] == {}
    assert not any("replaces Forklift's default" in w for w in data["warnings"])


async def test_llm_style_list_in_a_string(client: Client) -> None:
    result = await call(client, rules='["AVOID pods(tier=db) on node", "PREFER nodes(ssd=true) weight=5"]')
    assert not result.is_error
    assert result.structured_content["rules"] == [
        "AVOID pods(tier=db) on node",
        "PREFER nodes(ssd=true) weight=5",
    ]
