"""The engine's warnings: English text with a stable code and its values.

A :class:`Note` is a ``str`` (the CLI prints it, tests read it as text) that also carries a
``code`` and its ``params``, so an application can say it in its user's language
(``dirco.revenue.notes``) instead of showing the engine's English.
"""

from __future__ import annotations

from typing import Any


class Note(str):
    """One warning: ``str(note)`` is the English text; ``code`` and ``params`` say it again."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> Note:
        note = super().__new__(cls, text)
        note.code = code
        note.params = params
        return note

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"code": ..., "params": {...}, "text": English}``."""
        return {"code": self.code, "params": dict(self.params), "text": str(self)}
