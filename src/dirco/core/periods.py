"""Calendar months as first days of months: the arithmetic every app shares."""

from __future__ import annotations

import datetime as dt


def month_add(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s (``n`` may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)
