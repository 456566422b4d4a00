"""The staff pages and the API give every user the same answer for the same action.

Each test does one action twice per user, on two identical fresh records: once through the
HTML page (the form the page posts), once through the API. Whether the action took effect
must be the same both ways, and match who the access rules allow (so that a test where both
sides refuse everything cannot pass). Partner users are not in these tests: the staff pages
send them to the portal whatever the action (the route matrix checks that); the portal's own
actions have no API twin but the registrations and leads, tested in their apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.db import models
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.accounts.tests.factories import UserFactory
from dirco.api.tests.clients import session_client, token_client
from dirco.conftest import Company
from dirco.customers.forms import AccountForm
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.forms import PartnerForm
from dirco.partners.models import Partner
from dirco.partners.tests.factories import PartnerFactory
from dirco.pipeline.forms import DealForm
from dirco.pipeline.models import Activity, Deal
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory, stage_named

pytestmark = pytest.mark.django_db

STAFF = ("director", "marketing", "manager", "other_manager", "rep", "other_rep")


# The page is used by session, the API by bearer token (the API's session path is the same).
_page, _api = session_client, token_client


def _post_data(form: forms.Form) -> dict[str, str]:
    """What the page's form posts when left as it was shown (its initial values)."""
    data: dict[str, str] = {}
    for name in form.fields:
        value = form.initial.get(name, form.fields[name].initial)
        if isinstance(value, models.Model):
            value = value.pk
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value is None else str(value)
    return data


def _agree(
    company: Company,
    actor: str,
    *,
    html: Callable[[Client], Any],
    api: Callable[[Client], Any],
    done: Callable[[], bool],
    reset: Callable[[], None],
    allowed: set[str],
) -> None:
    user: User = getattr(company, actor)
    reset()
    html(_page(user))
    by_page = done()
    reset()
    api(_api(user))
    by_api = done()
    assert by_page == by_api, f"{actor}: the page says {by_page}, the API says {by_api}"
    assert by_page == (actor in allowed), f"{actor}: done={by_page}, allowed={allowed}"


def _team_deal(company: Company, **kw: Any) -> Deal:
    """A deal of the North team, owned by its rep, brought by partner A (rep's partner)."""
    defaults: dict[str, Any] = {
        "owner": company.rep,
        "team": company.team,
        "partner": company.partner_a,
        "account": AccountFactory(owner=company.rep),
    }
    return DealFactory(**{**defaults, **kw})


SEE_DEAL = {"director", "marketing", "manager", "rep"}
CHANGE_DEAL = {"director", "manager", "rep"}


@pytest.mark.parametrize("actor", STAFF)
def test_deal_view_agrees(company: Company, actor: str) -> None:
    deal = _team_deal(company)
    answers: list[int] = []
    user: User = getattr(company, actor)
    answers.append(_page(user).get(reverse("deal_detail", args=[deal.pk])).status_code)
    answers.append(_api(user).get(f"/api/v1/deals/{deal.pk}").status_code)
    assert (answers[0] == 200) == (answers[1] == 200) == (actor in SEE_DEAL), answers


@pytest.mark.parametrize("actor", STAFF)
def test_deal_create_agrees(company: Company, actor: str) -> None:
    user: User = getattr(company, actor)
    account = AccountFactory(owner=user)
    stage = stage_named("Qualification")
    line = _team_deal(company).product_line
    name = f"Agreement {actor}"
    form_data = {
        "name": name,
        "account": account.pk,
        "partner": "",
        "owner": user.pk,
        "product_line": line.pk,
        "amount": "1200.00",
        "currency": "EUR",
        "stage": stage.pk,
        "expected_close_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
        "source": Deal.Source.DIRECT,
    }
    api_data = {
        "name": name,
        "account_id": account.pk,
        "product_line_id": line.pk,
        "amount": "1200.00",
        "stage_id": stage.pk,
        "expected_close_date": form_data["expected_close_date"],
    }
    _agree(
        company,
        actor,
        html=lambda c: c.post(reverse("deal_create"), form_data),
        api=lambda c: c.post("/api/v1/deals", api_data, content_type="application/json"),
        done=lambda: Deal.objects.filter(name=name).exists(),
        reset=lambda: Deal.objects.filter(name=name).delete(),
        allowed={"director", "manager", "other_manager", "rep", "other_rep"},
    )


@pytest.mark.parametrize("actor", STAFF)
def test_deal_edit_agrees(company: Company, actor: str) -> None:
    deal = _team_deal(company, name="Before")

    def html(client: Client) -> Any:
        data = _post_data(DealForm(user=company.director, deal=deal))
        return client.post(reverse("deal_edit", args=[deal.pk]), {**data, "name": "After"})

    def api(client: Client) -> Any:
        body = {"name": "After"}
        return client.patch(f"/api/v1/deals/{deal.pk}", body, content_type="application/json")

    _agree(
        company,
        actor,
        html=html,
        api=api,
        done=lambda: Deal.objects.get(pk=deal.pk).name == "After",
        reset=lambda: Deal.objects.filter(pk=deal.pk).update(name="Before"),
        allowed=CHANGE_DEAL,
    )


