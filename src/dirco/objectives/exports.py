"""Leaderboard exports (CSV and XLSX) built from the rows the leaderboard selector returned.

The rows are already scoped to what the user may see: an export never reads more. The cells
are written (and neutralised against formula injection) by dirco.core.exports, like every
other list's export.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dirco.core.exports import XLSX_CONTENT_TYPE, Column, csv_bytes, xlsx_bytes
from dirco.objectives.cockpit import LEADERBOARD_COLUMNS

__all__ = ["XLSX_CONTENT_TYPE", "leaderboard_csv", "leaderboard_xlsx"]


def _columns() -> list[Column[dict[str, Any]]]:
    def reader(key: str) -> Any:
        return lambda row: row.get(key)

    return [Column(title, reader(key), kind) for key, title, kind in LEADERBOARD_COLUMNS]


def leaderboard_csv(rows: list[dict[str, Any]]) -> bytes:
    return csv_bytes(_columns(), rows)


def leaderboard_xlsx(rows: list[dict[str, Any]], *, sheet_title: str) -> bytes:
    return xlsx_bytes(_columns(), rows, sheet_title=sheet_title or _("Leaderboard"), freeze="C2")
