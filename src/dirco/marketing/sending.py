"""Sending a campaign: recipients drawn from the segment, then batches through SMTP.

:func:`campaign_send` is what the task worker runs. It is idempotent (the task queue
delivers at least once, see dirco.core.task_queue): it draws the recipients once, then sends
only those still QUEUED; a worker lost in the middle of a batch may send that batch's
emails again, nothing else.

- Consent and suppression are checked when the recipients are drawn and again for each
  batch just before it is sent (:func:`dirco.marketing.consent.sendable_contacts`): a
  recipient who lost it in between is SKIPPED.
- Throttling: at most ``DIRCO_CAMPAIGN_RATE_PER_SECOND`` messages a second (0: no limit),
  over ``DIRCO_CAMPAIGN_CONNECTIONS`` SMTP connections, one per sending thread (building a
  message overlaps waiting for the server's answer to the previous one).
- Retries: a temporary failure (a 4xx answer, a dropped connection) is tried again, on a
  fresh connection after a dropped one, up to ``DIRCO_CAMPAIGN_MAX_ATTEMPTS`` attempts with
  a growing pause; a 5xx answer to the recipient is a bounce (the address is suppressed),
  any other permanent error a failure.
- Every email carries an unsubscribe link (text and HTML) and the RFC 8058 headers
  ``List-Unsubscribe`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; its
  links go through the signed click redirect and its HTML carries the open pixel.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
import smtplib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from dirco.core.errors import ApplicationError
from dirco.marketing import tracking
from dirco.marketing.cobranding import (
    LOGO_CID,
    Brand,
    brand_context,
    brand_of,
    html_cobrand,
    text_cobrand,
)
from dirco.marketing.consent import email_normalise, sendable_contacts
from dirco.marketing.models import Campaign, Recipient, Suppression
from dirco.marketing.rendering import (
    CompiledTemplate,
    contact_context,
    email_render,
    html_links_rewrite,
    template_compile,
)
from dirco.marketing.segments import SegmentFilter, segment_contacts
from dirco.partners.models import Contact

logger = logging.getLogger("dirco.marketing")

BATCH = 200


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    skipped: int = 0


def _footer_text(unsubscribe: str) -> str:
    return f"\n\n--\nUnsubscribe: {unsubscribe}\n"


def _footer_html(unsubscribe: str, pixel: str) -> str:
    return (
        f'<p style="font-size:12px;color:#666"><a href="{escape(unsubscribe)}">Unsubscribe</a></p>'
        f'<img src="{escape(pixel)}" width="1" height="1" alt="">'
    )


def _html_with_footer(body: str, footer: str) -> str:
    lower = body.lower()
    at = lower.rfind("</body>")
    return body[:at] + footer + body[at:] if at >= 0 else body + footer


class CampaignEmail(EmailMultiAlternatives):
    """Django's email with its MIME boundary chosen up front: the standard library would
    otherwise compile a regular expression per message to check a random boundary against
    the body (a tenth of a campaign's CPU); 128 random bits cannot occur in it by chance."""

    def message(self) -> Any:
        msg = super().message()
        if msg.is_multipart():
            msg.set_boundary(f"=={secrets.token_hex(16)}==")
        return msg


@functools.lru_cache(maxsize=4)
def _message_domain(bounce_address: str, base_url: str) -> str:
    return bounce_address.rpartition("@")[2] or urlsplit(base_url).hostname or "dirco.invalid"


def _sender(brand: Brand | None) -> str:
    """The From header: the marketing address, named after the partner in a co-branded
    email (the address stays the company's: SPF and DKIM are the company's to sign)."""
    if brand is None:
        return str(settings.DIRCO_MARKETING_FROM_EMAIL)
    _name, address = parseaddr(settings.DIRCO_MARKETING_FROM_EMAIL)
    return formataddr((brand.name, address))


def message_build(
    *,
    compiled: CompiledTemplate,
    recipient: Recipient,
    contact: Contact | None,
    brand: Brand | None = None,
) -> EmailMultiAlternatives:
    """The email of one recipient: personalised, tracked, with its unsubscribe link; a
    through-channel one co-branded with the partner's ``brand``.

    Its Message-ID names the recipient (signed), and with ``DIRCO_BOUNCE_ADDRESS`` set its
    envelope sender (the Return-Path) is the VERP address ``bounces+r<id>-<mac>@...``: a
    bounce or complaint that comes back is matched to the recipient (dirco.marketing.bounces).
    """
    unsubscribe = tracking.unsubscribe_url(recipient.pk)
    values: dict[str, Any] = {**contact_context(contact), "unsubscribe_url": unsubscribe}
    if brand is not None:
        values.update(brand_context(brand))
    rendered = email_render(compiled, values)
    unsubscribe_prefix = unsubscribe.split("/m/")[0] + "/m/"

    def track(url: str) -> str | None:
        return None if url.startswith(unsubscribe_prefix) else tracking.click_url(recipient.pk, url)

    body_html = html_links_rewrite(rendered.html, track)
    body_text = rendered.text
    if brand is not None:
        body_html = html_cobrand(body_html, brand)
        body_text = text_cobrand(body_text, brand)
    body_html = _html_with_footer(
        body_html, _footer_html(unsubscribe, tracking.open_url(recipient.pk))
    )
    bounce_address = settings.DIRCO_BOUNCE_ADDRESS
    sender = _sender(brand)
    headers = {
        "From": sender,
        "Message-ID": tracking.message_id_for(
            recipient.pk, _message_domain(bounce_address, settings.DIRCO_BASE_URL)
        ),
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Dirco-Campaign": str(recipient.campaign_id),
    }
    message = CampaignEmail(
        subject=rendered.subject,
        body=body_text + _footer_text(unsubscribe),
        # The envelope sender; the From header above is what the reader sees.
        from_email=(
            tracking.verp_address(recipient.pk, bounce_address) if bounce_address else sender
        ),
        to=[recipient.email],
        headers=headers,
        reply_to=[brand.reply_to] if brand is not None and brand.reply_to else None,
    )
    message.attach_alternative(body_html, "text/html")
    if brand is not None and brand.logo:
        image = MIMEImage(brand.logo, _subtype=brand.logo_type.rpartition("/")[2] or "png")
        image.add_header("Content-ID", f"<{LOGO_CID}>")
        image.add_header("Content-Disposition", "inline", filename="logo")
        message.attach(image)
    return message


def campaign_recipients_draw(*, campaign: Campaign) -> int:
    """Add the segment's sendable contacts as QUEUED recipients (one per address); returns
    how many were added. Run once, when the campaign starts sending.

    A through-channel campaign draws from its partner's own contacts only, under the same
    rule (consent and suppression are never bypassed)."""
    if campaign.partner_id is not None:
        audience = Contact.objects.filter(partner_id=campaign.partner_id)
    else:
        if campaign.segment is None:  # pragma: no cover - the model's constraint forbids it
            raise ApplicationError("A company campaign needs a segment.")
        spec = SegmentFilter.from_json(campaign.segment.filters)
        audience = Contact.objects.filter(pk__in=segment_contacts(spec).values("pk"))
    contacts = sendable_contacts(audience).order_by("pk")
    seen: set[str] = set()
    rows = []
    for contact_id, email in contacts.values_list("pk", "email").iterator(chunk_size=2000):
        address = email_normalise(email)
        if address in seen:
            continue
        seen.add(address)
        rows.append(Recipient(campaign=campaign, contact_id=contact_id, email=address))
    Recipient.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


class Throttle:
    """Paces calls to ``rate`` a second (0: as fast as they come)."""

    def __init__(
        self,
        rate: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock = clock
        self.next_at = clock()
        self.sleep = sleep
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until this call's turn (shared by the sending threads: each call takes
        the next slot, then sleeps outside the lock until it comes)."""
        if not self.interval:
            return
        with self.lock:
            now = self.clock()
            slot = max(self.next_at, now)
            self.next_at = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


def _smtp_code(exc: Exception, address: str) -> int | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = exc.recipients.get(address) or next(iter(exc.recipients.values()), None)
        return int(refused[0]) if refused else None
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return None


@dataclass(frozen=True)
class Outcome:
    status: str
    attempts: int
    error: str


class Sender:
    """One SMTP connection, reopened when the server drops it."""

    def __init__(self, connection: Any = None) -> None:
        self.connection = connection or get_connection()
        self.is_open = False

    def open(self) -> None:
        if not self.is_open:
            self.connection.open()
            self.is_open = True

    def reset(self) -> None:
        try:
            self.connection.close()
        except Exception:  # the server is gone already
            logger.debug("closing a dropped SMTP connection failed", exc_info=True)
        self.is_open = False

    def close(self) -> None:
        if self.is_open:
            self.reset()

    def send(self, message: EmailMultiAlternatives, *, pause: Callable[[float], None]) -> Outcome:
        """Send with retries (see the module)."""
        attempts = max(1, settings.DIRCO_CAMPAIGN_MAX_ATTEMPTS)
        error = ""
        address = message.to[0]
        for attempt in range(1, attempts + 1):
            try:
                self.open()
                if self.connection.send_messages([message]) == 1:
                    return Outcome(Recipient.Status.SENT, attempt, "")
                error = "not sent"
                self.reset()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                code = _smtp_code(exc, address)
                error = f"{type(exc).__name__}: {exc}"[:300]
                if code is None or code >= 500:
                    # A refused recipient is a bounce; a refused sender or message, a failure.
                    if isinstance(exc, smtplib.SMTPRecipientsRefused):
                        return Outcome(Recipient.Status.BOUNCED, attempt, error)
                    return Outcome(Recipient.Status.FAILED, attempt, error)
                # 4xx: try later (smtplib has reset the transaction, the connection stays).
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
                self.reset()
            except smtplib.SMTPException as exc:
                self.reset()
                return Outcome(
                    Recipient.Status.FAILED, attempt, f"{type(exc).__name__}: {exc}"[:300]
                )
            except OSError as exc:  # the server cannot be reached: try again
                error = f"{type(exc).__name__}: {exc}"[:300]
                self.reset()
            if attempt < attempts:
                pause(min(settings.DIRCO_CAMPAIGN_RETRY_PAUSE_SECONDS * 2 ** (attempt - 1), 30))
        return Outcome(Recipient.Status.FAILED, attempts, error)


class SenderPool:
    """One :class:`Sender` (SMTP connection) per sending thread: while one thread waits
    for the server's answers, another builds the next message."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.local = threading.local()
        self.senders: list[Sender] = []
        self.lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="smtp")

    def sender(self) -> Sender:
        sender = getattr(self.local, "sender", None)
        if sender is None:
            sender = self.local.sender = Sender()
            with self.lock:
                self.senders.append(sender)
        return sender

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for sender in self.senders:
            sender.close()


