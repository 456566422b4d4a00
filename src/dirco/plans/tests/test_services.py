from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.objectives.models import Objective
from dirco.plans.models import Action, ActionMonth, ActionPlan, ActionTask, PlanVersion
from dirco.plans.services import (
    ActionInput,
    TaskInput,
    action_set_status,
    action_update,
    plan_comment_add,
    plan_set_status,
    plan_version_accept,
    plan_version_share,
    revenue_spread_evenly,
    task_create,
    task_set_done,
)
from dirco.plans.tests.factories import YEAR, make_action, make_plan

pytestmark = pytest.mark.django_db


def test_plan_create_sets_scope_and_fiscal_period(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}", period=f"{YEAR}-Q2")
    assert plan.scope_key == f"team:{company.team.pk}" and plan.team_id == company.team.pk
    assert (plan.starts_on, plan.ends_on) == (dt.date(YEAR, 4, 1), dt.date(YEAR, 6, 30))
    assert plan.fiscal_year == YEAR and plan.status == ActionPlan.Status.DRAFT


def test_plan_create_refuses_a_scope_outside_the_line(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        make_plan(by=company.manager, scope=f"team:{company.other_team.pk}")
    assert "scope" in exc.value.fields
    assert not ActionPlan.objects.exists()


def test_plan_create_names_every_wrong_field_and_saves_nothing(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        make_plan(by=company.rep, name="", period="2026-13", owner=company.other_rep)
    assert {"name", "period", "owner"} <= set(exc.value.fields)
    assert not ActionPlan.objects.exists()


def test_plan_objectives_must_be_visible_and_of_its_year(company: Company) -> None:
    mine = Objective.objects.create(
        scope_kind="team",
        scope_key=f"team:{company.team.pk}",
        team=company.team,
        fiscal_year=YEAR,
        amount=Decimal(100),
    )
    other_year = Objective.objects.create(
        scope_kind="team",
        scope_key=f"team:{company.team.pk}",
        team=company.team,
        fiscal_year=YEAR + 1,
        amount=Decimal(100),
    )
    hidden = Objective.objects.create(
        scope_kind="team",
        scope_key=f"team:{company.other_team.pk}",
        team=company.other_team,
        fiscal_year=YEAR,
        amount=Decimal(100),
    )
    scope = f"team:{company.team.pk}"
    plan = make_plan(by=company.manager, scope=scope, objective_ids=(mine.pk,))
    assert list(plan.objectives.all()) == [mine]
    for bad in (hidden, other_year):
        with pytest.raises(ApplicationError) as exc:
            make_plan(by=company.manager, scope=scope, objective_ids=(bad.pk,))
        assert "objectives" in exc.value.fields


def test_action_create_spreads_expected_revenue_by_month(company: Company) -> None:
    plan = make_plan(by=company.director)
    action = make_action(plan=plan, by=company.director)
    months = dict(
        ActionMonth.objects.filter(action=action).values_list("month", "expected_revenue")
    )
    assert months == {dt.date(YEAR, 4, 1): Decimal("5000"), dt.date(YEAR, 5, 1): Decimal("3000")}


def test_action_end_before_start_is_refused_with_nothing_saved(company: Company) -> None:
    plan = make_plan(by=company.director)
    with pytest.raises(ApplicationError) as exc:
        make_action(
            plan=plan,
            by=company.director,
            starts_on=dt.date(YEAR, 5, 2),
            ends_on=dt.date(YEAR, 5, 1),
        )
    assert "ends_on" in exc.value.fields
    assert not Action.objects.exists() and not ActionMonth.objects.exists()


def test_action_negative_expected_revenue_is_refused(company: Company) -> None:
    plan = make_plan(by=company.director)
    with pytest.raises(ApplicationError) as exc:
        make_action(
            plan=plan,
            by=company.director,
            expected_revenue={
                dt.date(YEAR, 4, 1): Decimal("10"),
                dt.date(YEAR, 5, 1): Decimal("-1"),
            },
        )
    assert "expected_revenue" in exc.value.fields
    assert not Action.objects.exists() and not ActionMonth.objects.exists()


def test_action_outside_the_plan_period_is_refused(company: Company) -> None:
    plan = make_plan(by=company.director, period=f"{YEAR}-Q1")
    with pytest.raises(ApplicationError) as exc:
        make_action(
            plan=plan,
            by=company.director,
            starts_on=dt.date(YEAR, 3, 20),
            ends_on=dt.date(YEAR, 4, 5),
        )
    assert "ends_on" in exc.value.fields and "starts_on" not in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        make_action(
            plan=plan,
            by=company.director,
            starts_on=dt.date(YEAR - 1, 12, 20),
            ends_on=dt.date(YEAR, 1, 5),
        )
    assert "starts_on" in exc.value.fields
    assert not Action.objects.exists()


def test_action_negative_cost_and_foreign_account_are_refused(company: Company) -> None:
    from dirco.customers.tests.factories import AccountFactory

    hidden_account = AccountFactory(owner=company.other_rep)
    plan = make_plan(by=company.rep, scope=f"rep:{company.rep.pk}")
    with pytest.raises(ApplicationError) as exc:
        make_action(
            plan=plan,
            by=company.rep,
            planned_cost=Decimal("-5"),
            account_ids=(hidden_account.pk,),
        )
    assert {"planned_cost", "accounts"} <= set(exc.value.fields)


def test_plan_period_change_keeps_actions_inside(company: Company) -> None:
    from dirco.plans.services import PlanInput, plan_update
    from dirco.scopes import Scope

    plan = make_plan(by=company.director)
    make_action(plan=plan, by=company.director)  # March
    with pytest.raises(ApplicationError) as exc:
        plan_update(
            plan=plan,
            by=company.director,
            data=PlanInput(
                name="Plan", scope=Scope("company"), period=f"{YEAR}-Q2", owner=company.director
            ),
        )
    assert "period" in exc.value.fields
    plan.refresh_from_db()
    assert plan.period == str(YEAR)


def test_closed_plan_refuses_action_changes(company: Company) -> None:
    plan = make_plan(by=company.director)
    action = make_action(plan=plan, by=company.director)
    plan_set_status(plan=plan, status=ActionPlan.Status.ACTIVE)
    plan_set_status(plan=plan, status=ActionPlan.Status.CLOSED)
    with pytest.raises(ApplicationError):
        make_action(plan=plan, by=company.director)
    with pytest.raises(ApplicationError):
        action_set_status(action=action, status=Action.Status.RUNNING)
    plan_set_status(plan=plan, status=ActionPlan.Status.ACTIVE)
    assert action_set_status(action=action, status=Action.Status.RUNNING).status == "running"


def test_status_transitions(company: Company) -> None:
    plan = make_plan(by=company.director)
    with pytest.raises(ApplicationError) as exc:
        plan_set_status(plan=plan, status="nonsense")
    assert "status" in exc.value.fields
    action = make_action(plan=plan, by=company.director)
    action = action_set_status(action=action, status=Action.Status.DONE, actual_cost=Decimal("900"))
    assert action.actual_cost == Decimal("900.00")
    with pytest.raises(ApplicationError):
        action_set_status(action=action, status=Action.Status.CANCELLED)


def test_action_update_replaces_months_and_segment(company: Company) -> None:
    from dirco.catalog.tests.factories import ProductLineFactory

    line = ProductLineFactory()
    plan = make_plan(by=company.director)
    action = make_action(plan=plan, by=company.director)
    action_update(
        action=action,
        by=company.director,
        data=ActionInput(
            kind=Action.Kind.EVENT,
            title="Trade show",
            owner=company.director,
            starts_on=dt.date(YEAR, 6, 1),
            ends_on=dt.date(YEAR, 6, 3),
            expected_revenue={dt.date(YEAR, 7, 15): Decimal("12000")},
            product_line_ids=(line.pk,),
        ),
    )
    action.refresh_from_db()
    assert action.kind == "event" and list(action.product_lines.all()) == [line]
    assert list(action.months.values_list("month", flat=True)) == [dt.date(YEAR, 7, 1)]


def test_revenue_spread_evenly_adds_up() -> None:
    months = revenue_spread_evenly(total=Decimal("100"), first_month=dt.date(YEAR, 1, 9), months=3)
    assert list(months) == [dt.date(YEAR, 1, 1), dt.date(YEAR, 2, 1), dt.date(YEAR, 3, 1)]
    assert sum(months.values()) == Decimal("100")


def test_tasks_create_and_complete(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}")
    action = make_action(plan=plan, by=company.manager)
    task = task_create(
        action=action,
        by=company.manager,
        data=TaskInput(title="Book the room", due_on=dt.date(YEAR, 3, 1), assignee=company.rep),
    )
    assert task.assignee == company.rep and not task.is_done
    assert task_set_done(task=task).is_done
    assert not task_set_done(task=task, done=False).is_done
    with pytest.raises(ApplicationError) as exc:
        task_create(
            action=action,
            by=company.manager,
            data=TaskInput(title="x", due_on=dt.date(YEAR, 3, 1), assignee=company.other_rep),
        )
    assert "assignee" in exc.value.fields
    assert ActionTask.objects.count() == 1


def test_joint_plan_versions_and_acceptance(company: Company) -> None:
    plan = make_plan(by=company.rep, scope=f"partner:{company.partner_a.pk}")
    make_action(plan=plan, by=company.rep, kind=Action.Kind.PARTNER_TRAINING)
    v1 = plan_version_share(plan=plan, by=company.rep, note="First draft")
    assert v1.number == 1 and v1.snapshot["actions"][0]["expected_revenue"] == "8000.00"
    v2 = plan_version_share(plan=plan, by=company.rep)
    assert v2.number == 2
    # Only the partner admin of that partner, only the latest version, only once.
    for who, version in (
        (company.partner_a_user, v2),
        (company.partner_b_user, v2),
        (company.partner_a_admin, v1),
    ):
        with pytest.raises(ApplicationError):
            plan_version_accept(version=version, by=who)
    accepted = plan_version_accept(version=v2, by=company.partner_a_admin)
    assert accepted.accepted_by == company.partner_a_admin
    with pytest.raises(ApplicationError):
        plan_version_accept(version=v2, by=company.partner_a_admin)
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_sharing_a_company_plan_is_refused(company: Company) -> None:
    plan = make_plan(by=company.director)
    with pytest.raises(ApplicationError):
        plan_version_share(plan=plan, by=company.director)


def test_comment_must_not_be_empty(company: Company) -> None:
    plan = make_plan(by=company.director)
    with pytest.raises(ApplicationError) as exc:
        plan_comment_add(plan=plan, by=company.director, body="   ")
    assert "body" in exc.value.fields
    assert plan_comment_add(plan=plan, by=company.director, body="Go").body == "Go"


def test_marketing_adds_only_marketing_actions_to_others_plans(company: Company) -> None:
    plan = make_plan(by=company.director)
    assert make_action(plan=plan, by=company.marketing, kind=Action.Kind.EMAIL_CAMPAIGN).pk
    with pytest.raises(ApplicationError) as exc:
        make_action(plan=plan, by=company.marketing, kind=Action.Kind.PARTNER_VISIT)
    assert "kind" in exc.value.fields


def test_diagnosis_is_rendered_without_raw_html() -> None:
    from dirco.plans.diagnosis import diagnosis_html

    html = diagnosis_html(
        "**Gap** in August\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"
    )
    assert "<strong>Gap</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
