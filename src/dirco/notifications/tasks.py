"""Background email delivery of notifications; the task only calls the mail service."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django_tasks import task

from dirco.notifications.models import Notification


@task()
def notification_email_send(notification_ids: list[int]) -> int:
    base = getattr(settings, "DIRCO_BASE_URL", "")
    messages = []
    for n in Notification.objects.filter(pk__in=notification_ids).select_related("recipient"):
        if not n.recipient.email:
            continue
        link = f"\n\n{base}{n.url}" if n.url else ""
        messages.append(
            (
                f"[dirco] {n.title}",
                f"{n.body}{link}",
                settings.DEFAULT_FROM_EMAIL,
                [n.recipient.email],
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0
