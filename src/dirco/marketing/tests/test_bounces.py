"""Asynchronous bounces (DSN, RFC 3464) and complaints (ARF, RFC 5965), built with Python's
email package as a mail server would send them, read from a real Maildir and an mbox by
``dirco process_bounces``, matched by the VERP address or the quoted Message-ID."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dirco.conftest import Company
from dirco.marketing import tracking
from dirco.marketing.bounces import report_apply, report_parse
from dirco.marketing.consent import sendable_contacts
from dirco.marketing.models import BounceReport, Consent, Recipient, Suppression
from dirco.marketing.segments import SegmentFilter
from dirco.marketing.sending import campaign_send
from dirco.marketing.services import campaign_schedule
from dirco.marketing.tests.factories import campaign_make, contact_make
from dirco.marketing.tests.smtp_server import SinkHandler

pytestmark = pytest.mark.django_db
BOUNCES = "bounces@mail.dirco.example"


def _fields(**fields: str) -> Message:
    block = Message()
    for name, value in fields.items():
        block[name.replace("_", "-")] = value
    return block


def dsn(
    *, to: str, final_recipient: str, action: str, status: str, original: Message | None = None
) -> bytes:
    """A delivery status notification as an MTA writes it (RFC 3464)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.remote.example"
    report["To"] = to
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="mx.remote.example")
    report.attach(
        MIMEText("I'm sorry to have to inform you that your message could not be delivered.")
    )
    status_part = MIMEBase("message", "delivery-status")
    status_part.set_payload(
        [
            _fields(Reporting_MTA="dns; mx.remote.example"),
            _fields(
                Final_Recipient=f"rfc822; {final_recipient}",
                Action=action,
                Status=status,
                Diagnostic_Code="smtp; 550 5.1.1 <user>: Recipient address rejected",
            ),
        ]
    )
    report.attach(status_part)
    if original is not None:
        headers = MIMEText("".join(f"{k}: {v}\n" for k, v in original.items()), "rfc822-headers")
        report.attach(headers)
    return report.as_bytes()


def arf(*, to: str, original: EmailMessage) -> bytes:
    """An abuse report of a feedback loop (RFC 5965), quoting the whole original message."""
    report = MIMEMultipart("report", report_type="feedback-report")
    report["From"] = "fbl@isp.example"
    report["To"] = to
    report["Subject"] = "FW: Spring offer"
    report["Message-ID"] = make_msgid(domain="isp.example")
    report.attach(MIMEText("This is an email abuse report."))
    feedback = MIMEBase("message", "feedback-report")
    feedback.set_payload(
        "Feedback-Type: abuse\nUser-Agent: ISP-FBL/1.0\nVersion: 1\n"
        f"Original-Rcpt-To: {original['To']}\n"
    )
    report.attach(feedback)
    quoted = MIMEBase("message", "rfc822")
    quoted.set_payload([original])
    report.attach(quoted)
    return report.as_bytes()


@pytest.fixture
def sent(company: Company, smtp: SinkHandler, settings: Any) -> dict[str, Any]:
    """A campaign really sent through the loopback server, with VERP on."""
    settings.DIRCO_BOUNCE_ADDRESS = BOUNCES
    contact_make(partner=company.partner_a, email="gone@a.example")
    contact_make(partner=company.partner_a, email="angry@a.example")
    contact_make(partner=company.partner_a, email="slow@a.example")
    campaign = campaign_make(
        by=company.marketing, spec=SegmentFilter(kind="partner", consent="sendable")
    )
    campaign_schedule(campaign=campaign, at=None)
    campaign_send(campaign_id=campaign.pk)
    return {r.envelope_to[0]: r for r in smtp.received}


def test_dsn_and_arf_from_a_maildir_bounce_complain_and_suppress(
    company: Company, sent: dict[str, Any], tmp_path: Path
) -> None:
    gone, angry, slow = sent["gone@a.example"], sent["angry@a.example"], sent["slow@a.example"]
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    # The hard bounce comes back to the VERP address of its email.
    box.add(
        dsn(
            to=gone.envelope_from,
            final_recipient="gone@a.example",
            action="failed",
            status="5.1.1",
            original=gone.message,
        )
    )
    # A delay is recorded, nothing more.
    box.add(
        dsn(
            to=slow.envelope_from,
            final_recipient="slow@a.example",
            action="delayed",
            status="4.4.1",
        )
    )
    # The complaint's feedback loop writes to our plain address: the quoted Message-ID says who.
    box.add(arf(to=BOUNCES, original=angry.message))
    # Not a report at all (an auto-reply): ignored.
    box.add(
        b"From: someone@a.example\r\nTo: bounces@mail.dirco.example\r\nSubject: Out of office\r\n\r\nBack Monday.\r\n"
    )
    out = StringIO()

    call_command("process_bounces", str(tmp_path / "bounces"), stdout=out)

    assert out.getvalue().strip() == "1 bounced, 1 complained, 1 delayed, 1 ignored"
    statuses = dict(Recipient.objects.values_list("email", "status"))
    assert statuses == {
        "gone@a.example": "bounced",
        "angry@a.example": "complained",
        "slow@a.example": "sent",
    }
    suppressed = dict(Suppression.objects.values_list("email", "reason"))
    assert suppressed == {"gone@a.example": "bounced", "angry@a.example": "complaint"}
    assert Consent.objects.get(contact__email="angry@a.example").status == Consent.Status.WITHDRAWN
    assert set(sendable_contacts().values_list("email", flat=True)) == {"slow@a.example"}
    assert len(mailbox.Maildir(tmp_path / "bounces", create=False)) == 0  # read and removed


def test_reading_the_same_reports_twice_counts_once_and_mbox_works(
    company: Company, sent: dict[str, Any], tmp_path: Path
) -> None:
    gone = sent["gone@a.example"]
    raw = dsn(
        to=gone.envelope_from, final_recipient="gone@a.example", action="failed", status="5.1.1"
    )
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(path, create=True)
    box.add(raw)
    box.flush()
    out = StringIO()
    call_command("process_bounces", str(path), "--keep", stdout=out)
    call_command("process_bounces", str(path), stdout=out)
    assert out.getvalue().split("\n")[:2] == ["1 bounced", "1 duplicate"]
    assert BounceReport.objects.count() == 1
    assert len(mailbox.mbox(path, create=False)) == 0


def test_a_forged_report_suppresses_nobody(company: Company, sent: dict[str, Any]) -> None:
    """Anyone can mail the bounce address: only what dirco signed names a recipient."""
    gone = sent["gone@a.example"]
    recipient_id = tracking.verp_read(gone.envelope_from)
    assert recipient_id is not None
    forged_to = f"bounces+r{recipient_id}-{'0' * 16}@mail.dirco.example"
    raw = dsn(to=forged_to, final_recipient="gone@a.example", action="failed", status="5.1.1")
    from dirco.marketing.bounces import message_from_bytes

    assert report_apply(report_parse(message_from_bytes(raw), raw=raw)) == "unmatched"
    # A report naming an address only (no VERP, no Message-ID of ours) neither.
    other = Recipient.objects.get(email="angry@a.example")
    raw = dsn(to=BOUNCES, final_recipient=other.email, action="failed", status="5.1.1")
    assert report_apply(report_parse(message_from_bytes(raw), raw=raw)) == "unmatched"
    assert not Suppression.objects.exists()
    assert set(Recipient.objects.values_list("status", flat=True)) == {"sent"}


def test_command_refuses_a_path_that_is_no_mailbox(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a Maildir"):
        call_command("process_bounces", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("process_bounces", str(tmp_path / "nothing"))
