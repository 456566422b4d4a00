"""A partner admin manages its own users: invite (email with a set-password link), deactivate."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.portal.tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-unusual-passphrase-42"


def _invite(client: Client, capture: Callable[..., Any], **data: str) -> Any:
    with capture(execute=True):
        return client.post(reverse("portal:user_invite"), data)


def test_invite_creates_a_partner_user_and_emails_a_link(
    company: Company, world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = client_for(company.partner_a_admin)
    response = _invite(
        client,
        django_capture_on_commit_callbacks,
        email="New.Person@Alpha.test",
        first_name="Nina",
        last_name="Roux",
    )
    assert response.status_code == 302
    invited = User.objects.get(email="new.person@alpha.test")
    assert invited.role == User.Role.PARTNER_USER
    assert invited.partner == company.partner_a
    assert not invited.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@alpha.test"]
    link = re.search(r"https?://\S+/portal/set-password/\S+/", message.body)
    assert link is not None
    # The link sets the password once; then the invited user signs in and lands on the portal.
    anonymous = Client()
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    page = anonymous.get("/" + path, follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content
    done = anonymous.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    again = Client().get("/" + path, follow=True)
    assert b"new_password1" not in again.content  # used once
    login = Client().post(
        reverse("login"), {"username": invited.email, "password": NEW_PASSWORD}, follow=True
    )
    assert login.redirect_chain[-1][0] == reverse("portal:home")


def test_invite_of_an_existing_address_changes_nothing_and_tells_nothing(
    company: Company, world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    """The page answers as for a new address (no oracle, security finding 9); the account
    stays as it is and its owner is told by mail, without the inviting partner's name."""
    client = client_for(company.partner_a_admin)
    response = _invite(client, django_capture_on_commit_callbacks, email="user@beta.test")
    assert response.status_code == 302
    assert b"Beta Integration" not in response.content
    beta = User.objects.get(email="user@beta.test")
    assert beta.partner_id == company.partner_b.pk
    assert [m.to for m in mail.outbox] == [["user@beta.test"]]
    assert "Alpha" not in mail.outbox[0].body and "link" not in mail.outbox[0].body


def test_partner_user_may_not_manage_users(company: Company, world: World) -> None:
    client = client_for(company.partner_a_user)
    assert client.get(reverse("portal:user_list")).status_code == 404
    assert client.post(reverse("portal:user_invite"), {"email": "x@alpha.test"}).status_code == 404
    url = reverse("portal:user_deactivate", args=[company.partner_a_admin.pk])
    assert client.post(url).status_code == 404
    company.partner_a_admin.refresh_from_db()
    assert company.partner_a_admin.is_active
    assert not User.objects.filter(email="x@alpha.test").exists()


def test_user_list_shows_own_partner_only(company: Company, world: World) -> None:
    html = client_for(company.partner_a_admin).get(reverse("portal:user_list")).content.decode()
    assert "user@alpha.test" in html
    assert "user@beta.test" not in html and "rep@example.test" not in html


def test_deactivate_ends_sessions(company: Company, world: World) -> None:
    victim = client_for(company.partner_a_user)
    assert victim.get(reverse("portal:home")).status_code == 200
    admin = client_for(company.partner_a_admin)
    response = admin.post(reverse("portal:user_deactivate", args=[company.partner_a_user.pk]))
    assert response.status_code == 302
    company.partner_a_user.refresh_from_db()
    assert not company.partner_a_user.is_active
    assert victim.get(reverse("portal:home")).status_code == 302  # signed out
    assert not Session.objects.filter(session_key=victim.session.session_key).exists()


@pytest.mark.parametrize("target", ["partner_b_user", "rep", "director"])
def test_deactivate_only_own_partner_users(company: Company, world: World, target: str) -> None:
    user: User = getattr(company, target)
    admin = client_for(company.partner_a_admin)
    assert admin.post(reverse("portal:user_deactivate", args=[user.pk])).status_code == 404
    user.refresh_from_db()
    assert user.is_active


def test_partner_admin_cannot_deactivate_itself(company: Company, world: World) -> None:
    admin = client_for(company.partner_a_admin)
    url = reverse("portal:user_deactivate", args=[company.partner_a_admin.pk])
    response = admin.post(url, follow=True)
    assert b"cannot deactivate yourself" in response.content
    company.partner_a_admin.refresh_from_db()
    assert company.partner_a_admin.is_active


def test_deactivated_user_cannot_use_the_invitation(
    company: Company, world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    admin = client_for(company.partner_a_admin)
    _invite(admin, django_capture_on_commit_callbacks, email="late@alpha.test")
    invited = User.objects.get(email="late@alpha.test")
    admin.post(reverse("portal:user_deactivate", args=[invited.pk]))
    link = re.search(r"/portal/set-password/\S+/", mail.outbox[0].body)
    assert link is not None
    page = Client().get(link.group(0), follow=True)
    assert b"new_password1" not in page.content
