"""Who may see and set objectives.

Only a user's managers set that user's objective, never the user (as with Salesforce quotas):
the director sets the company, team and product-line objectives and may set any other; a
manager sets the objectives of the reps in their line (members of the teams they manage and
their direct reports, never their own) and of the partners whose channel manager is in that
line. Reps, marketing and partner users set none. Partner users read their own partner's
published objectives only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    reps_among,
    user_is_director,
    user_is_manager,
    user_is_rep,
    user_sees_all_staff_work,
)
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.objectives.models import ForecastAdjustment, Objective, ScopeKind
from dirco.partners.models import Partner
from dirco.partners.permissions import kept_on_user, manager_reach, partners_visible_to
from dirco.scopes import Scope
from dirco.teams.models import SalesTeam
from dirco.teams.permissions import manager_line_reports
from dirco.teams.selectors import teams_managed_by


def users_in_line_of(user: User) -> QuerySet[User]:
    """The people whose objectives a manager sets: their line (team members and direct
    reports), never themselves."""
    return manager_line_reports(user)


def objective_setter_roles() -> frozenset[str]:
    return frozenset({User.Role.DIRECTOR, User.Role.MANAGER})


def objective_may_set_any(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in objective_setter_roles())


def objective_check_can_set(
    *,
    user: User,
    scope_kind: str,
    team: SalesTeam | None = None,
    rep: User | None = None,
    partner: Partner | None = None,
) -> None:
    """Raise unless ``user`` may set an objective for this scope.

    PermissionDenied-like refusals are ApplicationErrors naming the field, so that the API
    and the forms can show them next to the input.
    """
    if not objective_may_set_any(user):
        if rep is not None and rep.pk == user.pk:
            raise ApplicationError(
                _("You cannot set your own objective: your manager sets it."),
                fields={"rep": [_("Your own objective is set by your manager.")]},
            )
        raise ApplicationError(
            _("Only the director and managers set objectives."),
            fields={"scope": [_("You may not set objectives.")]},
        )
    if user.role == User.Role.DIRECTOR:
        return
    # A manager.
    if scope_kind == ScopeKind.REP and rep is not None:
        if rep.pk == user.pk:
            raise ApplicationError(
                _("You cannot set your own objective: your manager sets it."),
                fields={"rep": [_("Your own objective is set by your manager.")]},
            )
        if not users_in_line_of(user).filter(pk=rep.pk).exists():
            # No name: the user may not know who this is (ids can be guessed).
            raise ApplicationError(
                _(
                    "This person is not in your line: you can only set objectives for your "
                    "team members and direct reports."
                ),
                fields={"rep": [_("Not in your line.")]},
            )
        return
    if scope_kind == ScopeKind.PARTNER and partner is not None:
        if not partners_visible_to(user).filter(pk=partner.pk).exists():
            # No name: a partner the user cannot see stays unknown (ids can be guessed).
            raise ApplicationError(
                _("This partner's channel manager is not in your line."),
                fields={"partner": [_("Not one of your team's partners.")]},
            )
        return
    field = {"team": "team", "product_line": "product_line"}.get(scope_kind, "scope")
    raise ApplicationError(
        _("Only the director sets company, team and product-line objectives."),
        fields={field: [_("The director sets this objective.")]},
    )


def objective_check_can_set_kind(*, user: User, scope_kind: str, scope_id: int | None) -> None:
    """The refusals that do not depend on which record the scope names, raised before the
    record is looked up (so that they read the same for a real and a made-up id)."""
    if not objective_may_set_any(user):
        own = scope_kind == ScopeKind.REP and scope_id == user.pk
        objective_check_can_set(user=user, scope_kind=scope_kind, rep=user if own else None)
    if user.role == User.Role.MANAGER and scope_kind not in (ScopeKind.REP, ScopeKind.PARTNER):
        objective_check_can_set(user=user, scope_kind=scope_kind)


def objective_can_edit(*, user: User, objective: Objective) -> bool:
    try:
        objective_check_can_set(
            user=user,
            scope_kind=objective.scope_kind,
            team=objective.team,
            rep=objective.rep,
            partner=objective.partner,
        )
    except ApplicationError:
        return False
    return True


def objective_can_delete(*, user: User, objective: Objective) -> bool:
    """Only the director deletes objectives (core/access_matrix.py, objective delete)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == User.Role.DIRECTOR
        and objective_can_edit(user=user, objective=objective)
    )


