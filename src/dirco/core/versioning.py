"""Optimistic concurrency: every editable record carries ``version`` (an integer bumped by
its services on each save), exposed by the API as ``ETag: "<version>"``; a PATCH/PUT with
``If-Match`` and an HTML edit form (hidden ``version`` field) name the version they read.

When it no longer matches, nothing is saved: the API answers 412, the form says who changed
what in between (from the record's simple_history trail when it has one). ``If-Match`` is
optional (no 428): clients that send it get the check, scripts that do not keep working.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dirco.core.errors import StaleVersion

# Fields whose change is a consequence of another (not worth naming to the user).
QUIET_FIELDS = frozenset({"updated_at", "version", "amount_company", "stage_entered_at"})


class Versioned(models.Model):
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True


def version_changes_since(obj: Any, version: int) -> list[str]:
    """One line per save after ``version``: "Ann Smith, 05/12/2026 09:12: amount, stage"."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    lines = []
    records = history.filter(version__gt=version).order_by("history_date", "history_id")
    for record in records[:10]:
        previous = record.prev_record
        names: list[str] = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                if change.field in QUIET_FIELDS:
                    continue
                try:
                    names.append(str(obj._meta.get_field(change.field).verbose_name))
                except Exception:
                    names.append(change.field)
        who = str(record.history_user) if record.history_user else _("someone")
        when = date_format(record.history_date, "SHORT_DATETIME_FORMAT")
        lines.append(
            _("%(who)s, %(when)s: %(fields)s")
            % {"who": who, "when": when, "fields": ", ".join(names) or _("no visible field")}
        )
    return lines


def version_check(obj: Any, expected: int | None) -> None:
    """Raise StaleVersion when ``expected`` (the version the client read) is not current."""
    if expected is None or obj.version == expected:
        return
    changes = version_changes_since(obj, expected)
    message = _(
        "This record was changed by someone else since you opened it (version %(expected)s, "
        "now %(current)s); nothing was saved. Reload it to see their changes, then make yours."
    ) % {"expected": expected, "current": obj.version}
    if changes:
        message += " " + _("Changed in between: %(changes)s.") % {"changes": "; ".join(changes)}
    raise StaleVersion(message, expected=expected, current=obj.version)


def version_bump(obj: Any) -> None:
    obj.version = obj.version + 1
