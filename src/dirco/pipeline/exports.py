"""The columns of the deal and activity exports (CSV/XLSX, written by dirco.core.exports).

The rows come from the list pages' selectors (deal_list, activity_list_for_user): an export
shows what the page shows, never more.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dirco.core.exports import Column
from dirco.pipeline.models import Activity, Deal


def _name(obj: Any) -> str:
    return "" if obj is None else str(getattr(obj, "name", obj))


def _deal_columns(*, internal: bool) -> list[Column[Deal]]:
    """The deal columns; ``internal`` adds those a partner user does not see in the portal
    (the owner, the source)."""
    return [
        Column(_("ID"), lambda d: d.pk, "number"),
        Column(_("Name"), lambda d: d.name),
        Column(_("Account"), lambda d: _name(d.account)),
        Column(_("Partner"), lambda d: _name(d.partner)),
        *([Column(_("Owner"), lambda d: _name(d.owner))] if internal else []),
        Column(_("Product line"), lambda d: _name(d.product_line)),
        Column(_("Stage"), lambda d: _name(d.stage)),
        Column(_("Amount"), lambda d: d.amount, "money"),
        Column(_("Currency"), lambda d: d.currency),
        Column(_("Probability %"), lambda d: d.probability, "number"),
        Column(_("Expected close date"), lambda d: d.expected_close_date),
        Column(_("Close date"), lambda d: d.close_date),
        *([Column(_("Source"), lambda d: d.get_source_display())] if internal else []),
    ]


DEAL_COLUMNS = _deal_columns(internal=True)
PORTAL_DEAL_COLUMNS = _deal_columns(internal=False)

ACTIVITY_COLUMNS: list[Column[Activity]] = [
    Column(_("ID"), lambda a: a.pk, "number"),
    Column(_("Kind"), lambda a: a.get_kind_display()),
    Column(_("Subject"), lambda a: a.subject),
    Column(_("Due"), lambda a: a.due_at),
    Column(_("Done"), lambda a: a.done_at),
    Column(_("Deal"), lambda a: _name(a.deal)),
    Column(_("Partner"), lambda a: _name(a.partner)),
    Column(_("Account"), lambda a: _name(a.account)),
    Column(_("Contact"), lambda a: "" if a.contact is None else str(a.contact)),
    Column(_("Notes"), lambda a: a.notes),
]
