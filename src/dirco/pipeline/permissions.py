"""Who may see and change deals and activities: the one chokepoint every interface uses.

Staff: a rep sees own deals and deals of the partners they manage; a manager sees the deals
of their teams and of their line; the director and marketing see all. Partner users see only
their partner's deals (and its child partners' for a partner admin). The deal rule itself is
:func:`dirco.partners.permissions.deal_visibility_q`, shared with the accounts' rule.
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
from dirco.partners.permissions import (
    deal_visibility_q,
    manager_reach,
    partner_ids_of_partner_user,
)
from dirco.pipeline.models import Activity, Deal
from dirco.scopes import Scope
from dirco.teams.permissions import manager_line_ids
from dirco.teams.selectors import teams_managed_by


def deals_visible_to(user: User) -> QuerySet[Deal]:
    if not user.is_authenticated or not user.is_active:
        return Deal.objects.none()
    return Deal.objects.filter(deal_visibility_q(user))


# Set on a deal read through deals_visible_to(user) by get_deal_for_user: the id of that user.
_SEEN_BY = "_dirco_visible_to_user_id"


def deal_visibility_scopes(user: User) -> list[Scope] | None:
    """:func:`deals_visible_to` as scopes whose deals are exactly the visible ones, none in two
    of them (so that the scopes' figures add up): the company for whoever sees every deal, the
    partners of a partner user, a rep's own scope (the deals they own and those of the
    partners they channel-manage). None when no such scopes exist (a manager's teams and line
    overlap) or nothing is visible. It follows :func:`deal_visibility_branches` branch for
    branch; a test compares the two for every role."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user_is_partner(user):
        return [Scope("partner", pk) for pk in partner_ids_of_partner_user(user)] or None
    if user_sees_all_staff_work(user):
        return [Scope("company")]
    if user_is_manager(user):
        return None
    if user_is_rep(user):
        return [Scope("rep", user.pk)]
    return None


def deal_visibility_cover(user: User) -> tuple[list[Scope], Q | None] | None:
    """:func:`deals_visible_to` as scopes (none in two of them) and a rest: the scopes of
    :func:`deal_visibility_scopes` and no rest (None), or, for a manager (whose teams and line
    overlap), the teams they manage and, as the rest, the deals of their line outside those
    teams (a condition on a deal, ``deal_visibility_branches``' owners minus its teams). The
    scopes' figures are read from the rollups and the rest's from its few deals, instead of a
    scan of every deal for the OR of teams and line. None: no such cover. The rollups' tests
    compare the figures this way and over the visible deals, for every role."""
    scopes = deal_visibility_scopes(user)
    if scopes is not None:
        return scopes, None
    if not (user.is_authenticated and user.is_active and user_is_manager(user)):
        return None
    teams, line = manager_reach(user)
    if not teams:
        return None
    return [Scope("team", pk) for pk in teams], Q(owner_id__in=line) & ~Q(team_id__in=teams)


def get_deal_for_user(*, user: User, deal_id: int | str) -> Deal:
    """The deal, or 404 both when it does not exist and when the user may not see it."""
    try:
        deal = (
            deals_visible_to(user)
            .select_related("account", "partner", "owner", "team", "product_line", "stage")
            .get(pk=deal_id)
        )
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such deal.") from None
    setattr(deal, _SEEN_BY, user.pk)
    return deal


def pipeline_can_change(*, user: User) -> bool:
    """Whether ``user`` changes deals at all (the board's drag and drop, edit buttons).

    Marketing reads the pipeline but does not change it; partner users bring and follow
    deals through registration in the portal, they do not edit staff deals."""
    return user_sells(user)


def deals_editable_by(user: User) -> QuerySet[Deal]:
    """The deals ``user`` may change, written on its own (never "whatever it sees").

    The director every deal; a manager the deals of the teams they manage and of their line;
    a rep the deals it owns and those of the partners it channel-manages. Marketing and
    partner users change none (pipeline_can_change).
    """
    qs = Deal.objects.all()
    if not pipeline_can_change(user=user):
        return qs.none()
    if user_is_director(user):
        return qs
    if user_is_manager(user):
        return qs.filter(
            Q(team_id__in=teams_managed_by(user).values("id"))
            | Q(owner_id__in=manager_line_ids(user))
        )
    if user_is_rep(user):
        return qs.filter(Q(owner=user) | Q(partner__channel_manager=user))
    return qs.none()


def deal_can_edit(*, user: User, deal: Deal) -> bool:
    return deals_editable_by(user).filter(pk=deal.pk).exists()


def deal_can_delete(*, user: User, deal: Deal) -> bool:
    """The matrix gives deal delete the scope of deal edit (director all, manager team, rep
    own); its own function so that the two can part without touching the endpoints."""
    return deal_can_edit(user=user, deal=deal)


def deal_can_create(*, user: User) -> bool:
    # Partners bring deals through deal registration, not by creating them directly.
    return user_sells(user)


def activities_visible_to(user: User) -> QuerySet[Activity]:
    qs = Activity.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user_is_director(user):
        return qs
    if user_is_partner(user):
        partner_ids = partner_ids_of_partner_user(user)
        return qs.filter(
            Q(owner=user) | Q(deal__partner_id__in=partner_ids) | Q(partner_id__in=partner_ids)
        )
    if user_is_manager(user):
        return qs.filter(owner_id__in=manager_line_ids(user))
    return qs.filter(Q(owner=user) | Q(deal__owner=user))


def activity_can_log(*, user: User, deal: Deal) -> bool:
    """Anyone who sees a deal logs their own activities on it (calls, meetings, notes): the
    matrix's "own" create. The deal page and the API both ask this.

    A deal this request read through :func:`get_deal_for_user` for ``user`` was seen by the
    same rule a moment ago: no second query (the deal page and the activity form ask after
    that read)."""
    if getattr(deal, _SEEN_BY, None) == user.pk:
        return True
    return deals_visible_to(user).filter(pk=deal.pk).exists()


def get_activity_for_user(*, user: User, activity_id: int | str) -> Activity:
    try:
        return activities_visible_to(user).get(pk=activity_id)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity.") from None


def activities_editable_by(user: User) -> QuerySet[Activity]:
    """The activities ``user`` may change: its own; the director every one; a manager those
    owned by their line. Seeing an activity through a deal gives no right to change it."""
    qs = Activity.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user_is_director(user):
        return qs
    if user_is_manager(user):
        return qs.filter(owner_id__in=manager_line_ids(user))
    return qs.filter(owner=user)


def activity_can_edit(*, user: User, activity: Activity) -> bool:
    """The owner changes their activity (marks it done or not); the director and the owner's
    manager may too. The HTML page and the API both ask this."""
    return activities_editable_by(user).filter(pk=activity.pk).exists()