@pytest.mark.parametrize("actor", STAFF)
def test_deal_move_agrees(company: Company, actor: str) -> None:
    deal = _team_deal(company)
    first, target = stage_named("Qualification"), stage_named("Proposal")
    _agree(
        company,
        actor,
        html=lambda c: c.post(reverse("deal_move", args=[deal.pk]), {"stage": target.pk}),
        api=lambda c: c.post(
            f"/api/v1/deals/{deal.pk}/stage",
            {"stage_id": target.pk},
            content_type="application/json",
        ),
        done=lambda: Deal.objects.get(pk=deal.pk).stage_id == target.pk,
        reset=lambda: Deal.objects.filter(pk=deal.pk).update(stage=first),
        allowed=CHANGE_DEAL,
    )


@pytest.mark.parametrize("actor", STAFF)
def test_deal_owner_choices_agree(company: Company, actor: str) -> None:
    """The owner a page's form offers is exactly the owner the API accepts, for every user."""
    editor: User = getattr(company, actor)
    deal = _team_deal(company, owner=editor, partner=None, team=None)
    # A direct report of the manager who is in no team yet: in the manager's line.
    newcomer = UserFactory(role=User.Role.REP, reports_to=company.manager)
    candidates = [
        newcomer,
        *(
            getattr(company, name)
            for name in (*STAFF, "partner_a_admin", "partner_a_user", "partner_b_user")
        ),
    ]
    offered = set(
        DealForm(user=editor, deal=deal).fields["owner"].queryset.values_list("pk", flat=True)
    )  # type: ignore[attr-defined]
    page, api = _page(editor), _api(editor)
    accepted_by_page: set[int] = set()
    accepted_by_api: set[int] = set()
    for candidate in candidates:
        if candidate.pk == editor.pk:
            continue
        Deal.objects.filter(pk=deal.pk).update(owner=editor)
        data = _post_data(DealForm(user=editor, deal=Deal.objects.get(pk=deal.pk)))
        page.post(reverse("deal_edit", args=[deal.pk]), {**data, "owner": candidate.pk})
        if Deal.objects.get(pk=deal.pk).owner_id == candidate.pk:
            accepted_by_page.add(candidate.pk)
        Deal.objects.filter(pk=deal.pk).update(owner=editor)
        api.patch(
            f"/api/v1/deals/{deal.pk}",
            {"owner_id": candidate.pk},
            content_type="application/json",
        )
        if Deal.objects.get(pk=deal.pk).owner_id == candidate.pk:
            accepted_by_api.add(candidate.pk)
    assert accepted_by_page == accepted_by_api, actor
    if actor in CHANGE_DEAL:
        assert accepted_by_page == offered - {editor.pk}, actor
    partner_users = {company.partner_a_admin.pk, company.partner_a_user.pk}
    assert not accepted_by_page & partner_users
    expected_other_rep = actor in ("director", "other_manager")
    assert (company.other_rep.pk in accepted_by_page) == expected_other_rep, actor
    if actor == "manager":
        assert {company.rep.pk, newcomer.pk} <= accepted_by_page
    assert (newcomer.pk in accepted_by_page) == (actor in ("director", "manager")), actor


@pytest.mark.parametrize("actor", STAFF)
def test_activity_log_on_deal_agrees(company: Company, actor: str) -> None:
    deal = _team_deal(company)
    subject = f"Call by {actor}"
    _agree(
        company,
        actor,
        html=lambda c: c.post(
            reverse("deal_activity_create", args=[deal.pk]), {"kind": "call", "subject": subject}
        ),
        api=lambda c: c.post(
            "/api/v1/activities",
            {"kind": "call", "subject": subject, "deal_id": deal.pk},
            content_type="application/json",
        ),
        done=lambda: Activity.objects.filter(subject=subject).exists(),
        reset=lambda: Activity.objects.filter(subject=subject).delete(),
        allowed=SEE_DEAL,
    )


@pytest.mark.parametrize("actor", STAFF)
@pytest.mark.parametrize(
    ("owner", "allowed"),
    [("rep", {"director", "manager", "rep"}), ("manager", {"director", "manager"})],
)
def test_activity_completion_agrees(
    company: Company, actor: str, owner: str, allowed: set[str]
) -> None:
    """The owner, the director and the owner's manager mark an activity done; the deal's
    other readers (marketing, the deal's owner for the manager's own activity) do not,
    whether on the page or through the API."""
    activity = ActivityFactory(owner=getattr(company, owner), deal=_team_deal(company))
    _agree(
        company,
        actor,
        html=lambda c: c.post(reverse("activity_done", args=[activity.pk]), {"done": "1"}),
        api=lambda c: c.post(
            f"/api/v1/activities/{activity.pk}/complete",
            {"done": True},
            content_type="application/json",
        ),
        done=lambda: Activity.objects.get(pk=activity.pk).done_at is not None,
        reset=lambda: Activity.objects.filter(pk=activity.pk).update(done_at=None),
        allowed=allowed,
    )


