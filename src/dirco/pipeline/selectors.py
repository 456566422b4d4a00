"""Reads on the pipeline, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from dirco.accounts.models import User
from dirco.partners.permissions import deal_visibility_branches
from dirco.pipeline.hooks import scope_figures_readers
from dirco.pipeline.models import Activity, Deal, Stage
from dirco.pipeline.permissions import activities_visible_to, deals_visible_to
from dirco.scopes import Scope

DEAL_SORTS = {
    "close": ("expected_close_date", "id"),
    "-close": ("-expected_close_date", "-id"),
    "amount": ("amount_company", "id"),
    "-amount": ("-amount_company", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class DealFilters:
    q: str = ""
    stage_id: int | None = None
    owner_id: int | None = None
    partner_id: int | None = None
    account_id: int | None = None
    team_id: int | None = None
    product_line_id: int | None = None
    source: str = ""
    status: str = ""  # "open", "overdue" (open, expected before today), "won", "lost" or ""
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    sort: str = "-close"


def deal_list(*, user: User, filters: DealFilters | None = None) -> QuerySet[Deal]:
    """The deals a user may see, filtered and sorted, with what a list row shows joined in."""
    f = filters or DealFilters()
    qs = deals_filter(deals_visible_to(user), f, stage_joined=True)
    order = DEAL_SORTS.get(f.sort, DEAL_SORTS["-close"])
    return qs.select_related("account", "partner", "owner", "stage", "product_line").order_by(
        *order
    )


def deal_list_parts(
    *, user: User, filters: DealFilters | None = None
) -> tuple[QuerySet[Deal], list[Q] | None]:
    """:func:`deal_list` as the filtered deals and the branches of the visibility rule
    (``deal_visibility_branches``: None for every deal) whose union the user sees: a page is
    read branch by branch from an index (dirco.api.pagination.paginate_parts) instead of
    sorting every visible deal (a rep's OR of own deals and partners' deals).
    """
    f = filters or DealFilters()
    base = deals_filter(Deal.objects.all(), f)
    if not user.is_authenticated or not user.is_active:
        return base, []
    return base, deal_visibility_branches(user)


# The stages of each deal status, as conditions on a stage ("overdue" is "open" and late).
STATUS_STAGES: dict[str, dict[str, bool]] = {
    "open": {"is_won": False, "is_lost": False},
    "overdue": {"is_won": False, "is_lost": False},
    "won": {"is_won": True},
    "lost": {"is_lost": True},
}


def deals_filter(
    qs: QuerySet[Deal], f: DealFilters, *, stage_joined: bool = False
) -> QuerySet[Deal]:
    """The list filters of ``f`` on ``qs`` (the same for the page, the API and exports).

    The status reads the deal's stage: through the join when the caller joins the stage
    anyway (``stage_joined``: :func:`deal_list`'s rows show it; PostgreSQL plans that in a
    millisecond, against 4-10 ms for the same query with a subquery on the stages besides its
    five joins), else as a subquery of stage ids, which keeps a bare deals query free of joins.
    """
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(account__name__icontains=f.q))
    for name in ("stage_id", "owner_id", "partner_id", "account_id", "team_id", "product_line_id"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if f.source:
        qs = qs.filter(source=f.source)
    stages = STATUS_STAGES.get(f.status)
    if stages is not None:
        if stage_joined:
            qs = qs.filter(**{f"stage__{name}": value for name, value in stages.items()})
        else:
            qs = qs.filter(stage_id__in=Stage.objects.filter(**stages).values("id"))
    if f.status == "overdue":
        qs = qs.filter(expected_close_date__lt=timezone.localdate())
    if f.close_from:
        qs = qs.filter(expected_close_date__gte=f.close_from)
    if f.close_to:
        qs = qs.filter(expected_close_date__lte=f.close_to)
    return qs


ROW_RELATED = ("account", "partner", "owner", "stage", "product_line")


def deals_by_ids(ids: list[int]) -> list[Deal]:
    """Deals in the order of ``ids``, with what a row shows joined in (one query)."""
    by_id = {d.pk: d for d in Deal.objects.filter(pk__in=ids).select_related(*ROW_RELATED)}
    return [by_id[pk] for pk in ids if pk in by_id]


# What a board card shows (dirco.pipeline.templatetags.pipeline_board) and nothing more: a
# hundred whole rows with their five joined models cost three times the CPU of these columns.
CARD_FIELDS = (
    "id",
    "name",
    "stage_id",
    "expected_close_date",
    "amount",
    "currency",
    "stage_entered_at",
    "account__name",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
)


def deals_closing_between(*, user: User, first: dt.date, last: dt.date) -> QuerySet[Deal]:
    """The open deals ``user`` sees expected to close from ``first`` to ``last``, soonest
    first, with only what the home's "Closing this month" rows show (name, account, stage,
    date, amount)."""
    filters = DealFilters(status="open", close_from=first, close_to=last, sort="close")
    return (
        deal_list(user=user, filters=filters)
        .select_related(None)
        .select_related("account", "stage")
        .only(
            "id",
            "name",
            "expected_close_date",
            "amount_company",
            "account__name",
            "stage__name",
        )
    )


def deal_cards_by_id(ids: list[int]) -> dict[int, Deal]:
    """The deals of ``ids`` by id, with only what a board card shows (one query)."""
    rows = Deal.objects.filter(pk__in=ids).select_related("account", "owner").only(*CARD_FIELDS)
    return {d.pk: d for d in rows}


def deal_page(
    *, user: User, filters: DealFilters | None = None, offset: int = 0, limit: int = 50
) -> list[Deal]:
    """One page of ``deal_list``: the ids are sorted and cut on the bare table first, where an
    index often covers the sort, and only the page's rows are joined."""
    ids = list(
        deal_list(user=user, filters=filters)
        .select_related(None)
        .values_list("pk", flat=True)[offset : offset + limit]
    )
    return deals_by_ids(ids)


