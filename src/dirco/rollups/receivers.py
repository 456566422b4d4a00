"""Keep the rep rollups right when a partner changes channel manager.

A partner's deals count for its channel manager; the rollups store that per rep, so a new
channel manager moves those deals from one rep's rows to another's. Partners are written by
several interfaces (services, admin, imports): a model signal is the one place that sees
them all. It only recomputes a derived table, in the same transaction as the save.
"""

from __future__ import annotations

from typing import Any

from dirco.partners.models import Partner
from dirco.rollups.writes import rollups_rebuild_reps


def partner_pre_save(sender: Any, instance: Partner, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        instance._rollups_old_cm = None  # type: ignore[attr-defined]
        return
    instance._rollups_old_cm = (  # type: ignore[attr-defined]
        Partner.objects.filter(pk=instance.pk).values_list("channel_manager_id", flat=True).first()
    )


def partner_post_save(
    sender: Any, instance: Partner, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    if raw or created:
        return
    old = getattr(instance, "_rollups_old_cm", None)
    new = instance.channel_manager_id
    if old != new:
        rollups_rebuild_reps(rep_ids=[i for i in (old, new) if i])