def recipients_claim(*, campaign_id: int, now: dt.datetime | None = None) -> list[Recipient]:
    """Take the next batch of QUEUED recipients for this worker. Two workers (a task run
    twice, or several workers on one campaign) never take the same recipient, and a batch
    of a worker lost for longer than the task lease is taken again."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.DIRCO_TASK_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Recipient.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, status=Recipient.Status.QUEUED)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        Recipient.objects.filter(pk__in=ids).update(claimed_at=now)
    return list(Recipient.objects.filter(pk__in=ids).order_by("pk"))


def _still_sending(campaign_id: int) -> bool:
    return Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).exists()


def campaign_send(
    *,
    campaign_id: int,
    rate: float | None = None,
    connections: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send what is left to send of a SCHEDULED or SENDING campaign (see the module)."""
    report = SendReport()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("segment", "template", "partner")
            .filter(pk=campaign_id)
            .first()
        )
        if campaign is None or campaign.status not in (
            Campaign.Status.SCHEDULED,
            Campaign.Status.SENDING,
        ):
            return report
        if campaign.status == Campaign.Status.SCHEDULED:
            campaign.status = Campaign.Status.SENDING
            campaign.started_at = timezone.now()
            try:
                campaign_recipients_draw(campaign=campaign)
            except ApplicationError as exc:
                # The segment's filter no longer holds (a tier or territory deleted since):
                # nobody is drawn, and the campaign says why instead of staying scheduled.
                logger.warning("campaign %s not sent: %s", campaign.pk, exc.message)
                campaign.status = Campaign.Status.CANCELLED
                campaign.finished_at = timezone.now()
            campaign.save(update_fields=["status", "started_at", "finished_at", "updated_at"])
            if campaign.status == Campaign.Status.CANCELLED:
                return report
    template = campaign.template
    brand = brand_of(campaign.partner) if campaign.partner is not None else None
    compiled = template_compile(
        subject=template.subject, html_body=template.html_body, text_body=template.text_body
    )
    throttle = Throttle(
        settings.DIRCO_CAMPAIGN_RATE_PER_SECOND if rate is None else rate, sleep=sleep
    )
    pool = SenderPool(settings.DIRCO_CAMPAIGN_CONNECTIONS if connections is None else connections)
    try:
        while _still_sending(campaign.pk):
            batch = recipients_claim(campaign_id=campaign.pk)
            if not batch:
                break
            _batch_send(
                batch=batch,
                compiled=compiled,
                pool=pool,
                throttle=throttle,
                sleep=sleep,
                report=report,
                brand=brand,
            )
    finally:
        pool.close()
    Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.SENDING).exclude(
        recipients__status=Recipient.Status.QUEUED
    ).update(status=Campaign.Status.SENT, finished_at=timezone.now(), updated_at=timezone.now())
    return report


