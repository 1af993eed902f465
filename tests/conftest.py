"""Project-wide test configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_CRDS = REPO_ROOT.parent / "shared" / "crds"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def crd_dir() -> Path:
    """The Forklift CRDs laid beside the repository (``../shared/crds``)."""
    if not SHARED_CRDS.is_dir():
        pytest.fail(f"the Forklift CRDs are expected in {SHARED_CRDS}")
    return SHARED_CRDS
