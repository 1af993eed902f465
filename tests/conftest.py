"""Project-wide test configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests import shared_material

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