def _batch_send(
    *,
    batch: list[Recipient],
    compiled: CompiledTemplate,
    pool: SenderPool,
    throttle: Throttle,
    sleep: Callable[[float], None],
    report: SendReport,
    brand: Brand | None = None,
) -> None:
    contact_ids = [r.contact_id for r in batch if r.contact_id is not None]
    audience = Contact.objects.filter(pk__in=contact_ids)
    if brand is not None:  # a partner's campaign: its own contacts, and nobody else's
        audience = audience.filter(partner_id=brand.partner_id)
    # Asked again now: an unsubscribe, a bounce or a withdrawn consent since the draw wins.
    contacts = {c.pk: c for c in sendable_contacts(audience).select_related("partner", "account")}
    todo: list[tuple[Recipient, Contact]] = []
    for recipient in batch:
        contact = contacts.get(recipient.contact_id) if recipient.contact_id else None
        if contact is None or email_normalise(contact.email) != recipient.email:
            recipient.status = Recipient.Status.SKIPPED
            report.skipped += 1
        else:
            todo.append((recipient, contact))

    def send_one(item: tuple[Recipient, Contact]) -> Outcome:
        recipient, contact = item
        try:
            message = message_build(
                compiled=compiled, recipient=recipient, contact=contact, brand=brand
            )
        except Exception as exc:  # a template that fails for this contact's values only
            logger.warning("campaign email of recipient %s not built", recipient.pk, exc_info=True)
            return Outcome(Recipient.Status.FAILED, 0, f"{type(exc).__name__}: {exc}"[:300])
        throttle.wait()
        return pool.sender().send(message, pause=sleep)

    now = timezone.now()
    bounced: list[str] = []
    for (recipient, _contact), outcome in zip(todo, pool.executor.map(send_one, todo), strict=True):
        recipient.status = outcome.status
        recipient.attempts = outcome.attempts
        recipient.last_error = outcome.error
        if outcome.status == Recipient.Status.SENT:
            recipient.sent_at = now
            report.sent += 1
        elif outcome.status == Recipient.Status.BOUNCED:
            bounced.append(recipient.email)
            report.bounced += 1
        else:
            report.failed += 1
    # One UPDATE per distinct outcome (nearly always one: sent at the first attempt); Django's
    # bulk_update builds a CASE per row and cost more CPU than the sending itself.
    groups: dict[tuple[str, int, str, bool], list[int]] = defaultdict(list)
    for recipient in batch:
        key = (recipient.status, recipient.attempts, recipient.last_error, bool(recipient.sent_at))
        groups[key].append(recipient.pk)
    with transaction.atomic():
        for (status, attempts, error, sent), ids in groups.items():
            Recipient.objects.filter(pk__in=ids).update(
                status=status, attempts=attempts, last_error=error, sent_at=now if sent else None
            )
        if bounced:
            Suppression.objects.bulk_create(
                [
                    Suppression(
                        email=email,
                        reason=Suppression.Reason.BOUNCED,
                        campaign_id=batch[0].campaign_id,
                    )
                    for email in bounced
                ],
                ignore_conflicts=True,
            )
