"""Workflow prompts through a real MCP client: defaults shown, no empty placeholders, completions
of provider, plan and namespace names from the demo sandbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.types import PromptReference, TextContent

from mtv_mcp.core.config import Settings
from mtv_mcp.prompts.loader import WorkflowArgument, load_workflows
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(demo_sandbox: Sandbox) -> AsyncIterator[Client]:
    async with Client(create_server(Settings(kubeconfig=demo_sandbox.kubeconfig_path))) as connected:
        yield connected


async def test_descriptions_show_what_an_omitted_argument_means(client: Client) -> None:
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    for workflow in load_workflows():
        for argument, listed in zip(workflow.arguments, prompts[workflow.name].arguments or [], strict=True):
            assert listed.description is not None
            if argument.required:
                assert "(default:" not in listed.description
            else:
                assert listed.description.endswith(f"(default: {argument.default or argument.empty})"), listed
    namespace = (prompts["troubleshoot_pending_convertor"].arguments or [])[1]
    assert namespace.description == "Namespace of the plan (default: the server's default namespace)"


async def test_no_rendered_prompt_has_an_empty_placeholder(client: Client) -> None:
    for workflow in load_workflows():
        required = {a.name: "x" for a in workflow.arguments if a.required}
        rendered = await client.get_prompt(workflow.name, required)
        text = "".join(m.content.text for m in rendered.messages if isinstance(m.content, TextContent))
        assert "``" not in text, workflow.name
        assert not re.search(r"\$[a-z_]", text), workflow.name
    rendered = await client.get_prompt("troubleshoot_pending_convertor", {"plan": "wave1"})
    assert isinstance(rendered.messages[0].content, TextContent)
    assert "plan `wave1` (namespace: the server's default namespace)" in rendered.messages[0].content.text


def test_an_optional_argument_without_default_must_say_what_empty_means() -> None:
    with pytest.raises(ValueError, match="needs `empty` wording"):
        WorkflowArgument(name="vms", description="VMs")


async def _complete(client: Client, prompt: str, name: str, value: str, **context: str) -> list[str]:
    result = await client.complete(
        PromptReference(type="ref/prompt", name=prompt), {"name": name, "value": value}, context
    )
    return result.completion.values


async def test_provider_plan_and_namespace_names_are_completed(client: Client) -> None:
    assert await _complete(client, "phased_migration", "provider", "") == [
        "openstack-lab",
        "ova-archive",
        "ovirt-legacy",
        "vsphere-prod",
    ]  # no host
    assert "wave1" in await _complete(client, "troubleshoot_pending_convertor", "plan", "wa")
    assert all(p.startswith("wa") for p in await _complete(client, "troubleshoot_pending_convertor", "plan", "wa"))
    assert await _complete(client, "troubleshoot_pending_convertor", "plan", "w", namespace="nowhere") == []
    assert await _complete(client, "troubleshoot_pending_convertor", "namespace", "open") == ["openshift-mtv"]
    assert await _complete(client, "phased_migration", "scope", "") == []


async def test_completion_without_a_cluster_offers_nothing() -> None:
    async with Client(create_server(Settings(kubeconfig=Path("/nonexistent/kubeconfig")))) as client:
        assert await _complete(client, "phased_migration", "provider", "") == []
