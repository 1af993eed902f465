"""Fixtures of the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mtv_mcp.sandbox.runner import Sandbox


@pytest.fixture(scope="module")
def demo_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """The demo data set on loopback, read-only for the tests of one module."""
    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        yield sandbox
