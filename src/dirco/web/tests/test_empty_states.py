"""An empty page says what is missing and links to the action that fills it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.conftest import Company

pytestmark = pytest.mark.django_db


def _page(user: object, url: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_director_home_without_objective_links_to_setting_one(company: Company) -> None:
    page = _page(company.director, reverse("home"))
    assert "none set" in page
    assert reverse("objective_create") in page
    assert "No objective to compare yet" in page
    assert "Nobody is behind their objective to date." not in page


def test_empty_lists_link_to_what_fills_them(company: Company) -> None:
    assert reverse("lead_contact") in _page(company.director, reverse("lead_list"))
    applications = _page(company.director, reverse("registrations:application_list"))
    assert reverse("registrations:apply") in applications
    objectives = _page(company.director, reverse("objective_list"))
    assert reverse("objective_create") in objectives
    review = _page(company.director, reverse("registrations:tier_review"))
    assert "run the review" in review
