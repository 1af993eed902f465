"""virt-v2v container logs in the real format, for the sandbox's convertor pods, from the sandbox's own templates.

``conversion_script`` lays out a whole run as timed lines (seconds since the container started):
the monitor preamble, the stage lines ``[  88.7] Copying disk 1/2``, nbdcopy's progress bars and
the monitor's ``Copying disk 1 out of 2`` / ``Progress update, completed N %`` lines
(``cmd/virt-v2v-monitor/virt-v2v-monitor.go`` echoes every line and adds its own), and the end
(``Finished``, an error or an abrupt stop for an OOM kill). Forklift runs virt-v2v with ``-v -x``
(``pkg/virt-v2v/conversion/conversion.go``), so the log also carries libguestfs traces and the
``libguestfs: error:`` / ``guestfsd: error:`` lines of calls that fail while virt-v2v probes the
guest (a swap partition that will not mount, a release file that is not there): expected, even in a
healthy run. Each line carries the state it leaves the conversion in, so tests can check that
``mtv_mcp.core.convertor.progress`` reads back what was written; the texts are written here, never
taken from the product's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class V2VStage(StrEnum):
    """virt-v2v's stages in run order, by the names kubectl-mtv's diagnostics use."""

    NOT_STARTED = "not-started"
    SOURCE_SETUP = "source-setup"
    SOURCE_OPEN = "source-open"
    INSPECT = "inspect"
    CONVERT = "convert"
    MAP_FS = "map-fs"
    OVERLAY = "overlay"
    DEST_SETUP = "dest-setup"
    DISK_COPY = "disk-copy"
    METADATA = "metadata"
    FINISH = "finish"


MONITOR_PREFIX = "virt-v2v monitoring: "
_OPENING = "Opening the source"
_INSPECTING = "Inspecting the source"
_MAPPING = "Mapping filesystem data to avoid copying unused and blank areas"
_CLOSING = "Closing the overlay"
_METADATA = "Creating output metadata"
_FINISHING = "Finishing off"

Failure = Literal["oom", "disk-full", "vddk", "permission", "inspection"]
FAILURES: tuple[Failure, ...] = ("oom", "disk-full", "vddk", "permission", "inspection")
Outcome = Literal["Succeeded", "Failed", "OOMKilled"]

_FAILURE_TEXT: dict[Failure, list[str]] = {
    "disk-full": ["virt-v2v: error: nbdcopy command failed: write: No space left on device"],
    "vddk": [
        "nbdkit: vddk[1]: error: VixDiskLib_OpenEx: Cannot open disk: NFC connection error",
        "virt-v2v: error: nbdkit did not start up.  There may be errors printed by nbdkit above.",
    ],
    "permission": ["virt-v2v: error: libvirt: Permission denied: the vSphere user may not read the VM's disks"],
    "inspection": [
        "virt-v2v: error: inspection could not detect the source guest (or physical machine).",
        "",
        "Assuming that you are running virt-v2v/virt-p2v on a source which is supported (and not, for example, "
        "a blank disk), then this should not happen.",
    ],
}


# Benign ``-v -x`` output: calls that fail while virt-v2v probes the guest, handled by virt-v2v.
_APPLIANCE_TRACE = (
    "libguestfs: trace: v2v: launch",
    "libguestfs: trace: v2v: get_backend",
    'libguestfs: trace: v2v: get_backend = "direct"',
    "libguestfs: launch: program=virt-v2v",
    "libguestfs: launch: backend registered: direct",
    "libguestfs: trace: v2v: launch = 0",
)
_PROBES_LINUX = (
    "libguestfs: trace: v2v: inspect_os",
    'libguestfs: trace: v2v: mount_ro "/dev/sda2" "/"',
    "guestfsd: error: mount: /sysroot: unknown filesystem type 'swap'.",
    "libguestfs: error: mount_ro: /dev/sda2 on / (options: 'ro'): mount: /sysroot: unknown filesystem type 'swap'.",
    "libguestfs: trace: v2v: mount_ro = -1 (error)",
    'libguestfs: trace: v2v: is_file "/etc/SuSE-release"',
    "guestfsd: error: lstat: /etc/SuSE-release: No such file or directory",
    'libguestfs: trace: v2v: aug_get "/files/etc/sysconfig/kernel/DEFAULTKERNEL"',
    "libguestfs: error: aug_get: no matching node",
    'libguestfs: trace: v2v: inspect_os = ["/dev/rhel/root"]',
)
_PROBES_WINDOWS = (
    "libguestfs: trace: v2v: inspect_os",
    'libguestfs: trace: v2v: mount_ro "/dev/sda1" "/"',
    'libguestfs: trace: v2v: case_sensitive_path "/Windows/System32/config/SOFTWARE.LOG1"',
    "libguestfs: error: case_sensitive_path: Windows/System32/config/SOFTWARE.LOG1: No such file or directory",
    "guestfsd: error: /Windows/System32/drivers/pvpanic.sys: No such file or directory",
    'libguestfs: trace: v2v: inspect_os = ["/dev/sda2"]',
)
_FSTRIM_TRACE = (
    'libguestfs: trace: v2v: fstrim "/"',
    "guestfsd: error: fstrim: /sysroot/boot/efi: the discard operation is not supported",
    "libguestfs: trace: v2v: fstrim = -1 (error)",
)


@dataclass(frozen=True)
class Guest:
    """What the log says about the VM being converted."""

    vm_name: str
    source_url: str = "vpx://svc-mtv%40vsphere.local@vcenter.corp.example.com/DC-East/Cluster-Prod/esxi-01?no_verify=1"
    os_label: str = "Red Hat Enterprise Linux 9.4 (Plow)"
    uefi: bool = True
    windows: bool = False


@dataclass(frozen=True)
class LogLine:
    """One line at ``at`` seconds, and the state the conversion is in after it."""

    at: float
    text: str
    stage: V2VStage
    disk_index: int | None = None
    percent: float | None = None


@dataclass
class ConversionScript:
    """A whole conversion: its lines, when the container ends and how."""

    lines: list[LogLine] = field(default_factory=list)
    duration: float = 0.0
    outcome: Outcome = "Succeeded"
    error: str | None = None
    """The line virt-v2v stopped on (what Forklift reports), for a failed run."""

    @property
    def exit_code(self) -> int:
        return {"Succeeded": 0, "Failed": 1, "OOMKilled": 137}[self.outcome]

    def until(self, seconds: float) -> list[LogLine]:
        """The lines written by ``seconds`` after the container started."""
        return [line for line in self.lines if line.at <= seconds]


def stage_line(at: float, message: str) -> str:
    """``[  88.7] message`` — virt-v2v's elapsed-time prefix."""
    return f"[{at:6.1f}] {message}"


