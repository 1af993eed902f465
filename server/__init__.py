"""The MCP application: server factory, transports, configuration and the command line."""