def objective_can_allocate(*, user: User, objective: Objective) -> bool:
    """The director allocates any objective; a manager allocates the objectives of the teams
    they manage (to their reps and partners)."""
    if not objective_may_set_any(user):
        return False
    if user.role == User.Role.DIRECTOR:
        return True
    return bool(
        objective.scope_kind == ScopeKind.TEAM
        and objective.team_id is not None
        and teams_managed_by(user).filter(pk=objective.team_id).exists()
    )


def objectives_visible_to(user: User) -> QuerySet[Objective]:
    qs = Objective.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    published = Q(status=Objective.Status.PUBLISHED)
    if user.is_partner_user:
        return qs.filter(
            published,
            scope_kind=ScopeKind.PARTNER,
            partner_id__in=partners_visible_to(user).values("id"),
        )
    if user.role in (User.Role.DIRECTOR, User.Role.MARKETING):
        return qs
    if user.role == User.Role.MANAGER:
        teams, reports, partners = manager_objective_reach(user)
        return qs.filter(
            Q(scope_kind=ScopeKind.TEAM, team_id__in=teams)
            | Q(scope_kind=ScopeKind.REP, rep_id__in=reports)
            | Q(scope_kind=ScopeKind.REP, rep_id=user.pk, status=Objective.Status.PUBLISHED)
            | Q(scope_kind=ScopeKind.PARTNER, partner_id__in=partners)
        )
    if user.role == User.Role.REP:
        return qs.filter(published).filter(
            Q(scope_kind=ScopeKind.REP, rep_id=user.pk)
            | Q(scope_kind=ScopeKind.PARTNER, partner_id__in=partners_visible_to(user).values("id"))
        )
    return qs.none()


def manager_objective_reach(user: User) -> tuple[list[int], list[int], list[int]]:
    """The ids of a manager's teams, by id (``teams_managed_by``), line reports
    (:func:`users_in_line_of`) and partners (``partners_visible_to``), read once per user
    object: the cockpit asks :func:`objectives_visible_to` several times a page, and Django
    builds three subqueries each time (a quarter of the manager's home, in CPU)."""

    def read() -> tuple[list[int], list[int], list[int]]:
        teams = sorted(manager_reach(user)[0])
        reports = list(users_in_line_of(user).order_by("id").values_list("id", flat=True))
        partners = list(partners_visible_to(user).order_by("id").values_list("id", flat=True))
        return teams, reports, partners

    return kept_on_user(user, "_objective_reach_kept", (user.pk, user.role), read)


def get_objective_for_user(*, user: User, objective_id: int) -> Objective:
    """The objective, or 404 both when it does not exist and when the user may not see it."""
    try:
        return (
            objectives_visible_to(user)
            .select_related("team", "rep", "partner", "product_line", "parent", "set_by")
            .get(pk=objective_id)
        )
    except (Objective.DoesNotExist, ValueError, TypeError):
        raise Http404("No such objective.") from None


# -- allocation and leaderboards -------------------------------------------


def objective_allocation_reps(*, user: User, team_id: int | None) -> QuerySet[User]:
    """The reps of a team that ``user`` allocates a team objective to by default: all of
    them for the director, those in their line for a manager."""
    reps = reps_among(User.objects.filter(sales_teams=team_id))
    if user_is_director(user):
        return reps
    return reps.filter(pk__in=users_in_line_of(user).values("id"))


def objective_may_allocate_to_rep(*, user: User, rep_id: int) -> bool:
    """A rep is within reach of ``user``'s allocation: anyone for the director, the line for a
    manager, never the allocating manager themselves."""
    if rep_id == user.pk:
        return False
    return user_is_director(user) or users_in_line_of(user).filter(pk=rep_id).exists()


