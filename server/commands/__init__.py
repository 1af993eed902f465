"""Subcommands of the `mtv-mcp` command line, one module each (discovered by server.cli)."""
