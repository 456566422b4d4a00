"""Domain errors raised by services; interfaces turn them into 400 answers or form errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A business rule refused the request. ``fields`` maps a field name to its messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def validation_error_fields(exc: ValidationError) -> dict[str, list[str]]:
    """A Django ValidationError (e.g. from ``full_clean``) as ApplicationError ``fields``."""
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def full_clean_or_refuse(obj: Any, message: str, **kwargs: Any) -> None:
    """``obj.full_clean(**kwargs)``, its refusal raised as an ApplicationError (``message``
    above the fields' own messages), so that an API answers 400, not 500."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise ApplicationError(message, fields=validation_error_fields(exc)) from None


class StaleVersion(ApplicationError):
    """The record changed since the client read it (optimistic concurrency): nothing was saved.

    The API answers 412 Precondition Failed; a form shows the message, which says who changed
    what in between (``dirco.core.versioning.version_conflict_message``).
    """

    def __init__(self, message: str, *, expected: int, current: int) -> None:
        super().__init__(message, fields={"version": [message]})
        self.expected = expected
        self.current = current
