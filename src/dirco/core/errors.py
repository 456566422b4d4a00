"""Domain errors raised by services; interfaces turn them into 400 answers or form errors."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the request. ``fields`` maps a field name to its messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
