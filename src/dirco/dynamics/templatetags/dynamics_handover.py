"""The handover notes of accounts and activities, read where the record is shown.

Accounts and activities keep no history of their own: the handover items are their record
of who handed them to whom. ``{% handover_notes_of "account" account.pk as notes %}`` (one
record) and ``{% handover_notes_for "activity" activities as handed %}`` (a list: one query
for all, then ``handed|get_item:activity.pk``) give the pages of those lower apps the notes
without importing this app. The pages that show them have checked that the user may see the
record; the link to the handover itself is only given to who may open it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from dirco.dynamics.handover import HandoverNote, handover_notes

register = template.Library()


@register.simple_tag(takes_context=True)
def handover_notes_of(context: template.Context, kind: str, object_id: int) -> list[HandoverNote]:
    return handover_notes(user=context["request"].user, kind=kind, object_ids=[object_id]).get(
        int(object_id), []
    )


@register.simple_tag(takes_context=True)
def handover_notes_for(
    context: template.Context, kind: str, records: Iterable[Any]
) -> dict[int, list[HandoverNote]]:
    return handover_notes(
        user=context["request"].user, kind=kind, object_ids=[r.pk for r in records]
    )
