"""The version of mtv-mcp: the one source the package build and the server both read."""

__version__ = "0.2.0.dev0"


def package_version() -> str:
    """The version this code is (the wheel's metadata is built from ``__version__``)."""
    return __version__
