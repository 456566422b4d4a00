"""Leaderboard exports (CSV and XLSX) built from the rows the leaderboard selector returned.

The rows are already scoped to what the user may see: an export never reads more.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dirco.core.l10n import csv_format, decimal_separator
from dirco.objectives.cockpit import LEADERBOARD_COLUMNS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _csv_safe(value: Any) -> Any:
    # A spreadsheet opening the CSV must not run a name starting like a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def leaderboard_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    fmt = csv_format()  # ";" for French spreadsheets, "," otherwise
    writer = csv.writer(out, delimiter=fmt.delimiter)
    writer.writerow([str(title) for _key, title, _kind in LEADERBOARD_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                _csv_safe(_csv_cell(row.get(key), kind))
                if kind == "text"
                else _csv_cell(row.get(key), kind)
                for key, _title, kind in LEADERBOARD_COLUMNS
            ]
        )
    # A BOM so that spreadsheet programs read the accents right.
    return (("\ufeff" if fmt.bom else "") + out.getvalue()).encode("utf-8")


def _csv_cell(value: Any, kind: str) -> str:
    """Numbers with the language's decimal separator (no grouping: spreadsheets parse them)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float) and kind != "text":
        return str(value).replace(".", decimal_separator())
    return str(value)


def leaderboard_xlsx(rows: list[dict[str, Any]], *, sheet_title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31] or _("Leaderboard")[:31]
    sheet.append([str(title) for _key, title, _kind in LEADERBOARD_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for key, _title, kind in LEADERBOARD_COLUMNS:
            value = _cell(row.get(key))
            values.append(_csv_safe(value) if kind == "text" else value)
        sheet.append(values)
    for index, (_key, _title, kind) in enumerate(LEADERBOARD_COLUMNS, start=1):
        if kind == "money":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
