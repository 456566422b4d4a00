"""The rollups kept on write always equal a computation from scratch."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dirco.accounts.models import User
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.customers.tests.factories import AccountFactory
from dirco.metrics import cycle_middle
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.hooks import deal_snapshot
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.permissions import (
    deal_visibility_cover,
    deal_visibility_scopes,
    deals_visible_to,
)
from dirco.pipeline.selectors import FigurePeriods, deal_figures, deal_figures_aggregate
from dirco.pipeline.services import (
    activity_complete,
    activity_create,
    deal_create,
    deal_delete,
    deal_update,
)
from dirco.pipeline.tests.factories import DealFactory
from dirco.rollups.models import (
    ROLLUP_MEASURES,
    ActivityRollup,
    CycleMiddle,
    CycleRollup,
    RevenueRollup,
)
from dirco.rollups.selectors import cycle_middles, cycle_middles_of_scope
from dirco.rollups.writes import deal_contribution, deal_cycle, deal_scope_ids, rollups_rebuild
from dirco.scopes import Scope

Table = dict[tuple[str, int, int, dt.date], tuple[int, ...]]


def rollup_table() -> Table:
    out: Table = {}
    for row in RevenueRollup.objects.all():
        values = tuple(getattr(row, m) for m in ROLLUP_MEASURES)
        if any(values):
            out[(row.scope_kind, row.scope_id, row.product_line_id, row.month)] = values
    return out


def table_from_deals() -> Table:
    """From scratch, in Python, deal by deal."""
    acc: dict[tuple[str, int, int, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for deal in Deal.objects.select_related("stage", "partner"):
        snap = deal_snapshot(deal)
        for kind, scope_id in deal_scope_ids(snap):
            for month, values in deal_contribution(snap).items():
                row = acc[(kind, scope_id, snap.product_line_id, month)]  # type: ignore[index]
                for name, value in values.items():
                    row[name] += value
    out: Table = {}
    for key, row in acc.items():
        values = tuple(row.get(m, 0) for m in ROLLUP_MEASURES)
        if any(values):
            out[key] = values
    return out


CycleTable = dict[tuple[str, int, int, dt.date, int], int]


def cycle_table() -> CycleTable:
    return {
        (r.scope_kind, r.scope_id, r.product_line_id, r.month, r.cycle_days): r.won_count
        for r in CycleRollup.objects.all()
        if r.won_count
    }


def cycles_from_deals() -> CycleTable:
    """Each won deal's cycle (creation to close, in days), counted once per scope."""
    out: CycleTable = defaultdict(int)
    for deal in Deal.objects.select_related("stage", "partner"):
        snap = deal_snapshot(deal)
        cycle = deal_cycle(snap)
        if cycle is None:
            continue
        for kind, scope_id in deal_scope_ids(snap):
            out[(kind, scope_id, snap.product_line_id, cycle[0], cycle[1])] += 1
    return dict(out)


operation = st.one_of(
    st.tuples(
        st.just("create"),
        st.integers(0, 2),  # owner
        st.integers(0, 2),  # partner: none, a, b
        st.integers(0, 1),  # product line
        st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
        st.sampled_from(["EUR", "USD", "GBP"]),
        st.integers(0, 5),  # stage
        st.integers(-60, 400),  # expected close, days from today
    ),
    st.tuples(st.just("stage"), st.integers(0, 50), st.integers(0, 5)),
    st.tuples(
        st.just("amount"),
        st.integers(0, 50),
        st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
    ),
    st.tuples(st.just("currency"), st.integers(0, 50), st.sampled_from(["EUR", "USD", "GBP"])),
    st.tuples(st.just("owner"), st.integers(0, 50), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("close"), st.integers(0, 50), st.integers(0, 400)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("channel_manager"), st.integers(0, 1), st.integers(0, 2)),
)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_rollups_equal_a_computation_from_scratch(company: Company, ops: list[Any]) -> None:
    try:
        with transaction.atomic():
            _run(company, ops)
            raise _Rollback
    except _Rollback:
        pass


