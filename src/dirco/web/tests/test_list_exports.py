"""List exports (CSV, XLSX, vCard): each list page's export links keep its filters, go through
the page's own selector, and neutralise formulas; a partner user exports only its own rows."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.http.response import HttpResponseBase
from django.test import Client
from openpyxl import load_workbook

from dirco.conftest import Company
from dirco.core.exports import Column, cell_neutralise, csv_bytes, xlsx_bytes
from dirco.customers.tests.factories import AccountFactory
from dirco.leads.models import Lead
from dirco.leads.tests.factories import LeadFactory
from dirco.partners.models import Contact
from dirco.partners.tests.factories import PartnerContactFactory
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.registrations.tests.factories import submit

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)  # type: ignore[attr-defined]


def _rows(response: HttpResponseBase, fmt: str) -> list[list[str]]:
    """The export's rows (header first) as text, whatever the format."""
    assert response.status_code == 200, response.status_code
    body = _body(response)
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        text = body.decode("utf-8").lstrip("\ufeff")
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
        return list(csv.reader(io.StringIO(text), dialect))
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _export_links(client: Client, url: str) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    links = {
        fmt: unescape(href)
        for href, fmt in re.findall(r'href="([^"]+)" download data-export="(\w+)"', html)
    }
    assert {"csv", "xlsx"} <= set(links), links
    return links


def _column(rows: list[list[str]], title: str) -> list[str]:
    index = rows[0].index(title)
    return [row[index] for row in rows[1:]]


