"""The demo's marketing development funds, made through the funds services.

For the running fiscal year: a budget for each of the first partners with portal users and
one shared by the top tier; requests in every state (submitted, approved, rejected, claimed
with a proof, paid), so that the portal and the staff pages show the whole flow.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.utils import timezone

from dirco.accounts.models import User
from dirco.demo.pac_seed import effect_deals_create
from dirco.funds.models import FundBudget, FundRequest
from dirco.funds.services import (
    FundBudgetInput,
    FundRequestInput,
    fund_budget_create,
    fund_claim_pay,
    fund_claim_submit,
    fund_request_approve,
    fund_request_reject,
    fund_request_submit,
)
from dirco.impact.attribution import Segment
from dirco.objectives.fiscal_calendar import fiscal_year_of, fiscal_year_start
from dirco.objectives.services import rollups_rebuild
from dirco.partners.models import Partner, Tier

PROOF_PDF = b"%PDF-1.4\n% dirco demo proof of execution\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# (activity, expected result, amount, month offset in the fiscal year, final state)
REQUESTS: tuple[tuple[str, str, str, int, str], ...] = (
    ("Booth at the regional industry fair", "60 qualified leads, 5 deals", "6000", 1, "paid"),
    ("Spring webinar series (3 sessions)", "120 sign-ups, 25 leads", "2500", 2, "paid"),
    ("Pre-summer promotion mailing", "15 quotes sent in June", "1800", 4, "claimed"),
    ("Customer day at our showroom", "30 customers, 8 opportunities", "4000", 8, "approved"),
    ("Sponsorship of a football club", "Brand awareness", "9000", 6, "rejected"),
    ("Autumn trade show in Lyon", "45 leads, 4 deals", "5000", 9, "submitted"),
)


def _proof() -> io.BytesIO:
    return io.BytesIO(PROOF_PDF)


def demo_funds_seed(*, director: User, today: dt.date) -> dict[str, int]:
    """Budgets and requests for the portal partners; returns the count per request status."""
    year = fiscal_year_of(today)
    start = fiscal_year_start(year)
    end = dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)
    partners = list(
        Partner.objects.filter(users__isnull=False, status=Partner.Status.ACTIVE)
        .select_related("tier", "channel_manager")
        .distinct()
        .order_by("id")[:4]
    )
    top_tier = Tier.objects.order_by("rank").first()
    if top_tier is not None:
        fund_budget_create(
            created_by=director,
            data=FundBudgetInput(
                name=f"{top_tier.name} co-marketing fund FY{year}",
                tier=top_tier,
                period_start=start,
                period_end=end,
                amount=Decimal("40000"),
            ),
        )
    for index, partner in enumerate(partners):
        budget = fund_budget_create(
            created_by=director,
            data=FundBudgetInput(
                name=f"{partner.name} MDF FY{year}",
                partner=partner,
                period_start=start,
                period_end=end,
                amount=Decimal("30000"),
            ),
        )
        user = partner.users.filter(is_active=True).order_by("id").first()
        approver = partner.channel_manager or director
        rows = REQUESTS if index == 0 else REQUESTS[index % 3 :: 2]
        for activity, expected, amount, offset, state in rows:
            _request_in_state(
                budget=budget,
                partner=partner,
                user=user,
                approver=approver,
                activity=activity,
                expected=expected,
                amount=Decimal(amount),
                starts_on=min(max(start, _month(start, offset)), end),
                state=state,
            )
    # The effect deals were inserted in bulk: rebuild the monthly rollups once.
    rollups_rebuild()
    return {
        status: FundRequest.objects.filter(status=status).count()
        for status in FundRequest.Status.values
    }


def _month(start: dt.date, offset: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 10)


def _request_in_state(
    *,
    budget: FundBudget,
    partner: Partner,
    user: User | None,
    approver: User,
    activity: str,
    expected: str,
    amount: Decimal,
    starts_on: dt.date,
    state: str,
) -> None:
    fund_request = fund_request_submit(
        submitted_by=user or approver,
        partner=partner,
        budget=budget,
        data=FundRequestInput(
            activity=activity,
            expected_result=expected,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=2),
            amount=amount,
        ),
    )
    if state == "submitted":
        return
    if state == "rejected":
        fund_request_reject(
            fund_request=fund_request,
            rejected_by=approver,
            reason="Outside the programme: MDF pays for lead generation, not sponsorship.",
        )
        return
    fund_request_approve(fund_request=fund_request, approved_by=approver)
    if starts_on < timezone.localdate() - dt.timedelta(days=30):
        _effect(fund_request, random.Random(f"{fund_request.activity}|{fund_request.starts_on}"))
    if state == "approved":
        return
    fund_request.refresh_from_db()
    claim = fund_claim_submit(
        fund_request=fund_request,
        submitted_by=user or approver,
        amount=amount * Decimal("0.9"),
        description="Done as planned; invoices and photos attached.",
        proof=_proof(),
    )
    if state == "paid":
        fund_claim_pay(claim=claim, paid_by=approver)


def _effect(fund_request: FundRequest, rng: random.Random) -> int:
    """The funded activity's effect, written into the partner's deals (see pac_seed)."""
    return len(
        effect_deals_create(
            segment=Segment(partner_ids=(fund_request.partner_id,)),
            start=fund_request.starts_on,
            end=fund_request.ends_on,
            effect=Decimal("1.5"),
            channel="event",
            rng=rng,
            name=fund_request.activity,
        )
    )
