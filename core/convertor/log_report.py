"""A convertor's log read back: progress from ``progress.parse_v2v_log`` plus a short, capped excerpt.

The stage line of the current disk can be far above the last lines, so a longer tail
(``SCAN_LINES``) is parsed than is shown (``log_lines``). A log that cannot be read (not started,
no permission) is a ``problem``, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.convertor.progress import KnownError, Stage, V2VProgress, parse_v2v_log

SCAN_LINES = 2000
MAX_EXCERPT_LINES = 200
MAX_LINE_CHARS = 200
MIB = 1024 * 1024


class LogReport(BaseModel):
    """What the log of one container says (``problem`` set when it could not be read)."""

    model_config = ConfigDict(frozen=True)

    container: str
    problem: str | None = Field(None, description="Why there is no log: not started yet, or no permission")
    stage: Stage | None = None
    stage_label: str | None = Field(None, description="e.g. 'Copying disk 2 of 2'")
    disk_index: int | None = None
    disk_count: int | None = None
    percent: float | None = Field(None, description="Last progress percentage of the current disk")
    overall_percent: float | None = Field(None, description="Share of all disk data copied, weighted by disk size")
    completed: bool = False
    throughput_mib_per_second: float | None = Field(
        None, description="Copy speed of the finished disks (disk sizes from the target PVCs)"
    )
    errors: list[KnownError] = Field(default_factory=list, description="Known error lines, root causes first")
    excerpt: list[str] = Field(default_factory=list, description="The last lines (capped)")


def _cap(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"


def report_from_text(container: str, text: str, *, disk_sizes: Sequence[int] = (), log_lines: int = 20) -> LogReport:
    """The report of a log's text; ``disk_sizes`` (bytes, disk order) weight progress and give throughput."""
    progress: V2VProgress = parse_v2v_log(text, list(disk_sizes) or None)
    shown = max(0, min(log_lines, MAX_EXCERPT_LINES))
    lines = text.splitlines()
    throughput = progress.throughput
    return LogReport(
        container=container,
        stage=progress.stage,
        stage_label=progress.stage_label,
        disk_index=progress.disk_index,
        disk_count=progress.disk_count,
        percent=progress.percent,
        overall_percent=progress.overall_percent(list(disk_sizes) or None),
        completed=progress.completed,
        throughput_mib_per_second=round(throughput.mib_per_second, 1) if throughput else None,
        errors=[e.model_copy(update={"line": _cap(e.line)}) for e in progress.errors[:10]],
        excerpt=[_cap(line) for line in lines[len(lines) - shown :]] if shown else [],
    )


def read_log_report(
    cluster: ClusterClient,
    namespace: str,
    pod: str,
    container: str,
    *,
    previous: bool = False,
    disk_sizes: Sequence[int] = (),
    log_lines: int = 20,
) -> LogReport:
    """Read and parse one container's log; errors of the read become the report's ``problem``."""
    try:
        text = cluster.read_log(namespace, pod, container, tail_lines=SCAN_LINES, previous=previous)
    except ClusterError as error:
        problem = error.message
        if error.status == 403:
            problem += "; progress and error patterns need pod log access (pods/log)"
        return LogReport(container=container, problem=problem)
    return report_from_text(container, text, disk_sizes=disk_sizes, log_lines=log_lines)
