"""Send notifications: stored in the app at once, emailed after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from dirco.accounts.models import User
from dirco.notifications.models import Notification


@transaction.atomic
def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify each active recipient in the app, and by email unless ``email`` is False.

    ``title`` and ``body`` must already be in the recipient's language (or neutral).
    """
    created = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=title, body=body, url=url)
            for user in {u.pk: u for u in recipients if u.is_active}.values()
        ]
    )
    if email and created:
        from dirco.notifications.tasks import notification_email_send

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: notification_email_send.enqueue(notification_ids=ids))
    return created


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
