"""core room of mtv-mcp."""
