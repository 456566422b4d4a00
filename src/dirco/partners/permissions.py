"""Who may see and change partners and contacts. Every interface goes through these functions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.partners.models import Contact, Partner

ALL_SEEING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MARKETING})


def partner_ids_of_partner_user(user: User) -> list[int]:
    """A partner user's own partner, plus its child partners for a partner admin."""
    if user.partner_id is None:
        return []
    ids = [user.partner_id]
    if user.role == User.Role.PARTNER_ADMIN:
        ids += list(Partner.objects.filter(parent_id=user.partner_id).values_list("id", flat=True))
    return ids


def partners_visible_to(user: User) -> QuerySet[Partner]:
    qs = Partner.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_partner_user:
        return qs.filter(id__in=partner_ids_of_partner_user(user))
    if user.role in ALL_SEEING_ROLES:
        return qs
    if user.role == User.Role.MANAGER:
        from dirco.teams.selectors import team_member_ids_for_manager

        return qs.filter(channel_manager_id__in=team_member_ids_for_manager(user))
    if user.role == User.Role.REP:
        return qs.filter(channel_manager=user)
    return qs.none()


def get_partner_for_user(*, user: User, partner_id: int) -> Partner:
    """The partner, or 404 both when it does not exist and when the user may not see it."""
    try:
        return (
            partners_visible_to(user)
            .select_related("tier", "territory", "channel_manager")
            .get(pk=partner_id)
        )
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404("No such partner.") from None


def partners_editable_by(user: User) -> QuerySet[Partner]:
    """The partners ``user`` may change (written on its own, not derived from what it sees):
    the director every one, a manager those channel-managed by their line, a rep those it
    channel-manages. Marketing and partner users change none."""
    qs = Partner.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == User.Role.DIRECTOR:
        return qs
    if user.role == User.Role.MANAGER:
        from dirco.teams.selectors import team_member_ids_for_manager

        return qs.filter(channel_manager_id__in=team_member_ids_for_manager(user))
    if user.role == User.Role.REP:
        return qs.filter(channel_manager=user)
    return qs.none()


def partner_can_edit(*, user: User, partner: Partner) -> bool:
    return partners_editable_by(user).filter(pk=partner.pk).exists()


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    from dirco.customers.permissions import accounts_visible_to

    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user.role in ALL_SEEING_ROLES:
        return Contact.objects.all()
    partner_ids = partners_visible_to(user).values("id")
    if user.is_partner_user:
        return Contact.objects.filter(partner_id__in=partner_ids)
    return Contact.objects.filter(
        Q(partner_id__in=partner_ids) | Q(account_id__in=accounts_visible_to(user).values("id"))
    )


def get_contact_for_user(*, user: User, contact_id: int) -> Contact:
    try:
        return contacts_visible_to(user).get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


def partner_can_create(*, user: User) -> bool:
    """Staff who work the channel recruit partners; partner users and marketing do not."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP)
    )


def contact_can_edit(*, user: User, contact: Contact) -> bool:
    """Whoever may change the contact's partner or account may change the contact (the
    account's edit right, not its visibility: see accounts_editable_by)."""
    if contact.partner is not None:
        return partner_can_edit(user=user, partner=contact.partner)
    from dirco.customers.permissions import account_can_edit

    return contact.account is not None and account_can_edit(user=user, account=contact.account)


def contact_can_delete(*, user: User, contact: Contact) -> bool:
    """The matrix gives contact delete the scope of contact edit; its own function so that
    the two can part without touching the endpoints."""
    return contact_can_edit(user=user, contact=contact)
