"""The portal pages: who reaches them, what each partner sees, and what it never sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.documents.tests.factories import make_document
from dirco.leads.models import Lead, LeadAssignment
from dirco.notifications.services import notification_send
from dirco.pipeline.tests.factories import DealFactory
from dirco.portal.tests.conftest import World, client_for, offer_lead
from dirco.registrations.models import DealRegistration, RegistrationExtension
from dirco.registrations.services import registration_approve, registration_reject
from dirco.registrations.tests.factories import registration_data, submit

pytestmark = pytest.mark.django_db

PAGES = [
    "portal:home",
    "portal:deal_list",
    "portal:registration_list",
    "portal:registration_create",
    "portal:lead_list",
    "portal:document_list",
    "portal:announcement_list",
    "portal:notification_list",
]
ADMIN_PAGES = ["portal:user_list", "portal:user_invite"]


def _user(company: Company, role: str) -> User:
    user: User = getattr(company, role)
    return user


# -- who gets in ---------------------------------------------------------------------------------


def test_anonymous_goes_to_login(world: World) -> None:
    response = Client().get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["director", "manager", "rep", "marketing"])
def test_staff_are_sent_to_the_staff_home(company: Company, world: World, role: str) -> None:
    client = client_for(_user(company, role))
    for name in [*PAGES, *ADMIN_PAGES]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("home")
    assert client.get(reverse("portal:deal_detail", args=[world.deal_a.pk])).status_code == 302


def test_partner_users_land_on_the_portal(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_login_brings_a_partner_user_to_the_portal(company: Company, world: World) -> None:
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": company.partner_a_user.email, "password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_user", "partner_b_user"])
def test_every_page_renders(company: Company, world: World, role: str) -> None:
    user = _user(company, role)
    client = client_for(user)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert user.partner is not None
        assert user.partner.name.encode() in response.content, name
    for name in ADMIN_PAGES:
        expected = 200 if role == "partner_a_admin" else 404
        assert client.get(reverse(name)).status_code == expected, name


def test_pages_render_in_french(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    client.post(reverse("set_language"), {"language": "fr", "next": "/portal/"})
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert b'lang="fr"' in response.content


def test_pages_load_no_inline_script(company: Company, world: World) -> None:
    client = client_for(company.partner_a_admin)
    for name in [*PAGES, *ADMIN_PAGES]:
        html = client.get(reverse(name)).content.decode()
        assert "<script>" not in html and " onclick=" not in html and " onchange=" not in html


# -- isolation between partners ------------------------------------------------------------------

A_SECRETS = [
    "Alpha secret deal",
    "Alphacustomer Widgets",
    "Alphalead Foods",
    "Alpha contract",
    "Gold playbook",
    "Alpha news",
    "Gold summit",
    "admin@alpha.test",
    "user@alpha.test",
    "Alpha Systems",
]


def test_partner_b_never_sees_partner_a(company: Company, world: World) -> None:
    client = client_for(company.partner_b_user)
    for name in PAGES:
        html = client.get(reverse(name)).content.decode()
        for secret in A_SECRETS:
            assert secret not in html, (name, secret)


def test_partner_b_gets_404_on_partner_a_objects(company: Company, world: World) -> None:
    client = client_for(company.partner_b_user)
    gets = [
        reverse("portal:deal_detail", args=[world.deal_a.pk]),
        reverse("portal:registration_detail", args=[world.registration_a.pk]),
        reverse("portal:document_download", args=[world.doc_only_a.pk]),
        reverse("portal:document_download", args=[world.doc_gold.pk]),
        reverse("portal:document_download", args=[world.doc_draft.pk]),
        reverse("portal:deal_detail", args=[999999]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts: list[tuple[str, dict[str, str]]] = [
        (reverse("portal:registration_extension", args=[world.registration_a.pk]), {"reason": "x"}),
        (reverse("portal:lead_accept", args=[world.lead_a.pk]), {}),
        (reverse("portal:lead_decline", args=[world.lead_a.pk]), {"reason": "no"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    world.lead_a.refresh_from_db()
    assert world.lead_a.status == Lead.Status.OFFERED
    assert not RegistrationExtension.objects.exists()


def test_partner_a_sees_its_own(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    assert b"Alpha secret deal" in client.get(reverse("portal:deal_list")).content
    assert b"Beta own deal" not in client.get(reverse("portal:deal_list")).content
    detail = client.get(reverse("portal:deal_detail", args=[world.deal_a.pk]))
    assert detail.status_code == 200 and b"Qualification" in detail.content
    assert b"Alphacustomer" in client.get(reverse("portal:registration_list")).content
    assert b"Alphalead Foods" in client.get(reverse("portal:lead_list")).content
    docs = client.get(reverse("portal:document_list")).content
    assert b"Alpha contract" in docs and b"Gold playbook" in docs and b"Draft deck" not in docs
    news = client.get(reverse("portal:announcement_list")).content
    assert b"Alpha news" in news and b"Gold summit" in news and b"Hello partners" in news
    assert client.get(reverse("portal:deal_detail", args=[world.deal_b.pk])).status_code == 404


# -- registrations -------------------------------------------------------------------------------


def test_submit_a_registration(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    data = registration_data(customer_name="Gamma Robotics", customer_domain="gamma.example")
    form = {**data, "product_line": data["product_line"].pk}
    form["expected_close_date"] = data["expected_close_date"].isoformat()
    response = client.post(reverse("portal:registration_create"), form)
    registration = DealRegistration.objects.get(customer_name="Gamma Robotics")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:registration_detail", args=[registration.pk])
    assert registration.partner == company.partner_a
    assert registration.submitted_by == company.partner_a_user
    page = client.get(response["Location"])
    assert b"Under review" in page.content


def test_registration_form_errors_are_shown(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    data = registration_data(expected_close_date=timezone.localdate() - dt.timedelta(days=3))
    form = {**data, "product_line": data["product_line"].pk}
    form["expected_close_date"] = data["expected_close_date"].isoformat()
    response = client.post(reverse("portal:registration_create"), form)
    assert response.status_code == 400
    assert b"cannot be in the past" in response.content


def test_rejected_registration_shows_the_reason_never_the_conflict(
    company: Company, world: World
) -> None:
    # B registered the customer first; A's registration of the same customer conflicts.
    submit(company.partner_b_user, customer_name="Delta Corp", customer_domain="delta.example")
    mine = submit(
        company.partner_a_user, customer_name="Delta Corp", customer_domain="delta.example"
    )
    assert mine.conflict_count >= 1
    client = client_for(company.partner_a_user)
    page = client.get(reverse("portal:registration_detail", args=[mine.pk])).content.decode()
    assert "Under review" in page
    assert "Beta Integration" not in page and "user@beta.test" not in page
    registration_reject(
        registration=mine, rejected_by=company.rep, reason="Already registered by another partner"
    )
    page = client.get(reverse("portal:registration_detail", args=[mine.pk])).content.decode()
    assert "Rejected: Already registered by another partner" in page
    assert "Beta Integration" not in page


def test_request_an_extension(company: Company, world: World) -> None:
    registration_approve(registration=world.registration_a, approved_by=company.rep)
    client = client_for(company.partner_a_admin)
    url = reverse("portal:registration_detail", args=[world.registration_a.pk])
    page = client.get(url)
    assert b"Approved" in page.content and b"Request an extension" in page.content
    response = client.post(
        reverse("portal:registration_extension", args=[world.registration_a.pk]),
        {"reason": "The customer's board meets next quarter."},
    )
    assert response.status_code == 302
    extension = RegistrationExtension.objects.get()
    assert extension.requested_by == company.partner_a_admin
    page = client.get(url)
    assert b"Request an extension" not in page.content  # one pending request at a time
    again = client.post(
        reverse("portal:registration_extension", args=[world.registration_a.pk]), {"reason": "x"}
    )
    assert again.status_code == 400


# -- leads ---------------------------------------------------------------------------------------


def test_accept_a_lead(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    lead_list = client.get(reverse("portal:lead_list")).content
    assert b"jeanne@alphalead-foods.example" not in lead_list  # contact shown once accepted
    response = client.post(reverse("portal:lead_accept", args=[world.lead_a.pk]))
    assert response.status_code == 302
    world.lead_a.refresh_from_db()
    assert world.lead_a.status == Lead.Status.ACCEPTED
    assert world.lead_a.accepted_by == company.partner_a_user
    assert b"jeanne@alphalead-foods.example" in client.get(reverse("portal:lead_list")).content


def test_decline_a_lead_needs_a_reason(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    url = reverse("portal:lead_decline", args=[world.lead_a.pk])
    client.post(url, {"reason": "  "})
    world.lead_a.refresh_from_db()
    assert world.lead_a.status == Lead.Status.OFFERED
    response = client.post(url, {"reason": "Outside our region."})
    assert response.status_code == 302
    assignment = LeadAssignment.objects.get(lead=world.lead_a, partner=company.partner_a)
    assert assignment.outcome == LeadAssignment.Outcome.DECLINED
    assert assignment.reason == "Outside our region."
    assert b"Alphalead Foods" not in client.get(reverse("portal:lead_list")).content


def test_lead_past_its_deadline_cannot_be_accepted(company: Company, world: World) -> None:
    late = offer_lead(company.partner_a, "Late Lead", due_in=dt.timedelta(hours=-1))
    client = client_for(company.partner_a_user)
    response = client.post(reverse("portal:lead_accept", args=[late.pk]), follow=True)
    late.refresh_from_db()
    assert late.status == Lead.Status.OFFERED
    assert b"The time to answer has passed" in response.content


# -- documents -----------------------------------------------------------------------------------


def test_document_download_is_gated(company: Company, world: World) -> None:
    a = client_for(company.partner_a_user)
    response = a.get(reverse("portal:document_download", args=[world.doc_only_a.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    assert a.get(reverse("portal:document_download", args=[world.doc_gold.pk])).status_code == 200
    assert a.get(reverse("portal:document_download", args=[world.doc_draft.pk])).status_code == 404
    b = client_for(company.partner_b_user)
    assert b.get(reverse("portal:document_download", args=[world.doc_all.pk])).status_code == 200
    # Restricted to partner A, and above B's tier: both hidden, as if missing.
    assert b.get(reverse("portal:document_download", args=[world.doc_only_a.pk])).status_code == 404
    assert b.get(reverse("portal:document_download", args=[world.doc_gold.pk])).status_code == 404


def test_media_files_have_no_public_url(company: Company, world: World) -> None:
    client = client_for(company.partner_b_user)
    assert client.get("/media/" + world.doc_gold.file.name).status_code == 404


# -- notifications -------------------------------------------------------------------------------


def test_unread_notifications_and_mark_read(company: Company, world: World) -> None:
    notification_send(
        recipients=[company.partner_a_user], kind="test", title="Ping from dirco", email=False
    )
    client = client_for(company.partner_a_user)
    assert b"Ping from dirco" in client.get(reverse("portal:home")).content
    client.post(reverse("portal:notification_read"))
    assert b"Ping from dirco" not in client.get(reverse("portal:home")).content
    assert b"Ping from dirco" in client.get(reverse("portal:notification_list")).content


# -- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(company: Company, world: World) -> None:
    for i in range(6):
        DealFactory(name=f"More {i}", partner=company.partner_a, owner=company.rep)
        submit(
            company.partner_a_user,
            customer_name=f"Customer {i} Ltd",
            customer_domain=f"c{i}.example",
            customer_legal_identifier="",
        )
        offer_lead(company.partner_a, f"Lead {i} Co")
        make_document(f"Doc {i}")
        User.objects.create_user(
            f"extra{i}@alpha.test", role=User.Role.PARTNER_USER, partner=company.partner_a
        )


@pytest.mark.parametrize(
    "name",
    [
        "portal:deal_list",
        "portal:registration_list",
        "portal:lead_list",
        "portal:document_list",
        "portal:user_list",
        "portal:home",
    ],
)
def test_query_count_does_not_grow_with_rows(
    company: Company, world: World, name: str, settings: Any
) -> None:
    client = client_for(company.partner_a_admin)
    url = reverse(name)
    if name == "portal:deal_list":
        url += "?status=all"
    _queries(client, url)  # warm caches (forecast snapshot, content types)
    before = _queries(client, url)
    _grow(company, world)
    _queries(client, url)
    after = _queries(client, url)
    assert after == before
