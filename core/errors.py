"""The error types every room shares: one base class whose text an assistant can act on."""

from __future__ import annotations


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
        """The source line and a caret line pointing at ``column``."""
        line = self.source.replace("\n", " ").replace("\t", " ")
        return f"  {line}\n  {' ' * (self.column - 1)}^"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        text = f"{where}{self.message} (column {self.column})\n{self.caret}"
        return f"{text}\nhint: {self.hint}" if self.hint else text
