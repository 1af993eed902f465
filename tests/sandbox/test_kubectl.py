"""kubectl as an outside client of ``mtv-mcp sandbox`` (HTTPS, written kubeconfig)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.conftest import DATA

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed on this machine")
REPO = Path(__file__).resolve().parents[2]

PLAN = """\
apiVersion: forklift.konveyor.io/v1beta1
kind: Plan
metadata: {name: wave2, namespace: openshift-mtv}
spec:
  targetNamespace: app-migrated
  type: TYPE
  provider:
    source: {name: vsphere-prod, namespace: openshift-mtv}
    destination: {name: host, namespace: openshift-mtv}
  map:
    network: {name: wave1-network-map, namespace: openshift-mtv}
    storage: {name: wave1-storage-map, namespace: openshift-mtv}
  vms: [{id: vm-2050}]
"""


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory, sandbox_crds: Path | None) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("kubectl")
    path = folder / "kubeconfig"
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mtv_mcp.server",
            "sandbox",
            "--data",
            str(DATA),
            *(["--crds", str(sandbox_crds)] if sandbox_crds else []),
            "--write-kubeconfig",
            str(path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        else:
            pytest.fail("mtv-mcp sandbox did not start:\n" + "".join(lines))
        assert any(line.startswith("kubeconfig:") and str(path) in line for line in lines)
        yield path
        process.terminate()
        assert process.wait(timeout=10) == 0


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None, ok: bool = True) -> str:
    result = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), "--cache-dir", str(kubeconfig.parent / "cache"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    return result.stdout + (result.stderr if not ok else "")


def test_get_and_wide(kubeconfig: Path) -> None:
    pods = kubectl(kubeconfig, "get", "pods", "-n", "app-migrated")
    assert pods.split("\n")[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "wave1-vm-2061-zk4qd   0/1     Pending" in pods
    wide = kubectl(kubeconfig, "get", "pods", "-n", "app-migrated", "-o", "wide")
    assert "10.128.6.41" in wide
    assert "worker-3" in wide
    assert "NOMINATED NODE" in wide
    assert "wave1" in kubectl(kubeconfig, "get", "plans")
    assert "migration,worker" in kubectl(kubeconfig, "get", "nodes")


def test_describe_pod_shows_events(kubeconfig: Path) -> None:
    text = kubectl(kubeconfig, "describe", "pod", "-n", "app-migrated", "wave1-vm-2061-zk4qd")
    assert "FailedScheduling" in text
    assert "Insufficient memory" in text
    assert "(x7 over" in text


def test_logs(kubeconfig: Path) -> None:
    tail = kubectl(kubeconfig, "logs", "-n", "app-migrated", "wave1-vm-2041-p7x2c", "-c", "virt-v2v", "--tail=1")
    assert tail == "virt-v2v monitoring: Progress update, completed 42 %\n"
    pending = kubectl(kubeconfig, "logs", "-n", "app-migrated", "wave1-vm-2061-zk4qd", "-c", "virt-v2v", ok=False)
    assert "does not have a host assigned" in pending


@pytest.mark.usefixtures("crd_dir")  # the API server rejects what the CRD schema forbids
def test_apply_then_delete_a_plan(kubeconfig: Path) -> None:
    assert "wave2 created" in kubectl(kubeconfig, "apply", "-f", "-", stdin=PLAN.replace("TYPE", "cold"))
    assert "wave2 unchanged" in kubectl(kubeconfig, "apply", "-f", "-", stdin=PLAN.replace("TYPE", "cold"))
    assert "wave2 configured" in kubectl(kubeconfig, "apply", "-f", "-", stdin=PLAN.replace("TYPE", "warm"))
    rejected = kubectl(kubeconfig, "apply", "-f", "-", stdin=PLAN.replace("TYPE", "hot"), ok=False)
    assert 'spec.type: Unsupported value: "hot"' in rejected
    assert kubectl(kubeconfig, "get", "plan", "wave2", "-o", "jsonpath={.spec.type}") == "warm"
    assert "deleted" in kubectl(kubeconfig, "delete", "plan", "wave2")
    assert "NotFound" in kubectl(kubeconfig, "get", "plan", "wave2", ok=False)
