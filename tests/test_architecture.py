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
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
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
    found: set[tuple[str, int]] = set()
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


# Inside core/, a package imports only packages to its right (architecture.md, "The rooms"):
# plan → convertor → inventory → cluster → tsl/karl/placement → shared (core/*.py modules).
# ``core/runtime.py`` is the state the server hands to the tools, so it sits above them all.
CORE_LAYERS: list[set[str]] = [
    {"runtime"},
    {"plan"},
    {"convertor"},
    {"inventory"},
    {"cluster"},
    {"tsl", "karl", "placement"},
]


def core_part(name: str) -> str | None:
    """The core package (or top-level module) ``name`` belongs to: 'mtv_mcp.core.plan.x' -> 'plan'."""
    parts = name.split(".")
    return parts[2] if parts[:2] == [PACKAGE, "core"] and len(parts) > 2 else None


def layer_of(part: str) -> int:
    """The layer index of a core part (every top-level module but runtime is shared: the last layer)."""
    return next((index for index, layer in enumerate(CORE_LAYERS) if part in layer), len(CORE_LAYERS))


def imported_names(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name, node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add((node.module, node.lineno))
    return found


def test_core_packages_import_only_lower_layers() -> None:
    violations = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        relative = path.relative_to(ROOT / "core")
        own = relative.parts[0].removesuffix(".py")
        for name, line in imported_names(path):
            target = core_part(name)
            if target is None or target == own:
                continue
            shared = layer_of(own) == len(CORE_LAYERS) and layer_of(target) == len(CORE_LAYERS)
            if layer_of(target) <= layer_of(own) and not shared:
                violations.append(f"core/{relative}:{line} imports core.{target}")
    assert not violations, "\n".join(violations)


def test_tools_do_not_import_each_other() -> None:
    """A tool module imports only the tools' shared helpers (modules named ``_*``)."""
    violations = []
    for path in sorted((ROOT / "tools").glob("*.py")):
        if path.name == "__init__.py":
            continue
        for name, line in imported_names(path):
            parts = name.split(".")
            if parts[:2] == [PACKAGE, "tools"] and (len(parts) < 3 or not parts[2].startswith("_")):
                violations.append(f"tools/{path.name}:{line} imports {name}")
    assert not violations, "\n".join(violations)


def test_product_code_in_core_is_not_only_for_the_sandbox() -> None:
    """What only the sandbox and the tests use lives in sandbox/ (crdschema, the running plan's pod)."""
    assert not (ROOT / "core" / "crdschema.py").exists()
    template = (ROOT / "core" / "convertor" / "pod_template.py").read_text(encoding="utf-8")
    for name in ("def build_convertor_pod", "def conversion_type", "class DiskVolume"):
        assert name not in template
