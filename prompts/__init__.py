"""MCP prompt templates (``workflows/``) and reference documents (``reference/``)."""
