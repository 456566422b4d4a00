"""Background tasks of the registrations app; each only calls a service or sends one email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from dirco.registrations.models import PartnerApplication
from dirco.registrations.services import registrations_expire


@task()
def registrations_expire_task() -> dict[str, int]:
    """Run daily: expires ended protections and registrations pending for too long."""
    return registrations_expire()


@task()
def application_decision_email_send(application_id: int) -> int:
    """Tell the applicant (who has no account yet) the outcome of their application."""
    application = PartnerApplication.objects.filter(pk=application_id).first()
    if application is None or application.status == PartnerApplication.Status.SUBMITTED:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        if application.status == PartnerApplication.Status.APPROVED:
            subject = _("Welcome to the %(company)s partner programme") % {
                "company": settings.DIRCO_COMPANY_NAME
            }
            body = _(
                "Your application for %(name)s was approved. Your channel manager will contact "
                "you to sign the partner agreement and plan your first training."
            ) % {"name": application.company_name}
        else:
            subject = _("Your partner application")
            body = _(
                "Thank you for your interest. Your application for %(name)s was not accepted: "
                "%(reason)s"
            ) % {"name": application.company_name, "reason": application.rejection_reason}
    return send_mail(
        f"[dirco] {subject}", body, settings.DEFAULT_FROM_EMAIL, [application.contact_email]
    )