def _run(company: Company, ops: list[Any]) -> None:
    stages = list(Stage.objects.order_by("order"))
    owners = [company.rep, company.other_rep, company.manager]
    partners = [None, company.partner_a, company.partner_b]
    lines = [ProductLineFactory(code="pa"), ProductLineFactory(code="pb")]
    account = AccountFactory()
    today = timezone.localdate()
    deals: list[Deal] = []
    for op in ops:
        kind = op[0]
        if kind == "create":
            _k, owner, partner, line, amount, currency, stage, days = op
            try:
                created = deal_create(
                    created_by=None,
                    confirm_zero_amount=True,
                    name="d",
                    account=account,
                    owner=owners[owner],
                    partner=partners[partner],
                    product_line=lines[line],
                    amount=amount,
                    currency=currency,
                    stage=stages[stage],
                    expected_close_date=today + dt.timedelta(days=days),
                    lost_reason="price" if stages[stage].is_lost else "",
                )
            except ApplicationError:
                continue  # an implausible deal (open and expected in the past): nothing saved
            deals.append(created)
            continue
        if kind == "channel_manager":
            partner = partners[op[1] + 1]
            assert partner is not None
            partner.channel_manager = owners[op[2]]
            partner.save()
            continue
        if not deals:
            continue
        deal = deals[op[1] % len(deals)]
        if kind == "delete":
            deal_delete(deal=deal)
            deals.remove(deal)
            continue
        fields: dict[str, Any] = {}
        if kind == "stage":
            fields["stage"] = stages[op[2]]
            fields["lost_reason"] = "price" if stages[op[2]].is_lost else ""
        elif kind == "amount":
            fields["amount"] = op[2]
        elif kind == "currency":
            fields["currency"] = op[2]
        elif kind == "owner":
            fields["owner"] = owners[op[2]]
            fields["partner"] = partners[op[3]]
        elif kind == "close":
            current = Deal.objects.select_related("stage").get(pk=deal.pk)
            if current.stage.is_won or current.stage.is_lost:
                fields["close_date"] = today - dt.timedelta(days=op[2])
            else:
                fields["expected_close_date"] = today + dt.timedelta(days=op[2])
        try:
            updated = deal_update(deal=deal, updated_by=None, confirm_zero_amount=True, **fields)
        except ApplicationError:
            continue  # refused by the plausibility rules: the rollups must not move either
        deals[deals.index(deal)] = updated
    incremental = rollup_table()
    assert incremental == table_from_deals()
    _figures_agree(company, today)
    cycles = cycle_table()
    assert cycles == cycles_from_deals()
    rollups_rebuild()
    assert rollup_table() == incremental
    assert cycle_table() == cycles
    _middles_agree(cycles)


def _people_with_scopes(company: Company) -> list[User]:
    """Everyone whose visible deals are exactly the deals of some scopes (all but a manager)."""
    return [
        company.director,
        company.marketing,
        company.rep,
        company.other_rep,
        company.partner_a_admin,
        company.partner_a_user,
        company.partner_b_user,
    ]


def _figures_agree(company: Company, today: dt.date) -> None:
    """The key figures read from the rollups (the homes of the director, a rep and the
    portal) equal the aggregate over the deals, on several days: a month's first and last
    day, a quarter's, and 12 months starting inside a month or on its first day."""
    people = [*_people_with_scopes(company), company.manager, company.other_manager]
    days = [today, today.replace(day=1), dt.date(2024, 3, 31), dt.date(2025, 2, 28)]
    for user in people:
        cover = deal_visibility_cover(user)
        assert cover is not None and cover[0], user
        scopes, rest = cover
        for day in days:
            deals = deals_visible_to(user)
            read = deal_figures(deals=deals, today=day, scopes=scopes, rest=rest)
            assert read == deal_figures_aggregate(deals=deals, periods=FigurePeriods.of(day))


def _middles_agree(cycles: CycleTable) -> None:
    """The SQL's middle deals (running sums in the database) are those of the Python rule."""
    months = sorted({key[3] for key in cycles}) or [timezone.localdate().replace(day=1)]
    first, last = months[0], months[-1]
    for kind in ("rep", "partner", "team"):
        histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for (k, scope_id, _line, _month, days), n in cycles.items():
            if k == kind:
                histograms[scope_id][days] += n
        expected = {i: cycle_middle(h) for i, h in histograms.items()}
        got = cycle_middles(kind=kind, ids=None, first_month=first, last_month=last)
        assert got == {i: m for i, m in expected.items() if m is not None}
    company: dict[int, int] = defaultdict(int)
    for (k, _id, _line, _month, days), n in cycles.items():
        if k == "company":
            company[days] += n
    assert cycle_middles_of_scope(
        scope=Scope("company"), first_month=first, last_month=last
    ) == cycle_middle(company)


@pytest.mark.django_db
def test_rebuild_counts_activities_like_the_hooks(company: Company) -> None:
    account = AccountFactory()
    for i in range(3):
        activity = activity_create(
            owner=company.rep, kind="call", subject=f"call {i}", account=account
        )
        if i:
            activity_complete(activity=activity)
    kept = {
        (r.owner_id, r.month): (r.created_count, r.done_count) for r in ActivityRollup.objects.all()
    }
    rollups_rebuild()
    rebuilt = {
        (r.owner_id, r.month): (r.created_count, r.done_count) for r in ActivityRollup.objects.all()
    }
    assert kept == rebuilt
    assert sum(c for c, _d in rebuilt.values()) == 3
    assert sum(d for _c, d in rebuilt.values()) == 2


