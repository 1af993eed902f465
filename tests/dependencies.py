"""What ``pyproject.toml`` asks for (the runtime and the ``test`` extra) that this Python lacks.

Without it a run that skipped the install step fails in dozens of test modules with
``No module named ...``; with it the run stops at once and says what to install.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement  # pytest's own dependency

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def missing(pyproject: Path = PYPROJECT) -> list[str]:
    """The requirements (as written in ``pyproject``) with no distribution installed."""
    project = tomllib.loads(pyproject.read_text())["project"]
    absent = []
    for line in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version(requirement.name)
        except PackageNotFoundError:
            absent.append(line)
    return absent
