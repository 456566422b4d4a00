"""Background work of direct marketing; each task only calls a service."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _
from django_tasks import task

from dirco.marketing import tracking
from dirco.marketing.models import Consent
from dirco.marketing.sending import campaign_send
from dirco.marketing.services import campaigns_due


@task()
def campaign_send_task(campaign_id: int) -> dict[str, int]:
    report = campaign_send(campaign_id=campaign_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "bounced": report.bounced,
        "skipped": report.skipped,
    }


@task()
def campaigns_send_due_task() -> int:
    """The scheduler's job: hand each campaign whose time has come to a worker."""
    due = campaigns_due()
    for campaign_id in due:
        campaign_send_task.enqueue(campaign_id=campaign_id)
    return len(due)


@task()
def consent_confirmation_send_task(consent_id: int) -> bool:
    """The double opt-in email: one link to confirm. Not a marketing email (no consent yet)."""
    consent = (
        Consent.objects.select_related("contact")
        .filter(pk=consent_id, status=Consent.Status.PENDING)
        .first()
    )
    if consent is None or not consent.address:
        return False
    link = tracking.confirm_url(consent.pk)
    company = settings.DIRCO_COMPANY_NAME
    message = EmailMultiAlternatives(
        subject=_("Please confirm your subscription to %(company)s") % {"company": company},
        body=_(
            "Hello,\n\nPlease confirm that you want to receive emails from %(company)s:\n"
            "%(link)s\n\nIf you did not ask for them, ignore this email."
        )
        % {"company": company, "link": link},
        from_email=settings.DIRCO_MARKETING_FROM_EMAIL,
        to=[consent.address],
    )
    return bool(get_connection().send_messages([message]) == 1)
