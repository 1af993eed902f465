"""The KARL error type: a ``SourceError`` pointing at the column of a rule."""

from __future__ import annotations

from collections.abc import Sequence

from mtv_mcp.core.errors import SourceError
from mtv_mcp.core.karl.model import Position


class RuleError(SourceError):
    """A KARL rule that cannot be accepted; ``others`` holds errors in further rule strings."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        column: int,
        hint: str | None = None,
        field: str | None = None,
        others: Sequence[RuleError] = (),
    ) -> None:
        super().__init__(message, source=source, column=column, hint=hint, field=field)
        self.others = tuple(others)

    @classmethod
    def at(cls, position: Position, message: str, hint: str | None = None) -> RuleError:
        """An error at ``position`` of a rule."""
        return cls(message, source=position.source, column=position.column, hint=hint, field=position.field)

    @classmethod
    def combine(cls, errors: Sequence[RuleError]) -> RuleError:
        """One error that reports all of ``errors`` (the first is the primary one)."""
        first = errors[0]
        return cls(
            first.message,
            source=first.source,
            column=first.column,
            hint=first.hint,
            field=first.field,
            others=errors[1:],
        )

    @property
    def all(self) -> tuple[RuleError, ...]:
        """This error and the others, each on its own."""
        alone = RuleError(self.message, source=self.source, column=self.column, hint=self.hint, field=self.field)
        return (alone, *self.others)

    def __str__(self) -> str:
        return "\n\n".join([super().__str__(), *(str(other) for other in self.others)])
