from __future__ import annotations

import pytest
from django.http import Http404
from django.utils import timezone

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.objectives.models import Objective
from dirco.objectives.permissions import get_objective_for_user, objectives_visible_to
from dirco.objectives.services import objective_create, objective_publish
from dirco.scopes import Scope

YEAR = timezone.localdate().year


def _set(company: Company, scope: Scope, *, by: object = None, publish: bool = True) -> Objective:
    objective = objective_create(
        user=by or company.director,  # type: ignore[arg-type]
        scope=scope,
        fiscal_year=YEAR,
        amount="1200",
        split_method="flat",
    )
    if publish:
        objective_publish(objective=objective, user=company.director)
    return objective


def test_rep_cannot_set_their_own_objective(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        _set(company, Scope("rep", company.rep.pk), by=company.rep)
    assert "rep" in exc.value.fields
    assert not Objective.objects.exists()


def test_manager_cannot_set_their_own_objective(company: Company) -> None:
    with pytest.raises(ApplicationError) as exc:
        _set(company, Scope("rep", company.manager.pk), by=company.manager)
    assert "rep" in exc.value.fields


def test_manager_sets_objectives_in_their_line_only(company: Company) -> None:
    _set(company, Scope("rep", company.rep.pk), by=company.manager, publish=False)
    _set(company, Scope("partner", company.partner_a.pk), by=company.manager, publish=False)
    with pytest.raises(ApplicationError) as exc:
        _set(company, Scope("rep", company.other_rep.pk), by=company.manager)
    assert "rep" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        _set(company, Scope("partner", company.partner_b.pk), by=company.manager)
    assert "partner" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        _set(company, Scope("team", company.team.pk), by=company.manager)
    assert "team" in exc.value.fields


def test_partner_users_see_their_own_partners_published_objectives_only(company: Company) -> None:
    a = _set(company, Scope("partner", company.partner_a.pk))
    b = _set(company, Scope("partner", company.partner_b.pk), publish=False)
    _set(company, Scope("company"))
    assert list(objectives_visible_to(company.partner_a_user)) == [a]
    assert list(objectives_visible_to(company.partner_b_user)) == []
    objective_publish(objective=b, user=company.director)
    assert list(objectives_visible_to(company.partner_b_user)) == [b]
    with pytest.raises(Http404):
        get_objective_for_user(user=company.partner_b_user, objective_id=a.pk)


def test_rep2_never_sees_reps_objective(company: Company) -> None:
    mine = _set(company, Scope("rep", company.rep.pk))
    assert get_objective_for_user(user=company.rep, objective_id=mine.pk) == mine
    assert get_objective_for_user(user=company.manager, objective_id=mine.pk) == mine
    for user in (company.other_rep, company.other_manager, company.partner_a_user):
        with pytest.raises(Http404):
            get_objective_for_user(user=user, objective_id=mine.pk)


def test_a_rep_does_not_see_their_draft(company: Company) -> None:
    draft = _set(company, Scope("rep", company.rep.pk), by=company.manager, publish=False)
    with pytest.raises(Http404):
        get_objective_for_user(user=company.rep, objective_id=draft.pk)
    assert get_objective_for_user(user=company.manager, objective_id=draft.pk) == draft
