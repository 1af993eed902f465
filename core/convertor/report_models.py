"""The typed result of ``migration_report``: compact on purpose (it shares the assistant's context)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

VmState = Literal["Succeeded", "Failed", "Canceled", "Running", "Pending"]
RuleState = Literal["met", "off-rule", "no rules", "unplaced"]


class VmRun(BaseModel):
    """One VM of the migration: where its convertor ran and how long each pipeline step took."""

    model_config = ConfigDict(frozen=True)

    vm: str
    id: str
    state: VmState
    pod: str | None
    node: str | None
    zone: str | None
    rules: RuleState
    disk_gb: float
    disks: int
    storage_class: str | None
    datastores: list[str]
    guest_os: str | None
    seconds: int | None = Field(description="VM started to completed (or now)")
    phases: dict[str, int] = Field(description="Seconds per pipeline step")
    mib_s: float | None = Field(description="Copy rate from the pipeline's disk transfer step")
    log_mib_s: float | None = Field(description="Copy rate from the virt-v2v log")
    progress_pct: float | None
    eta_seconds: int | None
    error: str | None


class Group(BaseModel):
    """Finished and running VMs grouped by node, storage class, datastore or rule outcome."""

    model_config = ConfigDict(frozen=True)

    key: str
    vms: int
    disk_gb: float
    mib_s: float | None
    s_per_gb: float | None


class SlowVm(BaseModel):
    model_config = ConfigDict(frozen=True)

    vm: str
    mib_s: float
    why: list[str]


class Usage(BaseModel):
    """What ``kubectl top`` shows for one pod or node."""

    model_config = ConfigDict(frozen=True)

    name: str
    cpu_cores: float
    memory_gib: float


class Metrics(BaseModel):
    model_config = ConfigDict(frozen=True)

    available: bool
    note: str
    pods: list[Usage] = Field(default_factory=list)
    nodes: list[Usage] = Field(default_factory=list)


class CompareRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    this: float | None
    other: float | None


class VmPair(BaseModel):
    """A VM of this migration beside the other's VM of the same name, else of the same size class."""

    model_config = ConfigDict(frozen=True)

    vm: str
    other_vm: str
    match: Literal["name", "size"]
    seconds: int | None
    other_seconds: int | None


class Comparison(BaseModel):
    """This migration beside another plan's finished one."""

    model_config = ConfigDict(frozen=True)

    plan: str
    migration: str
    rows: list[CompareRow]
    node_mib_s: dict[str, list[float | None]] = Field(description="node: [this MiB/s, other MiB/s]")
    vms: list[VmPair] = Field(default_factory=list)
    speedup: float | None = Field(description=">1: this one copies faster")
    verdict: str


class RunSummary(BaseModel):
    """Which migration, how it ended, how long it took (started to completed, or to now), what it used."""

    model_config = ConfigDict(frozen=True)

    plan: str
    namespace: str
    migration: str
    state: str
    wall_seconds: int | None
    metrics: Metrics
    notes: list[str]


class Breakdown(BaseModel):
    """The VMs by node, by storage (class, then source datastore as ``ds:<name>``), by rule outcome;
    the slowest VMs with the likely why."""

    model_config = ConfigDict(frozen=True)

    node: list[Group]
    storage: list[Group]
    rule: list[Group]
    slowest: list[SlowVm]


class MigrationReport(BaseModel):
    """``migration_report``'s answer."""

    model_config = ConfigDict(frozen=True)

    run: RunSummary
    vms: list[VmRun]
    breakdown: Breakdown
    comparison: Comparison | None
