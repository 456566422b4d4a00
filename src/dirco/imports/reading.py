"""Reading a file as rows of text: CSV in any usual encoding and delimiter, or XLSX.

CSV: UTF-8 with or without a byte-order mark, else Windows-1252 (which covers Latin-1's
letters); the delimiter is sniffed among ``,`` ``;`` tab and ``|``. XLSX: the zip is checked
before openpyxl opens it (an archive that unpacks to more than ``MAX_UNPACKED_BYTES``, or
at a ratio above ``MAX_RATIO``, is refused at once: a zip bomb never reaches the parser);
openpyxl reads with defusedxml when it is installed (it is: a dependency).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
_DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Any]]  # text for CSV; text, numbers, dates for XLSX
    delimiter: str = ""
    encoding: str = ""
    kind: str = "csv"


@functools.lru_cache(maxsize=65536)
def header_key(text: str) -> str:
    """A header as compared: lower case, no accents, punctuation and spaces folded (cached:
    an import compares the same account, stage and owner names row after row)."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    kept = "".join(c if c.isalnum() else " " for c in folded.lower())
    return " ".join(kept.split())


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if "\x00" in text:
        # No text file holds NUL characters (PostgreSQL refuses them in text, too).
        raise ApplicationError(
            _("This is not a CSV file (it holds binary data): save it as CSV or XLSX.")
        )
    delimiter = _sniff(text[:8192])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise ApplicationError(
            _("The file is empty: put the column names on its first line.")
        ) from None
    rows: list[list[Any]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            rows.append([])  # an empty line keeps its line number, and is skipped
            continue
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ApplicationError(
                _("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS}
            )
    return Table(headers=headers, rows=rows, delimiter=delimiter, encoding=encoding)


def _xlsx_check(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApplicationError(_("This is not an XLSX file (not a zip archive).")) from None
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(len(data), 1):
        raise ApplicationError(
            _("This XLSX file unpacks to %(mb)s MB: refused (at most %(max)s MB).")
            % {"mb": unpacked // (1024 * 1024), "max": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


def read_xlsx(data: bytes) -> Table:
    _xlsx_check(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ApplicationError(
            _("This XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        headers = ["" if v is None else str(v) for v in next(values)]
    except StopIteration:
        raise ApplicationError(
            _("The file is empty: put the column names on its first line.")
        ) from None
    rows: list[list[Any]] = []
    for row in values:
        cells = ["" if v is None else v for v in row]
        rows.append(cells if any(str(c).strip() for c in cells) else [])
        if len(rows) > MAX_ROWS:
            raise ApplicationError(
                _("The file has more than %(max)s rows: split it.") % {"max": MAX_ROWS}
            )
    book.close()
    return Table(headers=headers, rows=rows, kind="xlsx")


def read_table(data: bytes, *, name: str = "") -> Table:
    """The file's rows; XLSX by its name or its zip signature, CSV otherwise."""
    if len(data) > MAX_BYTES:
        raise ApplicationError(
            _("The file is over %(max)s MB: split it.") % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    return read_csv(data)


def looks_french(table: Table) -> bool:
    """A file written with French conventions: ``;`` between columns, or French headers."""
    if table.delimiter == ";":
        return True
    french = {"montant", "date de cloture", "devise", "client", "compte", "affaire", "etape"}
    return any(any(w in header_key(h) for w in french) for h in table.headers)


def cell_text(value: Any) -> str:
    if type(value) is str:  # CSV cells: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, Decimal | int | float | dt.date):
        return str(value)
    return str(value).strip()
