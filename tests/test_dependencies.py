"""The check that stops a test run on a Python without the project's dependencies."""

from __future__ import annotations

from pathlib import Path

from tests import dependencies


def test_this_environment_has_everything_pyproject_asks_for() -> None:
    assert dependencies.missing() == []


def test_an_absent_distribution_is_named_as_written(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\ndependencies = ["pytest>=8", "no-such-distribution-xyz>=1,<2"]\n'
        '[project.optional-dependencies]\ntest = ["another-absent-one", "windows-only; sys_platform == \'nowhere\'"]\n'
    )
    assert dependencies.missing(pyproject) == ["no-such-distribution-xyz>=1,<2", "another-absent-one"]
