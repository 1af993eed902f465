"""Rebasing recorded data: the newest timestamp becomes the sandbox's "now", distances stay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.sandbox.clock import format_time
from mtv_mcp.sandbox.loader import read_documents
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from mtv_mcp.sandbox.timestamps import shift_timestamps, time_shift

START = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_newest_timestamp_becomes_now_and_distances_stay() -> None:
    data = {
        "metadata": {"creationTimestamp": "2026-09-01T11:00:00Z", "annotations": {"at": "2026-09-01T11:30:00+02:00"}},
        "status": {
            "startTime": "2026-09-01T11:05:00Z",
            "conditions": [{"lastTransitionTime": "2026-09-01T11:59:30Z", "message": "since 2026-09-01T11:00:00Z"}],
        },
        "eventTime": "2026-09-01T11:06:00.250000Z",
        "count": 3,
    }
    shift = time_shift([data], START)
    moved = shift_timestamps(data, shift)
    assert moved["status"]["conditions"][0]["lastTransitionTime"] == "2030-01-15T08:00:00Z"
    assert moved["metadata"]["creationTimestamp"] == "2030-01-15T07:00:30Z"
    assert moved["status"]["startTime"] == "2030-01-15T07:05:30Z"
    assert moved["metadata"]["annotations"]["at"] == "2030-01-15T05:30:30Z"  # offsets are written in UTC
    assert moved["eventTime"] == "2030-01-15T07:06:30.250000Z"  # a fraction is kept
    assert moved["status"]["conditions"][0]["message"] == "since 2026-09-01T11:00:00Z"  # text is not a timestamp
    assert moved["count"] == 3
    assert data["metadata"]["creationTimestamp"] == "2026-09-01T11:00:00Z"  # the input is not changed


def test_data_without_timestamps_is_not_moved() -> None:
    assert time_shift([{"a": ["b", 1, None]}, "2026-13-45T99:00:00Z"], START) == timedelta()
    assert shift_timestamps({"t": "2026-09-01T11:00:00Z"}, timedelta()) == {"t": "2026-09-01T11:00:00Z"}


_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)


@given(st.lists(_moments, min_size=1, max_size=6), _moments)
def test_every_pairwise_distance_is_kept(moments: list[datetime], now: datetime) -> None:
    recorded = [format_time(m) for m in moments]
    moved = [_parse(text) for text in shift_timestamps(recorded, time_shift([recorded], now))]
    assert max(moved) == now
    assert [b - a for a, b in pairwise(moved)] == [b - a for a, b in pairwise(moments)]


def _demo_timestamps() -> list[datetime]:
    found: list[datetime] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value[:2] == "20" and value.endswith("Z") and "T" in value:
            found.append(_parse(value))

    for _, doc in read_documents(DATA_ROOT / "demo" / "kube"):
        walk(doc)
    return found


@pytest.fixture(scope="module")
def demo(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data="demo", crds=sandbox_crds, frozen_at=START) as sandbox:
        yield sandbox


def test_demo_data_is_rebased_to_the_sandbox_clock(demo: Sandbox) -> None:
    recorded = _demo_timestamps()
    shift = START - max(recorded)
    pending = demo.store.get("pods", "app-migrated", "wave1-vm-2061-zk4qd")
    source = next(
        doc
        for _, doc in read_documents(DATA_ROOT / "demo" / "kube")
        if doc.get("kind") == "Pod" and doc["metadata"]["name"] == "wave1-vm-2061-zk4qd"
    )
    assert _parse(pending["metadata"]["creationTimestamp"]) == _parse(source["metadata"]["creationTimestamp"]) + shift
    for condition, original in zip(pending["status"]["conditions"], source["status"]["conditions"], strict=True):
        assert _parse(condition["lastTransitionTime"]) == _parse(original["lastTransitionTime"]) + shift
    stamps = [
        _parse(stamp)
        for kind in ("pods", "events", "nodes", "plans", "migrations")
        for obj in demo.store.list(kind)
        for stamp in (
            obj["metadata"]["creationTimestamp"],
            obj.get("lastTimestamp") or obj["metadata"]["creationTimestamp"],
        )
    ]
    assert max(stamps) <= START
    assert min(stamps) >= min(recorded) + shift


def test_kubectl_ages_count_from_the_rebased_times(demo: Sandbox) -> None:
    table = httpx.get(
        f"{demo.url}/api/v1/namespaces/app-migrated/pods",
        headers={
            "Authorization": f"Bearer {demo.admin_token}",
            "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io",
        },
    ).json()
    ages = {row["cells"][0]: row["cells"][4] for row in table["rows"]}
    assert ages
    assert all("d" not in age for age in ages.values()), ages  # minutes and hours, not "85d10h"


def test_inventory_times_move_with_the_cluster(demo: Sandbox) -> None:
    shift = START - max(_demo_timestamps())
    recorded = yaml.safe_load((DATA_ROOT / "demo" / "inventory" / "providers.json").read_text())
    served = httpx.get(
        f"{demo.inventory_url}/providers?detail=1", headers={"Authorization": f"Bearer {demo.admin_token}"}
    ).json()
    before = {e["object"]["metadata"]["uid"]: e["object"]["metadata"]["creationTimestamp"] for e in recorded}
    after = {
        p["uid"]: p["object"]["metadata"]["creationTimestamp"] for ps in served.values() for p in ps if "object" in p
    }
    assert after
    for uid, stamp in after.items():
        assert _parse(stamp) == _parse(before[uid]) + shift


def test_custom_data_folder_is_rebased_too(tmp_path: Path) -> None:
    (tmp_path / "kube").mkdir()
    (tmp_path / "kube" / "ns.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: old, creationTimestamp: '2001-02-03T04:05:06Z'}\n"
    )
    with Sandbox.start(data=tmp_path, frozen_at=START) as sandbox:
        assert sandbox.store.get("namespaces", None, "old")["metadata"]["creationTimestamp"] == format_time(START)


def test_go_zero_time_means_unset_and_is_never_shifted() -> None:
    zero = "0001-01-01T00:00:00Z"
    assert shift_timestamps({"completed": zero}, timedelta(days=-200)) == {"completed": zero}
    assert shift_timestamps(zero, timedelta(days=3)) == zero
