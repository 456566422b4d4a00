"""Who may see and change customer accounts, and contacts (people at a partner or an account).

An account is visible to whoever owns it (or has its owner in their line) and to whoever sees
one of its deals: the deal rule comes from :func:`dirco.partners.permissions.deal_visibility_q`,
so that this module needs nothing from the pipeline above it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_manager,
    user_is_partner,
    user_is_rep,
    user_sees_all_staff_work,
    user_sells,
)
from dirco.customers.models import Account
from dirco.partners.models import Contact
from dirco.partners.permissions import (
    deal_visibility_q,
    partner_can_edit,
    partners_visible_to,
)
from dirco.teams.permissions import manager_line_ids


def accounts_visible_to(user: User) -> QuerySet[Account]:
    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    if user_sees_all_staff_work(user):
        return Account.objects.all()
    deal_account_ids = Account.objects.filter(deal_visibility_q(user, prefix="deals__")).values(
        "id"
    )
    if user_is_partner(user):
        return Account.objects.filter(id__in=deal_account_ids)
    if user_is_manager(user):
        return Account.objects.filter(
            Q(owner_id__in=manager_line_ids(user)) | Q(id__in=deal_account_ids)
        )
    return Account.objects.filter(Q(owner=user) | Q(id__in=deal_account_ids))


def get_account_for_user(*, user: User, account_id: int) -> Account:
    try:
        return accounts_visible_to(user).select_related("territory", "owner").get(pk=account_id)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise Http404("No such account.") from None


def accounts_editable_by(user: User) -> QuerySet[Account]:
    """The accounts ``user`` may change: its own, never "whatever it can see".

    The director changes every account; a manager the accounts owned by their line; a rep
    the accounts it owns. Seeing an account through a deal of a partner one channel-manages
    gives no right to change it (finding 2 of the security test): the account stays its
    owner's. Marketing and partner users change none.
    """
    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    if user_is_director(user):
        return Account.objects.all()
    if user_is_manager(user):
        return Account.objects.filter(owner_id__in=manager_line_ids(user))
    if user_is_rep(user):
        return Account.objects.filter(owner=user)
    return Account.objects.none()


def account_can_edit(*, user: User, account: Account) -> bool:
    return accounts_editable_by(user).filter(pk=account.pk).exists()


def account_can_create(*, user: User) -> bool:
    return user_sells(user)


def contacts_visible_to(user: User) -> QuerySet[Contact]:
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    if user_sees_all_staff_work(user):
        return Contact.objects.all()
    at_partners = Q(partner_id__in=partners_visible_to(user).values("id"))
    if user_is_partner(user):
        return Contact.objects.filter(at_partners)
    return Contact.objects.filter(
        at_partners | Q(account_id__in=accounts_visible_to(user).values("id"))
    )


def get_contact_for_user(*, user: User, contact_id: int) -> Contact:
    try:
        return contacts_visible_to(user).get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


def contact_can_edit(*, user: User, contact: Contact) -> bool:
    """Whoever may change the contact's partner or account may change the contact (the
    account's edit right, not its visibility: see accounts_editable_by)."""
    if contact.partner is not None:
        return partner_can_edit(user=user, partner=contact.partner)
    return contact.account is not None and account_can_edit(user=user, account=contact.account)


def contact_can_delete(*, user: User, contact: Contact) -> bool:
    """The matrix gives contact delete the scope of contact edit; its own function so that
    the two can part without touching the endpoints."""
    return contact_can_edit(user=user, contact=contact)
