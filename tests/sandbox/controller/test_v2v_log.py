"""Generated virt-v2v logs read back by the core parser (round trip) and their failure endings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtv_mcp.core.convertor.progress import Stage, parse_v2v_log
from mtv_mcp.sandbox.controller.v2v_log import FAILURES, Guest, conversion_script

GI = 1024**3
GUEST = Guest(vm_name="pg-prod-01")


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 2048).map(lambda g: g * GI), min_size=1, max_size=4),
    speed=st.integers(20, 900),
    step=st.integers(1, 40),
    failure=st.none() | st.sampled_from(FAILURES),
    cut=st.floats(0, 1),
)
def test_every_prefix_parses_to_the_state_the_writer_declared(
    sizes: list[int], speed: int, step: int, failure: object, cut: float
) -> None:
    script = conversion_script(GUEST, sizes, bytes_per_second=speed * 1024 * 1024, progress_step=step, failure=failure)  # type: ignore[arg-type]
    count = max(1, round(cut * len(script.lines)))
    last = script.lines[count - 1]
    progress = parse_v2v_log("\n".join(line.text for line in script.lines[:count]))
    assert progress.stage is Stage(last.stage.value)
    assert progress.percent == last.percent
    if progress.stage is Stage.DISK_COPY:
        assert (progress.disk_index, progress.disk_count) == (last.disk_index, len(sizes))


def test_successful_run_completes_with_a_throughput_near_the_speed() -> None:
    sizes = [100 * GI, 500 * GI]
    script = conversion_script(GUEST, sizes, bytes_per_second=200 * 1024 * 1024)
    progress = parse_v2v_log("\n".join(line.text for line in script.lines), disk_sizes=sizes)
    assert script.outcome == "Succeeded"
    assert script.exit_code == 0
    assert progress.completed
    assert progress.stage is Stage.FINISH
    assert progress.errors == []
    assert progress.throughput is not None
    assert progress.throughput.mib_per_second == pytest.approx(200, rel=0.01)
    assert script.until(script.duration) == script.lines
    assert all(a.at <= b.at for a, b in zip(script.lines, script.lines[1:], strict=False))


@pytest.mark.parametrize(
    ("failure", "code", "outcome"),
    [
        ("disk-full", "disk-full", "Failed"),
        ("vddk", "vddk-error", "Failed"),
        ("permission", "permission-denied", "Failed"),
        ("inspection", "inspection-failed", "Failed"),
    ],
)
def test_failures_end_with_their_root_cause(failure: object, code: str, outcome: str) -> None:
    script = conversion_script(GUEST, [10 * GI, 20 * GI], failure=failure)  # type: ignore[arg-type]
    progress = parse_v2v_log("\n".join(line.text for line in script.lines))
    assert script.outcome == outcome
    assert script.exit_code == 1
    assert progress.errors[0].code == code
    assert progress.errors[0].root_cause
    assert not progress.completed


def test_oom_kill_cuts_the_log_mid_copy() -> None:
    script = conversion_script(GUEST, [10 * GI], failure="oom")
    progress = parse_v2v_log("\n".join(line.text for line in script.lines))
    assert (script.outcome, script.exit_code) == ("OOMKilled", 137)
    assert progress.stage is Stage.DISK_COPY
    assert progress.percent == 60.0
    assert progress.errors == []


@pytest.mark.parametrize("windows", [False, True])
def test_verbose_probe_errors_are_in_the_log_but_a_healthy_run_reports_none(windows: bool) -> None:
    script = conversion_script(Guest(vm_name="vm", windows=windows), [GI])
    text = "\n".join(line.text for line in script.lines)
    assert "libguestfs: error:" in text
    assert "guestfsd: error:" in text
    for cut in range(1, len(script.lines) + 1):
        partial = parse_v2v_log("\n".join(line.text for line in script.lines[:cut]))
        assert partial.errors == [], script.lines[cut - 1].text


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one disk"):
        conversion_script(GUEST, [])
    with pytest.raises(ValueError, match="positive"):
        conversion_script(GUEST, [GI], bytes_per_second=0)
