"""Logging, configured once by the command line: mtv-mcp's own loggers at ``--log-level``, every
library at warning, all of it on stderr (stdout carries the MCP protocol in stdio mode).

What is logged: each Kubernetes and inventory request (method, path, status, duration) at debug,
retries at info, failures after retries at warning; never a token.
"""

from __future__ import annotations

import logging
import sys

LEVELS = ("debug", "info", "warning", "error")
DEFAULT_LEVEL = "warning"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = DEFAULT_LEVEL) -> None:
    """Send log records to stderr: ``mtv_mcp.*`` from ``level`` up, libraries from warning up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("mtv_mcp").setLevel(level.upper())
