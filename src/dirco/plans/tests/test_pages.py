"""The plan pages as their users use them: every link followed, forbidden users beside the
allowed ones, bad input refused with nothing half-saved, proposals added in one click."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company
from dirco.impact.proposals import Proposal
from dirco.plans import selectors as plan_selectors
from dirco.plans.models import Action, ActionPlan, ActionTask
from dirco.plans.tests.factories import YEAR, make_action, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(YEAR, 6, 15, 10, 0), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _links(html: str, prefix: str = "/plans/") -> set[str]:
    return {h for h in re.findall(r'href="([^"]+)"', html) if h.startswith(prefix)}


def test_a_manager_makes_a_plan_adds_an_action_and_a_task_and_every_link_answers(
    company: Company,
) -> None:
    c = _client(company.manager)
    assert c.get(reverse("home")).status_code == 200
    page = c.get(reverse("plans:list"))
    assert page.status_code == 200 and b"No action plan here yet" in page.content
    response = c.post(
        reverse("plans:create"),
        {
            "name": "Summer trough",
            "scope": f"team:{company.team.pk}",
            "period": str(YEAR),
            "owner": company.manager.pk,
            "diagnosis": "**July** is our weakest month. <script>alert(1)</script>",
        },
    )
    plan = ActionPlan.objects.get(name="Summer trough")
    assert response.status_code == 302 and response["Location"] == reverse(
        "plans:detail", args=[plan.pk]
    )
    detail = c.get(reverse("plans:detail", args=[plan.pk]))
    html = detail.content.decode()
    assert "<strong>July</strong>" in html and "<script>alert(1)" not in html
    response = c.post(
        reverse("plans:action_create", args=[plan.pk]),
        {
            "kind": Action.Kind.PROMOTION,
            "title": "Summer offer",
            "owner": company.rep.pk,
            "starts_on": f"{YEAR}-07-01",
            "ends_on": f"{YEAR}-08-31",
            "planned_cost": "2000",
            "expected_revenue": "10000",
        },
    )
    action = Action.objects.get(title="Summer offer")
    assert response.status_code == 302
    assert {m.month: m.expected_revenue for m in action.months.all()} == {
        dt.date(YEAR, 7, 1): Decimal("5000.00"),
        dt.date(YEAR, 8, 1): Decimal("5000.00"),
    }
    response = c.post(
        reverse("plans:task_create", args=[action.pk]),
        {"title": "Print the flyers", "due_on": f"{YEAR}-06-25", "assignee": company.rep.pk},
    )
    assert response.status_code == 302
    task = ActionTask.objects.get(title="Print the flyers")
    # Every plan link of the detail and the action pages answers.
    for url in (
        reverse("plans:list"),
        reverse("plans:detail", args=[plan.pk]),
        reverse("plans:action_detail", args=[action.pk]),
    ):
        page = c.get(url)
        assert page.status_code == 200, url
        for link in _links(page.content.decode()):
            assert c.get(link).status_code == 200, link
    # The task shows in the assignee's activities, and is ticked from there.
    rep = _client(company.rep)
    activities = rep.get(reverse("activity_list")).content.decode()
    assert "Print the flyers" in activities
    rep.post(reverse("plans:task_done", args=[task.pk]), {"done": "1", "next": "activities"})
    task.refresh_from_db()
    assert task.done_at is not None


def test_the_list_filters_and_pages(company: Company) -> None:
    for i in range(27):
        make_plan(by=company.director, name=f"Plan {i:02d}")
    make_plan(by=company.director, name="Partner plan", scope=f"partner:{company.partner_a.pk}")
    c = _client(company.director)
    first = c.get(reverse("plans:list")).content.decode()
    assert "28 plans" in first
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first)
    assert next_link, "no next link"
    second = c.get(reverse("plans:list") + next_link.group(1).replace("&amp;", "&"))
    rows = re.findall(r'/plans/(\d+)/"', second.content.decode())
    assert rows and set(rows).isdisjoint(re.findall(r'/plans/(\d+)/"', first))
    partner_only = c.get(reverse("plans:list") + "?scope=partner").content.decode()
    assert "Partner plan" in partner_only and "Plan 00" not in partner_only


def test_bad_input_is_refused_and_nothing_is_saved(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}")
    c = _client(company.manager)
    response = c.post(
        reverse("plans:action_create", args=[plan.pk]),
        {
            "kind": Action.Kind.EVENT,
            "title": "Backwards",
            "owner": company.manager.pk,
            "starts_on": f"{YEAR}-09-10",
            "ends_on": f"{YEAR}-09-01",
            "planned_cost": "100",
            "expected_revenue": "-5",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert not Action.objects.filter(title="Backwards").exists()
    response = c.post(
        reverse("plans:create"),
        {"name": "", "scope": "company", "period": "2026-13", "owner": company.manager.pk},
    )
    assert response.status_code == 200 and ActionPlan.objects.count() == 1


def test_forbidden_users_get_404_or_403_and_change_nothing(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}", name="Team plan")
    action = make_action(plan=plan, by=company.manager, title="Team webinar")
    other = _client(company.other_manager)
    for url in (
        reverse("plans:detail", args=[plan.pk]),
        reverse("plans:impact", args=[plan.pk]),
        reverse("plans:action_detail", args=[action.pk]),
        reverse("plans:edit", args=[plan.pk]),
    ):
        assert other.get(url).status_code == 404, url
    assert "Team plan" not in other.get(reverse("plans:list")).content.decode()
    response = other.post(reverse("plans:status", args=[plan.pk]), {"status": "active"})
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.DRAFT
    # Partner users never reach the staff pages (the partner gate): 404 or the portal.
    partner = _client(company.partner_a_user)
    assert partner.get(reverse("plans:detail", args=[plan.pk])).status_code in (302, 404)
    assert partner.post(reverse("plans:comment", args=[plan.pk]), {"body": "x"}).status_code == 404
    assert not plan.comments.exists()


def test_the_impact_page_states_its_method_and_measures_won_deals(company: Company) -> None:
    plan = make_plan(by=company.director, name="Spring")
    make_action(plan=plan, by=company.director, title="Spring webinar")
    c = _client(company.director)
    page = c.get(reverse("plans:impact", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "How it is measured, and its limits" in html and "Spring webinar" in html


def test_a_proposal_becomes_a_planned_action_in_one_click(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = make_plan(by=company.director, name="Company plan")
    proposal = Proposal(
        month=dt.date(YEAR, 8, 1),
        gap=Decimal("90000"),
        kind=Action.Kind.EVENT,
        roi=Decimal("2.50"),
        past_actions=2,
        start=dt.date(YEAR, 7, 1),
        end=dt.date(YEAR, 7, 28),
        expected=Decimal("45000"),
        cost=Decimal("12857"),
    )

    def offered(**kwargs: Any) -> dict[str, Any]:
        return {
            "scope": None,
            "gaps": [(proposal.month, proposal.gap)],
            "history_count": 2,
            "proposals": [proposal],
            "by_month": [(proposal.month, [proposal])],
        }

    monkeypatch.setattr(plan_selectors, "proposals_for", offered)
    monkeypatch.setattr("dirco.plans.views.proposals_for", offered)
    c = _client(company.director)
    page = c.get(reverse("plans:proposals")).content.decode()
    assert proposal.key in page and "Add to the plan" in page
    response = c.post(
        reverse("plans:proposal_add"), {"proposal": proposal.key, "plan": str(plan.pk)}
    )
    action = Action.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:action_detail", args=[action.pk])
    assert action.kind == Action.Kind.EVENT and action.status == Action.Status.PLANNED
    assert action.planned_cost == Decimal("12857")
    assert [(m.month, m.expected_revenue) for m in action.months.all()] == [
        (dt.date(YEAR, 8, 1), Decimal("45000.00"))
    ]
    # A key no longer offered adds nothing.
    c.post(reverse("plans:proposal_add"), {"proposal": "2026-09:webinar", "plan": str(plan.pk)})
    assert Action.objects.filter(plan=plan).count() == 1


def test_a_joint_plan_is_shared_read_commented_and_accepted_in_the_portal(
    company: Company,
) -> None:
    plan = make_plan(
        by=company.director, name="Joint plan A", scope=f"partner:{company.partner_a.pk}"
    )
    make_action(plan=plan, by=company.director, title="Co-hosted webinar")
    other = make_plan(
        by=company.director, name="Joint plan B", scope=f"partner:{company.partner_b.pk}"
    )
    staff = _client(company.director)
    admin = _client(company.partner_a_admin)
    # Not shared yet: the partner does not see it.
    assert admin.get(reverse("portal:plan_detail", args=[plan.pk])).status_code == 404
    assert "Joint plan A" not in admin.get(reverse("portal:plan_list")).content.decode()
    staff.post(reverse("plans:share", args=[plan.pk]), {"note": "For your review"})
    staff.post(reverse("plans:share", args=[other.pk]), {})
    listing = admin.get(reverse("portal:plan_list")).content.decode()
    assert "Joint plan A" in listing and "Joint plan B" not in listing
    # The staff URL sends the partner to the portal's page of the same plan.
    gate = admin.get(reverse("plans:detail", args=[plan.pk]))
    assert gate.status_code == 302
    assert gate["Location"] == reverse("portal:plan_detail", args=[plan.pk])
    page = admin.get(gate["Location"]).content.decode()
    assert "Co-hosted webinar" in page and "For your review" in page
    assert "Accept version 1" in page
    # Another partner's plan, shared, is 404 for this partner, on every path.
    assert admin.get(reverse("portal:plan_detail", args=[other.pk])).status_code == 404
    assert (
        admin.post(reverse("portal:plan_comment", args=[other.pk]), {"body": "hi"}).status_code
        == 404
    )
    assert admin.post(reverse("portal:plan_accept", args=[other.pk, 1])).status_code == 404
    assert not other.comments.exists() and not other.versions.filter(accepted_at__isnull=False)
    # A partner user comments but does not accept; the admin accepts.
    user = _client(company.partner_a_user)
    user.post(reverse("portal:plan_comment", args=[plan.pk]), {"body": "Looks good"})
    user.post(reverse("portal:plan_accept", args=[plan.pk, 1]))
    assert not plan.versions.get(number=1).accepted_at
    admin.post(reverse("portal:plan_accept", args=[plan.pk, 1]))
    version = plan.versions.get(number=1)
    assert version.accepted_by == company.partner_a_admin
    staff_page = staff.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Looks good" in staff_page and "accepted by" in staff_page


def test_objectives_are_named_for_people_in_the_form_and_on_the_plan(company: Company) -> None:
    """The objectives picker and the plan's "Objectives served" read "Team North · 2026 · Won
    revenue", not the internal key "team:3 2026 won_revenue"."""
    from dirco.objectives.services import objective_create
    from dirco.scopes import Scope

    objective = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=YEAR,
        amount="12000",
        split_method="flat",
    )
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}")
    plan.objectives.set([objective])
    manager = _client(company.manager)
    name = f"Team {company.team.name} · {YEAR} · Won revenue"
    for url in (f"/plans/{plan.pk}/edit/", f"/plans/{plan.pk}/"):
        html = manager.get(url).content.decode()
        assert name in html, url
        assert objective.scope_key + " " not in html, url
    detail = manager.get(f"/plans/{plan.pk}/").content.decode()
    assert manager.get(f"/objectives/{objective.pk}/").status_code == 200
    assert f'href="/objectives/{objective.pk}/"' in detail