@pytest.mark.django_db
def test_deal_amount_counts_in_cents_of_the_company_currency(company: Company) -> None:
    deal = deal_create(
        created_by=None,
        name="d",
        account=AccountFactory(),
        owner=company.rep,
        partner=company.partner_b,
        product_line=ProductLineFactory(),
        amount=Decimal("100.00"),
        currency="USD",
        stage=Stage.objects.get(name="Won"),
        expected_close_date=timezone.localdate(),
    )
    rows = RevenueRollup.objects.filter(won_count=1)
    keys = sorted((r.scope_kind, r.scope_id) for r in rows)
    assert ("rep", company.rep.pk) in keys and ("rep", company.other_rep.pk) in keys
    assert ("partner", company.partner_b.pk) in keys and ("company", 0) in keys
    assert {r.won_cents for r in rows} == {9000}
    assert deal.amount_company == Decimal("90.00")


@pytest.mark.django_db
def test_cached_middle_cycles_follow_a_won_deal_of_a_past_month(company: Company) -> None:
    """A leaderboard's middle cycles are cached per window; winning (or changing) a deal
    closed in a month of the window empties the cache, so the next read is right."""
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=200)).replace(day=1)
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    won = Stage.objects.get(name="Won")

    def win(days_ago: int) -> Deal:
        deal = deal_create(
            created_by=None,
            name="d",
            account=AccountFactory(),
            owner=company.rep,
            product_line=ProductLineFactory(),
            amount=Decimal(100),
            currency="EUR",
            stage=won,
            expected_close_date=today,
        )
        # Created long ago, closed in a complete month: a cycle of ``days_ago`` - 40 days.
        # At local noon: near midnight, now() minus N days falls on another local date than
        # today minus N days (the server's time zone is ahead of UTC).
        created = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(12))
        Deal.objects.filter(pk=deal.pk).update(created_at=timezone.make_aware(created))
        deal.refresh_from_db()
        return deal_update(deal=deal, updated_by=None, close_date=today - dt.timedelta(days=40))

    win(100)
    assert cycle_middles(kind="rep", ids=None, first_month=first, last_month=last) == {
        company.rep.pk: (60, 60)
    }
    assert CycleMiddle.objects.filter(scope_kind="rep", scope_id=-1).exists()
    win(140)
    win(160)
    got = cycle_middles(kind="rep", ids=[company.rep.pk], first_month=first, last_month=last)
    assert got == {company.rep.pk: (100, 100)}  # 60, 100, 120 days: the middle one
    assert (
        cycle_middles(kind="rep", ids=[company.other_rep.pk], first_month=first, last_month=last)
        == {}
    )


@pytest.mark.django_db
def test_deal_visibility_scopes_hold_exactly_the_visible_deals(company: Company) -> None:
    """Each role's scopes (:func:`deal_visibility_scopes`) hold the deals it sees, each once:
    the deals of the rep, of the partners the rep channel-manages, of other reps and partners,
    of the teams; a manager has none (teams and line overlap)."""
    child = PartnerFactory(name="Alpha Child", parent=company.partner_a)  # the admin's too
    for owner in (company.rep, company.other_rep, company.manager):
        for partner in (None, company.partner_a, company.partner_b, child):
            for team in (None, company.team, company.other_team):
                DealFactory(owner=owner, partner=partner, team=team)
    rollups_rebuild()  # the factory bypasses the services that keep the rollups
    for user in _people_with_scopes(company):
        scopes = deal_visibility_scopes(user)
        assert scopes, user
        seen: list[int] = []
        for scope in scopes:
            seen += Deal.objects.filter(scope.deal_filter()).values_list("pk", flat=True)
        assert len(seen) == len(set(seen)), user  # none in two scopes
        assert set(seen) == set(deals_visible_to(user).values_list("pk", flat=True)), user
        deals, day = deals_visible_to(user), timezone.localdate()
        assert deal_figures(deals=deals, today=day, scopes=scopes) == deal_figures_aggregate(
            deals=deals, periods=FigurePeriods.of(day)
        )
    assert deal_visibility_scopes(company.manager) is None
    assert deal_visibility_scopes(company.other_manager) is None
    for manager in (company.manager, company.other_manager):
        # A manager's cover: their teams' scopes and, as the rest, the line's other deals.
        cover = deal_visibility_cover(manager)
        assert cover is not None and cover[1] is not None
        scopes, rest = cover
        seen = list(Deal.objects.filter(rest).values_list("pk", flat=True))
        assert seen, manager  # deals of the line outside the teams: the rest is exercised
        for scope in scopes:
            seen += Deal.objects.filter(scope.deal_filter()).values_list("pk", flat=True)
        assert len(seen) == len(set(seen)), manager
        assert set(seen) == set(deals_visible_to(manager).values_list("pk", flat=True))
        deals, day = deals_visible_to(manager), timezone.localdate()
        assert deal_figures(
            deals=deals, today=day, scopes=scopes, rest=rest
        ) == deal_figures_aggregate(deals=deals, periods=FigurePeriods.of(day))