def monitor_line(message: str) -> str:
    return f"{MONITOR_PREFIX}{message}"


def progress_line(percent: int) -> str:
    return monitor_line(f"Progress update, completed {percent} %")


class _Writer:
    def __init__(self) -> None:
        self.script = ConversionScript()
        self.stage = V2VStage.NOT_STARTED
        self.disk: int | None = None
        self.percent: float | None = None

    def add(self, at: float, text: str) -> None:
        self.script.lines.append(LogLine(round(at, 1), text, self.stage, self.disk, self.percent))

    def enter(self, at: float, stage: V2VStage, message: str) -> None:
        self.stage = stage
        self.add(at, stage_line(at, message))

    def trace(self, at: float, lines: Sequence[str]) -> None:
        """``-v -x`` output: libguestfs traces and the errors of probing calls virt-v2v handles."""
        for text in lines:
            self.add(at, text)


def conversion_script(
    guest: Guest,
    disk_sizes: Sequence[int],
    *,
    bytes_per_second: float = 160 * 1024 * 1024,
    progress_step: int = 5,
    failure: Failure | None = None,
) -> ConversionScript:
    """The timed log of converting ``guest`` with disks of ``disk_sizes`` bytes (a failure cuts it short)."""
    if not disk_sizes:
        raise ValueError("a conversion needs at least one disk")
    if bytes_per_second <= 0 or not 1 <= progress_step <= 100:
        raise ValueError("bytes_per_second must be positive and progress_step within 1..100")
    w = _Writer()
    for text in (
        "Setting up prometheus endpoint :2112/metrics",
        "Prometheus progress counter registered.",
    ):
        w.add(0.0, monitor_line(text))
    w.add(0.0, "info: virt-v2v: virt-v2v 2.7.1 (x86_64)")
    w.add(0.0, "info: libvirt version: 10.10.0")
    w.enter(
        0.0,
        V2VStage.SOURCE_SETUP,
        f"Setting up the source: -i libvirt -ic {guest.source_url} -it vddk {guest.vm_name}",
    )
    w.enter(2.4, V2VStage.SOURCE_OPEN, _OPENING)
    if failure in ("vddk", "permission"):
        return _fail(w, 3.1, failure)
    w.add(3.0, "nbdkit: vddk[1]: debug: VixDiskLib: VixDiskLib_OpenEx: Open a disk.")
    w.trace(3.2, _APPLIANCE_TRACE)
    w.enter(12.9, V2VStage.INSPECT, _INSPECTING)
    w.trace(13.4, _PROBES_WINDOWS if guest.windows else _PROBES_LINUX)
    if failure == "inspection":
        return _fail(w, 14.2, failure)
    w.add(27.3, stage_line(27.3, "Checking for sufficient free disk space in the guest"))
    w.enter(27.3, V2VStage.CONVERT, f"Converting {guest.os_label} to run on KVM")
    convert_end = 27.3 + (240.0 if guest.windows else 57.3)
    w.add(27.3, "virt-v2v: This guest has virtio drivers installed.")
    w.enter(convert_end, V2VStage.MAP_FS, _MAPPING)
    w.trace(convert_end + 0.2, _FSTRIM_TRACE)
    w.enter(convert_end + 1.4, V2VStage.OVERLAY, _CLOSING)
    w.add(convert_end + 1.5, stage_line(convert_end + 1.5, "Assigning disks to buses"))
    w.add(convert_end + 1.5, stage_line(convert_end + 1.5, "Checking if the guest needs BIOS or UEFI to boot"))
    if guest.uefi:
        w.add(convert_end + 1.5, "virt-v2v: This guest requires UEFI on the target to boot.")
    w.enter(convert_end + 1.5, V2VStage.DEST_SETUP, "Setting up the destination: -o kubevirt -os /var/tmp/v2v")
    at = convert_end + 4.1
    count = len(disk_sizes)
    for index, size in enumerate(disk_sizes, start=1):
        w.stage, w.disk, w.percent = V2VStage.DISK_COPY, index, None
        w.add(at, stage_line(at, f"Copying disk {index}/{count}"))
        w.add(at, monitor_line(f"Copying disk {index} out of {count}"))
        duration = max(size / bytes_per_second, 0.1)
        last_disk = index == count
        for percent in range(progress_step, 101, progress_step):
            if failure == "oom" and percent > 60:
                w.script.duration, w.script.outcome = at + duration * 0.6, "OOMKilled"
                return w.script
            if failure == "disk-full" and last_disk and percent > 80:
                return _fail(w, at + duration * 0.8, failure)
            _progress(w, at + duration * percent / 100, percent)
        if w.percent != 100.0:
            _progress(w, at + duration, 100)
        at += duration
    w.enter(at + 0.1, V2VStage.METADATA, _METADATA)
    w.enter(at + 0.3, V2VStage.FINISH, _FINISHING)
    w.add(at + 0.4, monitor_line("Finished"))
    w.script.duration = at + 0.5
    return w.script


def _progress(w: _Writer, at: float, percent: int) -> None:
    """nbdcopy's progress bar, then the monitor's line about it."""
    filled = percent * 40 // 100
    w.add(at, f"\u2588 {percent:3d}% [{'*' * filled}{'-' * (40 - filled)}]")
    w.percent = float(percent)
    w.add(at, progress_line(percent))


def _fail(w: _Writer, at: float, failure: Failure) -> ConversionScript:
    for text in _FAILURE_TEXT[failure]:
        w.add(at, text)
    w.script.duration, w.script.outcome = at + 0.1, "Failed"
    w.script.error = next(t for t in _FAILURE_TEXT[failure] if "error:" in t)
    return w.script
