"""A small Forklift inventory on loopback HTTP (forklift-model §4), for tests that run before or
beside the sandbox's own inventory: same paths, bearer auth, 401/403/404 rules, a few VMs of the
demo data set (demo-dataset.md §3), and switches for failures and latency.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

GI = 1024**3
VSPHERE_UID = "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001"
HOST_UID = "0b5e7a1c-3333-4a6e-9c2d-5f0e00000003"
TOKENS = {"sandbox-admin-token": "ok", "sandbox-viewer-token": "ok", "sandbox-no-access-token": "forbidden"}
HOSTS = [
    *({"id": f"host-2{i}", "name": f"esxi-0{i}.corp.example.com", "cluster": "domain-c8"} for i in (1, 2, 3)),
    {"id": "host-24", "name": "esxi-04.corp.example.com", "cluster": "domain-c9"},
]
CLUSTERS = [{"id": "domain-c8", "name": "Cluster-Prod"}, {"id": "domain-c9", "name": "Cluster-Dev"}]
CONCERNS = {
    "cbt": ("vmware.changed_block_tracking.disabled", "Warning"),
    "shared": ("vmware.disk.shared.detected", "Warning"),
    "passthrough": ("vmware.passthrough_device.detected", "Critical"),
    "drs": ("vmware.drs.enabled", "Information"),
    "os": ("vmware.os.unsupported", "Warning"),
}
# name, host, power, guestId, guestName, cpu, memoryMB, disk sizes (GiB), concerns
VMS = [
    (
        "pg-prod-01",
        "host-21",
        "poweredOn",
        "rhel9_64Guest",
        "Red Hat Enterprise Linux 9 (64-bit)",
        8,
        32768,
        [100, 500],
        ["cbt"],
    ),
    (
        "pg-prod-02",
        "host-22",
        "poweredOn",
        "rhel9_64Guest",
        "Red Hat Enterprise Linux 9 (64-bit)",
        8,
        32768,
        [100, 500, 1],
        ["shared"],
    ),
    (
        "web-frontend-01",
        "host-22",
        "poweredOn",
        "rhel8_64Guest",
        "Red Hat Enterprise Linux 8 (64-bit)",
        4,
        8192,
        [60],
        ["drs"],
    ),
    (
        "win-sql-01",
        "host-23",
        "poweredOn",
        "windows2022srvNext_64Guest",
        "Microsoft Windows Server 2022 (64-bit)",
        16,
        65536,
        [200, 1024, 250],
        ["cbt"],
    ),
    (
        "legacy-app-01",
        "host-22",
        "poweredOff",
        "other3xLinux64Guest",
        "Other 3.x Linux (64-bit)",
        2,
        4096,
        [40],
        ["os"],
    ),
    (
        "gpu-render-01",
        "host-23",
        "poweredOn",
        "rhel9_64Guest",
        "Red Hat Enterprise Linux 9 (64-bit)",
        16,
        131072,
        [200],
        ["passthrough"],
    ),
    (
        "file-srv-01",
        "host-21",
        "poweredOn",
        "windows2019srv_64Guest",
        "Microsoft Windows Server 2019 (64-bit)",
        4,
        16384,
        [100, 2048],
        [],
    ),
    ("dev-sandbox-07", "host-24", "suspended", "centos8_64Guest", "CentOS 8 (64-bit)", 1, 2048, [20], []),
]


def vm_json(index: int, row: tuple[Any, ...]) -> dict[str, Any]:
    name, host, power, guest_id, guest_name, cpu, memory, disks, concerns = row
    return {
        "id": f"vm-{2041 + index}",
        "name": name,
        "selfLink": f"providers/vsphere/{VSPHERE_UID}/vms/vm-{2041 + index}",
        "powerState": power,
        "host": host,
        "cpuCount": cpu,
        "memoryMB": memory,
        "guestId": guest_id,
        "guestName": guest_name,
        "hostName": f"{name.lower()}.corp.example.com",
        "disks": [
            {
                "key": 2000 + i,
                "capacity": size * GI,
                "datastore": {"kind": "Datastore", "id": "datastore-31"},
                "shared": False,
                "rdm": False,
                "bus": "scsi",
            }
            for i, size in enumerate(disks)
        ],
        "concerns": [
            {"id": CONCERNS[c][0], "label": c, "category": CONCERNS[c][1], "assessment": ""} for c in concerns
        ],
    }


class FakeInventory:
    """The running server: ``url``; set ``status`` (answer every request with it) or ``delay``."""

    def __init__(self, vms: list[dict[str, Any]] | None = None) -> None:
        self.vms = vms if vms is not None else [vm_json(i, row) for i, row in enumerate(VMS)]
        self.status: int | None = None
        self.delay = 0.0
        self.requests: list[str] = []
        self._payloads: dict[str, bytes] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def payload(self, path: str) -> bytes | None:
        base = f"/providers/vsphere/{VSPHERE_UID}"
        tables: dict[str, Any] = {
            "/providers": {
                "vsphere": [
                    {
                        "uid": VSPHERE_UID,
                        "name": "vsphere-prod",
                        "namespace": "openshift-mtv",
                        "type": "vsphere",
                        "vmCount": len(self.vms),
                    }
                ],
                "openshift": [
                    {"uid": HOST_UID, "name": "host", "namespace": "openshift-mtv", "type": "openshift", "vmCount": 0}
                ],
            },
            f"{base}/vms": self.vms,
            f"{base}/hosts": HOSTS,
            f"{base}/clusters": CLUSTERS,
        }
        if path not in tables:
            return None
        if path not in self._payloads:
            self._payloads[path] = json.dumps(tables[path]).encode()
        return self._payloads[path]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        inventory = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                inventory.requests.append(path)
                if inventory.delay:
                    time.sleep(inventory.delay)
                auth = self.headers.get("Authorization", "")
                verdict = TOKENS.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
                body = inventory.payload(path)
                if inventory.status:
                    self._send(inventory.status, b'{"error": "injected"}')
                elif verdict is None:
                    self._send(401, b"")
                elif verdict == "forbidden":
                    self._send(403, b"")
                elif body is None:
                    self._send(404, b"", {"X-Reason": "ProviderNotFound"} if path.startswith("/providers/") else {})
                else:
                    self._send(200, body)

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeInventory]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
