"""The installed distribution's version (a development marker when run from a checkout)."""

from __future__ import annotations

from importlib import metadata


def package_version() -> str:
    """The version of the installed ``mtv-mcp`` distribution."""
    try:
        return metadata.version("mtv-mcp")
    except metadata.PackageNotFoundError:
        return "0.0.0+checkout"
