"""The rooms' import rules (architecture.md), checked on the source of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "mtv_mcp"

# room -> rooms it must never import
FORBIDDEN = {
    "core": {"server", "tools", "sandbox", "prompts"},
    "tools": {"server", "sandbox", "prompts"},
    "prompts": {"core", "server", "tools", "sandbox"},
    "sandbox": {"server", "tools", "prompts"},
}


def imported_rooms(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_only_what_it_may(room: str) -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {PACKAGE}.{target}"
        for path in sorted((ROOT / room).rglob("*.py"))
        for target, line in imported_rooms(path)
        if target in FORBIDDEN[room]
    ]
    assert not violations, "\n".join(violations)


# The sandbox judges the product's predictions, so it never borrows the logic under test (architecture.md).
SANDBOX_MUST_NOT_USE = (
    "core.placement",
    "core.convertor.scheduling",
    "core.convertor.pending",
    "core.convertor.progress",
)


def imported_modules(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module, node.lineno))
            found.update((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)
    return found


def test_sandbox_does_not_judge_the_product_with_its_own_code() -> None:
    banned = tuple(f"{PACKAGE}.{name}" for name in SANDBOX_MUST_NOT_USE)
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "sandbox").rglob("*.py"))
        for module, line in imported_modules(path)
        if any(module == b or module.startswith(f"{b}.") for b in banned)
    ]
    assert not violations, "\n".join(violations)


def test_no_relative_imports_anywhere() -> None:
    offenders = []
    for room in ("core", "tools", "prompts", "server", "sandbox"):
        for path in (ROOT / room).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
