"""One regression test (or more) per finding of the outside security test (issue 10), and
the decisions on its three design points. Each fails on the code the test was run against.

docs/security.md ("What the outside test found") says what each test proves.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dirco.accounts.models import ApiToken, User, UserSession
from dirco.accounts.services import api_token_create
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import PASSWORD, Company
from dirco.customers.models import Account
from dirco.customers.tests.factories import AccountFactory
from dirco.objectives.models import Objective
from dirco.objectives.services import forecast_adjust, objective_create
from dirco.partners.models import Contact
from dirco.partners.tests.factories import PartnerContactFactory
from dirco.pipeline.models import Deal
from dirco.pipeline.tests.factories import DealFactory
from dirco.registrations.forms import application_form_token
from dirco.registrations.models import DealRegistration, PartnerApplication
from dirco.registrations.tests.factories import submit
from dirco.revenue.scopes import Scope
from dirco.urls import api

ROOT = Path(__file__).resolve().parents[4]


def _token_client(user: User) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def _session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _json(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:400])
    assert response["Content-Type"].startswith("application/problem+json"), response
    body: dict[str, Any] = response.json()
    assert body["status"] == status and "error" in body, body
    return body


# 1. High: the second factor was skipped on the API -----------------------------------------


def _password_login(user: User) -> Client:
    client = Client()
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "10.1.2.3"
    response = client.post(
        "/login/", {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    return client


def test_f1_half_logged_in_session_with_any_bearer_header_gets_no_api(company: Company) -> None:
    director = company.director
    TOTPDevice.objects.create(user=director, name="authenticator", confirmed=True)
    client = _password_login(director)  # password only: the code is still owed
    assert client.get("/").status_code == 302  # pages send it to the code
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer x"}, {"HTTP_AUTHORIZATION": "bearer "}):
        me = client.get("/api/v1/me", **headers)  # type: ignore[arg-type]
        assert _problem(me, 403)["error"]["code"] == "otp_required"
        minted = client.post(
            "/api/v1/tokens", data={"name": "backdoor"}, content_type="application/json", **headers
        )  # type: ignore[arg-type]
        assert _problem(minted, 403)["error"]["code"] == "otp_required"
    assert not ApiToken.objects.filter(user=director).exists()


def test_f1_the_api_session_check_is_the_pages_check(company: Company) -> None:
    """The API's session authentication asks the same function, even if the middleware were
    bypassed: a session that owes a factor authenticates nobody."""
    from dirco.accounts.api_auth import SessionAuth
    from dirco.accounts.security import OTP_STATE_KEY
    from dirco.api.errors import OtpRequired

    request = HttpRequest()
    request.user = company.rep
    request.user.is_verified = lambda: False  # type: ignore[attr-defined]
    request.session = {OTP_STATE_KEY: True}  # type: ignore[assignment]
    request._ninja_csrf_exempt = True  # type: ignore[attr-defined]
    with pytest.raises(OtpRequired):
        SessionAuth(csrf=False)(request)


def test_f1_a_real_token_still_works_alone(company: Company) -> None:
    TOTPDevice.objects.create(user=company.director, name="authenticator", confirmed=True)
    assert _token_client(company.director).get("/api/v1/me").status_code == 200


# 2. Medium: a rep took over another rep's customer account ---------------------------------


def _account_of_other_rep_with_partner_a_deal(company: Company) -> Account:
    account = AccountFactory(name="Somebody Else's Customer", owner=company.other_rep)
    DealFactory(
        account=account, owner=company.other_rep, team=company.other_team, partner=company.partner_a
    )
    return account


def test_f2_seeing_an_account_through_a_partner_deal_gives_no_edit(company: Company) -> None:
    account = _account_of_other_rep_with_partner_a_deal(company)
    contact = PartnerContactFactory(first_name="Carla", partner=None, account=account)
    rep = _token_client(company.rep)
    assert rep.get(f"/api/v1/accounts/{account.pk}").status_code == 200  # visible
    for body in ({"owner_id": company.rep.pk}, {"industry": "Taken"}):
        _problem(_json(rep, "PATCH", f"/api/v1/accounts/{account.pk}", body), 403)
    _problem(_json(rep, "PATCH", f"/api/v1/contacts/{contact.pk}", {"phone": "+33 1"}), 403)
    _problem(rep.delete(f"/api/v1/contacts/{contact.pk}"), 403)
    web = _session(company.rep)
    web.post(reverse("account_edit", args=[account.pk]), {"name": "Mine now"})
    account.refresh_from_db()
    assert account.owner_id == company.other_rep.pk and account.name != "Mine now"
    assert Contact.objects.filter(pk=contact.pk, phone="").exists()
    # The owner still edits it.
    owner = _token_client(company.other_rep)
    assert (
        _json(owner, "PATCH", f"/api/v1/accounts/{account.pk}", {"industry": "OK"}).status_code
        == 200
    )


# 3. Medium: draft objectives leaked through the leaderboard and its exports --------------


def _draft_partner_objective(company: Company, amount: str = "777000") -> Objective:
    return objective_create(
        user=company.director,
        scope=Scope.parse(f"partner:{company.partner_a.pk}"),
        fiscal_year=timezone.localdate().year,
        amount=Decimal(amount),
        split_method=Objective.SplitMethod.FLAT,
    )


def test_f3_draft_objectives_stay_off_the_leaderboard_and_its_exports(company: Company) -> None:
    objective = _draft_partner_objective(company)
    assert objective.status == Objective.Status.DRAFT
    year = objective.fiscal_year
    url = f"/api/v1/leaderboard?kind=partner&year={year}"
    for user in (company.partner_a_user, company.rep):
        rows = _token_client(user).get(url).json()
        assert all(r["objective"] is None for r in rows), rows
        assert "777000" not in json.dumps(rows)
    for fmt in ("csv", "xlsx"):
        export = _session(company.rep).get(
            reverse("leaderboard_export", args=[fmt]) + f"?kind=partner&year={year}"
        )
        assert export.status_code == 200
        assert b"777000" not in export.content
    director_rows = _token_client(company.director).get(url).json()
    assert any(r["objective"] == "777000.00" for r in director_rows), director_rows
    Objective.objects.filter(pk=objective.pk).update(status=Objective.Status.PUBLISHED)
    rows = _token_client(company.rep).get(url).json()
    assert any(r["objective"] == "777000.00" for r in rows), rows


# 4. Medium: API tokens survived a password change or reset -------------------------------


@pytest.mark.parametrize("change", ["password", "role", "partner", "deactivation"])
def test_f4_credential_changes_end_every_token_and_session(company: Company, change: str) -> None:
    user = company.partner_a_user if change == "partner" else company.rep
    token_client = _token_client(user)
    browser = _session(user)
    assert token_client.get("/api/v1/me").status_code == 200
    assert UserSession.objects.filter(user=user).exists()
    user = User.objects.get(pk=user.pk)
    if change == "password":
        user.set_password("a completely new passphrase 42")
    elif change == "role":
        user.role = User.Role.MARKETING
    elif change == "partner":
        user.partner = company.partner_b
    else:
        user.is_active = False
    user.save()
    assert token_client.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert browser.get("/api/v1/me").status_code == 401


def test_f4_password_reset_link_revokes_tokens(company: Company) -> None:
    from dirco.portal.services import partner_user_set_password_url

    user = company.partner_a_user
    token_client = _token_client(user)
    url = partner_user_set_password_url(user=user).split("testserver", 1)[-1]
    url = "/" + url.split("/", 3)[-1] if url.startswith("http") else url
    client = Client()
    form = client.get(url, follow=True)
    assert form.status_code == 200
    new = "Reset-passphrase-for-alpha-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert token_client.get("/api/v1/me").status_code == 401


def test_f4_other_saves_keep_the_tokens(company: Company) -> None:
    token_client = _token_client(company.rep)
    company.rep.first_name = "Renamed"
    company.rep.save()
    assert token_client.get("/api/v1/me").status_code == 200


def _totp_now(device: TOTPDevice) -> str:
    from django_otp.oath import TOTP

    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code.time = timezone.now().timestamp()
    return f"{code.token():06d}"


def test_f4_turning_two_factor_on_ends_tokens_and_other_sessions(company: Company) -> None:
    """Tokens and sessions made with the password alone do not outlive the second factor;
    the browser that enrolled stays logged in (and verified)."""
    user = company.rep
    token_client = _token_client(user)
    other_browser = _session(user)
    enrolling = _session(user)
    assert token_client.get("/api/v1/me").status_code == 200
    assert other_browser.get("/api/v1/me").status_code == 200
    enrolling.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = enrolling.post(reverse("otp_enrol"), {"token": _totp_now(device)})
    assert done.status_code == 200
    assert token_client.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert other_browser.get("/api/v1/me").status_code == 401
    assert enrolling.get("/api/v1/me").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    # A token minted after the set-up works, and verifying codes later (which saves the
    # device's counters) revokes nothing.
    after = _token_client(user)
    device.refresh_from_db()
    device.verify_token(_totp_now(device))
    device.save()
    assert after.get("/api/v1/me").status_code == 200


def test_f4_a_device_confirmed_by_any_path_revokes(company: Company) -> None:
    """The trigger is on the device's save, not on the set-up page: a device confirmed in
    the admin or by a script revokes too."""
    user = company.manager
    token_client = _token_client(user)
    browser = _session(user)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    assert token_client.get("/api/v1/me").status_code == 200  # not on yet
    device.confirmed = True
    device.save()
    assert token_client.get("/api/v1/me").status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    user2 = company.director
    token2 = _token_client(user2)
    TOTPDevice.objects.create(user=user2, name="authenticator", confirmed=True)
    assert token2.get("/api/v1/me").status_code == 401


# 5. Low: tampered input caused HTTP 500 --------------------------------------------------


def _cursor(values: list[str]) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/deals?after=" + _cursor(["not-a-date", "x"]),
        "/api/v1/deals?sort=amount&after=" + _cursor(["12abc", "1"]),
        "/api/v1/partners?after=" + _cursor(["Alpha", "99999999999999999999999"]),
        "/api/v1/objectives?after=" + _cursor(["2026x", "company", "1"]),
        "/api/v1/stages?after=" + _cursor(["1", "\u0000"]),
        "/api/v1/contacts?account=99999999999999999999999",
        "/api/v1/deals/99999999999999999999999",
        "/api/v1/leaderboard?year=37860349",
        "/api/v1/curve?year=-137261",
        "/api/v1/forecast?horizon=100000",
        "/api/v1/deals?q=%00",
        "/api/v1/deals?close_to=0",
    ],
)
def test_f5_tampered_query_answers_400_problem_json(company: Company, url: str) -> None:
    response = _token_client(company.director).get(url)
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    _problem(response, 400)


@pytest.mark.parametrize(
    "path",
    ["/leaderboard/?year=37860349", "/deals/?page=99999999999999999999", "/partners/?page=x"],
)
def test_f5_tampered_page_query_never_500(company: Company, path: str) -> None:
    response = _session(company.director).get(path)
    assert response.status_code < 500


def test_f5_null_for_a_required_column_answers_400(company: Company) -> None:
    deal = DealFactory(owner=company.rep, team=company.team)
    response = _json(
        _token_client(company.director), "PATCH", f"/api/v1/deals/{deal.pk}", {"lost_reason": None}
    )
    assert "lost_reason" in _problem(response, 400)["error"]["fields"]


def test_f5_a_huge_amount_answers_400(company: Company) -> None:
    """Found by the schemathesis run: an objective amount of 6.8e143 gave HTTP 500."""
    objective = _draft_partner_objective(company)
    response = _json(
        _token_client(company.director),
        "PATCH",
        f"/api/v1/objectives/{objective.pk}",
        {"amount": 6.810392014852854e143},
    )
    assert "amount" in _problem(response, 400)["error"]["fields"]


# 6. Low: DEBUG was on unless DIRCO_ENV=production ----------------------------------------


def _settings_debug(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'dirco.settings'; "
        "from django.conf import settings; print(settings.DEBUG)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIRCO_", "DEBUG"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


def test_f6_debug_is_off_unless_asked_and_never_in_production(tmp_path: Path) -> None:
    base = {"DIRCO_HOME": str(tmp_path)}
    assert _settings_debug(base).stdout.strip() == "False"
    assert _settings_debug({**base, "DEBUG": "1"}).stdout.strip() == "False"  # the old switch
    assert _settings_debug({**base, "DIRCO_DEBUG": "1"}).stdout.strip() == "True"
    production = {
        **base,
        "DIRCO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "dirco.example.com",
    }
    assert _settings_debug(production).stdout.strip() == "False"
    refused = _settings_debug({**production, "DIRCO_DEBUG": "1"})
    assert refused.returncode != 0 and "DEBUG is on in production" in refused.stderr


# 7. Low: a manager's internal forecast call reached the partner ---------------------------


def test_f7_forecast_calls_and_notes_stay_with_staff(company: Company) -> None:
    period = str(timezone.localdate().year)
    scope = Scope.parse(f"partner:{company.partner_a.pk}")
    forecast_adjust(
        user=company.manager,
        scope=scope,
        period=period,
        manager_call=Decimal("123456"),
        note="SECRET-internal: this partner oversells",
    )
    url = f"/api/v1/attainment?scope=partner:{company.partner_a.pk}&period={period}"
    for user in (company.partner_a_user, company.partner_a_admin):
        body = _token_client(user).get(url)
        assert body.status_code == 200
        assert body.json()["calls"] == [] and b"SECRET-internal" not in body.content
    staff = _token_client(company.manager).get(url).json()
    assert staff["calls"][0]["note"].startswith("SECRET-internal")


# 8. Low: approving onto the matched account exposed another partner's customer -----------


def test_f8_registration_links_only_accounts_the_approver_may_change(company: Company) -> None:
    line = ProductLineFactory()
    hidden = AccountFactory(
        name="Zylophone Dynamics",
        domain="zylophone.example",
        owner=company.other_rep,
        legal_identifier="ZY-1",
    )
    DealFactory(
        account=hidden,
        owner=company.other_rep,
        team=company.other_team,
        partner=company.partner_b,
        product_line=line,
    )
    registration = submit(
        company.partner_a_user,
        product_line=line,
        customer_name="Zylophone Dynamics",
        customer_domain="zylophone.example",
    )
    for approver in (company.rep, company.director):
        response = _json(
            _token_client(approver),
            "POST",
            f"/api/v1/registrations/{registration.pk}/approve",
            {"account_id": hidden.pk, "override_conflicts": True},
        )
        assert "account" in _problem(response, 400)["error"]["fields"]
    registration.refresh_from_db()
    assert registration.status == DealRegistration.Status.PENDING
    assert not Deal.objects.filter(account=hidden, partner=company.partner_a).exists()
    partner_view = _token_client(company.partner_a_user).get(f"/api/v1/accounts/{hidden.pk}")
    assert partner_view.status_code == 404
    # The service refuses it too, whatever the interface.
    from dirco.core.errors import ApplicationError
    from dirco.registrations.services import registration_approve

    with pytest.raises(ApplicationError):
        registration_approve(
            registration=registration,
            approved_by=company.director,
            account=hidden,
            override_conflicts=True,
        )


# 9. Low: existence oracles -------------------------------------------------------------------


def _without_ids(body: dict[str, Any], *ids: int) -> str:
    text = json.dumps(body)
    for i in ids:
        text = re.sub(rf"\b{i}\b", "ID", text)
    return text


@pytest.mark.parametrize("kind", ["rep", "partner", "team"])
def test_f9_objective_create_answers_alike_for_hidden_and_missing(
    company: Company, kind: str
) -> None:
    hidden = {
        "rep": company.other_rep.pk,
        "partner": company.partner_b.pk,
        "team": company.other_team.pk,
    }[kind]
    missing = 987654321
    manager = _token_client(company.manager)
    answers = []
    for ident in (hidden, missing):
        response = _json(
            manager,
            "POST",
            "/api/v1/objectives",
            {
                "scope": f"{kind}:{ident}",
                "fiscal_year": timezone.localdate().year + 1,
                "amount": "1000",
                "split_method": "flat",
            },
        )
        answers.append((response.status_code, _without_ids(response.json(), hidden, missing)))
    assert answers[0] == answers[1], answers
    assert not Objective.objects.filter(scope_key__startswith=kind).exists()


def test_f9_partner_invite_answers_alike_for_known_and_unknown_addresses(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    admin = _session(company.partner_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        known = admin.post(
            reverse("portal:user_invite"), {"email": company.director.email}, follow=True
        )
        unknown = admin.post(
            reverse("portal:user_invite"), {"email": "newcomer@alpha.test"}, follow=True
        )
    assert known.status_code == unknown.status_code == 200
    said = [[str(m) for m in r.context["messages"]] for r in (known, unknown)]
    assert said[0] == [m.replace("newcomer@alpha.test", company.director.email) for m in said[1]]
    director = User.objects.get(pk=company.director.pk)
    assert director.partner_id is None and director.role == User.Role.DIRECTOR
    assert User.objects.filter(email="newcomer@alpha.test", partner=company.partner_a).exists()
    assert {m.to[0] for m in mail.outbox} == {company.director.email, "newcomer@alpha.test"}


# 10. Low: a deal kept its team when its owner changed --------------------------------------


def test_f10_a_deal_follows_its_new_owner_into_their_team(company: Company) -> None:
    deal = DealFactory(owner=company.rep, team=company.team)
    response = _json(
        _token_client(company.director),
        "PATCH",
        f"/api/v1/deals/{deal.pk}",
        {"owner_id": company.other_rep.pk},
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.team_id == company.other_team.pk
    # The previous manager can no longer move it back.
    back = _json(
        _token_client(company.manager),
        "PATCH",
        f"/api/v1/deals/{deal.pk}",
        {"owner_id": company.rep.pk},
    )
    assert back.status_code in (403, 404)
    deal.refresh_from_db()
    assert deal.owner_id == company.other_rep.pk


# 11. Low: the public partner-application form ---------------------------------------------


def _application(**overrides: Any) -> dict[str, Any]:
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=60)):
        token = application_form_token()
    data = {
        "company_name": "Nouveau Partenaire SARL",
        "country": "FR",
        "kind": "reseller",
        "contact_first_name": "Jeanne",
        "contact_last_name": "Martin",
        "contact_email": "jeanne@nouveau.example",
        "website": "",
        "started": token,
    }
    data.update(overrides)
    return data


def test_f11_application_message_size_is_limited(company: Company) -> None:
    cache.clear()
    big = Client().post(reverse("registrations:apply"), _application(message="x" * 2_400_000))
    assert big.status_code in (200, 400, 413)
    assert not PartnerApplication.objects.exists()
    just = Client().post(reverse("registrations:apply"), _application(message="x" * 4000))
    assert just.status_code == 302


def test_f11_application_form_token_works_once(company: Company) -> None:
    cache.clear()
    data = _application()
    assert Client().post(reverse("registrations:apply"), data).status_code == 302
    data["contact_email"] = "second@nouveau.example"
    assert (
        Client(REMOTE_ADDR="10.9.9.9").post(reverse("registrations:apply"), data).status_code == 200
    )
    assert PartnerApplication.objects.count() == 1


@pytest.mark.parametrize("field", ["company_name", "contact_first_name", "contact_last_name"])
def test_f11_line_breaks_in_names_are_refused(company: Company, field: str) -> None:
    cache.clear()
    response = Client().post(
        reverse("registrations:apply"), _application(**{field: "Evil\r\nBcc: all@x.example"})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not PartnerApplication.objects.exists()


def test_f11_line_breaks_and_sizes_refused_by_api_and_forms(company: Company) -> None:
    director = _token_client(company.director)
    account = AccountFactory(owner=company.director)
    for body in ({"name": "Two\nlines"}, {"name": "x" * 201}, {"industry": "a\rb"}):
        _problem(_json(director, "PATCH", f"/api/v1/accounts/{account.pk}", body), 400)
    huge = director.generic(
        "POST", "/api/v1/leads", data="x" * (600 * 1024), content_type="application/json"
    )
    _problem(huge, 413)
    web = _session(company.director)
    web.post(reverse("account_edit", args=[account.pk]), {"name": "Evil\r\nName"})
    account.refresh_from_db()
    assert "\n" not in account.name


# 12. Contract: the OpenAPI schema ---------------------------------------------------------


def test_f12_schema_component_names_are_unique_and_enums_right(company: Company) -> None:
    schema = _session(company.director).get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "Status" not in components and "Source" not in components
    params = {p["name"]: p for p in schema["paths"]["/api/v1/partners"]["get"]["parameters"]}
    partner_status = json.dumps(params["status"]["schema"])
    assert '"prospect"' in partner_status and '"offered"' not in partner_status
    params = {p["name"]: p for p in schema["paths"]["/api/v1/deals"]["get"]["parameters"]}
    assert '"web_form"' not in json.dumps(params["source"]["schema"])
    for path in ("/api/v1/forecast", "/api/v1/seasonality"):
        responses = schema["paths"][path]["get"]["responses"]
        assert {"200", "400", "401", "403", "404"} <= set(responses), responses
        assert "application/problem+json" in responses["400"]["content"]


def test_f12_a_colliding_component_stops_the_schema() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from dirco.api.openapi import DircoOpenAPISchema

    schema = DircoOpenAPISchema.__new__(DircoOpenAPISchema)
    schema.schemas = {"Status": {"enum": ["a"]}}
    schema.add_schema_definitions({"Status": {"enum": ["a"]}})  # the same one: fine
    with pytest.raises(ImproperlyConfigured):
        schema.add_schema_definitions({"Status": {"enum": ["b"]}})


def test_f12_booleans_are_booleans(company: Company) -> None:
    objective = objective_create(
        user=company.director,
        scope=Scope.parse("company"),
        fiscal_year=timezone.localdate().year + 2,
        amount=Decimal("1000"),
        split_method=Objective.SplitMethod.FLAT,
    )
    director = _token_client(company.director)
    for confirm in (0, 1, "true", "0", None):
        response = _json(
            director, "POST", f"/api/v1/objectives/{objective.pk}/publish", {"confirm": confirm}
        )
        assert "confirm" in _problem(response, 400)["error"]["fields"], confirm
    objective.refresh_from_db()
    assert objective.status == Objective.Status.DRAFT


def test_f12_every_operation_documents_its_errors_as_problem_json() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {int(c) for c in operation["responses"]}
            assert {400, 401, 403, 404} <= codes, (method, path, codes)
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]
            # A body over the request limit gets 413 before the API runs (schemathesis found
            # it undocumented): every operation that takes a body says so.
            if method in ("post", "put", "patch"):
                assert 413 in codes, (method, path, codes)


def test_f12_an_oversized_body_gets_the_documented_413(company: Company) -> None:
    objective = objective_create(
        user=company.director,
        scope=Scope.parse("company"),
        fiscal_year=timezone.localdate().year + 1,
        amount=Decimal("1000"),
        split_method=Objective.SplitMethod.FLAT,
    )
    body = {"targets": ["x" * 600_000]}
    for user in (company.director, company.partner_a_user):
        response = _json(
            _token_client(user), "POST", f"/api/v1/objectives/{objective.pk}/allocate", body
        )
        assert _problem(response, 413)["error"]["code"] == "too_large"


# Design points ------------------------------------------------------------------------------


def test_design_partner_users_read_staff_activities_on_their_own_deals_only(
    company: Company,
) -> None:
    """Decision: the activity log of a partner's deal is shared with that partner (co-selling);
    another partner's, or a deal without partner, never is."""
    from dirco.pipeline.tests.factories import ActivityFactory

    own = DealFactory(owner=company.rep, team=company.team, partner=company.partner_a)
    other = DealFactory(owner=company.other_rep, team=company.other_team, partner=company.partner_b)
    direct = DealFactory(owner=company.rep, team=company.team)
    shared = ActivityFactory(owner=company.rep, deal=own, subject="shared-with-alpha")
    beta = ActivityFactory(owner=company.other_rep, deal=other, subject="beta-only")
    internal = ActivityFactory(owner=company.rep, deal=direct, subject="direct-only")
    partner = _token_client(company.partner_a_user)
    assert partner.get(f"/api/v1/activities/{shared.pk}").status_code == 200
    for hidden in (beta, internal):
        assert partner.get(f"/api/v1/activities/{hidden.pk}").status_code == 404


