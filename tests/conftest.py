"""Project-wide test configuration."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import dependencies, shared_material

if TYPE_CHECKING:
    from mtv_mcp.sandbox.runner import Sandbox


def pytest_configure(config: pytest.Config) -> None:
    """Stop at once, saying what to install, when this Python lacks the project's dependencies."""
    absent = dependencies.missing()
    if absent:
        pytest.exit(
            f"the tests need mtv-mcp's dependencies, and {sys.executable} lacks {', '.join(absent)}; "
            "install them first, from the checkout in a virtual environment: pip install '.[test]' "
            "(README, 'Run the tests')",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    from hypothesis import settings  # only once it is known to be installed

    # CI replays the same examples every run (a red CI is reproducible); elsewhere hypothesis explores.
    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def crd_dir() -> Path:
    """The upstream Forklift CRDs (skips the test when they are not beside the checkout)."""
    return shared_material.crds()


@pytest.fixture(scope="session")
def guide_text() -> str:
    """The convertor optimisation guide (skips the test when it is not beside the checkout)."""
    return shared_material.guide()


@pytest.fixture(scope="session")
def sandbox_crds() -> Path | None:
    """The CRDs a sandbox validates its objects against when they are there, else None."""
    return shared_material.optional_crds()


@pytest.fixture(scope="module")
def demo_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """The demo data set on loopback, read-only for the tests of one module."""
    from mtv_mcp.sandbox.runner import Sandbox  # after the dependency check

    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        yield sandbox
