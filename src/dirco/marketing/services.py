"""Writes of direct marketing: segments, templates, campaigns, consent and suppression,
and what the signed links of an email record (opens, clicks, unsubscribes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError, full_clean_or_refuse
from dirco.customers.models import Account
from dirco.marketing.consent import email_is_suppressed, email_normalise
from dirco.marketing.models import Campaign, Consent, EmailTemplate, Recipient, Segment, Suppression
from dirco.marketing.rendering import contact_context, email_render, template_compile
from dirco.marketing.segments import SegmentFilter
from dirco.partners.models import Contact

# --- segments ------------------------------------------------------------------------


@transaction.atomic
def segment_save(*, segment: Segment | None, name: str, spec: SegmentFilter, by: User) -> Segment:
    if not name.strip():
        raise ApplicationError(_("Give the segment a name."), fields={"name": [_("Required.")]})
    spec.validate()
    if segment is None:
        segment = Segment(created_by=by)
    segment.name = name.strip()
    segment.filters = spec.as_json()
    full_clean_or_refuse(segment, _("Nothing was saved: correct the fields shown."))
    segment.save()
    return segment


# --- templates -----------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateInput:
    name: str
    subject: str
    html_body: str
    text_body: str


@transaction.atomic
def template_save(
    *, template: EmailTemplate | None, data: TemplateInput, by: User
) -> EmailTemplate:
    """Saved only if the three parts parse and render in the sandbox (with a sample)."""
    compiled = template_compile(
        subject=data.subject, html_body=data.html_body, text_body=data.text_body
    )
    try:
        email_render(compiled, {**contact_context(None), "unsubscribe_url": "https://x.invalid"})
    except Exception as exc:  # a filter given a value it cannot take
        raise ApplicationError(
            _("The template cannot be rendered: %(error)s") % {"error": exc}
        ) from None
    if template is None:
        template = EmailTemplate(created_by=by)
    template.name = data.name.strip()
    template.subject = data.subject
    template.html_body = data.html_body
    template.text_body = data.text_body
    full_clean_or_refuse(template, _("Nothing was saved: correct the fields shown."))
    template.save()
    return template


def template_test_send(*, template: EmailTemplate, to: User) -> None:
    """Send the template, personalised with a sample contact, to the user's own address."""
    if not to.email:
        raise ApplicationError(_("Your account has no email address to send the test to."))
    if email_is_suppressed(to.email):
        raise ApplicationError(_("Your address is on the suppression list."))
    compiled = template_compile(
        subject=template.subject, html_body=template.html_body, text_body=template.text_body
    )
    rendered = email_render(
        compiled, {**contact_context(None), "unsubscribe_url": settings.DIRCO_BASE_URL}
    )
    message = EmailMultiAlternatives(
        subject=f"[TEST] {rendered.subject}",
        body=rendered.text,
        from_email=settings.DIRCO_MARKETING_FROM_EMAIL,
        to=[to.email],
    )
    message.attach_alternative(rendered.html, "text/html")
    try:
        get_connection().send_messages([message])
    except OSError as exc:
        raise ApplicationError(
            _("The mail server refused the test email: %(error)s") % {"error": exc}
        ) from None


# --- campaigns -----------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInput:
    name: str
    segment: Segment
    template: EmailTemplate


@transaction.atomic
def campaign_create(*, data: CampaignInput, by: User) -> Campaign:
    campaign = Campaign(
        name=data.name.strip(), segment=data.segment, template=data.template, created_by=by
    )
    full_clean_or_refuse(campaign, _("Nothing was saved: correct the fields shown."))
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, data: CampaignInput) -> Campaign:
    """Change a company campaign while it is a draft (its name, segment and template)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise ApplicationError(_("Only a draft campaign can be changed."))
    if campaign.partner_id is not None:
        raise ApplicationError(_("A partner's campaign is changed by the partner, in the portal."))
    if not data.name.strip():
        raise ApplicationError(_("Give the campaign a name."), fields={"name": [_("Required.")]})
    campaign.name = data.name.strip()
    campaign.segment = data.segment
    campaign.template = data.template
    full_clean_or_refuse(campaign, _("Nothing was saved: correct the fields shown."))
    campaign.save(update_fields=["name", "segment", "template", "updated_at"])
    return campaign


@transaction.atomic
def campaign_schedule(
    *,
    campaign: Campaign,
    at: dt.datetime | None,
    now: dt.datetime | None = None,
    for_partner: bool = False,
) -> Campaign:
    """Schedule a draft for ``at`` (None or past: now). The scheduler's job sends it when
    due; a campaign due now is handed to the task worker when the transaction commits.

    A partner's campaign is sent by its partner admin only (``for_partner``, from
    dirco.marketing.channel): marketing's pages and API cannot send in a partner's name."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.partner_id is not None and not for_partner:
        raise ApplicationError(_("A partner's campaign is sent by the partner, in the portal."))
    if campaign.status != Campaign.Status.DRAFT:
        raise ApplicationError(_("Only a draft campaign can be scheduled."))
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_at = at if at is not None and at > now else now
    campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
    if campaign.scheduled_at <= now:
        from dirco.marketing.tasks import campaign_send_task

        campaign_id = campaign.pk
        transaction.on_commit(lambda: campaign_send_task.enqueue(campaign_id=campaign_id))
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Stop a campaign: a draft or scheduled one never sends; a sending one stops after
    its current batch (queued recipients stay queued)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (
        Campaign.Status.DRAFT,
        Campaign.Status.SCHEDULED,
        Campaign.Status.SENDING,
    ):
        raise ApplicationError(_("This campaign is over; it cannot be cancelled."))
    campaign.status = Campaign.Status.CANCELLED
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at", "updated_at"])
    return campaign


