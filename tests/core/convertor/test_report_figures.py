"""Groups, slowest VMs and their likely why, from measured runs built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mtv_mcp.core.convertor.report_figures import Side, compare, group, label_gap, pair_vms, rate, slowest
from mtv_mcp.core.convertor.report_models import VmRun
from mtv_mcp.core.convertor.runs import Measured

T0 = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)


def measured(vm: str, node: str, gib: float, mib_s: float, *, start: float = 0, disks: int = 1) -> Measured:
    seconds = gib * 1024 / mib_s
    run = VmRun(
        vm=vm,
        id=vm,
        state="Succeeded",
        pod=f"{vm}-pod",
        node=node,
        zone=None,
        rules="no rules",
        disk_gb=gib,
        disks=disks,
        storage_class="ceph-rbd",
        datastores=[],
        guest_os=None,
        seconds=int(seconds + 90),
        phases={"ImageConversion": 90, "DiskTransferV2v": int(seconds)},
        mib_s=mib_s,
        log_mib_s=None,
        progress_pct=None,
        eta_seconds=None,
        error=None,
    )
    begin = T0 + timedelta(seconds=start)
    return Measured(run, gib * 1024, seconds, begin, begin + timedelta(seconds=seconds))


def node(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **labels}}}


NODES = {"fast": node("fast", storage="nvme", fastnet="true"), "slow": node("slow", storage="sas")}


def test_slowest_names_the_node_its_missing_labels_and_the_neighbour() -> None:
    runs = [
        measured("a", "fast", 100, 180),
        measured("b", "slow", 50, 60, start=10),
        measured("c", "slow", 50, 60, start=20, disks=3),
    ]
    by_node = group(runs, lambda m: [m.run.node or "unplaced"])
    assert [g.key for g in by_node] == ["slow", "fast"]
    assert by_node[0].mib_s == pytest.approx(60)
    found = slowest(runs, by_node, group(runs, lambda m: [m.run.storage_class or ""]), NODES)
    assert [s.vm for s in found] == ["b", "c"]
    why = found[1].why
    assert why[0] == "node slow averaged 60 MiB/s vs 180 on fast; it lacks fastnet=true, storage=sas (not nvme)"
    assert "node pressure: shared slow with 1 other convertor(s) while copying" in why
    assert "3 disks, copied one after another" in why


def test_no_slowest_when_every_vm_copies_alike() -> None:
    runs = [measured("a", "fast", 10, 100), measured("b", "slow", 10, 90)]
    assert slowest(runs, group(runs, lambda m: [m.run.node or ""]), [], NODES) == []


def test_rate_weights_by_time_copying_not_by_vm() -> None:
    runs = [measured("a", "fast", 100, 200), measured("b", "slow", 100, 50)]
    assert rate(runs) == pytest.approx(200 * 1024 / (512 + 2048), rel=1e-3)


def test_label_gap_ignores_hostname_and_topology() -> None:
    assert label_gap(NODES["slow"], NODES["fast"]) == ["lacks fastnet=true", "storage=sas (not nvme)"]


def test_comparison_direction() -> None:
    fast = Side("new", "new-1", [measured("a", "fast", 100, 180)], 700)
    slow = Side("old", "old-1", [measured("b", "slow", 100, 60)], 1800)
    assert compare(fast, slow).speedup == pytest.approx(3.0)
    assert "3.0x faster per GB" in compare(fast, slow).verdict
    assert "3.0x slower per GB" in compare(slow, fast).verdict


def test_vms_paired_by_name_first_then_by_closest_size_in_their_class() -> None:
    mine = [measured("db", "n", 600, 100), measured("web", "n", 60, 100), measured("tiny", "n", 10, 100)]
    theirs = [
        measured("web2", "n", 70, 50),
        measured("db", "n", 700, 50),
        measured("app", "n", 150, 50),
        measured("huge", "n", 900, 50),
    ]
    pairs = pair_vms([m.run for m in mine], [m.run for m in theirs])
    assert [(p.vm, p.other_vm, p.match) for p in pairs] == [("db", "db", "name"), ("web", "web2", "size")]
    web2 = theirs[0].run
    assert (pairs[1].seconds, pairs[1].other_seconds) == (mine[1].run.seconds, web2.seconds)
