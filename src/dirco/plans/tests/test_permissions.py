"""Who sees and changes plans, actions and tasks: each allowed user beside a forbidden one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dirco.conftest import Company
from dirco.plans.models import Action
from dirco.plans.permissions import (
    action_can_edit,
    actions_visible_to,
    get_plan_for_user,
    plan_can_comment,
    plan_can_edit,
    plan_scope_allowed,
    plans_visible_to,
    task_can_complete,
    tasks_visible_to,
)
from dirco.plans.services import TaskInput, plan_version_share, task_create
from dirco.plans.tests.factories import YEAR, make_action, make_plan
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


def test_company_plan_seen_by_director_and_marketing_only(company: Company) -> None:
    plan = make_plan(by=company.director)
    for user in (company.director, company.marketing):
        assert get_plan_for_user(user=user, plan_id=plan.pk) == plan
    for user in (company.manager, company.rep, company.partner_a_admin, company.partner_a_user):
        with pytest.raises(Http404):
            get_plan_for_user(user=user, plan_id=plan.pk)
    assert plan_can_edit(user=company.director, plan=plan)
    assert not plan_can_edit(user=company.marketing, plan=plan)


def test_team_plan_manager_line(company: Company) -> None:
    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}")
    assert plans_visible_to(company.manager).filter(pk=plan.pk).exists()
    assert not plans_visible_to(company.other_manager).filter(pk=plan.pk).exists()
    assert plan_can_edit(user=company.manager, plan=plan)
    assert not plan_can_edit(user=company.other_manager, plan=plan)
    # The rep of the team sees it once an action or a task is theirs, without editing it.
    assert not plans_visible_to(company.rep).filter(pk=plan.pk).exists()
    action = make_action(plan=plan, by=company.manager)
    task_create(
        action=action,
        by=company.manager,
        data=TaskInput(title="Call the list", due_on=dt.date(YEAR, 3, 1), assignee=company.rep),
    )
    assert plans_visible_to(company.rep).filter(pk=plan.pk).exists()
    assert not plan_can_edit(user=company.rep, plan=plan)
    task = tasks_visible_to(company.rep).get()
    assert task_can_complete(user=company.rep, task=task)
    assert not task_can_complete(user=company.other_rep, task=task)
    assert not tasks_visible_to(company.other_rep).exists()


def test_rep_own_plan(company: Company) -> None:
    plan = make_plan(by=company.rep, scope=f"rep:{company.rep.pk}")
    assert plan_can_edit(user=company.rep, plan=plan)
    assert plan_can_edit(user=company.manager, plan=plan)  # the rep is in the manager's line
    assert not plans_visible_to(company.other_rep).filter(pk=plan.pk).exists()
    assert not plans_visible_to(company.other_manager).filter(pk=plan.pk).exists()


def test_scope_allowed_per_role(company: Company) -> None:
    team, other_team = Scope("team", company.team.pk), Scope("team", company.other_team.pk)
    assert plan_scope_allowed(user=company.director, scope=Scope("company"))
    assert plan_scope_allowed(user=company.manager, scope=team)
    assert not plan_scope_allowed(user=company.manager, scope=other_team)
    assert not plan_scope_allowed(user=company.manager, scope=Scope("company"))
    assert plan_scope_allowed(user=company.rep, scope=Scope("partner", company.partner_a.pk))
    assert not plan_scope_allowed(user=company.rep, scope=Scope("partner", company.partner_b.pk))
    assert plan_scope_allowed(user=company.marketing, scope=Scope("company"))
    assert not plan_scope_allowed(user=company.marketing, scope=team)
    assert not plan_scope_allowed(
        user=company.partner_a_admin, scope=Scope("partner", company.partner_a.pk)
    )


def test_marketing_edits_marketing_actions_only(company: Company) -> None:
    plan = make_plan(by=company.director)
    webinar = make_action(plan=plan, by=company.director, kind=Action.Kind.WEBINAR)
    visit = make_action(plan=plan, by=company.director, kind=Action.Kind.PARTNER_VISIT)
    assert action_can_edit(user=company.marketing, action=webinar)
    assert not action_can_edit(user=company.marketing, action=visit)


def test_joint_plan_shared_with_its_partner_only(company: Company) -> None:
    plan = make_plan(by=company.rep, scope=f"partner:{company.partner_a.pk}")
    make_action(plan=plan, by=company.rep, kind=Action.Kind.PARTNER_TRAINING)
    # Not shared yet: hidden from the partner.
    assert not plans_visible_to(company.partner_a_user).exists()
    plan_version_share(plan=plan, by=company.rep)
    for user in (company.partner_a_admin, company.partner_a_user):
        assert get_plan_for_user(user=user, plan_id=plan.pk) == plan
        assert actions_visible_to(user).count() == 1
        assert plan_can_comment(user=user, plan=plan)
        assert not plan_can_edit(user=user, plan=plan)
    with pytest.raises(Http404):
        get_plan_for_user(user=company.partner_b_user, plan_id=plan.pk)
    assert not actions_visible_to(company.partner_b_user).exists()
    assert not plan_can_comment(user=company.partner_b_user, plan=plan)
