"""Reads on marketing development funds, always through ``funds.permissions``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from dirco.accounts.models import User
from dirco.funds.models import FundBudget, FundClaim, FundRequest
from dirco.funds.permissions import (
    fund_budgets_visible_to,
    fund_claims_visible_to,
    fund_requests_visible_to,
)

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _sum(status: tuple[str, ...], field: str = "requests__approved_amount") -> Coalesce:
    return Coalesce(Sum(field, filter=Q(requests__status__in=status)), _ZERO)


def fund_budget_list(*, user: User, partner_id: int | None = None) -> QuerySet[FundBudget]:
    """Visible budgets with ``committed`` (approved, claimed or paid) and ``paid`` totals."""
    qs = fund_budgets_visible_to(user).select_related("partner", "tier")
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    return (
        qs.annotate(
            committed=_sum(FundRequest.COMMITTED),
            paid=_sum((FundRequest.Status.PAID,)),
        )
        .annotate(remaining=F("amount") - F("committed"))
        .order_by("-period_start", "name", "id")
    )


@dataclass(frozen=True)
class BudgetFigures:
    amount: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed


def fund_budget_figures(*, budget: FundBudget) -> BudgetFigures:
    totals = FundRequest.objects.filter(budget=budget).aggregate(
        committed=Sum("approved_amount", filter=Q(status__in=FundRequest.COMMITTED)),
        paid=Sum("approved_amount", filter=Q(status=FundRequest.Status.PAID)),
    )
    return BudgetFigures(
        amount=budget.amount,
        committed=totals["committed"] or Decimal("0"),
        paid=totals["paid"] or Decimal("0"),
    )


def fund_request_list(
    *, user: User, status: str = "", budget_id: int | None = None, q: str = ""
) -> QuerySet[FundRequest]:
    qs = fund_requests_visible_to(user).select_related("budget", "partner")
    if status:
        qs = qs.filter(status=status)
    if budget_id is not None:
        qs = qs.filter(budget_id=budget_id)
    if q:
        qs = qs.filter(Q(activity__icontains=q) | Q(partner__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def fund_claim_list(
    *, user: User, status: str = "", request_id: int | None = None
) -> QuerySet[FundClaim]:
    qs = fund_claims_visible_to(user).select_related(
        "request", "request__partner", "request__budget"
    )
    if status:
        qs = qs.filter(status=status)
    if request_id is not None:
        qs = qs.filter(request_id=request_id)
    return qs.order_by("-created_at", "-id")


def fund_budgets_open_for(*, user: User) -> QuerySet[FundBudget]:
    """The budgets a partner user may ask funds from (its partner's and its tier's)."""
    return fund_budget_list(user=user)
