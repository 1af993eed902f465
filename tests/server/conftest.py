"""Fixtures of the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mtv_mcp.sandbox.runner import Sandbox


@pytest.fixture(scope="module")
def demo_sandbox(crd_dir: Path) -> Iterator[Sandbox]:
    """The demo data set on loopback, read-only for the tests of one module."""
    with Sandbox.start(data="demo", crds=crd_dir) as sandbox:
        yield sandbox
