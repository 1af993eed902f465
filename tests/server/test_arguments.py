"""Strict arguments through a real MCP client: unknown names refused with the closest valid one,
validation failures one clean sentence per argument, prompt mistakes JSON-RPC invalid params."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from mtv_mcp.core.config import Settings
from mtv_mcp.server.app import create_server
from mtv_mcp.server.arguments import closest
from mtv_mcp.server.session import text_of
from mtv_mcp.tools import ALL_TOOLS

pytestmark = pytest.mark.anyio

LIBRARY_WORDS = ("pydantic", "Arguments", "validation error", "Traceback", "For further information")


@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[Client]:
    async with Client(create_server(Settings()), mode=request.param) as connected:
        yield connected


async def _refusal(client: Client, tool: str, arguments: dict[str, object]) -> str:
    result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error, text
    assert text.startswith(f"Invalid arguments for {tool}: "), text
    assert not any(word in text for word in LIBRARY_WORDS), text
    return text


@pytest.mark.parametrize(
    ("tool", "arguments", "wrong", "meant"),
    [
        ("query_vms", {"provider": "vsphere", "where": "memoryGB > 8"}, "where", "query"),
        (
            "patch_plan",
            {"name": "wave1", "convertorNodeSelector": "a=b"},
            "convertorNodeSelector",
            "convertor_node_selector",
        ),
        ("create_plan", {"name": "p", "source": "vsphere", "vms": "a", "dryRun": False}, "dryRun", "dry_run"),
        ("inspect_convertor_pods", {"plan": "wave1", "logLines": 5}, "logLines", "log_lines"),
        ("validate_karl", {"rule": "PREFER nodes(a=b)"}, "rule", "rules"),
        ("cluster_overview", {"namspace": "*"}, "namspace", "namespace"),
    ],
)
async def test_an_unknown_argument_is_refused_naming_the_closest(
    client: Client, tool: str, arguments: dict[str, object], wrong: str, meant: str
) -> None:
    text = await _refusal(client, tool, arguments)
    assert f"unknown argument `{wrong}`: did you mean `{meant}`?" in text


async def test_an_unknown_argument_with_no_close_name_lists_what_the_tool_takes(client: Client) -> None:
    text = await _refusal(client, "cluster_overview", {"zzz": 1})
    assert "unknown argument `zzz`: it takes namespace, verbose." in text


async def test_every_tool_refuses_unknown_arguments(client: Client) -> None:
    for tool in ALL_TOOLS:
        text = await _refusal(client, tool.name, {"no_such_argument_here": 1})
        assert "`no_such_argument_here`" in text


async def test_validation_failures_are_one_sentence_per_argument(client: Client) -> None:
    text = await _refusal(client, "query_vms", {"limit": "many", "refresh": "perhaps"})
    assert text == (
        "Invalid arguments for query_vms: `provider` is required. "
        "`limit`: input should be a valid integer, unable to parse string as an integer. "
        "`refresh`: input should be a valid boolean, unable to interpret input."
    )
    union = await _refusal(client, "patch_plan", {"name": "wave1", "convertor_labels": 5})
    assert union.endswith("`convertor_labels`: input should be a valid dictionary or input should be a valid string.")
    nested = await _refusal(client, "query_vms", {"provider": "p", "fields": ["name", 3]})
    assert "`fields[1]`: input should be a valid string." in nested


async def test_a_refused_call_logs_no_traceback(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        await _refusal(client, "create_plan", {"name": "p", "source": "s", "vms": "a", "dryRun": False})
    assert not any(record.exc_info for record in caplog.records)


async def test_valid_arguments_pass_the_gate(client: Client) -> None:
    result = await client.call_tool("validate_karl", {"rules": "PREFER nodes(disk=nvme)"})
    assert not result.is_error, text_of(result)


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({}, "`plan` is required."),
        ({"plan": "wave1", "nmespace": "x"}, "unknown argument `nmespace`: did you mean `namespace`?"),
    ],
)
async def test_prompt_argument_mistakes_are_invalid_params(
    client: Client, caplog: pytest.LogCaptureFixture, arguments: dict[str, str], problem: str
) -> None:
    with caplog.at_level(logging.INFO), pytest.raises(MCPError) as raised:
        await client.get_prompt("troubleshoot_pending_convertor", arguments)
    assert raised.value.error.code == INVALID_PARAMS
    assert raised.value.error.message == f"Invalid arguments for prompt troubleshoot_pending_convertor: {problem}"
    assert not any(record.exc_info for record in caplog.records)


@pytest.mark.parametrize(
    ("given", "known", "meant"),
    [
        ("dryRun", ["name", "dry_run"], "dry_run"),
        ("convertorNodeSelector", ["convertor_node_selector", "target_node_selector"], "convertor_node_selector"),
        ("where", ["provider", "query"], "query"),
        ("filter", ["provider", "query"], "query"),
        ("selector", ["convertor_node_selector"], "convertor_node_selector"),
        ("affinity", ["convertor_affinity", "target_affinity"], "convertor_affinity"),
        ("provider", ["name", "source", "vms"], "source"),
        ("plan_name", ["plan", "vm"], "plan"),
        ("verbosity", ["namespace", "verbose"], "verbose"),
        ("xyz", ["namespace", "verbose"], None),
    ],
)
def test_closest_argument(given: str, known: list[str], meant: str | None) -> None:
    assert closest(given, known) == meant
