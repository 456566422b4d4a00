"""Lists exported to CSV and XLSX: the one place that writes cells a spreadsheet will open.

Every export (the staff lists, the portal's lists, the leaderboard) hands over rows that its
list page's selector already scoped to the user: an export never reads more than the page.

- ``cell_neutralise``: a text cell starting with ``= + - @``, a tab or a carriage return gets a
  leading apostrophe, so that a spreadsheet shows it instead of running it as a formula
  (CSV/formula injection, OWASP).
- ``csv_stream``: a ``StreamingHttpResponse`` that writes one row at a time (a list of
  100,000 deals never sits in memory), with the language's delimiter and a BOM.
- ``xlsx_response``: openpyxl in write-only mode (rows go to a temporary file, not to memory).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dirco.core.l10n import csv_format, decimal_separator

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_T = TypeVar("_T")


def export_requested(
    query: Mapping[str, Any], formats: Sequence[str] = EXPORT_FORMATS
) -> str | None:
    """The export format a list page's query asks for (``?export=csv``), None for the page
    itself; 404 for a format the list does not offer."""
    fmt = query.get("export")
    if not fmt:
        return None
    if fmt not in formats:
        raise Http404(
            _("No such export format: choose one of %(formats)s.") % {"formats": ", ".join(formats)}
        )
    return str(fmt)


def cell_neutralise(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would read as a
    formula. Numbers are left alone: ``-12.5`` is a number, not a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column(Generic[_T]):
    """One column of an export: its header and how to read its value from a row."""

    title: Any  # a str or a lazy translation
    value: Callable[[_T], Any]
    kind: str = "text"  # "text", "number" or "money" (the XLSX number format)


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, dt.datetime):
        # Excel has no time zone: the moment in the user's zone, without its offset.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | dt.date):
        return value
    return cell_neutralise(str(value))


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers with the language's decimal separator (no grouping, so
    that spreadsheets parse them), dates in ISO 8601, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", decimal_separator())
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="minutes")
            if timezone.is_aware(value)
            else value.isoformat(timespec="minutes")
        )
    if isinstance(value, int | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return str(cell_neutralise(str(value)))


class _Line:
    """A file-like object that hands back what csv.writer writes, line by line."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column[_T]], rows: Iterable[_T]) -> Iterator[str]:
    """The CSV text of ``rows``, one line at a time, header first, BOM before it."""
    fmt = csv_format()  # ";" for French spreadsheets, "," otherwise
    writer = csv.writer(_Line(), delimiter=fmt.delimiter)
    header = writer.writerow([str(cell_neutralise(str(c.title))) for c in columns])
    yield ("\ufeff" if fmt.bom else "") + header
    for row in rows:
        yield writer.writerow([csv_cell(c.value(row)) for c in columns])


def csv_bytes(columns: Sequence[Column[_T]], rows: Iterable[_T]) -> bytes:
    return "".join(csv_lines(columns, rows)).encode("utf-8")


def xlsx_bytes(
    columns: Sequence[Column[_T]], rows: Iterable[_T], *, sheet_title: str, freeze: str = "A2"
) -> bytes:
    """An XLSX workbook of ``rows``: bold header, frozen header row (and the columns left of
    ``freeze``), money as ``#,##0.00``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = freeze
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=cell_neutralise(str(column.title)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values: list[Any] = []
        for column in columns:
            value = _xlsx_value(column.value(row))
            if column.kind == "money" and isinstance(value, int | float):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                values.append(cell)
            else:
                values.append(value)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name, and names over 31 characters.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Export"


def _disposition(filename: str, fmt: str) -> str:
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in filename)
    return f'attachment; filename="{safe}.{fmt}"'


def export_response(
    *,
    fmt: str,
    filename: str,
    columns: Sequence[Column[_T]],
    rows: Iterable[_T],
    sheet_title: str | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """The download of ``rows`` as ``fmt`` ("csv" streamed, or "xlsx"); 404 for another
    format. ``rows`` should be an iterator over a queryset (``qs.iterator()``) for big lists."""
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(columns, rows)),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(columns, rows, sheet_title=sheet_title or filename),
            content_type=XLSX_CONTENT_TYPE,
        )
    else:
        raise Http404(_("No such export format: choose csv or xlsx."))
    response["Content-Disposition"] = _disposition(filename, fmt)
    # The rows are the user's own view of the data: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response
