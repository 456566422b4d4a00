"""Partner users never reach a staff page: every staff route, discovered from the URLconf,
answers them with its portal equivalent (a redirect, on a plain GET) or 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.web.partner_gate import PARTNER_NAMESPACES, PARTNER_OPEN_ROUTES

pytestmark = pytest.mark.django_db


def _walk(
    resolver: URLResolver, prefix: str = "", ns: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _walk(p, prefix + str(p.pattern), (*ns, p.namespace) if p.namespace else ns)
        elif isinstance(p, URLPattern) and p.name:
            out.append((prefix + str(p.pattern), ":".join((*ns, p.name))))
    return out


def staff_routes() -> list[tuple[str, str]]:
    """(pattern, name) of every named route a partner may not open."""
    return sorted(
        (pattern, name)
        for pattern, name in _walk(get_resolver())
        if not PARTNER_NAMESPACES.intersection(name.split(":")[:-1])
        and name not in PARTNER_OPEN_ROUTES
    )


STAFF_ROUTES = staff_routes()


def _url(pattern: str, record_id: int) -> str:
    """The route's path with every parameter filled by ``record_id`` (or a word)."""
    path = re.sub(r"<int:[^>]+>", str(record_id), pattern)
    path = re.sub(r"<(?:str:)?[^>]+>", "csv", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_the_walk_covers_the_staff_pages() -> None:
    names = {name for _p, name in STAFF_ROUTES}
    # A few of them, to prove discovery works (and catch a gate that opens too much).
    assert {
        "partner_detail",
        "deal_detail",
        "account_detail",
        "activity_done",
        "pipeline_board",
        "registrations:list",
        "registrations:tier_review",
        "objective_curve",
        "revenue-forecast",
        "lead_detail",
    } <= names
    assert not any(name.startswith("portal:") for name in names)
    assert len(STAFF_ROUTES) > 40


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_user"])
def test_every_staff_route_answers_a_partner_with_the_portal_or_404(
    company: Company, role: str
) -> None:
    partner: User = getattr(company, role)
    account = AccountFactory()
    deal = DealFactory(owner=company.rep, partner=company.partner_a, account=account)
    activity = ActivityFactory(owner=company.rep, deal=deal, subject="Internal check")
    client = Client()
    client.force_login(partner)
    wrong: list[str] = []
    for pattern, name in STAFF_ROUTES:
        # Fill ids with records the partner is linked to: the gate, not a missing record,
        # must be what refuses.
        record_id = {
            "deal": deal.pk,
            "activit": activity.pk,
            "account": account.pk,
            "partner": company.partner_a.pk,
        }
        param = re.search(r"<int:(\w+?)_?id>", pattern)
        pk = next(
            (v for k, v in record_id.items() if param and param.group(1).startswith(k)),
            company.partner_a.pk,
        )
        url = _url(pattern, pk)
        get = client.get(url)
        if get.status_code in (301, 302):
            if not get["Location"].startswith("/portal/"):
                wrong.append(f"GET {url} ({name}): redirects to {get['Location']}")
        elif get.status_code != 404:
            wrong.append(f"GET {url} ({name}): {get.status_code}")
        for label, response in (
            ("POST", client.post(url, {"done": "1"})),
            ("htmx GET", client.get(url, headers={"HX-Request": "true"})),
        ):
            if response.status_code != 404:
                wrong.append(f"{label} {url} ({name}): {response.status_code}")
        if b"Internal check" in get.content:
            wrong.append(f"GET {url} ({name}): shows an internal activity")
    assert not wrong, "\n".join(wrong)
    activity.refresh_from_db()
    assert activity.done_at is None  # "Mark done" changed nothing


def test_staff_urls_lead_partners_to_the_portal_equivalent(company: Company) -> None:
    own = DealFactory(owner=company.rep, partner=company.partner_a, name="Alpha deal")
    other = DealFactory(owner=company.other_rep, partner=company.partner_b, name="Beta deal")
    client = Client()
    client.force_login(company.partner_a_user)
    response = client.get(reverse("deal_detail", args=[own.pk]), follow=True)
    assert response.redirect_chain == [(reverse("portal:deal_detail", args=[own.pk]), 302)]
    assert response.status_code == 200 and b"Alpha deal" in response.content
    assert b'class="sidebar"' not in response.content  # the portal layout, not the staff one
    # Another partner's deal: the portal's own check answers 404 after the redirect.
    assert client.get(reverse("deal_detail", args=[other.pk]), follow=True).status_code == 404
    assert client.get(reverse("partner_detail", args=[company.partner_a.pk]))[
        "Location"
    ] == reverse("portal:home")
    assert client.get(reverse("pipeline_board"))["Location"] == reverse("portal:deal_list")
    assert client.get(reverse("account_list")).status_code == 404


def test_staff_still_open_the_staff_pages(company: Company) -> None:
    deal = DealFactory(owner=company.rep, partner=company.partner_a)
    client = Client()
    client.force_login(company.rep)
    for url in (
        reverse("deal_detail", args=[deal.pk]),
        reverse("partner_detail", args=[company.partner_a.pk]),
        reverse("pipeline_board"),
    ):
        assert client.get(url).status_code == 200, url
