"""Who may receive marketing email: the one rule every send path asks.

A contact is sendable when it has an email address, a GRANTED consent (confirmed, when a
double opt-in was required) and its address is not on the suppression list. Campaigns ask
:func:`sendable_contacts` twice: when the recipients are drawn from the segment and again
for each batch just before sending (an unsubscribe or a bounce in between wins).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from dirco.marketing.models import Consent, Suppression
from dirco.partners.models import Contact


def email_normalise(email: str) -> str:
    return email.strip().lower()


def suppressed_q(prefix: str = "") -> Exists:
    """Whether the contact's address (``<prefix>email``) is on the suppression list."""
    return Exists(Suppression.objects.filter(email=Lower(OuterRef(f"{prefix}email"))))


def sendable_contacts(contacts: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """``contacts`` (every contact by default) narrowed to those marketing email may reach."""
    qs = Contact.objects.all() if contacts is None else contacts
    return (
        qs.exclude(email="")
        .filter(
            Q(marketing_consent__double_opt_in=False)
            | Q(marketing_consent__confirmed_at__isnull=False),
            marketing_consent__status=Consent.Status.GRANTED,
        )
        .exclude(suppressed_q())
    )


def email_is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email=email_normalise(email)).exists()
