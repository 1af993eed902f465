"""The baseline for the server benchmarks: a minimal MCPServer with one no-op tool."""

from __future__ import annotations

import sys

from mcp.server.mcpserver import MCPServer

server: MCPServer[None] = MCPServer("minimal")


@server.tool()
def noop() -> str:
    """Do nothing."""
    return "ok"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]), stateless_http=True)
    else:
        server.run()
