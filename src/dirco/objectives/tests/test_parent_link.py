"""An objective's breadcrumb links the objective it was allocated from only for a reader
who may open it: a rep's own objective linked the team's, which answered the rep 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.conftest import Company
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create
from dirco.scopes import Scope

pytestmark = pytest.mark.django_db


def test_the_parent_objective_is_linked_only_for_who_may_open_it(company: Company) -> None:
    year = timezone.localdate().year
    team = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=year,
        amount="120000",
        split_method="flat",
    )
    own = objective_create(
        user=company.manager,
        scope=Scope("rep", company.rep.pk),
        fiscal_year=year,
        amount="40000",
        split_method="flat",
    )
    Objective.objects.filter(pk__in=[team.pk, own.pk]).update(status=Objective.Status.PUBLISHED)
    Objective.objects.filter(pk=own.pk).update(parent=team)
    parent_url = reverse("objective_detail", args=[team.pk])
    page = reverse("objective_detail", args=[own.pk])

    rep = Client()
    rep.force_login(company.rep)
    body = rep.get(page).content.decode()
    assert "allocated from" in body and f'href="{parent_url}"' not in body
    assert rep.get(parent_url).status_code == 404

    manager = Client()
    manager.force_login(company.manager)
    body = manager.get(page).content.decode()
    assert f'href="{parent_url}"' in body
    assert manager.get(parent_url).status_code == 200
