"""The one error type of the query language, and the limits it enforces."""

from __future__ import annotations

from mtv_mcp.core.errors import SourceError

MAX_QUERY_LENGTH = 8192
MAX_DEPTH = 40
MAX_LIST_ITEMS = 1000


class QueryError(SourceError):
    """A query that cannot be parsed, compiled or run; carries column, caret and hint."""


def query_error(message: str, source: str, offset: int, hint: str | None = None) -> QueryError:
    """A `QueryError` at a 0-based code-point ``offset`` of ``source``."""
    return QueryError(message, source=source, column=offset + 1, hint=hint)