def objective_may_allocate_to_partner(*, user: User, partner_id: int) -> bool:
    return user_is_director(user) or partners_visible_to(user).filter(pk=partner_id).exists()


def leaderboard_visible_ids(*, kind: str, user: User) -> list[int] | None:
    """The ids of ``kind`` the user may see on a leaderboard; None: all of them."""
    if user_sees_all_staff_work(user):
        return None
    if user_is_manager(user):
        teams, reports, partners = manager_objective_reach(user)
        return {"team": teams, "rep": [user.pk, *reports], "partner": partners}.get(kind, [])
    if kind == "partner":
        return list(partners_visible_to(user).values_list("id", flat=True))
    if user_is_rep(user) and kind == "rep":
        return [user.pk]
    return []


# -- forecast calls ----------------------------------------------------------------------------

# The roles that own a revenue scope of their own (a rep's, a manager's team, the director's
# company) and so file its forecast call. Partner users and marketing own no staff scope: a
# "rep:<own id>" scope of theirs is no forecast anybody reads (docs/security.md).
FORECAST_CALL_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MANAGER, User.Role.REP})


def forecast_call_can_submit(*, user: User, scope: Scope) -> bool:
    """Whether ``user`` owns ``scope`` and files its call: a rep (or manager) for themselves,
    a manager for a team they manage, the director for the company."""
    if not (user.is_authenticated and user.is_active) or user.role not in FORECAST_CALL_ROLES:
        return False
    if scope.kind == "rep":
        return scope.id == user.pk
    if scope.kind == "team":
        return SalesTeam.objects.filter(pk=scope.id or 0, manager=user).exists()
    return scope.kind == "company" and user.role == User.Role.DIRECTOR


def forecast_call_can_adjust(*, user: User, scope: Scope) -> bool:
    """A manager's call over the owner's: the director or a manager who sees the scope, never
    on their own rep scope."""
    from dirco.scopes import scope_may_see

    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in (User.Role.DIRECTOR, User.Role.MANAGER)
        and not (scope.kind == "rep" and scope.id == user.pk)
        and scope_may_see(user=user, scope=scope)
    )


def forecast_calls_visible_to(user: User | None) -> QuerySet[ForecastAdjustment]:
    """The forecast calls ``user`` may read (the caller has checked the scope itself).

    Calls and their notes are the sales team's internal judgement: partner users read none,
    even on their own partner's scope (finding 7 of the security test). ``None``: internal
    use, every call.
    """
    qs = ForecastAdjustment.objects.all()
    if user is None:
        return qs
    if not user.is_authenticated or not user.is_active or user.is_partner_user:
        return qs.none()
    return qs


def objective_scope_targets_for(*, user: User, scope_kind: str) -> QuerySet[Any] | None:
    """The teams, reps, partners or product lines whose objective ``user`` may set (``None``:
    every one). A scope id outside this set answers "Unknown ..." exactly like a missing id,
    so that the answer never tells whether a guessed id exists (finding 9 of the security
    test). The user's own rep id is let through: its refusal names the rule, not the id."""
    if user.role == User.Role.DIRECTOR and user.is_active:
        return None
    model: Any = {
        ScopeKind.TEAM: SalesTeam,
        ScopeKind.REP: User,
        ScopeKind.PARTNER: Partner,
        ScopeKind.PRODUCT_LINE: ProductLine,
    }.get(scope_kind)  # type: ignore[call-overload]
    if model is None:
        return None
    if not objective_may_set_any(user):
        if scope_kind == ScopeKind.REP:
            return User.objects.filter(pk=user.pk)
        return model._default_manager.none()  # type: ignore[no-any-return]
    if scope_kind == ScopeKind.REP:
        return User.objects.filter(Q(pk__in=users_in_line_of(user).values("id")) | Q(pk=user.pk))
    if scope_kind == ScopeKind.PARTNER:
        return partners_visible_to(user)
    return model._default_manager.none()  # type: ignore[no-any-return]
