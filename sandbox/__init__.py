"""sandbox room of mtv-mcp."""
