"""virt-v2v log parsing: the demo sample logs, error patterns, ordering and robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.convertor.progress import Stage, classify_line, parse_v2v_log

LOGS = Path(__file__).parent / "logs"
GI = 1024**3


def _log(name: str) -> str:
    return (LOGS / name).read_text(encoding="utf-8")


def test_running_demo_pod_is_copying_disk_2_of_2_at_42_percent() -> None:
    progress = parse_v2v_log(_log("running-pg-prod-01.log"), disk_sizes=[100 * GI, 500 * GI])
    assert progress.stage is Stage.DISK_COPY
    assert progress.stage_label == "Copying disk 2 of 2"
    assert (progress.disk_index, progress.disk_count, progress.percent) == (2, 2, 42.0)
    assert progress.errors == []
    assert not progress.completed
    assert progress.elapsed_seconds == 702.3
    # the Migration's DiskTransferV2v pipeline step says 317440 of 614400 MB
    assert progress.overall_percent([100 * GI, 500 * GI]) == round(100 * 317440 / 614400, 2)
    assert progress.overall_percent() == 71.0
    assert progress.throughput is not None
    assert progress.throughput.bytes == 100 * GI
    assert progress.throughput.seconds == pytest.approx(702.3 - 88.7)
    assert progress.throughput.mib_per_second == pytest.approx(102400 / 613.6)


def test_succeeded_demo_pod_has_finished() -> None:
    progress = parse_v2v_log(_log("succeeded-web-frontend-01.log"), disk_sizes=[60 * GI])
    assert progress.stage is Stage.FINISH
    assert progress.completed
    assert (progress.disk_index, progress.disk_count, progress.percent) == (1, 1, 100.0)
    assert progress.overall_percent() == 100.0
    assert progress.disk_copies[0].started == 455.8
    assert progress.disk_copies[0].ended == 812.0
    assert progress.throughput is not None


def test_failed_inspection_is_a_root_cause() -> None:
    progress = parse_v2v_log(_log("failed-legacy-app-01.log"))
    assert progress.stage is Stage.INSPECT
    assert progress.overall_percent() == 0.0
    [error] = progress.errors
    assert error.code == "inspection-failed"
    assert error.root_cause
    assert error.line_number == 2
    assert error.hint


def test_no_throughput_without_sizes_or_finished_copies() -> None:
    assert parse_v2v_log(_log("running-pg-prod-01.log")).throughput is None
    only_started = "[  88.7] Copying disk 1/1\nvirt-v2v monitoring: Progress update, completed 3 %\n"
    assert parse_v2v_log(only_started, disk_sizes=[GI]).throughput is None


def test_empty_log_has_not_started() -> None:
    progress = parse_v2v_log("")
    assert progress.stage is Stage.NOT_STARTED
    assert progress.stage_label == "Not started"
    assert progress.percent is None


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("libguestfs: error: qemu-kvm: cannot set up guest memory 'pc.ram': Cannot allocate memory", "out-of-memory"),
        ("Memory cgroup out of memory: Killed process 4242 (qemu-kvm)", "out-of-memory"),
        ("virt-v2v: error: nbdcopy command failed: write: No space left on device", "disk-full"),
        ("nbdkit: vddk[1]: error: VixDiskLib_OpenEx: Cannot open disk [ds-nvme-01] a/a.vmdk", "vddk-error"),
        ("VixDiskLib_ConnectEx: Failed to connect to host esxi-01 on port 902", "vddk-error"),
        ("nbdkit: curl[1]: error: problem doing HEAD request: SSL peer certificate", "nbdkit-error"),
        ("virt-v2v: error: libvirt: Permission denied: cannot access storage file", "permission-denied"),
        ("virt-v2v: error: inspection could not detect the source guest (or physical machine).", "inspection-failed"),
        ("[  130.2] blk_update_request: I/O error, dev sda, sector 2048", "io-error"),
        ("mount: unknown filesystem type 'zfs_member'", "mount-failed"),
        ("XFS (sda1): Superblock has unknown compatible features; please run xfs_repair", "filesystem-corrupt"),
        ("guestfsd: error: lvm_scan: Volume group not found", "guestfsd-error"),
        ("[FAILED] Failed to start foo.service. Result: exit-code", "guest-unit-failed"),
        ("windows: conversion failed: cannot remove VMware Tools", "conversion-failed"),
        ("virt-v2v: error: guest type not supported", "virt-v2v-error"),
        ("qemu-img: Could not open image: fatal", "error"),
    ],
)
def test_error_patterns(line: str, code: str) -> None:
    found = classify_line(line, 7)
    assert found is not None
    assert found.code == code
    assert found.root_cause is (code != "error")
    assert found.line_number == 7


@pytest.mark.parametrize(
    "line",
    [
        "nbdkit: vddk[1]: debug: VixDiskLib: VixDiskLib_OpenEx: Open a disk error code 0",
        "Failed to connect to bus: No such file or directory",
        "error: nil",
        "libguestfs: no error",
        "setfiles: Failed to parse ACL for /etc",
        "virt-v2v: This guest has virtio drivers installed.",
        "[  86.1] Checking if the guest needs BIOS or UEFI to boot",
        "libguestfs: get_backend_setting: NULL: error: no such setting",
        "nbdkit: error count: 0",
        "libguestfs: trace: v2v: mount_ro = -1 (error)",
    ],
)
def test_harmless_lines_are_not_errors(line: str) -> None:
    assert classify_line(line, 1) is None


def test_root_causes_come_first_and_duplicates_collapse() -> None:
    text = "\n".join(
        [
            "[   0.0] Setting up the source: -i libvirt",
            "some step failed",
            "some step failed",
            "nbdkit: vddk[1]: error: VixDiskLib_Read: Unknown error",
            "virt-v2v: warning: the guest has no network",
            "virt-v2v: error: nbdkit exited",
        ]
    )
    progress = parse_v2v_log(text)
    assert [e.code for e in progress.errors] == ["vddk-error", "virt-v2v-error", "error"]
    assert [e.line_number for e in progress.root_causes] == [4, 6]
    assert progress.warnings == ["virt-v2v: warning: the guest has no network"]
    assert progress.stage is Stage.SOURCE_SETUP


def test_new_disk_resets_percent_until_its_first_update() -> None:
    text = "[ 1.0] Copying disk 1/2\nvirt-v2v monitoring: Progress update, completed 100 %\n[ 9.0] Copying disk 2/2\n"
    progress = parse_v2v_log(text)
    assert (progress.disk_index, progress.percent) == (2, None)
    assert progress.disk_copies[0].ended == 9.0


@given(st.lists(st.text(max_size=80), max_size=40))
def test_any_text_parses(lines: list[str]) -> None:
    progress = parse_v2v_log("\n".join(lines))
    assert progress.stage in Stage
    assert 0.0 <= progress.overall_percent() <= 100.0
    assert all(e.root_cause for e in progress.errors[: len(progress.root_causes)])


VERBOSE_HEALTHY = [
    "[   0.0] Setting up the source: -i libvirt -ic vpx://vcenter/DC/host -it vddk pg-prod-01",
    "libguestfs: trace: v2v: launch",
    "libguestfs: trace: v2v: launch = 0",
    "[  12.9] Inspecting the source",
    'libguestfs: trace: v2v: mount_ro "/dev/sda2" "/"',
    "guestfsd: error: mount: /sysroot: unknown filesystem type 'swap'.",
    "libguestfs: error: mount_ro: /dev/sda2 on / (options: 'ro'): mount: /sysroot: unknown filesystem type 'swap'.",
    "libguestfs: trace: v2v: mount_ro = -1 (error)",
    "guestfsd: error: lstat: /etc/SuSE-release: No such file or directory",
    "libguestfs: error: aug_get: no matching node",
    "[  27.3] Converting Red Hat Enterprise Linux 9.4 (Plow) to run on KVM",
    "[  84.6] Mapping filesystem data to avoid copying unused and blank areas",
    "guestfsd: error: fstrim: /sysroot/boot/efi: the discard operation is not supported",
    "[  88.7] Copying disk 1/1",
    "virt-v2v monitoring: Copying disk 1 out of 1",
    "\u2588  45% [******************----------------------]",
    "virt-v2v monitoring: Progress update, completed 45 %",
]


def test_probe_errors_of_a_verbose_run_are_not_reported() -> None:
    progress = parse_v2v_log("\n".join(VERBOSE_HEALTHY))
    assert progress.stage is Stage.DISK_COPY
    assert progress.percent == 45.0
    assert progress.errors == []
    assert progress.root_causes == []


def test_probe_errors_in_the_failing_stage_are_context_for_virt_v2v_error() -> None:
    lines = [
        *VERBOSE_HEALTHY[:10],
        "virt-v2v: error: inspection could not detect the source guest (or physical machine).",
    ]
    progress = parse_v2v_log("\n".join(lines))
    assert [e.code for e in progress.root_causes] == ["inspection-failed"]
    context = [e for e in progress.errors if not e.root_cause]
    assert {e.code for e in context} == {"mount-failed", "libguestfs-error", "guestfsd-error"}
    assert all(e.line_number < len(lines) for e in context)
    earlier_stage = parse_v2v_log("\n".join([*VERBOSE_HEALTHY[:15], "virt-v2v: error: nbdcopy failed"]))
    assert [e.code for e in earlier_stage.errors] == ["virt-v2v-error"]
