"""Who may see and change action plans, actions, their tasks and deal links: the one
chokepoint of every page, API endpoint, calendar view and iCalendar feed.

Seeing:
- director, marketing: every plan;
- manager: the plans owned by their line, of a team they manage, of a rep of their line, of a
  partner channel-managed by their line, and those holding an action owned by their line;
- rep: the plans they own, of their own rep scope, of a partner they channel-manage, and
  those holding an action or a task of theirs;
- partner users: the plans whose scope is their partner (a partner admin: also its child
  partners), once a version was shared with them (the joint business plan).

Changing (never derived from seeing):
- a plan: the director every one; a manager those of their line (as above, without the
  plans they only reach through an action); a rep their own; marketing their own;
- an action: whoever may change its plan, its owner, and marketing for the marketing kinds
  (events, webinars, promotions, email campaigns);
- a task: whoever may change its action, and its assignee (done / not done);
- a joint business plan: the partner's users read and comment; its partner admin accepts
  the latest shared version.

Hidden and missing objects both answer 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_manager,
    user_is_marketing,
    user_is_partner,
    user_is_partner_admin,
    user_is_rep,
    user_is_staff_member,
    user_sees_all_staff_work,
)
from dirco.partners.permissions import partner_ids_of_partner_user, partners_visible_to
from dirco.plans.models import Action, ActionPlan, ActionTask, PlanVersion
from dirco.scopes import Scope, scope_may_see
from dirco.teams.models import SalesTeam
from dirco.teams.permissions import manager_line_ids, users_assignable_by
from dirco.teams.selectors import teams_managed_by

PLAN_SCOPE_KINDS = ("company", "team", "rep", "partner")


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _editable_q(user: User) -> Q | None:
    """The plans ``user`` may change, as a condition; None: every plan."""
    if user_is_director(user):
        return None
    if user_is_manager(user):
        line = manager_line_ids(user)
        return (
            Q(owner_id__in=line)
            | Q(team_id__in=teams_managed_by(user).values("id"))
            | Q(rep_id__in=line)
            | Q(partner__channel_manager_id__in=line)
        )
    if user_is_rep(user):
        return Q(owner_id=user.pk) | Q(rep_id=user.pk)
    if user_is_marketing(user):
        return Q(owner_id=user.pk)
    return Q(pk__in=[])


def plans_visible_to(user: User) -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.all()
    if not _active(user):
        return qs.none()
    if user_is_partner(user):
        shared = PlanVersion.objects.filter(plan_id=OuterRef("pk"))
        return qs.filter(
            Exists(shared),
            scope_kind=ActionPlan.ScopeKind.PARTNER,
            partner_id__in=partner_ids_of_partner_user(user),
        )
    if user_sees_all_staff_work(user):
        return qs
    if user_is_manager(user):
        line = manager_line_ids(user)
        editable = _editable_q(user)
        assert editable is not None
        return qs.filter(
            editable | Q(pk__in=Action.objects.filter(owner_id__in=line).values("plan_id"))
        )
    if user_is_rep(user):
        return qs.filter(
            Q(owner_id=user.pk)
            | Q(rep_id=user.pk)
            | Q(partner__channel_manager_id=user.pk)
            | Q(pk__in=Action.objects.filter(owner_id=user.pk).values("plan_id"))
            | Q(pk__in=ActionTask.objects.filter(assignee_id=user.pk).values("action__plan_id"))
        )
    return qs.none()


def plans_api_visible_to(user: User) -> QuerySet[ActionPlan]:
    """The plans the API serves ``user``: staff the plans they see; partner users none (they
    read their joint plan as the versions shared with them, in the portal, never the live
    plan with the next version's drafts)."""
    if user_is_partner(user):
        return ActionPlan.objects.none()
    return plans_visible_to(user)


def get_plan_for_user(*, user: User, plan_id: int | str) -> ActionPlan:
    """The plan, or 404 both when it does not exist and when the user may not see it."""
    try:
        return (
            plans_visible_to(user)
            .select_related("owner", "team", "rep", "partner", "created_by")
            .get(pk=plan_id)
        )
    except (ActionPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such plan.") from None


def plans_editable_by(user: User) -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.all()
    if not _active(user) or user_is_partner(user):
        return qs.none()
    condition = _editable_q(user)
    return qs if condition is None else qs.filter(condition)


def plan_can_edit(*, user: User, plan: ActionPlan) -> bool:
    """Change the plan (name, period, objectives, diagnosis, status) and its actions."""
    return plans_editable_by(user).filter(pk=plan.pk).exists()


def plan_can_create(*, user: User) -> bool:
    """Staff who plan: the director, managers, reps and marketing."""
    return user_is_staff_member(user)


def plan_scope_allowed(*, user: User, scope: Scope) -> bool:
    """Whether ``user`` may make a plan for ``scope``: the director any scope; a manager their
    teams, their line's reps and their line's partners; a rep themselves and the partners they
    channel-manage; marketing the company."""
    if not plan_can_create(user=user) or scope.kind not in PLAN_SCOPE_KINDS:
        return False
    if user_is_marketing(user):
        return scope.kind == "company"
    if user_is_director(user):
        return scope_may_see(user=user, scope=scope)
    if scope.kind == "company":
        return False
    return scope_may_see(user=user, scope=scope)


def plan_owner_choices(user: User) -> QuerySet[User]:
    """Who ``user`` may make the owner of a plan or an action: whom they may assign deals to
    (the director anyone, a manager their line, a rep themselves), and always themselves."""
    if not _active(user) or user_is_partner(user):
        return User.objects.none()
    return User.objects.filter(Q(pk__in=users_assignable_by(user).values("id")) | Q(pk=user.pk))


def plan_scope_choices(user: User) -> list[Scope]:
    """The scopes ``user`` may plan for, broadest first (for the form's select)."""
    if not plan_can_create(user=user):
        return []
    if user_is_marketing(user):
        return [Scope("company")]
    scopes: list[Scope] = []
    if user_is_director(user):
        scopes.append(Scope("company"))
        teams = SalesTeam.objects.values_list("id", flat=True)
        reps = User.objects.filter(
            role__in=[User.Role.REP, User.Role.MANAGER], is_active=True
        ).values_list("id", flat=True)
    elif user_is_manager(user):
        teams = teams_managed_by(user).values_list("id", flat=True)
        reps = User.objects.filter(
            id__in=manager_line_ids(user), role__in=[User.Role.REP, User.Role.MANAGER]
        ).values_list("id", flat=True)
    else:
        teams = SalesTeam.objects.none().values_list("id", flat=True)
        reps = User.objects.filter(pk=user.pk).values_list("id", flat=True)
    scopes += [Scope("team", t) for t in teams]
    scopes += [Scope("rep", r) for r in reps]
    scopes += [Scope("partner", p) for p in partners_visible_to(user).values_list("id", flat=True)]
    return scopes


# -- actions ---------------------------------------------------------------------------


def actions_visible_to(user: User) -> QuerySet[Action]:
    if not _active(user):
        return Action.objects.none()
    if user_sees_all_staff_work(user):
        return Action.objects.all()
    return Action.objects.filter(plan__in=plans_visible_to(user).values("id"))


def get_action_for_user(*, user: User, action_id: int | str) -> Action:
    try:
        return (
            actions_visible_to(user)
            .select_related("plan", "owner", "plan__partner")
            .get(pk=action_id)
        )
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404("No such action.") from None


def action_can_create(*, user: User, plan: ActionPlan, kind: str | None = None) -> bool:
    """Add an action to ``plan``: whoever may change the plan; marketing adds marketing
    actions (``kind`` in Action.MARKETING_KINDS, or any of them when ``kind`` is None) to any
    plan it sees."""
    if plan_can_edit(user=user, plan=plan):
        return True
    return bool(user_is_marketing(user) and (kind is None or kind in Action.MARKETING_KINDS))


def action_can_edit(*, user: User, action: Action) -> bool:
    """Change an action (dates, segment, costs, expected revenue, status, tasks, deals)."""
    if not user_is_staff_member(user):
        return False
    if action.owner_id == user.pk:
        return True
    if user_is_marketing(user) and action.kind in Action.MARKETING_KINDS:
        return True
    return plan_can_edit(user=user, plan=action.plan)


# -- tasks -----------------------------------------------------------------------------


def tasks_visible_to(user: User) -> QuerySet[ActionTask]:
    return ActionTask.objects.filter(action__in=actions_visible_to(user).values("id"))


def get_task_for_user(*, user: User, task_id: int | str) -> ActionTask:
    try:
        return (
            tasks_visible_to(user)
            .select_related("action", "action__plan", "assignee")
            .get(pk=task_id)
        )
    except (ActionTask.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task.") from None


def task_can_complete(*, user: User, task: ActionTask) -> bool:
    """Tick a task done or not: its assignee, or whoever may change its action."""
    if not user_is_staff_member(user):
        return False
    return task.assignee_id == user.pk or action_can_edit(user=user, action=task.action)


# -- joint business plans --------------------------------------------------------------


def plan_can_share(*, user: User, plan: ActionPlan) -> bool:
    """Share a new version of a partner's plan with that partner."""
    return plan.scope_kind == ActionPlan.ScopeKind.PARTNER and plan_can_edit(user=user, plan=plan)


def plan_can_comment(*, user: User, plan: ActionPlan) -> bool:
    """Anyone who sees the plan comments on it (the partner's users on their shared plan)."""
    return plans_visible_to(user).filter(pk=plan.pk).exists()


def plan_version_can_accept(*, user: User, version: PlanVersion) -> bool:
    """The partner admin of the plan's partner accepts the latest shared version, once."""
    plan = version.plan
    if not user_is_partner_admin(user) or version.accepted_at is not None:
        return False
    if plan.partner_id is None or plan.partner_id not in partner_ids_of_partner_user(user):
        return False
    latest = PlanVersion.objects.filter(plan_id=plan.pk).order_by("-number").first()
    return latest is not None and latest.pk == version.pk
