"""The server through a real MCP client in the same process, on both protocol eras."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mcp import Client
from mcp.types import TextResourceContents

from mtv_mcp.core.config import Settings
from mtv_mcp.server.app import create_server
from tests.server.helpers import TEST_TOOLS

pytestmark = pytest.mark.anyio

WORKFLOWS = {
    "place_convertors_near_storage",
    "isolate_convertors_from_production",
    "dedicated_migration_nodes",
    "troubleshoot_pending_convertor",
    "phased_migration",
    "benchmark_convertor_placement",
}


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    async with Client(create_server(Settings()), mode=request.param) as connected:
        yield connected


async def test_instructions_teach_the_workflow(client: Client) -> None:
    instructions = client.instructions or ""
    order = ["cluster_overview", "query_vms", "validate_karl", "create_plan", "inspect_convertor_pods"]
    positions = [instructions.index(name) for name in order]
    assert positions == sorted(positions)


async def test_workflow_prompts_have_arguments_and_name_the_tools(client: Client) -> None:
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == WORKFLOWS
    for prompt in prompts.values():
        assert prompt.arguments, prompt.name
        assert prompt.description
    rendered = await client.get_prompt("troubleshoot_pending_convertor", {"plan": "wave1"})
    text = rendered.messages[0].content.text
    assert "plan `wave1`" in text
    assert text.index("inspect_convertor_pods") < text.index("patch_plan")


async def test_benchmark_prompt_walks_baseline_change_compare_decide(client: Client) -> None:
    rendered = await client.get_prompt("benchmark_convertor_placement", {"baseline": "wave0", "candidate": "wave1"})
    text = rendered.messages[0].content.text
    steps = ["`migration_report` with plan `wave0`", "`forecast`", "compare_with `wave0`", "Decide"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


async def test_prompt_defaults_fill_optional_arguments(client: Client) -> None:
    rendered = await client.get_prompt("phased_migration", {"provider": "vsphere-east"})
    text = rendered.messages[0].content.text
    assert "at most `20` VMs" in text
    assert "$" not in text


async def test_references_are_resources(client: Client) -> None:
    uris = {str(r.uri) for r in (await client.list_resources()).resources}
    assert {"mtv://reference/tsl", "mtv://reference/karl"} <= uris
    contents = (await client.read_resource("mtv://reference/karl")).contents[0]
    assert isinstance(contents, TextResourceContents)
    assert "KARL" in contents.text


async def test_response_text_is_capped_with_a_hint() -> None:
    server = create_server(Settings(max_response_chars=50), tools=TEST_TOOLS)
    async with Client(server) as client:
        result = await client.call_tool("echo", {"text": "x" * 500})
    text = result.content[0].text
    assert text.startswith("x" * 50 + "\n[output cut at 50 characters: echo less text]")
    assert result.structured_content == {"text": "x" * 500}


async def test_no_credentials_is_a_clear_tool_error_and_the_server_keeps_going(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    async with Client(create_server(Settings(), tools=TEST_TOOLS)) as client:
        first = await client.call_tool("whoami", {})
        second = await client.call_tool("echo", {"text": "still here"})
    assert first.is_error
    assert "no Kubernetes credentials" in first.content[0].text
    assert "--kubeconfig" in first.content[0].text
    assert second.structured_content == {"text": "still here"}


async def test_flags_take_precedence_over_kubeconfig(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings.model_validate(
        {"kube_server": "https://api.example:6443", "kube_token": "s3cret", "kubeconfig": "/nonexistent"}
    )
    async with Client(create_server(settings, tools=TEST_TOOLS)) as client:
        result = await client.call_tool("whoami", {})
    assert result.structured_content == {"source": "flags", "server": "https://api.example:6443", "has_token": True}
    assert "s3cret" not in str(result.content)
