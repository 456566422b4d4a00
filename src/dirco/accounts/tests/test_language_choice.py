"""The language switch keeps the choice on the user: notifications, e-mails and digests are
written in ``user.language``, and the switch used to set only a cookie (a French reader got
them in English). Texts built at import time follow the reader's language too."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dirco.conftest import Company

pytestmark = pytest.mark.django_db


def test_the_language_switch_keeps_the_choice_on_the_user(company: Company) -> None:
    for user in (company.rep, company.partner_a_user):
        client = Client()
        client.force_login(user)
        response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.language == "fr"
        assert response.cookies["django_language"].value == "fr"
    # An unknown language changes nothing; an anonymous visitor only gets the cookie.
    client = Client()
    client.force_login(company.rep)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    company.rep.refresh_from_db()
    assert company.rep.language == "fr"
    assert Client().post(reverse("set_language"), {"language": "en"}).status_code == 302


def test_the_attachments_help_reads_in_the_readers_language() -> None:
    from dirco.social.forms import PostForm

    field = PostForm.base_fields["attachments"]
    with translation.override("fr"):
        assert str(field.help_text).startswith("Jusqu")
    with translation.override("en"):
        assert str(field.help_text).startswith("Up to 5 files")
