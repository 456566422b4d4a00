"""The staff inbox at /notifications/: one's own notifications only, marked read on request."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dirco.api.tests.clients import session_client
from dirco.conftest import Company
from dirco.notifications.models import Notification
from dirco.notifications.services import notification_send

pytestmark = pytest.mark.django_db


def test_inbox_lists_own_notifications_only(company: Company) -> None:
    notification_send(recipients=[company.rep], kind="t", title="For the rep", email=False)
    notification_send(recipients=[company.other_rep], kind="t", title="For rep 2", email=False)
    response = session_client(company.rep).get(reverse("notifications:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "For the rep" in content and "For rep 2" not in content


def test_mark_all_read_marks_only_own(company: Company) -> None:
    notification_send(recipients=[company.rep, company.other_rep], kind="t", title="x", email=False)
    response = session_client(company.rep).post(reverse("notifications:read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=company.rep, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=company.other_rep, read_at__isnull=True).exists()


def test_partner_users_do_not_reach_the_staff_inbox(company: Company) -> None:
    """Partner users read theirs in the portal (/portal/notifications/); the staff pages'
    gate (dirco.web.partner_gate) answers 404 here."""
    response = session_client(company.partner_a_user).get(reverse("notifications:list"))
    assert response.status_code == 404


def test_anonymous_must_log_in(company: Company) -> None:
    response = Client().get(reverse("notifications:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
