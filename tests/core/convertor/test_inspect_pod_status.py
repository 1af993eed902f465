"""Pod facts, events and log reports of convertor pods, on demo-shaped dicts (demo-dataset.md §9)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.convertor.events import events_by_pod, latest_failed_scheduling, notable_events
from mtv_mcp.core.convertor.log_report import MAX_LINE_CHARS, report_from_text
from mtv_mcp.core.convertor.pod_status import (
    container_resources,
    container_state,
    container_states,
    format_seconds,
    main_container,
    node_place,
    pod_kind,
    pod_timing,
)
from mtv_mcp.core.convertor.progress import Stage

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
GI = 1024**3
RUNNING_LOG = """\
[   0.0] Setting up the source: -i libvirt -it vddk pg-prod-01
[   2.4] Opening the source
[  12.9] Inspecting the source
[  86.1] Setting up the destination: -o kubevirt -os /var/tmp/v2v
[  88.7] Copying disk 1/2
virt-v2v monitoring: Copying disk 1 out of 2
virt-v2v monitoring: Progress update, completed 100 %
[ 702.3] Copying disk 2/2
virt-v2v monitoring: Copying disk 2 out of 2
virt-v2v monitoring: Progress update, completed 17 %
virt-v2v monitoring: Progress update, completed 42 %
"""


def pod(phase: str = "Running", **status: Any) -> dict[str, Any]:
    return {
        "metadata": {
            "name": "wave1-vm-2041-p7x2c",
            "namespace": "app-migrated",
            "creationTimestamp": "2026-03-01T09:29:00Z",
            "labels": {"forklift.app": "virt-v2v", "vmID": "vm-2041"},
        },
        "spec": {
            "nodeName": "worker-3",
            "initContainers": [{"name": "vddk-side-car"}],
            "containers": [
                {
                    "name": "virt-v2v",
                    "resources": {
                        "requests": {"cpu": "1", "memory": "1Gi", "devices.kubevirt.io/kvm": "1"},
                        "limits": {"cpu": "4", "memory": "8Gi", "devices.kubevirt.io/kvm": "1"},
                    },
                }
            ],
        },
        "status": {"phase": phase, **status},
    }


def test_running_convertor() -> None:
    running = pod(
        containerStatuses=[
            {"name": "virt-v2v", "restartCount": 0, "state": {"running": {"startedAt": "2026-03-01T09:30:00Z"}}}
        ]
    )
    assert pod_kind(running) == "convertor"
    assert main_container(running) == "virt-v2v"
    state = container_state(running, "virt-v2v")
    assert state is not None
    assert (state.state, state.oom_killed, state.exit_code) == ("running", False, None)
    requests, limits = container_resources(running, "virt-v2v")
    assert requests["devices.kubevirt.io/kvm"] == "1"
    assert limits["memory"] == "8Gi"
    timing = pod_timing(running, state, NOW)
    assert (timing.age_seconds, timing.duration_seconds) == (31 * 60, 30 * 60)


def test_oom_killed_and_exit_code() -> None:
    failed = pod(
        "Failed",
        containerStatuses=[
            {
                "name": "virt-v2v",
                "restartCount": 0,
                "state": {
                    "terminated": {
                        "exitCode": 137,
                        "reason": "OOMKilled",
                        "startedAt": "2026-03-01T09:30:00Z",
                        "finishedAt": "2026-03-01T09:42:30Z",
                    }
                },
            }
        ],
    )
    state = container_state(failed, "virt-v2v")
    assert state is not None
    assert (state.state, state.reason, state.exit_code, state.oom_killed) == ("terminated", "OOMKilled", 137, True)
    assert pod_timing(failed, state, NOW).duration_seconds == 750


def test_previous_instance_oom_counts() -> None:
    restarted = pod(
        containerStatuses=[
            {
                "name": "virt-v2v",
                "restartCount": 2,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
            }
        ],
        initContainerStatuses=[
            {"name": "vddk-side-car", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
        ],
    )
    (state,) = container_states(restarted)
    assert (state.state, state.reason, state.restarts, state.oom_killed) == ("waiting", "CrashLoopBackOff", 2, True)
    (init,) = container_states(restarted, init=True)
    assert init.reason == "Completed"


def test_pending_pod_has_no_state_and_no_duration() -> None:
    pending = pod("Pending")
    assert container_state(pending, "virt-v2v") is None
    timing = pod_timing(pending, None, NOW)
    assert timing.duration_seconds is None
    assert timing.age_seconds == 31 * 60


def test_clock_behind_the_cluster_gives_no_negative_age() -> None:
    early = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert pod_timing(pod(), None, early).age_seconds == 0


def test_inspection_pod_kind_and_container() -> None:
    inspection = {
        "metadata": {"labels": {"forklift.app": "virt-v2v-inspection"}},
        "spec": {"containers": [{"name": "virt-v2v-inspection"}]},
    }
    assert pod_kind(inspection) == "inspection"
    assert main_container(inspection) == "virt-v2v-inspection"
    assert pod_kind({"metadata": {"labels": {"app": "x"}}}) is None


def test_node_place() -> None:
    node = {
        "metadata": {
            "labels": {"topology.kubernetes.io/zone": "us-east-1a", "topology.kubernetes.io/region": "us-east-1"}
        }
    }
    place = node_place(node)
    assert (place.zone, place.region, place.rack) == ("us-east-1a", "us-east-1", None)
    assert node_place(None).zone is None


@given(st.integers(min_value=0, max_value=10**7))
def test_format_seconds_is_short_and_nonempty(seconds: int) -> None:
    text = format_seconds(seconds)
    assert 0 < len(text) <= 8


def test_events_latest_failed_scheduling_and_notable() -> None:
    events: list[dict[str, Any]] = [
        {
            "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "FailedScheduling",
            "type": "Warning",
            "count": 3,
            "message": "0/9 nodes are available: old",
            "lastTimestamp": "2026-03-01T09:10:00Z",
        },
        {
            "involvedObject": {"kind": "Pod", "name": "p"},
            "reason": "FailedScheduling",
            "type": "Warning",
            "count": 7,
            "message": "0/9 nodes are available: new",
            "lastTimestamp": "2026-03-01T09:59:00Z",
        },
        {"involvedObject": {"kind": "Pod", "name": "q"}, "reason": "Pulled", "type": "Normal", "message": "x"},
        {"involvedObject": {"kind": "PersistentVolumeClaim", "name": "p"}, "reason": "X", "type": "Warning"},
    ]
    grouped = events_by_pod(reversed(events))
    assert sorted(grouped) == ["p", "q"]
    latest = latest_failed_scheduling(grouped["p"])
    assert latest is not None
    assert (latest.message, latest.count) == ("0/9 nodes are available: new", 7)
    assert notable_events(grouped["q"]) == []
    assert len(notable_events(grouped["p"], limit=1)) == 1


def test_log_report_of_a_running_copy() -> None:
    report = report_from_text("virt-v2v", RUNNING_LOG, disk_sizes=[100 * GI, 500 * GI], log_lines=3)
    assert report.stage is Stage.DISK_COPY
    assert report.stage_label == "Copying disk 2 of 2"
    assert report.percent == 42
    assert report.overall_percent == round(100 * (100 + 500 * 0.42) / 600, 2)
    assert report.throughput_mib_per_second == round(100 * 1024 / (702.3 - 88.7), 1)
    assert report.excerpt == RUNNING_LOG.splitlines()[-3:]


def test_log_report_caps_lines_and_puts_root_causes_first() -> None:
    text = "x" * 1000 + "\nsomething failed here\nvirt-v2v: error: inspection could not detect the source guest\n"
    report = report_from_text("virt-v2v", text, log_lines=500)
    assert all(len(line) <= MAX_LINE_CHARS for line in report.excerpt)
    assert report.errors[0].code == "inspection-failed"
    assert report.errors[0].root_cause
    assert report_from_text("virt-v2v", text, log_lines=0).excerpt == []
