"""API operations added for issue 13: product lines, the users of one's own partner, list
sorts; each with an allowed and a forbidden caller."""

from __future__ import annotations

import pytest
from django.core import mail

from dirco.accounts.models import User
from dirco.api.tests.clients import post_json, token_client
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_product_lines_are_listed_and_read(company: Company) -> None:
    line = ProductLineFactory(name="Zeta line")
    client = token_client(company.partner_a_user)
    names = [p["name"] for p in client.get("/api/v1/product-lines?q=zeta").json()["items"]]
    assert names == ["Zeta line"]
    assert client.get(f"/api/v1/product-lines/{line.pk}").json()["name"] == "Zeta line"
    assert client.get("/api/v1/product-lines/999999").status_code == 404


def test_partner_admin_lists_invites_and_deactivates_its_own_users_only(
    company: Company, django_capture_on_commit_callbacks: object
) -> None:
    admin = token_client(company.partner_a_admin)
    emails = [u["email"] for u in admin.get("/api/v1/partner-users").json()["items"]]
    assert emails == ["admin@alpha.test", "user@alpha.test"]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = post_json(admin, "/api/v1/partner-users", {"email": "New@Alpha.test"})
    assert response.status_code == 202
    invited = User.objects.get(email="new@alpha.test")
    assert invited.partner_id == company.partner_a.pk
    assert any("new@alpha.test" in m.to for m in mail.outbox)
    # Another partner's user: 404; a staff user or a partner user sees none and invites none.
    assert admin.get(f"/api/v1/partner-users/{company.partner_b_user.pk}").status_code == 404
    assert admin.delete(f"/api/v1/partner-users/{company.partner_b_user.pk}").status_code == 404
    user = token_client(company.partner_a_user)
    assert user.get("/api/v1/partner-users").json()["items"] == []
    assert post_json(user, "/api/v1/partner-users", {"email": "x@alpha.test"}).status_code == 403
    assert admin.delete(f"/api/v1/partner-users/{invited.pk}").status_code == 204
    invited.refresh_from_db()
    assert not invited.is_active


def test_partner_list_sorts(company: Company) -> None:
    PartnerFactory(name="Aardvark", channel_manager=company.rep)
    client = token_client(company.director)
    by_name = [p["name"] for p in client.get("/api/v1/partners?sort=name").json()["items"]]
    assert by_name == sorted(by_name) and by_name[0] == "Aardvark"
    newest = client.get("/api/v1/partners?sort=-created").json()["items"][0]["name"]
    assert newest == "Aardvark"
    assert client.get("/api/v1/partners?sort=bogus").status_code == 400


def test_activity_patch_by_its_owner_only(company: Company) -> None:
    from dirco.api.tests.clients import patch_json
    from dirco.pipeline.models import Activity
    from dirco.pipeline.tests.factories import ActivityFactory, DealFactory

    deal = DealFactory(owner=company.rep, team=company.team)
    activity = ActivityFactory(owner=company.rep, deal=deal, subject="Call")
    url = f"/api/v1/activities/{activity.pk}"
    response = patch_json(token_client(company.rep), url, {"subject": "Call back", "kind": "email"})
    assert response.status_code == 200 and response.json()["subject"] == "Call back"
    assert patch_json(token_client(company.other_rep), url, {"subject": "x"}).status_code == 404
    refused = patch_json(token_client(company.rep), url, {"deal_id": deal.pk})
    assert refused.status_code == 400  # what it is linked to does not change
    assert Activity.objects.get(pk=activity.pk).kind == "email"
