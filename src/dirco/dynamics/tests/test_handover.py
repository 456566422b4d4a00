"""The handover service: a leaving rep's book goes to one or several reps in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.conftest import Company
from dirco.core.audit import history_for
from dirco.core.errors import ApplicationError
from dirco.customers.tests.factories import AccountFactory
from dirco.dynamics.handover import handover_execute, handover_preview
from dirco.dynamics.models import Handover, HandoverItem, ItemKind
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective, ObjectiveMonthChange
from dirco.objectives.services import objective_create
from dirco.partners.models import Partner
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named
from dirco.scopes import Scope
from dirco.teams.models import Departure, TeamEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(company: Company) -> dict[str, object]:
    """The rep's book: three open deals (one on the rep's account), a won deal, a partner
    (partner A, from the company fixture), an account, two open activities and a done one,
    and a flat objective for this fiscal year."""
    c = company
    account = AccountFactory(name="Rep's own account", owner=c.rep)
    big = DealFactory(name="Big", owner=c.rep, team=c.team, amount=Decimal(50000))
    mid = DealFactory(name="Mid", owner=c.rep, team=c.team, amount=Decimal(30000), account=account)
    small = DealFactory(name="Small", owner=c.rep, team=c.team, amount=Decimal(25000))
    won = DealFactory(
        name="Won already",
        owner=c.rep,
        team=c.team,
        stage=stage_named("Won"),
        close_date=timezone.localdate(),
    )
    call = ActivityFactory(subject="Call about Big", owner=c.rep, deal=big)
    ActivityFactory(subject="Done call", owner=c.rep, deal=mid, done_at=timezone.now())
    objective = objective_create(
        user=c.director,
        scope=Scope("rep", c.rep.pk),
        fiscal_year=fiscal_year_of(timezone.localdate()),
        amount="120000",
        split_method="flat",
    )
    return {
        "account": account,
        "big": big,
        "mid": mid,
        "small": small,
        "won": won,
        "call": call,
        "objective": objective,
    }


def _second_rep(company: Company) -> User:
    rep = UserFactory(email="rep3@example.test", role=User.Role.REP, reports_to=company.manager)
    company.team.members.add(rep)
    return rep


def test_preview_spreads_deals_by_amount_and_activities_follow_their_deal(
    company: Company, book: dict[str, object]
) -> None:
    third = _second_rep(company)
    # The other rep is outside the manager's line: only the director may hand to them.
    preview = handover_preview(
        by=company.director, leaver=company.rep, recipient_ids=[company.other_rep.pk, third.pk]
    )
    to = {i.key: i.to_user_id for i in preview.items}
    big, mid, small = book["big"], book["mid"], book["small"]
    # Largest first to whoever has least: Big (50k) to the first, Mid (30k) to the second,
    # Small (25k) to the second too (30k < 50k).
    assert to[f"deal-{big.pk}"] == company.other_rep.pk  # type: ignore[attr-defined]
    assert to[f"deal-{mid.pk}"] == third.pk  # type: ignore[attr-defined]
    assert to[f"deal-{small.pk}"] == third.pk  # type: ignore[attr-defined]
    assert f"deal-{book['won'].pk}" not in to  # type: ignore[attr-defined]
    # The account follows its deal (Mid), the call follows Big; the done call is not listed.
    assert to[f"account-{book['account'].pk}"] == third.pk  # type: ignore[attr-defined]
    assert to[f"activity-{book['call'].pk}"] == company.other_rep.pk  # type: ignore[attr-defined]
    assert [i.kind for i in preview.items].count(ItemKind.ACTIVITY) == 1
    assert f"partner-{company.partner_a.pk}" in to
    objective_item = next(i for i in preview.items if i.kind == ItemKind.OBJECTIVE)
    assert objective_item.amount > 0
    totals = preview.totals_by_recipient()
    assert totals[third.pk]["amount"] == Decimal(55000)
    assert totals[company.other_rep.pk]["amount"] == Decimal(50000)
    # Previewing wrote nothing.
    assert Deal.objects.filter(owner=company.rep).count() == 4
    assert not Handover.objects.exists()


def test_execute_moves_every_chosen_item_and_records_it(
    company: Company, book: dict[str, object]
) -> None:
    third = _second_rep(company)
    preview = handover_preview(
        by=company.manager, leaver=company.rep, recipient_ids=[third.pk, company.manager.pk]
    )
    choices = {i.key: i.to_user_id for i in preview.items}
    small = book["small"]
    choices[f"deal-{small.pk}"] = None  # kept by the leaver  # type: ignore[attr-defined]
    objective: Objective = book["objective"]  # type: ignore[assignment]
    yearly = objective.amount
    left = next(i.amount for i in preview.items if i.kind == ItemKind.OBJECTIVE)
    today = timezone.localdate()
    handover = handover_execute(
        by=company.manager,
        leaver=company.rep,
        assignments=choices,
        departure_reason=Departure.Reason.RESIGNATION,
        note="Moves to another company",
    )
    big, mid = book["big"], book["mid"]
    big.refresh_from_db()  # type: ignore[attr-defined]
    mid.refresh_from_db()  # type: ignore[attr-defined]
    small.refresh_from_db()  # type: ignore[attr-defined]
    assert big.owner_id == third.pk  # type: ignore[attr-defined]
    assert mid.owner_id == company.manager.pk  # type: ignore[attr-defined]
    assert small.owner_id == company.rep.pk  # type: ignore[attr-defined]
    assert book["won"].owner_id == company.rep.pk  # type: ignore[attr-defined]
    company.partner_a.refresh_from_db()
    assert company.partner_a.channel_manager_id == third.pk
    book["account"].refresh_from_db()  # type: ignore[attr-defined]
    assert book["account"].owner_id == company.manager.pk  # type: ignore[attr-defined]
    book["call"].refresh_from_db()  # type: ignore[attr-defined]
    assert book["call"].owner_id == third.pk  # type: ignore[attr-defined]
    # The audit trail: the deal's and partner's history name the handover.
    assert f"Handover #{handover.pk}" in history_for(big)[0].reason  # type: ignore[arg-type]
    assert f"Handover #{handover.pk}" in history_for(company.partner_a)[0].reason
    # One item per moved record; the kept deal is not one.
    kinds = sorted(handover.items.values_list("kind", flat=True))
    assert kinds == ["account", "activity", "deal", "deal", "objective", "partner"]
    # The objective: the months from this month on moved to the first recipient, the yearly
    # amounts changed by that much, each month audited on both objectives.
    objective.refresh_from_db()
    assert objective.amount == yearly - left
    taken = Objective.objects.get(rep=third, fiscal_year=objective.fiscal_year)
    assert taken.amount == left
    assert sum(m.amount for m in taken.months.all()) == left
    assert sum(m.amount for m in objective.months.all()) == objective.amount
    assert all(m.amount == 0 for m in objective.months.filter(month__gte=today.replace(day=1)))
    assert ObjectiveMonthChange.objects.filter(objective=taken).count() > 0
    # The departure and the team event.
    departure = Departure.objects.get(user=company.rep)
    assert departure.left_on == today and departure.recorded_by == company.manager
    assert handover.departure == departure
    assert TeamEvent.objects.filter(team=company.team, user=company.rep, kind="left").exists()


def test_execute_is_all_or_nothing(company: Company, book: dict[str, object]) -> None:
    third = _second_rep(company)
    preview = handover_preview(by=company.director, leaver=company.rep, recipient_ids=[third.pk])
    choices = {i.key: i.to_user_id for i in preview.items}
    # The partner, moved after the deals, no longer validates (a blank name): the whole
    # handover must roll back, the deals already moved included.
    Partner.objects.filter(pk=company.partner_a.pk).update(name="")
    with pytest.raises(ApplicationError, match="Nothing was handed over"):
        handover_execute(
            by=company.director,
            leaver=company.rep,
            assignments=choices,
            departure_reason=Departure.Reason.DISMISSAL,
        )
    assert Deal.objects.filter(owner=company.rep).count() == 4
    company.partner_a.refresh_from_db()
    assert company.partner_a.channel_manager_id == company.rep.pk
    assert not Handover.objects.exists() and not HandoverItem.objects.exists()
    assert not Departure.objects.exists()
    assert not Objective.objects.filter(rep=third).exists()


def test_items_changed_since_the_preview_are_refused(
    company: Company, book: dict[str, object]
) -> None:
    third = _second_rep(company)
    preview = handover_preview(by=company.director, leaver=company.rep, recipient_ids=[third.pk])
    choices = {i.key: i.to_user_id for i in preview.items}
    Deal.objects.filter(pk=book["big"].pk).update(owner=company.manager)  # type: ignore[attr-defined]
    with pytest.raises(ApplicationError, match="changed since the preview"):
        handover_execute(by=company.director, leaver=company.rep, assignments=choices)
    assert not Handover.objects.exists()


def test_who_may_hand_over_and_to_whom(company: Company, book: dict[str, object]) -> None:
    # The other team's manager does not reach the rep (404); a rep and a partner user are
    # refused outright (403); marketing too.
    with pytest.raises(Http404):
        handover_preview(by=company.other_manager, leaver=company.rep)
    for refused in (company.other_rep, company.partner_a_user, company.marketing):
        with pytest.raises(PermissionDenied):
            handover_preview(by=refused, leaver=company.rep)
        with pytest.raises(PermissionDenied):
            handover_execute(by=refused, leaver=company.rep, assignments={})
    # A manager may not hand items to someone outside their line (the other team's rep).
    with pytest.raises(ApplicationError, match="cannot hand items"):
        handover_preview(
            by=company.manager, leaver=company.rep, recipient_ids=[company.other_rep.pk]
        )
    with pytest.raises(ApplicationError, match="cannot hand items"):
        handover_execute(
            by=company.manager,
            leaver=company.rep,
            assignments={f"deal-{book['big'].pk}": company.other_rep.pk},  # type: ignore[attr-defined]
        )
    # Nor to a partner user, even the director.
    with pytest.raises(ApplicationError):
        handover_execute(
            by=company.director,
            leaver=company.rep,
            assignments={f"deal-{book['big'].pk}": company.partner_a_user.pk},  # type: ignore[attr-defined]
        )
    assert Deal.objects.filter(owner=company.rep).count() == 4


def test_objective_adds_to_the_recipients_own_objective(
    company: Company, book: dict[str, object]
) -> None:
    third = _second_rep(company)
    year = fiscal_year_of(timezone.localdate())
    theirs = objective_create(
        user=company.director,
        scope=Scope("rep", third.pk),
        fiscal_year=year,
        amount="12000",
        split_method="flat",
    )
    objective: Objective = book["objective"]  # type: ignore[assignment]
    key = f"objective-{objective.pk}"
    preview = handover_preview(by=company.director, leaver=company.rep)
    left = next(i.amount for i in preview.items if i.key == key)
    handover_execute(by=company.director, leaver=company.rep, assignments={key: third.pk})
    theirs.refresh_from_db()
    assert theirs.amount == Decimal(12000) + left
    assert sum(m.amount for m in theirs.months.all()) == theirs.amount
    assert Objective.objects.filter(rep=third).count() == 1


def test_effective_date_sets_the_months_moved(company: Company, book: dict[str, object]) -> None:
    objective: Objective = book["objective"]  # type: ignore[assignment]
    months = list(objective.months.order_by("month"))
    # From the fiscal year's 7th month: six flat months of 10,000 move.
    preview = handover_preview(
        by=company.director, leaver=company.rep, effective_on=months[6].month + dt.timedelta(days=3)
    )
    item = next(i for i in preview.items if i.kind == ItemKind.OBJECTIVE)
    assert item.amount == Decimal(60000)
