"""Who may see and change partners, and which deals a user reaches.

Every interface goes through these functions. The deal rule (:func:`deal_visibility_q`) is
written here, as a condition on a deal's owner, team and partner, because both a deal's
visibility (pipeline) and an account's (customers: the accounts of the deals you see) follow
from it, and both apps sit above partners. Contacts are people at a partner or at an
account: their rules are in :mod:`dirco.customers.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_manager,
    user_is_partner,
    user_is_partner_admin,
    user_is_rep,
    user_sees_all_staff_work,
    user_sells,
)
from dirco.core.prepared import PreparedQuery
from dirco.partners.models import Contact, Partner
from dirco.teams.permissions import manager_line_ids
from dirco.teams.selectors import teams_managed_by

NOTHING = Q(pk__in=[])

T = TypeVar("T")

# Asked on every API request of a rep: compiled once (dirco.core.prepared).
_PARTNERS_MANAGED_BY: PreparedQuery[Partner] = PreparedQuery(
    lambda user_id: Partner.objects.filter(channel_manager_id=user_id).values_list("id", flat=True),
    slots=(int,),
)


def partner_ids_of_partner_user(user: User) -> list[int]:
    """A partner user's own partner, plus its child partners for a partner admin.

    Read once per user object (kept on it, for its partner and role): a request's user is
    loaded for that request, and a portal page asks this for every block it shows."""
    partner_id = user.partner_id
    if partner_id is None:
        return []

    def read() -> list[int]:
        ids = [partner_id]
        if user_is_partner_admin(user):
            ids += Partner.objects.filter(parent_id=partner_id).values_list("id", flat=True)
        return ids

    return list(kept_on_user(user, "_partner_ids_kept", (partner_id, user.role), read))


def kept_on_user(user: User, name: str, key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """``read()``, kept on the user object under ``name`` for as long as ``key`` (what the
    answer depends on, e.g. partner and role) stays the same: a request's user is loaded for
    that request, and its pages ask the same question several times."""
    kept: tuple[tuple[Any, ...], T] | None = user.__dict__.get(name)
    if kept is not None and kept[0] == key:
        return kept[1]
    value = read()
    user.__dict__[name] = (key, value)
    return value


def deal_visibility_q(user: User, prefix: str = "") -> Q:
    """The deals ``user`` sees, as a condition on a deal (``prefix`` reaches the deal from
    another model, e.g. ``"deals__"`` from an account): the OR of
    :func:`deal_visibility_branches`.
    """
    branches = deal_visibility_branches(user, prefix)
    if branches is None:
        return Q()
    if not branches:
        return NOTHING
    condition = branches[0]
    for branch in branches[1:]:
        condition |= branch
    return condition


def deal_visibility_branches(user: User, prefix: str = "") -> list[Q] | None:
    """The deals ``user`` sees, as a list of conditions whose OR is the rule (None: every deal;
    []: none). Each branch is one indexed equality, so that a sorted page can be read branch
    by branch from an index (dirco.api.pagination.paginate_parts) instead of sorting every
    visible deal.

    Partner users: their partner's deals (and its child partners' for a partner admin); the
    director and marketing: all; a manager: the deals of the teams they manage and of their
    line; a rep: their own and those of the partners they manage; anyone else: none.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    if user_is_partner(user):
        return [Q(**{f"{prefix}partner_id": pk}) for pk in partner_ids_of_partner_user(user)]
    if user_sees_all_staff_work(user):
        return None
    if user_is_manager(user):
        teams, line = manager_reach(user)
        return [Q(**{f"{prefix}team_id": pk}) for pk in teams] + [
            Q(**{f"{prefix}owner_id": pk}) for pk in line
        ]
    if user_is_rep(user):
        managed = _PARTNERS_MANAGED_BY.run(user.pk)
        return [Q(**{f"{prefix}owner_id": user.pk})] + [
            Q(**{f"{prefix}partner_id": pk}) for pk in managed
        ]
    return []


def manager_reach(user: User) -> tuple[list[int], list[int]]:
    """A manager's teams and line (ids), read once per user object like
    :func:`partner_ids_of_partner_user`: a page asks for the deals it sees several times."""

    def read() -> tuple[list[int], list[int]]:
        teams = list(teams_managed_by(user).values_list("id", flat=True))
        return teams, sorted({row["id"] for row in manager_line_ids(user)})

    return kept_on_user(user, "_manager_reach_kept", (user.pk, user.role), read)


def partners_visible_to(user: User) -> QuerySet[Partner]:
    qs = Partner.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user_is_partner(user):
        return qs.filter(id__in=partner_ids_of_partner_user(user))
    if user_sees_all_staff_work(user):
        return qs
    if user_is_manager(user):
        return qs.filter(channel_manager_id__in=manager_line_ids(user))
    if user_is_rep(user):
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
    if user_is_director(user):
        return qs
    if user_is_manager(user):
        return qs.filter(channel_manager_id__in=manager_line_ids(user))
    if user_is_rep(user):
        return qs.filter(channel_manager=user)
    return qs.none()


def partner_can_edit(*, user: User, partner: Partner) -> bool:
    return partners_editable_by(user).filter(pk=partner.pk).exists()


def partner_can_set_standing(*, user: User) -> bool:
    """A partner's standing in the programme (tier, status) is the director's call."""
    return user_is_director(user)


def partner_can_create(*, user: User) -> bool:
    """Staff who work the channel recruit partners; partner users and marketing do not."""
    return user_sells(user)


def partner_contacts_visible_to(user: User) -> QuerySet[Contact]:
    """The contacts at the partners ``user`` sees (the contacts at accounts: customers)."""
    if not user.is_authenticated or not user.is_active:
        return Contact.objects.none()
    return Contact.objects.filter(partner_id__in=partners_visible_to(user).values("id"))
