"""Who may see documents and announcements: the one chokepoint of the library and its downloads.

- partner users: published documents whose tier gate their partner's tier meets
  (``min_tier_rank`` empty, or the tier's rank <= it) and, when the document is restricted to
  partners, only if theirs is listed; live announcements addressed to all partners, to their
  tier or better, or to their partner;
- staff: everything (they publish it; partners never reach staff pages).

The partner's own tier counts, never its parent's or children's. Hidden and missing both 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dirco.accounts.models import User
from dirco.documents.models import Announcement, Document
from dirco.partners.models import Partner


def _partner_of(user: User) -> Partner | None:
    if not user.is_authenticated or not user.is_active or user.partner_id is None:
        return None
    return Partner.objects.select_related("tier").filter(pk=user.partner_id).first()


def documents_visible_to(user: User) -> QuerySet[Document]:
    qs = Document.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if not user.is_partner_user:
        return qs
    partner = _partner_of(user)
    if partner is None:
        return qs.none()
    restricted = Document.partners.through.objects.filter(document_id=OuterRef("pk"))
    listed = restricted.filter(partner_id=partner.pk)
    return qs.filter(
        Q(min_tier_rank__isnull=True) | Q(min_tier_rank__gte=partner.tier.rank),
        Q(Exists(listed)) | ~Q(Exists(restricted)),
        is_published=True,
    )


def get_document_for_user(*, user: User, document_id: int | str) -> Document:
    """The document, or 404 both when it does not exist and when the user may not see it."""
    try:
        return documents_visible_to(user).get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document.") from None


def announcements_visible_to(
    user: User, *, now: dt.datetime | None = None
) -> QuerySet[Announcement]:
    qs = Announcement.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if not user.is_partner_user:
        return qs
    partner = _partner_of(user)
    if partner is None:
        return qs.none()
    moment = now or timezone.now()
    listed = Announcement.partners.through.objects.filter(
        announcement_id=OuterRef("pk"), partner_id=partner.pk
    )
    return qs.filter(
        Q(audience=Announcement.Audience.ALL)
        | Q(audience=Announcement.Audience.TIER, min_tier_rank__gte=partner.tier.rank)
        | Q(Exists(listed), audience=Announcement.Audience.PARTNERS),
        Q(expires_at__isnull=True) | Q(expires_at__gt=moment),
        published_at__isnull=False,
        published_at__lte=moment,
    )


def get_announcement_for_user(*, user: User, announcement_id: int | str) -> Announcement:
    try:
        return announcements_visible_to(user).get(pk=announcement_id)
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such announcement.") from None
