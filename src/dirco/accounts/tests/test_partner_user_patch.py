"""PATCH /api/v1/partner-users/{id}: a partner admin renames its partner's users and sets their
role; every other caller is refused, and nobody changes their own role."""

from __future__ import annotations

import pytest

from dirco.accounts.models import User
from dirco.accounts.permissions import partner_user_can_edit
from dirco.api.tests.clients import AUTH_KINDS, client_for, error_fields, patch_json
from dirco.conftest import Company

pytestmark = pytest.mark.django_db


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_partner_admin_renames_and_promotes_its_user(company: Company, auth_kind: str) -> None:
    admin = client_for(auth_kind, company.partner_a_admin)
    url = f"/api/v1/partner-users/{company.partner_a_user.pk}"
    response = patch_json(admin, url, {"first_name": "Zoé", "role": "partner_admin"})
    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Zoé"
    assert response.json()["role"] == "partner_admin"
    user = User.objects.get(pk=company.partner_a_user.pk)
    assert (user.first_name, user.role, user.last_name) == (
        "Zoé",
        User.Role.PARTNER_ADMIN,
        company.partner_a_user.last_name,
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("partner_a_user", 404),  # not an admin: its partner's users are not its to manage
        ("partner_b_user", 404),
        ("director", 404),  # staff users are managed in the admin site
        ("rep", 404),
    ],
)
def test_everyone_else_is_refused_and_nothing_changes(
    company: Company, auth_kind: str, who: str, status: int
) -> None:
    client = client_for(auth_kind, getattr(company, who))
    url = f"/api/v1/partner-users/{company.partner_a_user.pk}"
    response = patch_json(client, url, {"first_name": "Taken", "role": "partner_admin"})
    assert response.status_code == status
    error_fields(response)
    user = User.objects.get(pk=company.partner_a_user.pk)
    assert user.first_name != "Taken" and user.role == User.Role.PARTNER_USER


def test_another_partner_s_user_and_staff_are_out_of_reach(company: Company) -> None:
    admin = client_for("token", company.partner_a_admin)
    for target in (company.partner_b_user, company.rep, company.director):
        response = patch_json(admin, f"/api/v1/partner-users/{target.pk}", {"first_name": "X"})
        assert response.status_code == 404
        assert not partner_user_can_edit(by=company.partner_a_admin, user=target)
    assert User.objects.filter(first_name="X").count() == 0


def test_bad_input_says_which_field(company: Company) -> None:
    admin = client_for("token", company.partner_a_admin)
    url = f"/api/v1/partner-users/{company.partner_a_admin.pk}"
    own_role = patch_json(admin, url, {"role": "partner_user"})
    assert own_role.status_code == 400 and "role" in error_fields(own_role)
    staff_role = patch_json(
        admin, f"/api/v1/partner-users/{company.partner_a_user.pk}", {"role": "director"}
    )
    assert staff_role.status_code == 400 and "role" in error_fields(staff_role)
    null = patch_json(
        admin, f"/api/v1/partner-users/{company.partner_a_user.pk}", {"last_name": None}
    )
    assert null.status_code == 400 and "last_name" in error_fields(null)
    extra = patch_json(
        admin, f"/api/v1/partner-users/{company.partner_a_user.pk}", {"email": "a@b.c"}
    )
    assert extra.status_code == 400 and "email" in error_fields(extra)
    assert User.objects.get(pk=company.partner_a_admin.pk).role == User.Role.PARTNER_ADMIN
    # Renaming oneself is fine.
    assert patch_json(admin, url, {"last_name": "Martin"}).status_code == 200
