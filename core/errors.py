"""The error types every room shares: one base class whose text an assistant can act on."""

from __future__ import annotations

QUOTE_MAX = 160
"""Most characters of the caller's input an error message quotes in one piece."""


def quoted(value: object, limit: int = QUOTE_MAX) -> str:
    """``repr`` of a piece of the caller's input, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    return f"{text[:limit]!r}... ({len(text) - limit} more characters)"


def clip(text: str, limit: int = QUOTE_MAX) -> str:
    """``text``, or its first ``limit`` characters and how many more there were."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


class MtvError(Exception):
    """A problem the caller can fix: what is wrong, where, and how to fix it.

    ``str(error)`` is the complete, user-facing message (tools return it verbatim as a tool
    error, the command line prints it on stderr). Subclasses add position information.
    """

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        text = f"{where}{self.message}"
        return f"{text}\nhint: {self.hint}" if self.hint else text


class SourceError(MtvError):
    """An error at a position of a one-line source text (a TSL query, a KARL rule).

    ``column`` is 1-based; the rendering shows the source with a caret under that column.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        column: int,
        hint: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, field=field)
        self.source = source
        self.column = max(1, column)

    @property
    def caret(self) -> str:
        """The source line (at most ``QUOTE_MAX`` characters of it, around ``column``) and a
        caret line pointing at ``column``."""
        line = self.source.replace("\n", " ").replace("\t", " ")
        start = max(0, min(self.column - 1 - QUOTE_MAX // 2, len(line) - QUOTE_MAX))
        shown = line[start : start + QUOTE_MAX]
        before = "..." if start else ""
        after = "..." if start + QUOTE_MAX < len(line) else ""
        return f"  {before}{shown}{after}\n  {' ' * (len(before) + self.column - 1 - start)}^"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        text = f"{where}{self.message} (column {self.column})\n{self.caret}"
        return f"{text}\nhint: {self.hint}" if self.hint else text
