"""Reading a virt-v2v container log: current stage, disk N of M, last percentage, errors.

virt-v2v prints stage lines as ``[<elapsed seconds>] <message>`` (``[  88.7] Copying disk 1/2``)
and Forklift's virt-v2v-monitor adds ``virt-v2v monitoring: ...`` lines (``Copying disk 2 out of
2``, ``Progress update, completed 42 %``, ``Finished``). Error lines are classified with the
patterns kubectl-mtv's diagnostics use (``pkg/cmd/describe/plan/diagnostics/patterns.go``: root
causes, errors, and the lines it ignores), refined into named root causes (forklift-model.md §3.7).

Forklift runs virt-v2v with ``-v -x`` (forklift ``pkg/virt-v2v/conversion/conversion.go``), so a
healthy log is full of ``libguestfs: trace:`` lines and of ``libguestfs: error:`` / ``guestfsd:
error:`` lines from calls virt-v2v makes to probe the guest and handles itself (mounting a swap
partition, a release file that is not there, fstrim on a filesystem without discard). Our own
rule on top of kubectl-mtv's: trace lines are never errors, and such a probe error is reported only
when virt-v2v then stops with ``virt-v2v: error:`` in the same stage, as context for that error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Stage(StrEnum):
    """virt-v2v stages in the order they run (kubectl-mtv's names plus ``convert``)."""

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


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)

STAGE_MESSAGES: dict[Stage, str] = {
    Stage.NOT_STARTED: "Not started",
    Stage.SOURCE_SETUP: "Setting up the source",
    Stage.SOURCE_OPEN: "Opening the source",
    Stage.INSPECT: "Inspecting the source",
    Stage.CONVERT: "Converting the guest",
    Stage.MAP_FS: "Mapping filesystem data to avoid copying unused and blank areas",
    Stage.OVERLAY: "Closing the overlay",
    Stage.DEST_SETUP: "Setting up the destination",
    Stage.DISK_COPY: "Copying disk",
    Stage.METADATA: "Creating output metadata",
    Stage.FINISH: "Finishing off",
}
"""What virt-v2v prints when a stage starts (the label shown for it)."""

MONITOR_PREFIX = "virt-v2v monitoring: "

_STAGE_LINE = re.compile(r"^\[\s*(\d+(?:\.\d{1,2})?)\]\s+(.*)$")
_COPY_LINE = re.compile(r"^Copying disk (\d+)/(\d+)")
_MONITOR_COPY = re.compile(r"^Copying disk (\d+) out of (\d+)")
_MONITOR_PERCENT = re.compile(r"completed (\d+(?:\.\d+)?) ?%")
_STAGE_PREFIXES: tuple[tuple[str, Stage], ...] = (
    ("Setting up the source", Stage.SOURCE_SETUP),
    ("Opening the source", Stage.SOURCE_OPEN),
    ("Inspecting the source", Stage.INSPECT),
    ("Checking for sufficient free disk space", Stage.INSPECT),
    ("Converting ", Stage.CONVERT),
    ("Mapping filesystem", Stage.MAP_FS),
    ("Creating an overlay", Stage.OVERLAY),
    ("Closing the overlay", Stage.OVERLAY),
    ("Setting up the destination", Stage.DEST_SETUP),
    ("Copying disk", Stage.DISK_COPY),
    ("Creating output metadata", Stage.METADATA),
    ("Finishing off", Stage.FINISH),
)


class Throughput(BaseModel):
    """Bytes copied over seconds, measured between the stage lines of finished disk copies."""

    model_config = ConfigDict(frozen=True)

    bytes: int
    seconds: float

    @property
    def mib_per_second(self) -> float:
        return self.bytes / (1024 * 1024) / self.seconds


class KnownError(BaseModel):
    """One classified error line; root causes explain a failure, plain errors may be consequences."""

    model_config = ConfigDict(frozen=True)

    code: str
    summary: str
    root_cause: bool
    line: str
    line_number: int
    hint: str | None = None


class DiskCopy(BaseModel):
    """When (elapsed seconds in the log) the copy of disk ``index`` started and, if known, ended."""

    model_config = ConfigDict(frozen=True)

    index: int
    started: float | None
    ended: float | None = None