@pytest.mark.parametrize("actor", STAFF)
def test_partner_edit_agrees(company: Company, actor: str) -> None:
    partner = company.partner_a

    def html(client: Client) -> Any:
        data = _post_data(PartnerForm(user=company.director, partner=partner))
        return client.post(reverse("partner_edit", args=[partner.pk]), {**data, "domain": "x.test"})

    _agree(
        company,
        actor,
        html=html,
        api=lambda c: c.patch(
            f"/api/v1/partners/{partner.pk}", {"domain": "x.test"}, content_type="application/json"
        ),
        done=lambda: Partner.objects.get(pk=partner.pk).domain == "x.test",
        reset=lambda: Partner.objects.filter(pk=partner.pk).update(domain="before.test"),
        allowed=CHANGE_DEAL,
    )


def _people_choices_agree(
    company: Company,
    actor: str,
    *,
    record: models.Model,
    field: str,
    page_url: str,
    page_form: Callable[[], forms.Form],
    api_url: str,
) -> None:
    """Each candidate the page accepts for ``field`` the API accepts, and the other way round;
    another team's rep only for their manager and the director, a partner user never."""
    editor: User = getattr(company, actor)
    manager = type(record)._default_manager
    accepted: dict[str, set[int]] = {"page": set(), "api": set()}
    for candidate in (company.rep, company.other_rep, company.manager, company.partner_a_user):
        if candidate.pk == editor.pk:
            continue
        for side, client in (("page", _page(editor)), ("api", _api(editor))):
            manager.filter(pk=record.pk).update(**{field: editor})
            if side == "page":
                client.post(page_url, {**_post_data(page_form()), field: candidate.pk})
            else:
                body = {f"{field}_id": candidate.pk}
                client.patch(api_url, body, content_type="application/json")
            if getattr(manager.get(pk=record.pk), f"{field}_id") == candidate.pk:
                accepted[side].add(candidate.pk)
    assert accepted["page"] == accepted["api"], actor
    assert (company.other_rep.pk in accepted["page"]) == (actor in ("director", "other_manager"))
    assert company.partner_a_user.pk not in accepted["page"]


@pytest.mark.parametrize("actor", STAFF)
def test_partner_channel_manager_choices_agree(company: Company, actor: str) -> None:
    editor: User = getattr(company, actor)
    partner = PartnerFactory(name="Gamma", channel_manager=editor)
    _people_choices_agree(
        company,
        actor,
        record=partner,
        field="channel_manager",
        page_url=reverse("partner_edit", args=[partner.pk]),
        page_form=lambda: PartnerForm(user=editor, partner=partner),
        api_url=f"/api/v1/partners/{partner.pk}",
    )


@pytest.mark.parametrize("actor", STAFF)
def test_account_edit_agrees(company: Company, actor: str) -> None:
    account = AccountFactory(owner=company.rep, name="Before")

    def html(client: Client) -> Any:
        data = _post_data(AccountForm(user=company.director, account=account))
        return client.post(reverse("account_edit", args=[account.pk]), {**data, "name": "After"})

    _agree(
        company,
        actor,
        html=html,
        api=lambda c: c.patch(
            f"/api/v1/accounts/{account.pk}", {"name": "After"}, content_type="application/json"
        ),
        done=lambda: Account.objects.get(pk=account.pk).name == "After",
        reset=lambda: Account.objects.filter(pk=account.pk).update(name="Before"),
        allowed=CHANGE_DEAL,
    )


@pytest.mark.parametrize("actor", STAFF)
def test_account_owner_choices_agree(company: Company, actor: str) -> None:
    editor: User = getattr(company, actor)
    account = AccountFactory(owner=editor, name="Owned")
    _people_choices_agree(
        company,
        actor,
        record=account,
        field="owner",
        page_url=reverse("account_edit", args=[account.pk]),
        page_form=lambda: AccountForm(user=editor, account=account),
        api_url=f"/api/v1/accounts/{account.pk}",
    )


def test_amounts_agree_between_page_and_api(company: Company) -> None:
    """A deal created on the page and one created through the API with the same amount and
    currency store the same Decimal amounts."""
    account = AccountFactory(owner=company.rep)
    stage = stage_named("Qualification")
    line = _team_deal(company).product_line
    close = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    _page(company.rep).post(
        reverse("deal_create"),
        {
            "name": "Page deal",
            "account": account.pk,
            "partner": "",
            "owner": company.rep.pk,
            "product_line": line.pk,
            "amount": "1234.50",
            "currency": "USD",
            "stage": stage.pk,
            "expected_close_date": close,
            "source": Deal.Source.DIRECT,
        },
    )
    _api(company.rep).post(
        "/api/v1/deals",
        {
            "name": "API deal",
            "account_id": account.pk,
            "product_line_id": line.pk,
            "amount": "1234.50",
            "currency": "USD",
            "stage_id": stage.pk,
            "expected_close_date": close,
        },
        content_type="application/json",
    )
    page_deal, api_deal = Deal.objects.get(name="Page deal"), Deal.objects.get(name="API deal")
    assert page_deal.amount == api_deal.amount == Decimal("1234.50")
    assert page_deal.currency == api_deal.currency == "USD"
    assert page_deal.amount_company == api_deal.amount_company == Decimal("1111.05")