@dataclass
class BoardColumn:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def pipeline_board(
    *,
    user: User,
    per_stage: int = 25,
    filters: DealFilters | None = None,
    cards_for: Collection[int] | None = None,
    open_stages: Sequence[Stage] | None = None,
) -> list[BoardColumn]:
    """Open stages as columns: their count and totals, and the deals closing soonest first.

    A fixed number of queries whatever the number of deals: one aggregate, one per stage for
    the ids of its cards, one for the cards themselves. ``cards_for`` (stage ids) reads the
    cards of those stages only (a move's answer): the other columns come without their cards.
    ``open_stages``: the open stages in order, when the caller has read them already.
    """
    stages = (
        list(open_stages)
        if open_stages is not None
        else list(Stage.objects.filter(is_won=False, is_lost=False).order_by("order"))
    )
    base = deal_list(user=user, filters=filters).filter(stage__in=stages)
    totals = {
        row["stage_id"]: row
        for row in base.order_by()
        .values("stage_id")
        .annotate(n=Count("id"), total=Sum("amount_company"))
    }
    bare = base.select_related(None)
    ids_by_stage = {
        stage.pk: list(
            bare.filter(stage=stage)
            .order_by("expected_close_date", "id")
            .values_list("pk", flat=True)[:per_stage]
        )
        for stage in stages
        if cards_for is None or stage.pk in cards_for
    }
    deals = deal_cards_by_id([pk for ids in ids_by_stage.values() for pk in ids])
    columns = []
    for stage in stages:
        row: dict[str, Any] = totals.get(stage.pk, {})
        total = row.get("total") or Decimal(0)
        columns.append(
            BoardColumn(
                stage=stage,
                deals=[deals[pk] for pk in ids_by_stage.get(stage.pk, ()) if pk in deals],
                count=row.get("n", 0),
                total=total,
                weighted=(total * stage.probability / 100),
            )
        )
    return columns


def deal_history(*, deal: Deal) -> QuerySet[Any]:
    return deal.stage_changes.select_related("from_stage", "to_stage", "changed_by").order_by(
        "changed_at", "id"
    )


def activity_list_for_user(*, user: User, include_done: bool = False) -> QuerySet[Activity]:
    """'My activities': the user's own, open first, by due date."""
    qs = activities_visible_to(user).filter(owner=user)
    if not include_done:
        qs = qs.filter(done_at__isnull=True)
    return qs.select_related("deal", "partner", "account", "contact").order_by("due_at", "id")


def deal_totals(*, deals: QuerySet[Deal]) -> dict[str, Decimal | int]:
    agg = deals.order_by().aggregate(n=Count("id"), total=Sum("amount_company"))
    return {"count": agg["n"] or 0, "total": agg["total"] or Decimal(0)}


@dataclass(frozen=True)
class DealFigures:
    """Key figures of a set of deals, in the company currency (home, partner and account pages)."""

    deal_count: int
    open_count: int
    open_total: Decimal
    won_count: int
    lost_count: int
    won_month: Decimal
    won_quarter: Decimal
    won_12_months: Decimal
    closing_this_month: int

    def __add__(self, other: DealFigures) -> DealFigures:
        """The figures of two sets of deals with no deal in both (every figure is a sum)."""
        return DealFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def win_rate(self) -> Decimal | None:
        """Won over closed (won + lost), in percent; None when nothing is closed yet."""
        closed = self.won_count + self.lost_count
        if not closed:
            return None
        return Decimal(self.won_count * 100) / Decimal(closed)


@dataclass(frozen=True)
class FigurePeriods:
    """The periods of :class:`DealFigures` on a day: the month and quarter so far (from their
    first day, no end), the last 12 months (after ``year_ago``) and the month's closing."""

    month_start: dt.date
    next_month: dt.date
    quarter_start: dt.date
    year_ago: dt.date

    @classmethod
    def of(cls, today: dt.date) -> FigurePeriods:
        month_start = today.replace(day=1)
        return cls(
            month_start=month_start,
            next_month=(month_start + dt.timedelta(days=32)).replace(day=1),
            quarter_start=today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1),
            year_ago=today - dt.timedelta(days=365),
        )


