"""Container logs of the sandbox pods and the rules the kubelet applies when serving them.

``LogBook`` keeps lines per (namespace, pod, container, previous). ``read_pod_log`` answers
``GET .../pods/<name>/log`` for a pod object exactly as a real cluster does for the cases tools
must handle: an unscheduled pod (400 "does not have a host assigned"), a container still waiting
(400 "is waiting to start: <reason>"), a missing or ambiguous container name (400), no previous
instance (400), plus ``tailLines`` and ``limitBytes``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from mtv_mcp.sandbox.kube.status import ApiError, bad_request

LogKey = tuple[str, str, str, bool]


class LogBook:
    """Thread-safe storage of log lines."""

    def __init__(self) -> None:
        self._lines: dict[LogKey, list[str]] = {}
        self._lock = threading.Lock()

    def append(
        self, namespace: str, pod: str, container: str, lines: str | Iterable[str], *, previous: bool = False
    ) -> None:
        """Append lines (a string is split at newlines) to a container's log."""
        new = lines.splitlines() if isinstance(lines, str) else [str(line) for line in lines]
        with self._lock:
            self._lines.setdefault((namespace, pod, container, previous), []).extend(new)

    def replace(self, namespace: str, pod: str, container: str, text: str, *, previous: bool = False) -> None:
        """Set a container's whole log."""
        with self._lock:
            self._lines[(namespace, pod, container, previous)] = text.splitlines()

    def lines(self, namespace: str, pod: str, container: str, *, previous: bool = False) -> list[str] | None:
        """A copy of the lines, or None when nothing was ever logged."""
        with self._lock:
            found = self._lines.get((namespace, pod, container, previous))
            return list(found) if found is not None else None

    def forget_pod(self, namespace: str, pod: str) -> None:
        """Drop every log of a deleted pod."""
        with self._lock:
            for key in [k for k in self._lines if k[:2] == (namespace, pod)]:
                del self._lines[key]


def _names(containers: Any) -> list[str]:
    return [str(c.get("name")) for c in containers or () if isinstance(c, Mapping)]


def _state(pod: Mapping[str, Any], container: str) -> Mapping[str, Any] | None:
    status = pod.get("status") or {}
    for entry in [*(status.get("initContainerStatuses") or ()), *(status.get("containerStatuses") or ())]:
        if isinstance(entry, Mapping) and entry.get("name") == container:
            return entry
    return None


def choose_container(pod: Mapping[str, Any], container: str | None) -> str:
    """The container a log request is about, or the 400 a real API server answers."""
    name = pod["metadata"]["name"]
    spec = pod.get("spec") or {}
    main, init = _names(spec.get("containers")), _names(spec.get("initContainers"))
    if not container:
        if len(main) == 1:
            return main[0]
        raise bad_request(
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(main)}]"
            + (f" or one of the init containers: [{' '.join(init)}]" if init else "")
        )
    if container not in main + init:
        raise bad_request(f"container {container} is not valid for pod {name}")
    return container


def read_pod_log(
    book: LogBook,
    pod: Mapping[str, Any],
    container: str | None,
    *,
    tail_lines: int | None = None,
    previous: bool = False,
    limit_bytes: int | None = None,
) -> str:
    """The text of a log request, with the kubelet's errors as ``ApiError``."""
    meta = pod["metadata"]
    namespace, name = meta.get("namespace", ""), meta["name"]
    chosen = choose_container(pod, container)
    if not (pod.get("spec") or {}).get("nodeName"):
        raise bad_request(f"pod {name} does not have a host assigned")
    state = _state(pod, chosen)
    lines = book.lines(namespace, name, chosen, previous=previous)
    if previous:
        if lines is None:
            raise bad_request(f'previous terminated container "{chosen}" in pod "{name}" not found')
    else:
        waiting = ((state or {}).get("state") or {}).get("waiting")
        if lines is None and (state is None or waiting is not None):
            reason = (waiting or {}).get("reason") or "ContainerCreating"
            raise bad_request(f'container "{chosen}" in pod "{name}" is waiting to start: {reason}')
    selected = lines or []
    if tail_lines is not None:
        if tail_lines < 0:
            raise ApiError(
                422,
                "Invalid",
                f'PodLogOptions "{name}" is invalid: tailLines: Invalid value: '
                f"{tail_lines}: must be greater than or equal to 0",
            )
        selected = selected[-tail_lines:] if tail_lines else []
    text = "".join(f"{line}\n" for line in selected)
    if limit_bytes is not None and limit_bytes > 0:
        text = text.encode()[:limit_bytes].decode(errors="ignore")
    return text
