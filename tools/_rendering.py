"""Text pieces more than one tool renders (tools do not import each other)."""

from __future__ import annotations

from mtv_mcp.core.convertor.pod_terms import PodTermMatch
from mtv_mcp.core.convertor.preview import PlacementPreview


def bullets(title: str, lines: list[str]) -> list[str]:
    """A titled list for result text, or nothing when ``lines`` is empty."""
    return [f"{title}:", *(f"- {line}" for line in lines)] if lines else []


def preview_lines(preview: PlacementPreview) -> list[str]:
    """The placement preview as text."""
    selector = ", ".join(f"{k}={v}" for k, v in preview.node_selector.items()) or "none"
    lines = [f"placement preview in {preview.target_namespace} (node selector: {selector}):"]
    pod = preview.pod
    asked = ", ".join(f"{k} {v}" for k, v in pod.requests.items())
    lines.append(
        f"- modelled pod requests {asked} (limits cpu {pod.limits['cpu']}, memory {pod.limits['memory']}); "
        f"from {pod.source}"
    )
    if preview.would_stay_pending:
        lines.append(f"- would stay Pending: {preview.scheduler_message}")
        lines += [f"  cause: {r.detail} → {r.fix}" for r in preview.causes if not r.expected]
    else:
        lines += [
            f"- fits {c.node}" + (f" [{c.place.zone}]" if c.place.zone else "") + f" score {c.score}"
            for c in preview.candidates
        ]
    lines += [f"- excluded {e.node}: {'; '.join(r.detail for r in e.reasons)}" for e in preview.excluded]
    lines += [_pod_term_line(term) for term in preview.pod_terms]
    return lines


def _pod_term_line(term: PodTermMatch) -> str:
    where = f" on {', '.join(term.nodes)}" if term.nodes else ""
    elsewhere = f"; outside it: {', '.join(term.elsewhere)}" if term.elsewhere else ""
    return f"- `{term.rule}` matches {term.matched} running pod(s) in {term.scope}{where}{elsewhere}"
