from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from dirco.conftest import Company
from dirco.notifications.selectors import notification_unread_count, notifications_for_user
from dirco.notifications.services import notification_mark_read, notification_send

pytestmark = pytest.mark.django_db


def test_notification_send_stores_and_emails_after_commit(
    company: Company, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[company.rep, company.rep, company.manager],
            kind="deal-won",
            title="Deal won",
            body="Well done.",
            url="/deals/1/",
        )
    assert notification_unread_count(user=company.rep) == 1
    assert notification_unread_count(user=company.other_rep) == 0
    assert sorted(m.to[0] for m in mail.outbox) == [company.manager.email, company.rep.email]
    assert "/deals/1/" in mail.outbox[0].body


def test_inactive_users_are_not_notified_and_read_marks(company: Company) -> None:
    company.other_rep.is_active = False
    notification_send(recipients=[company.other_rep, company.rep], kind="x", title="T", email=False)
    assert notifications_for_user(user=company.other_rep).count() == 0
    assert notification_mark_read(user=company.rep) == 1
    assert notification_unread_count(user=company.rep) == 0