def test_cell_neutralise_prefixes_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert cell_neutralise(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert cell_neutralise("Acme = good") == "Acme = good"
    assert cell_neutralise(-12) == -12
    assert cell_neutralise(Decimal("-3.5")) == Decimal("-3.5")


def test_csv_and_xlsx_neutralise_text_but_keep_numbers() -> None:
    columns: list[Column[dict[str, Any]]] = [
        Column("Name", lambda r: r["name"]),
        Column("Amount", lambda r: r["amount"], "money"),
    ]
    rows = [{"name": '=cmd|" /C calc"!A0', "amount": Decimal("-12.50")}]
    text = csv_bytes(columns, rows).decode("utf-8")
    assert "'=cmd" in text and "-12.50" in text.replace(",", ".")
    sheet = load_workbook(io.BytesIO(xlsx_bytes(columns, rows, sheet_title="t/x"))).active
    assert sheet is not None
    assert sheet["A2"].value == '\'=cmd|" /C calc"!A0'
    assert sheet["B2"].value == -12.5
    assert sheet["B2"].number_format == "#,##0.00"


def test_leaderboard_export_uses_the_same_neutralisation(company: Company) -> None:
    from dirco.objectives.exports import leaderboard_csv

    text = leaderboard_csv([{"rank": 1, "label": "@SUM(A1)", "won": Decimal("10")}]).decode()
    assert "'@SUM(A1)" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_deal_list_export_links_keep_filters_and_scope(company: Company, fmt: str) -> None:
    mine = DealFactory(name="=Rep deal", owner=company.rep, partner=company.partner_a)
    other = DealFactory(name="Other rep deal", owner=company.other_rep)
    DealFactory(name="Unrelated", owner=company.rep)
    director = _client(company.director)
    links = _export_links(director, "/deals/?q=deal&page=1")
    assert "page=" not in links[fmt] and "q=deal" in links[fmt]
    rows = _rows(director.get(links[fmt]), fmt)
    names = _column(rows, "Name")
    assert sorted(names) == sorted(["'=Rep deal", "Other rep deal"])
    # The rep exports through the same selector as its page: its own deal only.
    rep = _client(company.rep)
    rep_rows = _rows(rep.get(_export_links(rep, "/deals/?q=deal")[fmt]), fmt)
    assert _column(rep_rows, "Name") == ["'=Rep deal"]
    assert str(mine.pk) in _column(rep_rows, "ID") and str(other.pk) not in _column(rep_rows, "ID")


def test_staff_exports_refuse_partner_users(company: Company) -> None:
    DealFactory(name="Secret", owner=company.rep)
    client = _client(company.partner_a_user)
    for url in (
        "/deals/",
        "/accounts/",
        "/partners/",
        "/leads/",
        "/registrations/",
        "/activities/",
    ):
        response = client.get(url + "?export=csv")
        assert response.status_code in (302, 403, 404), url
        assert b"Secret" not in response.content


def test_unknown_export_format_is_404(company: Company) -> None:
    assert _client(company.director).get("/deals/?export=pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_account_partner_lead_registration_activity_exports(company: Company, fmt: str) -> None:
    AccountFactory(name="+Plus Industries", owner=company.rep)
    AccountFactory(name="Minus Corp", owner=company.rep)
    LeadFactory(company_name="Lead Alpha", status=Lead.Status.NEW)
    LeadFactory(company_name="Lead Beta", status=Lead.Status.NEW)
    submit(company.partner_a_user, customer_name="Registered Alpha")
    submit(company.partner_b_user, customer_name="Registered Beta", customer_domain="beta.fr")
    ActivityFactory(subject="@Call back", owner=company.director)
    ActivityFactory(subject="Not mine", owner=company.rep)
    director = _client(company.director)
    cases = [
        ("/accounts/?q=plus", "Name", ["'+Plus Industries"]),
        ("/partners/?q=beta", "Name", [company.partner_b.name]),
        ("/leads/?q=alpha", "Company", ["Lead Alpha"]),
        ("/registrations/?q=alpha", "Customer", ["Registered Alpha"]),
        ("/activities/", "Subject", ["'@Call back"]),
    ]
    for url, title, expected in cases:
        rows = _rows(director.get(_export_links(director, url)[fmt]), fmt)
        assert _column(rows, title) == expected, url


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_portal_exports_hold_only_the_partners_rows(company: Company, fmt: str) -> None:
    DealFactory(name="Alpha deal", owner=company.rep, partner=company.partner_a)
    DealFactory(name="Beta deal", owner=company.rep, partner=company.partner_b)
    submit(company.partner_a_user, customer_name="Reg Alpha")
    submit(company.partner_b_user, customer_name="Reg Beta", customer_domain="beta.fr")
    LeadFactory(company_name="Taken Alpha", status=Lead.Status.ACCEPTED, partner=company.partner_a)
    LeadFactory(company_name="Taken Beta", status=Lead.Status.ACCEPTED, partner=company.partner_b)
    for user, own, others in (
        (company.partner_a_user, "Alpha", "Beta"),
        (company.partner_b_user, "Beta", "Alpha"),
    ):
        client = _client(user)
        for url, title in (
            ("/portal/deals/?status=all", "Name"),
            ("/portal/registrations/", "Customer"),
            ("/portal/leads/", "Company"),
        ):
            links = _export_links(client, url)
            rows = _rows(client.get(links[fmt]), fmt)
            values = _column(rows, title)
            assert len(values) == 1 and own in values[0], (url, values)
            assert not any(others in v for v in values)
            assert "Owner" not in rows[0]


def test_portal_deal_export_keeps_the_status_filter(company: Company) -> None:
    DealFactory(name="Open alpha", owner=company.rep, partner=company.partner_a)
    client = _client(company.partner_a_user)
    links = _export_links(client, "/portal/deals/?status=won")
    assert "status=won" in links["csv"]
    assert _rows(client.get(links["csv"]), "csv")[1:] == []
    links = _export_links(client, "/portal/deals/?status=open")
    assert _column(_rows(client.get(links["csv"]), "csv"), "Name") == ["Open alpha"]


def _vcards(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert "\r\n" in text
    # Unfold (RFC 6350 3.2) before reading.
    text = text.replace("\r\n ", "")
    return [card for card in text.split("BEGIN:VCARD\r\n") if card]


def test_contact_vcard_one_and_a_filtered_list(company: Company) -> None:
    account = AccountFactory(name="Dupont; Fils, SA", owner=company.director)
    anne = PartnerContactFactory(
        partner=None,
        account=account,
        first_name="Anne",
        last_name="Dupont-Lévêque",
        email="anne@dupont.example",
        job_title="Directrice " + "très " * 20,
    )
    PartnerContactFactory(partner=None, account=account, first_name="Bob", last_name="Zed")
    PartnerContactFactory(partner=company.partner_a, first_name="Other", last_name="Person")
    client = _client(company.director)
    one = client.get(f"/contacts/{anne.pk}/vcard/")
    assert one["Content-Type"].startswith("text/vcard")
    (card,) = _vcards(_body(one))
    assert "VERSION:4.0\r\n" in card and "END:VCARD" in card
    assert "FN:Anne Dupont-Lévêque\r\n" in card
    assert "N:Dupont-Lévêque;Anne;;;\r\n" in card
    assert "ORG:Dupont\\; Fils\\, SA\r\n" in card
    assert "EMAIL;TYPE=work:anne@dupont.example\r\n" in card
    assert all(len(line.encode()) <= 75 for line in _body(one).decode().split("\r\n"))
    # The account page's export links: its two contacts, and only them.
    links = _export_links(client, f"/accounts/{account.pk}/")
    cards = _vcards(_body(client.get(links["vcf"])))
    assert [re.search(r"FN:(.*)\r\n", c).group(1) for c in cards] == [  # type: ignore[union-attr]
        "Anne Dupont-Lévêque",
        "Bob Zed",
    ]
    assert _column(_rows(client.get(links["xlsx"]), "xlsx"), "First name") == ["Anne", "Bob"]


def test_contact_exports_are_scoped_to_the_partner(company: Company) -> None:
    alpha = PartnerContactFactory(partner=company.partner_a, first_name="Alpha", last_name="One")
    beta = PartnerContactFactory(partner=company.partner_b, first_name="Beta", last_name="Two")
    client = _client(company.partner_a_user)
    assert client.get(f"/contacts/{alpha.pk}/vcard/").status_code == 200
    assert client.get(f"/contacts/{beta.pk}/vcard/").status_code == 404
    rows = _rows(client.get("/contacts/export/?export=csv"), "csv")
    assert _column(rows, "First name") == ["Alpha"]
    rows = _rows(client.get(f"/contacts/export/?export=csv&partner={company.partner_b.pk}"), "csv")
    assert rows[1:] == []
    assert client.get("/contacts/export/?export=csv&partner=x").status_code == 404
    assert Contact.objects.count() == 2
