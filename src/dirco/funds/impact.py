"""What a funded activity produced, measured by the impact engine (``dirco.impact``).

A fund request is read as an action on one partner: its deals created during the activity
or in the 30 days after, and won within 120 days after its end, are attributed to it (the
rule of ``impact.attribution``); its cost is the approved amount. The uplift compares the
partner's won revenue in those months with the engine's forecast made from the partner's
history before the activity, and with the other partners (the control). Staff only: the
control's figures are other partners' revenue.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from dirco.funds.models import FundRequest
from dirco.impact.attribution import ActionWindow, Segment
from dirco.impact.services import impact_for

MEASURED_STATUSES = (
    FundRequest.Status.APPROVED,
    FundRequest.Status.CLAIMED,
    FundRequest.Status.PAID,
)


def fund_request_window(fund_request: FundRequest) -> ActionWindow:
    return ActionWindow(
        id=fund_request.pk,
        name=fund_request.activity,
        kind="mdf",
        start=fund_request.starts_on,
        end=fund_request.ends_on,
        segment=Segment(partner_ids=(fund_request.partner_id,)),
        cost=fund_request.approved_amount or fund_request.amount,
        expected=Decimal("0"),
    )


def fund_request_impact(
    *, fund_request: FundRequest, recompute: bool = False
) -> dict[str, Any] | None:
    """The measured impact of an approved, claimed or paid request that has started; None
    otherwise. Kept per request (``ImpactSnapshot`` ``mdf:<id>``)."""
    if fund_request.status not in MEASURED_STATUSES:
        return None
    if fund_request.starts_on > timezone.localdate():
        return None
    window = fund_request_window(fund_request)
    impact = impact_for(
        subject_key=f"mdf:{fund_request.pk}",
        actions=lambda: [window],
        inputs_changed_at=fund_request.updated_at,
        recompute=recompute,
    )
    return {**impact["actions"][0], "computed_at": impact["computed_at"]}