@pytest.mark.parametrize("who", ["partner_a_user", "partner_a_admin", "marketing"])
def test_design_only_scope_owners_file_forecast_calls(company: Company, who: str) -> None:
    user = getattr(company, who)
    period = f"{timezone.localdate().year}-Q4"
    response = _json(
        _token_client(user),
        "POST",
        "/api/v1/forecast-calls",
        {"scope": f"rep:{user.pk}", "period": period, "owner_call": "1000"},
    )
    assert response.status_code in (400, 403), response.content
    rep = _json(
        _token_client(company.rep),
        "POST",
        "/api/v1/forecast-calls",
        {"scope": f"rep:{company.rep.pk}", "period": period, "owner_call": "1000"},
    )
    assert rep.status_code in (200, 201), rep.content


def test_design_first_enrolment_is_announced_and_gates_the_api(
    company: Company, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Decision: a user required to use two-factor enrols at the first password login (there
    is no other channel to hand a device over); until then the session reaches no API and
    mints no token, and the enrolment is e-mailed to the account's address so that the real
    owner learns of an enrolment they did not make."""
    from django_otp.oath import TOTP

    settings.DIRCO_OTP_REQUIRED_ROLES = frozenset({"director"})
    client = _password_login(company.director)
    assert client.get("/").status_code == 302
    minted = client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json")
    assert _problem(minted, 403)["error"]["code"] == "otp_required"
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=company.director, confirmed=False)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code.time = timezone.now().timestamp()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("otp_enrol"), {"token": f"{code.token():06d}"})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[company.director.email]]
    assert client.get("/api/v1/me").status_code == 200


def test_f12_ids_in_a_body_are_numbers_and_text_is_text(company: Company) -> None:
    """schemathesis found ``"partner_id": true`` accepted as partner 1 (pydantic reads true
    as 1), and a lone surrogate stored in a name: both answer 400 and nothing is created."""
    director = _token_client(company.director)
    before = Contact.objects.count()
    for body, field in (
        ({"first_name": "Anne", "last_name": "Martin", "partner_id": True}, "partner_id"),
        ({"first_name": "Anne", "last_name": "Martin", "partner_id": False}, "partner_id"),
        (
            {"first_name": "Anne", "last_name": "Mar\udcccin", "partner_id": company.partner_a.pk},
            "last_name",
        ),
    ):
        response = _json(director, "POST", "/api/v1/contacts", body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.content.decode(), (body, response.content)
    assert Contact.objects.count() == before
    ok = _json(
        director,
        "POST",
        "/api/v1/contacts",
        {"first_name": "Anne", "last_name": "Martin", "partner_id": company.partner_a.pk},
    )
    assert ok.status_code == 201, ok.content
