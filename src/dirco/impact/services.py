"""Keep a plan's impact: computed by ``impact.measure`` and stored in ``ImpactSnapshot``.

A snapshot is reused while it was computed today and after the latest change of the plan or
its actions (``inputs_changed_at``); otherwise it is computed again, at the next read. The
page's *Recompute* button forces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from dirco.impact.attribution import ActionWindow
from dirco.impact.measure import plan_impact
from dirco.impact.models import ImpactSnapshot


def impact_snapshot_fresh(
    snapshot: ImpactSnapshot | None, *, inputs_changed_at: dt.datetime, today: dt.date
) -> bool:
    return (
        snapshot is not None
        and snapshot.payload.get("computed_for") == today.isoformat()
        and snapshot.inputs_changed_at >= inputs_changed_at
    )


def impact_snapshot_compute(
    *,
    subject_key: str,
    actions: Callable[[], list[ActionWindow]],
    inputs_changed_at: dt.datetime,
    today: dt.date,
) -> ImpactSnapshot:
    """Compute, then keep: the computation (seconds at 1M deals) runs outside any
    transaction, and only the write of the snapshot is one."""
    payload = plan_impact(actions=actions(), today=today)
    with transaction.atomic():
        snapshot, _created = ImpactSnapshot.objects.update_or_create(
            subject_key=subject_key,
            defaults={
                "payload": payload,
                "computed_at": timezone.now(),
                "inputs_changed_at": inputs_changed_at,
            },
        )
    return snapshot


def impact_for(
    *,
    subject_key: str,
    actions: Callable[[], list[ActionWindow]],
    inputs_changed_at: dt.datetime,
    today: dt.date | None = None,
    recompute: bool = False,
) -> dict[str, Any]:
    """The kept impact of ``subject_key``, computed again when stale (see the module)."""
    today = today or timezone.localdate()
    snapshot = ImpactSnapshot.objects.filter(subject_key=subject_key).first()
    if recompute or not impact_snapshot_fresh(
        snapshot, inputs_changed_at=inputs_changed_at, today=today
    ):
        snapshot = impact_snapshot_compute(
            subject_key=subject_key,
            actions=actions,
            inputs_changed_at=inputs_changed_at,
            today=today,
        )
    assert snapshot is not None
    return {**snapshot.payload, "computed_at": snapshot.computed_at}
