"""Asynchronous bounces and complaints: reports that come back after the SMTP session.

- a bounce is a delivery status notification (DSN, RFC 3464): ``multipart/report;
  report-type=delivery-status`` with a ``message/delivery-status`` part (one block per
  recipient: ``Action``, ``Status``, ``Final-Recipient``, ``Diagnostic-Code``);
- a complaint is an abuse report of a mailbox provider's feedback loop (ARF, RFC 5965):
  ``multipart/report; report-type=feedback-report`` with a ``message/feedback-report``
  part and the original message (or its headers).

Each report is matched to the campaign recipient it is about, by what dirco itself signed
(never by an address the report merely names, which anybody could forge to suppress
someone): the VERP bounce address the report was sent back to
(``bounces+r<id>-<mac>@...``, in ``To``/``Delivered-To``/``X-Original-To``), else the
Message-ID of the original email quoted in the report (``<dirco.r<id>-<mac>@...>``).

A permanent failure (``Action: failed``, ``Status: 5.x.x``) marks the recipient bounced and
suppresses its address; a complaint marks it complained, suppresses the address and
withdraws the contact's consent; a delay (``4.x.x``) is only recorded. Each report is
kept once (by its own Message-ID): a mailbox read twice counts nothing twice.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dirco.marketing import tracking
from dirco.marketing.models import BounceReport, Recipient, Suppression
from dirco.marketing.services import consent_withdraw, suppression_add

# Where a VERP address may show in the report as delivered to the bounce mailbox.
_DELIVERY_HEADERS = ("X-Original-To", "Delivered-To", "Envelope-To", "To")


@dataclass(frozen=True)
class ParsedReport:
    kind: str  # a BounceReport.Kind, or "" for a message that is no report at all
    message_id: str
    recipient_id: int | None
    email: str
    status_code: str
    detail: str


def _address(field: str) -> str:
    """``rfc822; someone@example.com`` -> ``someone@example.com``."""
    value = field.partition(";")[2] if ";" in field else field
    return parseaddr(value.strip())[1].lower()


def _original_headers(msg: Message) -> Message | None:
    """The headers of the original email quoted in a report, if it quotes them."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if ctype == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""
            return HeaderParser().parsestr(text)
    return None


def _fields_blocks(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(block) for block in text.strip().split("\n\n") if block]


def _recipient_id(msg: Message, original: Message | None) -> int | None:
    for header in _DELIVERY_HEADERS:
        for value in msg.get_all(header) or []:
            found = tracking.verp_read(str(value))
            if found is not None:
                return found
    if original is not None:
        return tracking.message_id_read(str(original.get("Message-ID", "")))
    return None


def report_parse(msg: Message, *, raw: bytes = b"") -> ParsedReport:
    """What a message of the bounce mailbox says (see the module)."""
    message_id = str(msg.get("Message-ID", "")).strip() or (
        "sha256:" + hashlib.sha256(raw or msg.as_bytes()).hexdigest()
    )
    report_type = str(msg.get_param("report-type", "") or "").lower()
    if msg.get_content_type() != "multipart/report" or report_type not in (
        "delivery-status",
        "feedback-report",
    ):
        return ParsedReport("", message_id[:300], None, "", "", "")
    original = _original_headers(msg)
    recipient_id = _recipient_id(msg, original)
    address, status, detail = "", "", ""
    if report_type == "delivery-status":
        kind = BounceReport.Kind.DELAY
        for part in msg.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _fields_blocks(part)[1:]:  # the first block is about the message
                action = str(block.get("Action", "")).strip().lower()
                code = str(block.get("Status", "")).strip().split(" ")[0]
                address = _address(str(block.get("Final-Recipient", ""))) or address
                detail = str(block.get("Diagnostic-Code", "")).strip() or detail
                status = code or status
                if action == "failed" and code.startswith("5"):
                    kind = BounceReport.Kind.BOUNCE
                    break
    else:
        kind = BounceReport.Kind.COMPLAINT
        for part in msg.walk():
            if part.get_content_type() != "message/feedback-report":
                continue
            for block in _fields_blocks(part):
                status = str(block.get("Feedback-Type", "")).strip().lower() or status
                address = _address(str(block.get("Original-Rcpt-To", ""))) or address
        if not address and original is not None:
            address = parseaddr(str(original.get("To", "")))[1].lower()
    if recipient_id is None:
        kind = BounceReport.Kind.UNMATCHED
    return ParsedReport(
        kind,
        message_id[:300],
        recipient_id,
        address[:254],
        status[:20],
        " ".join(detail.split())[:300],
    )


@transaction.atomic
def report_apply(parsed: ParsedReport) -> str:
    """Record a parsed report and act on it; returns what was done ("bounced", "complained",
    "delayed", "unmatched", "duplicate" or "ignored")."""
    if not parsed.kind:
        return "ignored"
    if BounceReport.objects.filter(message_id=parsed.message_id).exists():
        return "duplicate"
    recipient = (
        Recipient.objects.select_for_update(of=("self",))
        .select_related("contact", "campaign")
        .filter(pk=parsed.recipient_id)
        .first()
        if parsed.recipient_id is not None
        else None
    )
    kind = parsed.kind if recipient is not None else BounceReport.Kind.UNMATCHED
    BounceReport.objects.create(
        message_id=parsed.message_id,
        kind=kind,
        recipient=recipient,
        email=recipient.email if recipient is not None else parsed.email,
        status_code=parsed.status_code,
        detail=parsed.detail,
    )
    if recipient is None:
        return "unmatched"
    now = timezone.now()
    if kind == BounceReport.Kind.BOUNCE:
        recipient.status = Recipient.Status.BOUNCED
        recipient.bounced_at = now
        recipient.last_error = (parsed.detail or parsed.status_code)[:300]
        recipient.save(update_fields=["status", "bounced_at", "last_error"])
        suppression_add(
            email=recipient.email,
            reason=Suppression.Reason.BOUNCED,
            campaign=recipient.campaign,
            note=parsed.status_code,
        )
        return "bounced"
    if kind == BounceReport.Kind.COMPLAINT:
        recipient.status = Recipient.Status.COMPLAINED
        recipient.complained_at = now
        recipient.save(update_fields=["status", "complained_at"])
        suppression_add(
            email=recipient.email, reason=Suppression.Reason.COMPLAINT, campaign=recipient.campaign
        )
        if recipient.contact is not None:
            consent_withdraw(contact=recipient.contact)
        return "complained"
    return "delayed"


def message_from_bytes(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _messages(path: Path) -> Iterator[tuple[Any, Any, bytes]]:
    box: mailbox.Mailbox[Any] = (
        mailbox.Maildir(path, create=False) if path.is_dir() else mailbox.mbox(path, create=False)
    )
    box.lock()
    try:
        for key in list(box.keys()):
            yield box, key, box.get_bytes(key)
    finally:
        box.flush()
        box.unlock()
        box.close()


def mailbox_process(*, path: Path, keep: bool = False) -> dict[str, int]:
    """Read every message of a Maildir (a directory) or an mbox file, apply each report,
    and remove the messages read (unless ``keep``); returns the count of each outcome."""
    counts: dict[str, int] = {}
    for box, key, raw in _messages(path):
        outcome = report_apply(report_parse(message_from_bytes(raw), raw=raw))
        counts[outcome] = counts.get(outcome, 0) + 1
        if not keep:
            box.remove(key)
    return counts
