"""Hooks that higher apps register to follow deal and activity writes inside the transaction.

``deals_changed`` (signals.py) is sent after commit with the scopes touched, but without
deltas. Derived tables that must stay exactly equal to the deals (the objectives app's
monthly rollups) need the deal as it was and as it is, in the same transaction as the write:
the pipeline services call :func:`deal_change_hooks_run` with a snapshot before and after.

Imports stay one-way: the pipeline knows nothing of who listens. A higher app appends its
callable in its ``AppConfig.ready``::

    deal_change_hooks.append(rollups_apply_deal_change)

Writes that bypass the services (bulk inserts of the demo seed, ``QuerySet.update``) do not
run the hooks; whoever does them rebuilds the derived tables afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dirco.partners.models import Partner
from dirco.pipeline.models import Activity, Deal


@dataclass(frozen=True)
class DealSnapshot:
    """What a deal contributes to totals: its dimensions, amount, status and dates."""

    owner_id: int
    team_id: int | None
    partner_id: int | None
    channel_manager_id: int | None
    product_line_id: int
    amount_company: Decimal
    probability: int
    forecast_category: str
    is_won: bool
    is_lost: bool
    created_on: dt.date  # created_at as a UTC date
    expected_close_date: dt.date
    close_date: dt.date | None


@dataclass(frozen=True)
class ActivitySnapshot:
    owner_id: int
    created_on: dt.date  # UTC dates
    done_on: dt.date | None


DealChangeHook = Callable[[DealSnapshot | None, DealSnapshot | None], None]
ActivityChangeHook = Callable[[ActivitySnapshot | None, ActivitySnapshot | None], None]

deal_change_hooks: list[DealChangeHook] = []
activity_change_hooks: list[ActivityChangeHook] = []

# The key figures of whole scopes read from a table a higher app keeps exact in every deal
# write's transaction (the rollups app registers its reader in its ``ready``):
# :func:`dirco.pipeline.selectors.deal_figures` asks it when the deals are exactly the deals
# of some scopes, instead of aggregating every deal. Called with the keyword arguments
# ``scopes``, ``deals`` and ``periods``; returns a ``DealFigures``.
ScopeFiguresReader = Callable[..., Any]
scope_figures_readers: list[ScopeFiguresReader] = []


def _utc_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date() if moment.tzinfo else moment.date()


def deal_snapshot(deal: Deal) -> DealSnapshot:
    # Read from the database: the caller's partner instance may predate a channel-manager change.
    channel_manager_id = (
        Partner.objects.filter(pk=deal.partner_id)
        .values_list("channel_manager_id", flat=True)
        .first()
        if deal.partner_id
        else None
    )
    stage = deal.stage
    return DealSnapshot(
        owner_id=deal.owner_id,
        team_id=deal.team_id,
        partner_id=deal.partner_id,
        channel_manager_id=channel_manager_id,
        product_line_id=deal.product_line_id,
        amount_company=Decimal(deal.amount_company),
        probability=int(deal.probability),
        forecast_category=deal.forecast_category,
        is_won=stage.is_won,
        is_lost=stage.is_lost,
        created_on=_utc_date(deal.created_at),
        expected_close_date=deal.expected_close_date,
        close_date=deal.close_date,
    )


def activity_snapshot(activity: Activity) -> ActivitySnapshot:
    return ActivitySnapshot(
        owner_id=activity.owner_id,
        created_on=_utc_date(activity.created_at),
        done_on=_utc_date(activity.done_at) if activity.done_at else None,
    )


def deal_change_hooks_run(before: DealSnapshot | None, after: DealSnapshot | None) -> None:
    for hook in deal_change_hooks:
        hook(before, after)


def activity_change_hooks_run(
    before: ActivitySnapshot | None, after: ActivitySnapshot | None
) -> None:
    for hook in activity_change_hooks:
        hook(before, after)


def deal_delete_hooks_run(deal: Deal) -> None:
    """Before a deal is deleted: the deal and its activities (deleted with it) leave totals."""
    if deal_change_hooks:
        current = Deal.objects.select_related("stage", "partner").filter(pk=deal.pk).first()
        if current is not None:
            deal_change_hooks_run(deal_snapshot(current), None)
    if activity_change_hooks:
        for activity in Activity.objects.filter(deal_id=deal.pk).only(
            "owner_id", "created_at", "done_at"
        ):
            activity_change_hooks_run(activity_snapshot(activity), None)
