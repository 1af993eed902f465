"""Material the repository does not carry: the upstream Forklift CRDs and the optimisation guide.

One setting finds it: ``$MTV_MCP_SHARED``, a folder holding ``crds/`` and ``docs/`` (default:
``shared`` beside the checkout). A test that needs it is skipped with a one-line reason when it
is absent; with ``MTV_MCP_REQUIRE_SHARED=1`` (as CI runs) its absence fails the test instead, so
a green CI run has always validated against the real CRDs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import pytest

SETTING = "MTV_MCP_SHARED"
REQUIRED_SETTING = "MTV_MCP_REQUIRE_SHARED"
REPO_ROOT = Path(__file__).resolve().parents[1]
GUIDE = Path("docs") / "convertor-optimization-guide.md"


def shared_root() -> Path:
    """The folder named by ``$MTV_MCP_SHARED``, else ``../shared`` beside the checkout."""
    return Path(os.environ.get(SETTING) or REPO_ROOT.parent / "shared").resolve()


def required() -> bool:
    return os.environ.get(REQUIRED_SETTING, "") not in ("", "0")


def optional_crds() -> Path | None:
    """The Forklift CRD folder, or None: a sandbox validates against the CRDs when they are there."""
    folder = shared_root() / "crds"
    if folder.is_dir():
        return folder
    if required():
        _missing("the Forklift CRDs", folder)
    return None


def crds() -> Path:
    """The Forklift CRD folder; the calling test is skipped (or, when required, fails) without it."""
    folder = optional_crds()
    return folder if folder is not None else _missing("the Forklift CRDs", shared_root() / "crds")


@cache
def _guide_text() -> str | None:
    path = shared_root() / GUIDE
    return path.read_text(encoding="utf-8") if path.is_file() else None


def guide() -> str:
    """The optimisation guide's text; the calling test is skipped (or, when required, fails) without it."""
    text = _guide_text()
    return text if text is not None else _missing("the optimisation guide", shared_root() / GUIDE)


def guide_params(extract: Callable[[str], Sequence[Any]]) -> list[Any]:
    """Parameters drawn from the guide's text, or one skipped parameter when the guide is absent.

    Collection never fails for a missing guide; when the material is required, the missing guide
    is an error at collection (CI must never run without it).
    """
    text = _guide_text()
    if text is not None:
        return list(extract(text))
    path = shared_root() / GUIDE
    if required():
        raise FileNotFoundError(f"{path}: required by ${REQUIRED_SETTING} but absent")
    return [pytest.param(None, marks=pytest.mark.skip(reason=_reason("the optimisation guide", path)))]


def _reason(what: str, path: Path) -> str:
    return f"needs {what}: {path} is absent (set ${SETTING} to a folder with crds/ and docs/)"


def _missing(what: str, path: Path) -> NoReturn:
    if required():
        pytest.fail(f"{_reason(what, path)}; ${REQUIRED_SETTING} is set", pytrace=False)
    pytest.skip(_reason(what, path))
