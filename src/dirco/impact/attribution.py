"""Which won deals an action produced: the attribution rule, written once.

A won deal counts for an action when, in this order of precedence:

1. **link**: the deal is linked to the action (the deal's action link, set by hand or by a
   campaign import), whatever its segment and dates;
2. **source**: the deal's source is the action's channel (``event`` for events, trade
   shows and webinars; ``campaign`` for promotions, offers, calls and email campaigns), it
   is in the action's target segment, it was *created* between the action's start and
   ``CREATED_AFTER_END_DAYS`` days after its end, and *won* between the action's start and
   ``WON_AFTER_END_DAYS`` days after its end;
3. **rule**: whatever its source, it is in the action's target segment and was created and
   won in those same windows (same segment, same time window).

A deal counts once within a plan: for the action it is linked to, else for the matching
action (source before rule) whose start is the latest before the deal's creation. Across
plans a deal may count in each plan whose actions match it (plans are read one at a time).

The target segment is the intersection of its dimensions: territories (the deal's account's
territory), partner tiers (the deal's partner's tier), product lines and accounts; an empty
dimension is not a restriction, an action with no dimension targets the whole company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

CREATED_AFTER_END_DAYS = 30
WON_AFTER_END_DAYS = 120

# Action types whose deals come in through an event, or through a campaign.
EVENT_TYPES = frozenset({"event", "trade_show", "webinar", "partner_training"})
CAMPAIGN_TYPES = frozenset(
    {"promotion", "product_offer", "service_offer", "call_campaign", "email_campaign"}
)


@dataclass(frozen=True)
class Segment:
    territory_ids: tuple[int, ...] = ()
    tier_ids: tuple[int, ...] = ()
    product_line_ids: tuple[int, ...] = ()
    account_ids: tuple[int, ...] = ()
    partner_ids: tuple[int, ...] = ()

    DIMENSIONS = ("territory_ids", "tier_ids", "product_line_ids", "account_ids", "partner_ids")
    _LOOKUPS = {
        "territory_ids": "account__territory_id__in",
        "tier_ids": "partner__tier_id__in",
        "product_line_ids": "product_line_id__in",
        "account_ids": "account_id__in",
        "partner_ids": "partner_id__in",
    }

    def contains(
        self,
        *,
        territory_id: int | None,
        tier_id: int | None,
        product_line_id: int | None,
        account_id: int | None,
        partner_id: int | None = None,
    ) -> bool:
        """Whether a deal with these keys is in the segment (the same rule as ``deal_q``)."""
        values = {
            "territory_ids": territory_id,
            "tier_ids": tier_id,
            "product_line_ids": product_line_id,
            "account_ids": account_id,
            "partner_ids": partner_id,
        }
        return all(not getattr(self, d) or values[d] in getattr(self, d) for d in self.DIMENSIONS)

    def control_contains(
        self,
        dimension: str,
        *,
        territory_id: int | None,
        tier_id: int | None,
        product_line_id: int | None,
    ) -> bool:
        """Whether a deal with these keys is in the control segment of ``control_q`` whose
        complemented dimension is ``dimension`` (``territory``, ``tier``, ``product_line``)."""
        values = {
            "territory_ids": territory_id,
            "tier_ids": tier_id,
            "product_line_ids": product_line_id,
        }
        key = f"{dimension}_ids"
        if values[key] is None or values[key] in getattr(self, key):
            return False
        return all(
            not getattr(self, d) or values[d] in getattr(self, d)
            for d in ("territory_ids", "tier_ids", "product_line_ids")
            if d != key
        )

    @property
    def is_company(self) -> bool:
        return not any(getattr(self, d) for d in self.DIMENSIONS)

    def deal_q(self) -> Q:
        """The deals of the segment (a filter on ``Deal``)."""
        q = Q()
        for dimension in self.DIMENSIONS:
            ids = getattr(self, dimension)
            if ids:
                q &= Q(**{self._LOOKUPS[dimension]: list(ids)})
        return q

    def control_q(self) -> tuple[str, Q] | None:
        """A control segment the action did not target, same months: the first targeted
        dimension among territory, tier, product line and partner replaced by its complement
        (the other territories, tiers, product lines or partners), the other dimensions
        kept. None when the action targets the whole company or only accounts (no comparable
        control)."""
        for dimension in ("territory_ids", "tier_ids", "product_line_ids", "partner_ids"):
            ids = getattr(self, dimension)
            if not ids:
                continue
            lookup = self._LOOKUPS[dimension]
            q = ~Q(**{lookup: list(ids)}) & Q(**{lookup.replace("_id__in", "_id__isnull"): False})
            for other in self.DIMENSIONS:
                other_ids = getattr(self, other)
                if other != dimension and other_ids:
                    q &= Q(**{self._LOOKUPS[other]: list(other_ids)})
            return dimension.removesuffix("_ids"), q
        return None


@dataclass(frozen=True)
class ActionWindow:
    """What the impact engine needs of an action (``plans.Action``, read by the adapter in
    ``impact.selectors``)."""

    id: int
    name: str
    kind: str
    start: dt.date
    end: dt.date
    segment: Segment
    cost: Decimal
    expected: Decimal
    expected_by_month: dict[str, Decimal] = field(default_factory=dict)
    linked_deal_ids: frozenset[int] = frozenset()

    @property
    def created_until(self) -> dt.date:
        return self.end + dt.timedelta(days=CREATED_AFTER_END_DAYS)

    @property
    def won_until(self) -> dt.date:
        return self.end + dt.timedelta(days=WON_AFTER_END_DAYS)

    @property
    def channel(self) -> str | None:
        """The deal source that marks this action's deals (``event``, ``campaign``)."""
        if self.kind in EVENT_TYPES:
            return "event"
        if self.kind in CAMPAIGN_TYPES:
            return "campaign"
        return None

    def candidate_q(self) -> Q:
        """Deals that may be attributed by source or rule (segment and windows)."""
        return self.segment.deal_q() & Q(
            created_at__date__gte=self.start,
            created_at__date__lte=self.created_until,
            close_date__gte=self.start,
            close_date__lte=self.won_until,
        )


def attribute(
    *, actions: list[ActionWindow], deals: list[tuple[int, dt.date, str, set[int]]]
) -> dict[int, tuple[int, str]]:
    """deal id -> (action id, how) for ``deals`` given as (id, created, source, matching
    action ids by segment and window), following the precedence in the module docstring.
    Explicit links are read from each action's ``linked_deal_ids``."""
    by_id = {a.id: a for a in actions}
    out: dict[int, tuple[int, str]] = {}
    for action in actions:
        for deal_id in action.linked_deal_ids:
            out.setdefault(deal_id, (action.id, "link"))
    for deal_id, created, source, matching in deals:
        if deal_id in out:
            continue
        candidates = [by_id[i] for i in matching if i in by_id and by_id[i].start <= created]
        if not candidates:
            continue
        by_source = [a for a in candidates if a.channel is not None and a.channel == source]
        pool, how = (by_source, "source") if by_source else (candidates, "rule")
        chosen = max(pool, key=lambda a: (a.start, a.id))
        out[deal_id] = (chosen.id, how)
    return out
