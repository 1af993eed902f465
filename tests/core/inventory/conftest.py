"""A loopback inventory per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.core.inventory.fake_inventory import FakeInventory


@pytest.fixture
def fake_inventory() -> Iterator[FakeInventory]:
    with FakeInventory().running() as inventory:
        yield inventory