def campaigns_due(*, now: dt.datetime | None = None) -> list[int]:
    """The scheduled campaigns whose time has come, and the sending ones no worker has
    taken a batch of for a task lease (their worker was lost: another one resumes)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.DIRCO_TASK_LEASE_SECONDS)
    recent_claims = Recipient.objects.filter(campaign=OuterRef("pk"), claimed_at__gte=stale)
    queued = Recipient.objects.filter(campaign=OuterRef("pk"), status=Recipient.Status.QUEUED)
    return list(
        Campaign.objects.filter(
            Q(status=Campaign.Status.SCHEDULED, scheduled_at__lte=now)
            | Q(
                Exists(queued),
                ~Exists(recent_claims),
                status=Campaign.Status.SENDING,
                started_at__lt=stale,
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- consent and suppression -------------------------------------------------------------


@dataclass(frozen=True)
class ConsentInput:
    source: str
    legal_basis: str
    given_at: dt.datetime | None = None
    double_opt_in: bool = False
    note: str = ""


@transaction.atomic
def consent_record(*, contact: Contact, data: ConsentInput, by: User | None) -> Consent:
    """Record (or replace) a contact's consent. A public sign-up always needs a double
    opt-in: the consent stays PENDING and a confirmation email goes out on commit."""
    if not contact.email:
        raise ApplicationError(_("This contact has no email address."))
    if data.source not in Consent.Source.values:
        raise ApplicationError(_("Unknown source."), fields={"source": [_("Unknown source.")]})
    if data.legal_basis not in Consent.LegalBasis.values:
        raise ApplicationError(
            _("Unknown legal basis."), fields={"legal_basis": [_("Unknown legal basis.")]}
        )
    double = data.double_opt_in or data.source == Consent.Source.WEB_FORM
    consent = Consent.objects.select_for_update().filter(contact=contact).first() or Consent(
        contact=contact
    )
    consent.email = email_normalise(contact.email)
    consent.source = data.source
    consent.legal_basis = data.legal_basis
    consent.given_at = data.given_at or timezone.now()
    consent.double_opt_in = double
    consent.status = Consent.Status.PENDING if double else Consent.Status.GRANTED
    consent.confirmed_at = None
    consent.withdrawn_at = None
    consent.note = data.note[:200]
    consent.recorded_by = by
    full_clean_or_refuse(consent, _("Nothing was saved: correct the fields shown."))
    consent.save()
    if double:
        from dirco.marketing.tasks import consent_confirmation_send_task

        consent_id = consent.pk
        transaction.on_commit(lambda: consent_confirmation_send_task.enqueue(consent_id=consent_id))
    return consent


@transaction.atomic
def consent_record_for_lead(*, lead_id: int, email: str, note: str = "") -> Consent:
    """The marketing consent box of the public lead form: a public sign-up, so a double
    opt-in (PENDING until the person follows the link emailed on commit). The consent
    belongs to the lead until a contact is made from it (:func:`consent_move_to_contact`)."""
    address = email_normalise(email)
    if not address:
        raise ApplicationError(_("An email address is needed to record a consent."))
    consent = Consent.objects.select_for_update().filter(lead_id=lead_id).first() or Consent(
        lead_id=lead_id
    )
    consent.email = address
    consent.source = Consent.Source.WEB_FORM
    consent.legal_basis = Consent.LegalBasis.CONSENT
    consent.given_at = timezone.now()
    consent.double_opt_in = True
    consent.status = Consent.Status.PENDING
    consent.confirmed_at = None
    consent.withdrawn_at = None
    consent.note = note[:200]
    consent.recorded_by = None
    full_clean_or_refuse(consent, _("Nothing was saved: correct the fields shown."))
    consent.save()
    from dirco.marketing.tasks import consent_confirmation_send_task

    consent_id = consent.pk
    transaction.on_commit(lambda: consent_confirmation_send_task.enqueue(consent_id=consent_id))
    return consent


@transaction.atomic
def consent_move_to_contact(*, lead_id: int, contact: Contact) -> Consent | None:
    """A contact was made from a lead: the lead's consent becomes the contact's, unless the
    contact has one already (the contact's own record wins) or the addresses differ."""
    consent = Consent.objects.select_for_update().filter(lead_id=lead_id).first()
    if consent is None or consent.contact_id is not None:
        return consent
    if email_normalise(contact.email) != consent.email:
        return None
    if Consent.objects.filter(contact=contact).exists():
        return None
    consent.contact = contact
    consent.save(update_fields=["contact", "updated_at"])
    return consent


@transaction.atomic
def consent_follow_conversion(
    *, lead_id: int, account: Account, contact_name: str, email: str
) -> Consent | None:
    """A lead with a marketing consent became an account: the person becomes the account's
    contact (the one with that address, or a new one) and the consent follows it, in the
    state it is in (a pending double opt-in stays pending)."""
    consent = (
        Consent.objects.select_for_update().filter(lead_id=lead_id, contact__isnull=True).first()
    )
    if consent is None:
        return None
    address = email_normalise(email)
    contact = Contact.objects.filter(account=account, email__iexact=address).first()
    if contact is None:
        first, _space, last = " ".join(contact_name.split()).partition(" ")
        contact = Contact(
            account=account,
            first_name=(first or address)[:100],
            last_name=(last or first or address)[:100],
            email=address,
        )
        full_clean_or_refuse(contact, _("Nothing was saved: correct the fields shown."))
        contact.save()
    return consent_move_to_contact(lead_id=lead_id, contact=contact)


@transaction.atomic
def consent_confirm(*, consent_id: int) -> Consent | None:
    """The contact followed its double opt-in link: the consent is granted."""
    consent = Consent.objects.select_for_update().filter(pk=consent_id).first()
    if consent is None or consent.status == Consent.Status.WITHDRAWN:
        return None
    if consent.status == Consent.Status.PENDING:
        consent.status = Consent.Status.GRANTED
        consent.confirmed_at = timezone.now()
        consent.save(update_fields=["status", "confirmed_at", "updated_at"])
    return consent


@transaction.atomic
def consent_withdraw(*, contact: Contact) -> Consent | None:
    consent = Consent.objects.select_for_update().filter(contact=contact).first()
    if consent is None or consent.status == Consent.Status.WITHDRAWN:
        return consent
    consent.status = Consent.Status.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return consent


@transaction.atomic
def suppression_add(
    *, email: str, reason: str, campaign: Campaign | None = None, note: str = ""
) -> Suppression:
    address = email_normalise(email)
    if reason not in Suppression.Reason.values:
        raise ApplicationError(_("Unknown reason."), fields={"reason": [_("Unknown reason.")]})
    row = Suppression(email=address, reason=reason, campaign=campaign, note=note[:200])
    try:
        row.full_clean(validate_unique=False)
    except Exception:
        raise ApplicationError(
            _("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]}
        ) from None
    existing = Suppression.objects.filter(email=address).first()
    if existing is not None:
        return existing
    row.save()
    return row


# --- what the links of an email record -------------------------------------------------


@transaction.atomic
def recipient_opened(*, recipient_id: int) -> None:
    Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    Recipient.objects.filter(pk=recipient_id, status=Recipient.Status.SENT).update(
        status=Recipient.Status.OPENED
    )


@transaction.atomic
def recipient_clicked(*, recipient_id: int) -> None:
    now = timezone.now()
    Recipient.objects.filter(pk=recipient_id, opened_at__isnull=True).update(opened_at=now)
    Recipient.objects.filter(pk=recipient_id, clicked_at__isnull=True).update(clicked_at=now)
    Recipient.objects.filter(
        pk=recipient_id, status__in=[Recipient.Status.SENT, Recipient.Status.OPENED]
    ).update(status=Recipient.Status.CLICKED)


@transaction.atomic
def recipient_unsubscribe(*, recipient_id: int) -> Recipient | None:
    """One click: the address goes on the suppression list and the contact's consent is
    withdrawn. Idempotent (mail clients may POST twice)."""
    recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
    if recipient is None:
        return None
    suppression_add(
        email=recipient.email,
        reason=Suppression.Reason.UNSUBSCRIBED,
        campaign=recipient.campaign,
    )
    if recipient.contact is not None:
        consent_withdraw(contact=recipient.contact)
    if recipient.status != Recipient.Status.UNSUBSCRIBED:
        recipient.status = Recipient.Status.UNSUBSCRIBED
        recipient.unsubscribed_at = timezone.now()
        recipient.save(update_fields=["status", "unsubscribed_at"])
    return recipient