def deal_figures(
    *,
    deals: QuerySet[Deal],
    today: dt.date,
    scopes: Sequence[Scope] | None = None,
    rest: Q | None = None,
) -> DealFigures:
    """The key figures of ``deals`` (already scoped by deals_visible_to) on ``today``.

    ``scopes``, when given, says that ``deals`` are exactly the deals of these scopes, none in
    two of them (:func:`dirco.pipeline.permissions.deal_visibility_scopes`): the figures are
    then read from the monthly rollups (a few hundred rows, kept exact in every write's
    transaction) by the reader the rollups app registers, and equal the aggregate over the
    deals below (the rollups' tests compare the two). With ``rest`` (a condition on a deal),
    ``deals`` are the scopes' deals and those of ``rest``, in none of the scopes
    (:func:`dirco.pipeline.permissions.deal_visibility_cover`): the rest's figures are added,
    from one aggregate over its deals. Otherwise: one aggregate query."""
    periods = FigurePeriods.of(today)
    if scopes and scope_figures_readers:
        read = scope_figures_readers[0]
        if rest is None:
            figures: DealFigures = read(scopes=scopes, deals=deals, periods=periods)
            return figures
        held = Q(pk__in=[])
        for scope in scopes:
            held |= scope.deal_filter()
        held_figures: DealFigures = read(scopes=scopes, deals=deals.filter(held), periods=periods)
        return held_figures + deal_figures_aggregate(deals=deals.filter(rest), periods=periods)
    return deal_figures_aggregate(deals=deals, periods=periods)


def deal_figures_aggregate(*, deals: QuerySet[Deal], periods: FigurePeriods) -> DealFigures:
    """:func:`deal_figures` as one aggregate query over the deals (any set of deals)."""
    p = periods
    is_open = Q(stage__is_won=False, stage__is_lost=False)
    won = Q(stage__is_won=True)
    agg = deals.order_by().aggregate(
        deal_count=Count("id"),
        open_count=Count("id", filter=is_open),
        open_total=Sum("amount_company", filter=is_open),
        won_count=Count("id", filter=won),
        lost_count=Count("id", filter=Q(stage__is_lost=True)),
        won_month=Sum("amount_company", filter=won & Q(close_date__gte=p.month_start)),
        won_quarter=Sum("amount_company", filter=won & Q(close_date__gte=p.quarter_start)),
        won_12_months=Sum("amount_company", filter=won & Q(close_date__gt=p.year_ago)),
        closing_this_month=Count(
            "id",
            filter=is_open
            & Q(expected_close_date__gte=p.month_start, expected_close_date__lt=p.next_month),
        ),
    )
    return DealFigures(
        deal_count=agg["deal_count"] or 0,
        open_count=agg["open_count"] or 0,
        open_total=agg["open_total"] or Decimal(0),
        won_count=agg["won_count"] or 0,
        lost_count=agg["lost_count"] or 0,
        won_month=agg["won_month"] or Decimal(0),
        won_quarter=agg["won_quarter"] or Decimal(0),
        won_12_months=agg["won_12_months"] or Decimal(0),
        closing_this_month=agg["closing_this_month"] or 0,
    )


@dataclass(frozen=True)
class RelatedWork:
    """The deals block of a partner's or an account's page: its key figures, latest deals and
    activities, all among what the user may see."""

    figures: DealFigures
    deals: QuerySet[Deal]
    activities: QuerySet[Activity]


RELATED_ROWS = 20


def related_work(
    *,
    user: User,
    partner_id: int | None = None,
    account_id: int | None = None,
    today: dt.date,
) -> RelatedWork:
    """The figures, the latest deals and the activities about one partner or one account
    (exactly one of ``partner_id`` and ``account_id``); the two pages share this."""
    if (partner_id is None) == (account_id is None):
        raise ValueError("related_work() takes exactly one of partner_id and account_id.")
    if partner_id is not None:
        of_deal = Q(partner_id=partner_id)
        of_activity = Q(partner_id=partner_id) | Q(deal__partner_id=partner_id)
    else:
        of_deal = Q(account_id=account_id)
        of_activity = Q(account_id=account_id) | Q(deal__account_id=account_id)
    filters = DealFilters(partner_id=partner_id, account_id=account_id, sort="-created")
    return RelatedWork(
        figures=deal_figures(deals=deals_visible_to(user).filter(of_deal), today=today),
        deals=deal_list(user=user, filters=filters)[:RELATED_ROWS],
        activities=activities_visible_to(user)
        .filter(of_activity)
        .select_related("owner", "deal")
        .order_by("done_at", "-due_at", "-id")[:RELATED_ROWS],
    )
