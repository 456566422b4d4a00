"""Every staff list pages: its "next" link is followed like a browser would, and leads to a
page whose first row differs; the filters survive the click."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.customers.models import Account
from dirco.leads.models import Lead
from dirco.partners.models import Partner
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.models import DealRegistration, PartnerApplication

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a [^>]*href="([^"]*)"[^>]*rel="next"|<a [^>]*rel="next"[^>]*href="([^"]*)"')
FIRST_ROW = re.compile(r"<tbody>.*?<a href=\"([^\"]+)\"", re.S)


def _next_href(html: str) -> str | None:
    match = NEXT.search(html)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).replace("&amp;", "&")


def _first_row(html: str) -> str:
    match = FIRST_ROW.search(html)
    assert match is not None, "no row on the page"
    return match.group(1)


def _follow(client: Client, url: str) -> tuple[str, str]:
    """Load ``url``, follow its "next" link; return the first rows of both pages."""
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    href = _next_href(html)
    assert href is not None, f"no next link on {url}"
    assert not href.startswith("??"), href
    second = client.get(urljoin(f"http://testserver{url}", href))
    assert second.status_code == 200, href
    return _first_row(html), _first_row(second.content.decode())


@pytest.fixture
def director(company: Company) -> Client:
    client = Client()
    client.force_login(company.director)
    return client


def test_partner_list_next_page_shows_other_partners_and_keeps_filters(
    company: Company, director: Client
) -> None:
    Partner.objects.bulk_create(
        [
            Partner(
                name=f"Pager Partner {i:02d}",
                country="FR",
                tier=company.partner_a.tier,
                territory=company.partner_a.territory,
                status=Partner.Status.ACTIVE,
                channel_manager=company.rep,
            )
            for i in range(40)
        ]
    )
    first, second = _follow(director, reverse("partner_list"))
    assert first != second
    # With a filter, the next page is still filtered.
    first, second = _follow(director, reverse("partner_list") + "?q=Pager")
    assert first != second
    page = director.get(reverse("partner_list") + "?q=Pager&page=2").content.decode()
    assert "Pager Partner" in page and "Alpha" not in page
    assert "40 results" in page


def test_account_list_next_page(company: Company, director: Client) -> None:
    Account.objects.bulk_create(
        [
            Account(
                name=f"Pager Account {i:02d}",
                country="FR",
                owner=company.rep,
                territory=company.partner_a.territory,
            )
            for i in range(30)
        ]
    )
    first, second = _follow(director, reverse("account_list"))
    assert first != second


def test_deal_list_next_page_without_counting(company: Company, director: Client) -> None:
    line = ProductLineFactory()
    for i in range(55):
        DealFactory(name=f"Pager deal {i:02d}", owner=company.rep, product_line=line)
    first, second = _follow(director, reverse("deal_list") + "?sort=name")
    assert first != second


def test_lead_list_next_page(company: Company, director: Client) -> None:
    Lead.objects.bulk_create(
        [
            Lead(
                company_name=f"Pager Lead {i:02d}",
                contact_name="Jo",
                email=f"jo{i}@lead.example",
                country="FR",
            )
            for i in range(55)
        ]
    )
    first, second = _follow(director, reverse("lead_list"))
    assert first != second


def test_registration_and_application_lists_next_page(company: Company, director: Client) -> None:
    line = ProductLineFactory()
    close = timezone.localdate() + dt.timedelta(days=30)
    DealRegistration.objects.bulk_create(
        [
            DealRegistration(
                partner=company.partner_a,
                customer_name=f"Pager Customer {i:02d}",
                customer_country="FR",
                name_key=f"pager customer {i:02d}",
                amount=Decimal(1000),
                currency="EUR",
                product_line=line,
                expected_close_date=close,
            )
            for i in range(30)
        ]
    )
    first, second = _follow(director, reverse("registrations:list"))
    assert first != second
    PartnerApplication.objects.bulk_create(
        [
            PartnerApplication(
                company_name=f"Pager Applicant {i:02d}",
                country="FR",
                contact_first_name="A",
                contact_last_name="B",
                contact_email=f"a{i}@applicant.example",
            )
            for i in range(30)
        ]
    )
    first, second = _follow(director, reverse("registrations:application_list"))
    assert first != second
