"""Our server with every real tool registered plus the tests' trivial ``echo`` tool, over stdio or HTTP
(HTTP through the same app as ``mtv-mcp serve --http``).

It measures what our server adds to one call (registration, argument validation, error mapping,
result shaping with ``respond``) against the minimal server's no-op tool.
"""

from __future__ import annotations

import sys

import uvicorn

from mtv_mcp.core.config import Settings
from mtv_mcp.server.app import create_server
from mtv_mcp.server.http import create_http_app
from mtv_mcp.tools import ALL_TOOLS
from tests.server.helpers import TEST_TOOLS

TOOLS = [*ALL_TOOLS, *TEST_TOOLS]

if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        uvicorn.run(
            create_http_app(Settings(), tools=TOOLS), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning"
        )
    else:
        create_server(Settings(), tools=TOOLS).run()