class V2VProgress(BaseModel):
    """What a virt-v2v log says about where the conversion is."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    stage_label: str
    disk_index: int | None = None
    disk_count: int | None = None
    percent: float | None = None
    throughput: Throughput | None = None
    elapsed_seconds: float | None = None
    completed: bool = False
    errors: list[KnownError] = []
    warnings: list[str] = []
    disk_copies: list[DiskCopy] = []

    @property
    def root_causes(self) -> list[KnownError]:
        return [e for e in self.errors if e.root_cause]

    def overall_percent(self, disk_sizes: Sequence[int] | None = None) -> float:
        """Share of all disk data copied (0-100), weighting disks by size (equal when unknown)."""
        if self.completed or STAGE_ORDER.index(self.stage) > STAGE_ORDER.index(Stage.DISK_COPY):
            return 100.0
        if self.stage is not Stage.DISK_COPY or not self.disk_index or not self.disk_count:
            return 0.0
        if self.disk_index > self.disk_count:
            return 100.0
        sizes = list(disk_sizes) if disk_sizes and len(disk_sizes) == self.disk_count else [1] * self.disk_count
        total = sum(sizes) or 1
        done = sum(sizes[: self.disk_index - 1]) + sizes[self.disk_index - 1] * (self.percent or 0.0) / 100
        return round(100.0 * done / total, 2)


_Pattern = tuple[str, re.Pattern[str], str, str | None]
_I = re.IGNORECASE

ROOT_CAUSE_PATTERNS: tuple[_Pattern, ...] = (
    (
        "out-of-memory",
        re.compile(r"Cannot allocate memory|out of memory|oom[-_ ]?kill|Killed process|MemoryError", _I),
        "the conversion ran out of memory",
        "raise ForkliftController virt_v2v_container_limits_memory (default 8Gi) or lower virt_v2v_memsize",
    ),
    (
        "disk-full",
        re.compile(r"No space left on device|ENOSPC", _I),
        "a disk or the pod's temporary space is full",
        "give the plan conversionTempStorageClass/conversionTempStorageSize, or check the target PVC sizes",
    ),
    (
        "permission-denied",
        re.compile(r"Permission denied|Operation not permitted|EACCES|NoPermission|insufficient permission", _I),
        "access was denied",
        "check the vSphere user's privileges in the provider secret, and the pod's SCC/service account",
    ),
    (
        "vddk-error",
        re.compile(r"nbdkit: vddk\[\d+\]: error:|VixDiskLib\w*: .*(?:error|fail|cannot)", _I),
        "VDDK could not read the source disk",
        "check the provider's vddkInitImage, vCenter/ESXi reachability on port 902 and the SSL thumbprint",
    ),
    (
        "nbdkit-error",
        re.compile(r"nbdkit: .*error:", _I),
        "nbdkit, which serves the source disk to virt-v2v, failed",
        "check the source connection settings (URL, credentials, thumbprint) in the provider secret",
    ),
    (
        "inspection-failed",
        re.compile(r"inspection could not detect the source guest", _I),
        "virt-v2v found no operating system on the source disks",
        "check the VM's disks (a blank, encrypted or unsupported disk); for LUKS set the plan VM's luks secret",
    ),
    (
        "io-error",
        re.compile(r"I/O error, dev", _I),
        "the guest kernel reported disk I/O errors",
        "check the source datastore and the target storage class for errors",
    ),
    (
        "mount-failed",
        re.compile(r"unable to mount|unknown filesystem type", _I),
        "a guest filesystem could not be mounted",
        "unsupported or damaged filesystem; XFSv4 guests need the plan's xfsCompatibility",
    ),
    (
        "filesystem-corrupt",
        re.compile(r"xfs_repair|superblock.*corrupt", _I),
        "a guest filesystem is corrupt",
        "repair the filesystem in the source VM (fsck/xfs_repair) and migrate again",
    ),
    ("guestfsd-error", re.compile(r"guestfsd: error:"), "the libguestfs appliance daemon failed", None),
    ("libguestfs-error", re.compile(r"libguestfs: error:"), "libguestfs failed", None),
    ("guest-unit-failed", re.compile(r"FAILED.*Result:", _I), "a unit inside the guest failed", None),
    ("conversion-failed", re.compile(r"conversion failed", _I), "the guest conversion failed", None),
    ("virt-v2v-error", re.compile(r"virt-v2v: error:"), "virt-v2v stopped with an error", None),
)
"""(code, pattern, summary, hint), most specific first; the first match names a line."""

IGNORED = re.compile(
    r"error.*nil|no error|error count\D+\b0\b|nbdkit:.*debug|Cannot open file|get_backend_setting.*NULL.*error"
    r"|Failed to resolve (?:group|user)|Failed to determine unit|Failed to connect to bus|Failed to parse ACL"
    r"|you can ignore this message|^libguestfs: trace: ",
    _I,
)
_PROBE = re.compile(r"^(?:libguestfs|guestfsd): error:")
_V2V_STOPS = re.compile(r"virt-v2v: error:")
_GENERIC_ERROR = re.compile(r"\b(?:error|failed|fatal|panic)\b", _I)
_WARNING = re.compile(r"\bwarn(?:ing)?\b", _I)
_MAX_LINE = 300


def classify_line(line: str, line_number: int) -> KnownError | None:
    """The error a log line reports, or None for ordinary and known-harmless lines."""
    if IGNORED.search(line):
        return None
    text = line.strip()[:_MAX_LINE]
    for code, pattern, summary, hint in ROOT_CAUSE_PATTERNS:
        if pattern.search(line):
            return KnownError(
                code=code, summary=summary, root_cause=True, line=text, line_number=line_number, hint=hint
            )
    if _GENERIC_ERROR.search(line):
        return KnownError(code="error", summary=text, root_cause=False, line=text, line_number=line_number)
    return None


class _Reader:
    """State while walking the log once, top to bottom."""

    def __init__(self) -> None:
        self.stage = Stage.NOT_STARTED
        self.disk_index: int | None = None
        self.disk_count: int | None = None
        self.percent: float | None = None
        self.elapsed: float | None = None
        self.completed = False
        self.copies: dict[int, DiskCopy] = {}
        self.errors: list[KnownError] = []
        self.warnings: list[str] = []
        self.probes: list[KnownError] = []

    def start_disk(self, index: int, count: int, at: float | None) -> None:
        if index != self.disk_index:
            self.close_copy(at)
            self.percent = None
        self.stage, self.disk_index, self.disk_count = Stage.DISK_COPY, index, count
        if index not in self.copies:
            self.copies[index] = DiskCopy(index=index, started=at)

    def close_copy(self, at: float | None) -> None:
        current = self.copies.get(self.disk_index or 0)
        if current is not None and current.ended is None and at is not None:
            self.copies[current.index] = current.model_copy(update={"ended": at})

    def stage_line(self, elapsed: float, message: str) -> None:
        self.elapsed = elapsed
        self.probes.clear()
        copy = _COPY_LINE.match(message)
        if copy:
            self.start_disk(int(copy.group(1)), int(copy.group(2)), elapsed)
            return
        for prefix, stage in _STAGE_PREFIXES:
            if message.startswith(prefix):
                if self.stage is Stage.DISK_COPY and stage is not Stage.DISK_COPY:
                    self.close_copy(elapsed)
                self.stage = stage
                return

    def monitor_line(self, message: str) -> None:
        copy = _MONITOR_COPY.match(message)
        if copy:
            self.start_disk(int(copy.group(1)), int(copy.group(2)), None)
            return
        percent = _MONITOR_PERCENT.search(message)
        if percent:
            self.percent = min(100.0, float(percent.group(1)))
        elif message.startswith("Finished"):
            self.completed = True

    def add_error(self, found: KnownError) -> None:
        if all((e.code, e.line) != (found.code, found.line) for e in self.errors):
            self.errors.append(found)

    def other_line(self, line: str, number: int) -> None:
        found = classify_line(line, number)
        if found is not None and _PROBE.search(line.strip()):
            self.probes.append(found.model_copy(update={"root_cause": False}))
        elif found is not None:
            if _V2V_STOPS.search(line):
                for probe in self.probes:
                    self.add_error(probe)
                self.probes.clear()
            self.add_error(found)
        elif _WARNING.search(line) and not IGNORED.search(line):
            self.warnings.append(line.strip()[:_MAX_LINE])


def _throughput(copies: Sequence[DiskCopy], disk_sizes: Sequence[int] | None) -> Throughput | None:
    if not disk_sizes:
        return None
    size_of = dict(enumerate(disk_sizes, start=1))
    timed = [
        c
        for c in copies
        if c.started is not None and c.ended is not None and c.ended > c.started and c.index in size_of
    ]
    if not timed:
        return None
    return Throughput(
        bytes=sum(size_of[c.index] for c in timed),
        seconds=round(sum((c.ended or 0.0) - (c.started or 0.0) for c in timed), 2),
    )


def stage_label(stage: Stage, disk_index: int | None = None, disk_count: int | None = None) -> str:
    """A short human label: ``Copying disk 2 of 2`` for the copy stage, else virt-v2v's own words."""
    if stage is Stage.DISK_COPY and disk_index and disk_count:
        return f"Copying disk {disk_index} of {disk_count}"
    return STAGE_MESSAGES[stage]


def parse_v2v_log(text: str, disk_sizes: Sequence[int] | None = None) -> V2VProgress:
    """Parse a virt-v2v container log; ``disk_sizes`` (bytes, disk order) enable a throughput figure."""
    reader = _Reader()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        stage = _STAGE_LINE.match(line)
        if stage:
            reader.stage_line(float(stage.group(1)), stage.group(2))
        elif line.startswith(MONITOR_PREFIX):
            reader.monitor_line(line.removeprefix(MONITOR_PREFIX))
        if not line.startswith(MONITOR_PREFIX):
            reader.other_line(line, number)
    copies = [reader.copies[i] for i in sorted(reader.copies)]
    return V2VProgress(
        stage=reader.stage,
        stage_label=stage_label(reader.stage, reader.disk_index, reader.disk_count),
        disk_index=reader.disk_index,
        disk_count=reader.disk_count,
        percent=reader.percent,
        throughput=_throughput(copies, disk_sizes),
        elapsed_seconds=reader.elapsed,
        completed=reader.completed,
        errors=sorted(reader.errors, key=lambda e: not e.root_cause),
        warnings=reader.warnings,
        disk_copies=copies,
    )
