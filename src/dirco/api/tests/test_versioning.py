"""Optimistic concurrency: version + ETag, If-Match -> 412, and the edit forms' hidden version
that says who changed what instead of overwriting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from dirco.api.tests.clients import error_fields, patch_json, token_client
from dirco.conftest import Company
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.tests.factories import PartnerContactFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory

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


# -- activities, objectives, plans and actions carry versions too (issue 13: every object) ------


def put_json_if(client: Client, url: str, data: dict[str, object], etag: str) -> object:
    return client.put(url, data=data, content_type="application/json", headers={"If-Match": etag})


def _stale_refused(response: object, current: str) -> None:
    assert response.status_code == 412, response.content  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "precondition_failed"  # type: ignore[attr-defined]
    assert response["ETag"] == current  # type: ignore[index]


def test_activity_etag_if_match_and_412(company: Company) -> None:
    from dirco.pipeline.models import Activity

    deal = DealFactory(owner=company.rep, team=company.team)
    activity = ActivityFactory(owner=company.rep, deal=deal, subject="Call")
    client = token_client(company.rep)
    url = f"/api/v1/activities/{activity.pk}"
    read = client.get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    ok = patch_json_if(client, url, {"subject": "First"}, '"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["version"] == 2
    _stale_refused(patch_json_if(client, url, {"subject": "Second"}, '"1"'), '"2"')
    assert Activity.objects.get(pk=activity.pk).subject == "First"
    # Marking it done is a change too: a client holding version 2 is then refused.
    assert client.post(f"{url}/complete", data={"done": True}, content_type="application/json")
    _stale_refused(patch_json_if(client, url, {"subject": "Third"}, '"2"'), '"3"')


def test_objective_etag_if_match_and_412_on_patch_and_months(company: Company) -> None:
    from dirco.objectives.models import Objective
    from dirco.objectives.services import objective_create
    from dirco.scopes import Scope

    objective = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=dt.date.today().year,
        amount="12000",
        split_method="flat",
    )
    client = token_client(company.director)
    url = f"/api/v1/objectives/{objective.pk}"
    etag = client.get(url)["ETag"]
    assert etag == f'"{objective.version}"'
    ok = patch_json_if(client, url, {"amount": "24000"}, etag)
    assert ok.status_code == 200 and ok.json()["version"] == objective.version + 1
    new_etag = ok["ETag"]
    _stale_refused(patch_json_if(client, url, {"amount": "36000"}, etag), new_etag)
    months = {"1": "1500", "2": "2500"}
    _stale_refused(
        put_json_if(client, f"{url}/months", {"amounts": months, "rebalance": True}, etag),
        new_etag,
    )
    moved = put_json_if(client, f"{url}/months", {"amounts": months, "rebalance": True}, new_etag)
    assert moved.status_code == 200 and moved["ETag"] != new_etag
    assert Objective.objects.get(pk=objective.pk).amount == 24000


def test_plan_and_action_etag_if_match_and_412(company: Company) -> None:
    from dirco.plans.models import Action, ActionPlan
    from dirco.plans.tests.factories import make_action, make_plan

    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}", name="Spring")
    action = make_action(plan=plan, by=company.manager)
    client = token_client(company.manager)
    url = f"/api/v1/plans/{plan.pk}"
    read = client.get(url)
    assert read["ETag"] == '"1"'
    body = {k: read.json()[k] for k in ("scope", "period", "objective_ids", "diagnosis")}
    ok = put_json_if(client, url, {**body, "name": "Summer"}, '"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    _stale_refused(put_json_if(client, url, {**body, "name": "Autumn"}, '"1"'), '"2"')
    assert ActionPlan.objects.get(pk=plan.pk).name == "Summer"

    url = f"/api/v1/actions/{action.pk}"
    read = client.get(url)
    assert read["ETag"] == '"1"'
    data = read.json()
    body = {k: data[k] for k in ("kind", "description", "starts_on", "ends_on", "planned_cost")} | {
        "expected_revenue": data["expected_revenue"]
    }
    ok = put_json_if(client, url, {**body, "title": "Webinar, take 2"}, '"1"')
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    _stale_refused(put_json_if(client, url, {**body, "title": "Take 3"}, '"1"'), '"2"')
    assert Action.objects.get(pk=action.pk).title == "Webinar, take 2"


def test_objective_and_plan_forms_refuse_a_stale_save(company: Company) -> None:
    from dirco.objectives.models import Objective
    from dirco.objectives.services import objective_create, objective_update
    from dirco.plans.models import ActionPlan
    from dirco.plans.services import PlanInput, plan_update
    from dirco.plans.tests.factories import make_plan
    from dirco.scopes import Scope

    director = Client()
    director.force_login(company.director)
    objective = objective_create(
        user=company.director,
        scope=Scope("team", company.team.pk),
        fiscal_year=dt.date.today().year,
        amount="12000",
        split_method="flat",
    )
    page = director.get(f"/objectives/{objective.pk}/edit/")
    opened_at = objective.version
    assert f'name="version" value="{opened_at}"' in page.content.decode()
    objective_update(objective=objective, user=company.director, amount="18000")  # meanwhile
    post = {"amount": "30000", "split_method": "flat", "version": str(opened_at)}
    response = director.post(f"/objectives/{objective.pk}/edit/", post)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert Objective.objects.get(pk=objective.pk).amount == 18000

    plan = make_plan(by=company.manager, scope=f"team:{company.team.pk}", name="Spring")
    manager = Client()
    manager.force_login(company.manager)
    page = manager.get(f"/plans/{plan.pk}/edit/")
    assert 'name="version" value="1"' in page.content.decode()
    form = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    plan_update(  # the director renames it meanwhile
        plan=plan,
        by=company.director,
        data=PlanInput(
            name="Renamed",
            scope=Scope("team", company.team.pk),
            period=plan.period,
            owner=plan.owner,
        ),
    )
    form.update({"name": "Mine", "version": "1"})
    response = manager.post(f"/plans/{plan.pk}/edit/", form)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert ActionPlan.objects.get(pk=plan.pk).name == "Renamed"


def test_product_line_stage_fund_request_and_partner_user_carry_versions(company: Company) -> None:
    """The last objects of issue 13's list that PATCH changes: each answers an ETag, takes
    If-Match and refuses a stale one with 412 (nothing saved)."""
    from dirco.catalog.tests.factories import ProductLineFactory
    from dirco.funds.tests.factories import budget_make, request_make
    from dirco.pipeline.models import Stage

    line = ProductLineFactory(code="walk")
    stage = Stage.objects.create(name="Walk", order=900, probability=10)
    director = token_client(company.director)
    for url, body in (
        (f"/api/v1/product-lines/{line.pk}", {"name": "Core line"}),
        (f"/api/v1/stages/{stage.pk}", {"name": "Qualified"}),
    ):
        etag = director.get(url)["ETag"]
        ok = patch_json_if(director, url, body, etag)
        assert ok.status_code == 200 and ok["ETag"] != etag, url
        _stale_refused(patch_json_if(director, url, {"name": "Stale"}, etag), ok["ETag"])
    budget = budget_make(director=company.director, partner=company.partner_a, amount="3000")
    fund_request = request_make(user=company.partner_a_user, budget=budget, amount="1000")
    partner = token_client(company.partner_a_user)
    url = f"/api/v1/mdf/requests/{fund_request.pk}"
    etag = partner.get(url)["ETag"]
    ok = patch_json_if(partner, url, {"activity": "Two webinars"}, etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    _stale_refused(patch_json_if(partner, url, {"activity": "Stale"}, etag), ok["ETag"])
    admin = token_client(company.partner_a_admin)
    url = f"/api/v1/partner-users/{company.partner_a_user.pk}"
    etag = admin.get(url)["ETag"]
    ok = patch_json_if(admin, url, {"first_name": "Anna"}, etag)
    assert ok.status_code == 200 and ok["ETag"] != etag
    _stale_refused(patch_json_if(admin, url, {"first_name": "Stale"}, etag), ok["ETag"])
