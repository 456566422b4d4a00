"""Optimistic concurrency: version + ETag, If-Match -> 412, and the edit forms' hidden version
that says who changed what instead of overwriting."""

from __future__ import annotations

import pytest
from django.test import Client

from dirco.api.tests.clients import error_fields, patch_json, token_client
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.tests.factories import PartnerContactFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory

pytestmark = pytest.mark.django_db


def test_deal_etag_if_match_and_412(company: Company) -> None:
    deal = DealFactory(owner=company.rep)
    client = token_client(company.rep)
    read = client.get(f"/api/v1/deals/{deal.pk}")
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    ok = patch_json_if(client, f"/api/v1/deals/{deal.pk}", {"name": "First"}, '"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["version"] == 2
    # A second client still holding version 1 is refused and changes nothing.
    stale = patch_json_if(client, f"/api/v1/deals/{deal.pk}", {"name": "Second"}, 'W/"1"')
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert stale["ETag"] == '"2"'
    assert "version" in error_fields(stale)
    assert Deal.objects.get(pk=deal.pk).name == "First"
    # Without If-Match (or with *) the change goes through: If-Match is optional.
    assert patch_json(client, f"/api/v1/deals/{deal.pk}", {"name": "Third"}).status_code == 200
    assert patch_json_if(client, f"/api/v1/deals/{deal.pk}", {"name": "4"}, "*").status_code == 200
    assert Deal.objects.get(pk=deal.pk).version == 4
    bad = patch_json_if(client, f"/api/v1/deals/{deal.pk}", {"name": "5"}, "abc")
    assert bad.status_code == 400 and "If-Match" in error_fields(bad)


def test_partner_account_contact_carry_versions(company: Company) -> None:
    client = token_client(company.director)
    account = AccountFactory()
    contact = PartnerContactFactory(partner=company.partner_a)
    for url, body in (
        (f"/api/v1/partners/{company.partner_a.pk}", {"domain": "alpha.example"}),
        (f"/api/v1/accounts/{account.pk}", {"industry": "Retail"}),
        (f"/api/v1/contacts/{contact.pk}", {"phone": "+33 1"}),
    ):
        etag = client.get(url)["ETag"]
        assert patch_json_if(client, url, body, etag).status_code == 200, url
        assert patch_json_if(client, url, body, etag).status_code == 412, url


def test_deal_form_refuses_a_stale_save_and_says_who_changed_what(company: Company) -> None:
    deal = DealFactory(owner=company.rep, team=company.team, name="Original")
    rep = Client()
    rep.force_login(company.rep)
    page = rep.get(f"/deals/{deal.pk}/edit/")
    assert 'name="version" value="1"' in page.content.decode()
    form = dict(page.context["form"].initial)
    # Meanwhile the manager changes the amount through the API.
    manager = token_client(company.manager)
    assert patch_json(manager, f"/api/v1/deals/{deal.pk}", {"amount": "4242"}).status_code == 200
    post = {k: ("" if v is None else v) for k, v in form.items()}
    post.update({"name": "Rep's name", "version": "1", "amount": str(deal.amount)})
    response = rep.post(f"/deals/{deal.pk}/edit/", post)
    assert response.status_code == 200
    text = response.content.decode()
    assert "changed by someone else" in text
    assert str(company.manager) in text and "amount" in text
    deal.refresh_from_db()
    assert deal.name == "Original" and deal.amount == 4242  # nothing overwritten
    # The form keeps the version it was opened at: saving again is refused again.
    assert 'name="version" value="1"' in text
    # Reloaded, the form carries the current version and saves.
    fresh = rep.get(f"/deals/{deal.pk}/edit/")
    assert 'name="version" value="2"' in fresh.content.decode()


def patch_json_if(client: Client, url: str, data: dict[str, object], etag: str) -> object:
    return client.patch(url, data=data, content_type="application/json", headers={"If-Match": etag})


def test_partner_form_carries_its_version_and_refuses_a_stale_save(company: Company) -> None:
    partner = company.partner_a
    director = Client()
    director.force_login(company.director)
    page = director.get(f"/partners/{partner.pk}/edit/")
    assert f'name="version" value="{partner.version}"' in page.content.decode()
    form = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    opened_at = partner.version
    api = token_client(company.rep)  # the channel manager changes the domain meanwhile
    assert (
        patch_json(api, f"/api/v1/partners/{partner.pk}", {"domain": "new.example"}).status_code
        == 200
    )
    form.update({"domain": "mine.example", "version": str(opened_at)})
    response = director.post(f"/partners/{partner.pk}/edit/", form)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    partner.refresh_from_db()
    assert partner.domain == "new.example"
