"""The calendar: plan actions, pipeline activities and checklist tasks by day, for the pages
(month and week views) and for iCalendar (a user's secret feed, a plan's export).

Every entry comes through the visibility functions of its app (``plans.permissions``,
``pipeline.permissions``): a feed never lists what its user may not see on the pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Todo

from dirco.accounts.models import User
from dirco.pipeline.permissions import activities_visible_to
from dirco.plans.models import Action, ActionPlan, ActionTask, CalendarFeedToken
from dirco.plans.permissions import actions_visible_to, tasks_visible_to
from dirco.plans.services import calendar_feed_key_hash
from dirco.teams.models import SalesTeam

FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
TYPES = ("actions", "activities", "tasks")


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    partner_id: int | None = None
    kind: str = ""  # "actions", "activities", "tasks" or an action type


@dataclass(frozen=True)
class Entry:
    uid: str
    what: str  # "action", "activity" or "task"
    type_label: str
    title: str
    first: dt.date
    last: dt.date
    url: str
    at: dt.datetime | None = None  # activities: the time they are due
    done: bool = False
    status: str = ""


def _team_members(team_id: int) -> list[int]:
    team = SalesTeam.objects.filter(pk=team_id).first()
    if team is None:
        return []
    members = list(team.members.values_list("id", flat=True))
    if team.manager_id:
        members.append(team.manager_id)
    return members


def _wanted(filters: Filters, what: str, action_kind: str = "") -> bool:
    if not filters.kind:
        return True
    if filters.kind in TYPES:
        return (
            filters.kind == {"action": "actions", "activity": "activities", "task": "tasks"}[what]
        )
    return what == "action" and action_kind == filters.kind


def _action_entries(actions: QuerySet[Action]) -> list[Entry]:
    kinds = dict(Action.Kind.choices)
    return [
        Entry(
            uid=f"action-{a.pk}@dirco",
            what="action",
            type_label=str(kinds.get(a.kind, a.kind)),
            title=a.title,
            first=a.starts_on,
            last=a.ends_on,
            url=reverse("plans:action_detail", args=[a.pk]),
            status=a.get_status_display(),
            done=a.status == Action.Status.DONE,
        )
        for a in actions.order_by("starts_on", "id")
    ]


def _task_entries(tasks: QuerySet[ActionTask]) -> list[Entry]:
    label = str(ActionTask._meta.verbose_name).capitalize()
    return [
        Entry(
            uid=f"task-{t.pk}@dirco",
            what="task",
            type_label=label,
            title=t.title,
            first=t.due_on,
            last=t.due_on,
            url=reverse("plans:action_detail", args=[t.action_id]),
            done=t.done_at is not None,
        )
        for t in tasks.order_by("due_on", "id")
    ]


def calendar_entries(
    *, user: User, first: dt.date, last: dt.date, filters: Filters | None = None
) -> list[Entry]:
    """What happens from ``first`` to ``last`` (both included), by date: the plan actions
    ``user`` sees, and the activities and plan tasks of ``user`` (of the team asked in the
    filters instead, among those ``user`` sees)."""
    filters = filters or Filters()
    members = _team_members(filters.team_id) if filters.team_id else None
    out: list[Entry] = []
    if _wanted(filters, "action") or (filters.kind and filters.kind not in TYPES):
        actions = (
            actions_visible_to(user)
            .filter(starts_on__lte=last, ends_on__gte=first)
            .exclude(status=Action.Status.CANCELLED)
            .select_related("plan")
        )
        if filters.kind and filters.kind not in TYPES:
            actions = actions.filter(kind=filters.kind)
        if members is not None:
            actions = actions.filter(Q(owner_id__in=members) | Q(plan__team_id=filters.team_id))
        if filters.partner_id:
            actions = actions.filter(
                Q(plan__partner_id=filters.partner_id) | Q(partners__id=filters.partner_id)
            ).distinct()
        out += _action_entries(actions)
    if _wanted(filters, "activity"):
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        activities = activities_visible_to(user).filter(due_at__gte=start, due_at__lt=end)
        # Without a team asked: one's own activities (everyone's would bury the month).
        activities = activities.filter(owner_id__in=members if members is not None else [user.pk])
        if filters.partner_id:
            activities = activities.filter(
                Q(deal__partner_id=filters.partner_id) | Q(partner_id=filters.partner_id)
            )
        for act in activities.select_related("deal").order_by("due_at", "id"):
            assert act.due_at is not None
            local = timezone.localtime(act.due_at, tz)
            url = reverse("deal_detail", args=[act.deal_id]) if act.deal_id else ""
            out.append(
                Entry(
                    uid=f"activity-{act.pk}@dirco",
                    what="activity",
                    type_label=act.get_kind_display(),
                    title=act.subject,
                    first=local.date(),
                    last=local.date(),
                    url=url or reverse("activity_list"),
                    at=act.due_at,
                    done=act.done_at is not None,
                )
            )
    if _wanted(filters, "task"):
        tasks = tasks_visible_to(user).filter(due_on__gte=first, due_on__lte=last)
        tasks = tasks.filter(assignee_id__in=members if members is not None else [user.pk])
        if filters.partner_id:
            tasks = tasks.filter(
                Q(action__plan__partner_id=filters.partner_id)
                | Q(action__partners__id=filters.partner_id)
            ).distinct()
        out += _task_entries(tasks)
    out.sort(key=lambda e: (e.first, e.at or dt.datetime.min.replace(tzinfo=dt.UTC), e.uid))
    return out


def entries_by_day(
    entries: list[Entry], first: dt.date, last: dt.date
) -> dict[dt.date, list[Entry]]:
    """Each day from ``first`` to ``last`` with the entries happening on it (an action on
    every day it runs)."""
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for e in entries:
        day = max(e.first, first)
        while day <= min(e.last, last):
            days[day].append(e)
            day += dt.timedelta(days=1)
    return days


def month_weeks(month: dt.date, first_weekday: int) -> list[list[dt.date]]:
    """The weeks (lists of 7 days) covering ``month``, starting on ``first_weekday``
    (0 Sunday, 1 Monday: Django's FIRST_DAY_OF_WEEK)."""
    start = month.replace(day=1)
    python_first = (first_weekday - 1) % 7  # Python: Monday is 0
    start -= dt.timedelta(days=(start.weekday() - python_first) % 7)
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    weeks: list[list[dt.date]] = []
    day = start
    while day < next_month:
        weeks.append([day + dt.timedelta(days=i) for i in range(7)])
        day += dt.timedelta(days=7)
    return weeks


def week_days(day: dt.date, first_weekday: int) -> list[dt.date]:
    python_first = (first_weekday - 1) % 7
    start = day - dt.timedelta(days=(day.weekday() - python_first) % 7)
    return [start + dt.timedelta(days=i) for i in range(7)]


# -- iCalendar ---------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    base = getattr(settings, "DIRCO_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if base else url


def ics_calendar(entries: list[Entry], *, name: str) -> bytes:
    """``entries`` as an iCalendar document: actions as all-day events, activities as
    half-hour events, tasks as to-dos."""
    cal = Calendar()
    cal.add("prodid", "-//dirco//calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for e in entries:
        component: Any
        if e.what == "task":
            component = Todo()
            component.add("due", e.first)
            component.add("status", "COMPLETED" if e.done else "NEEDS-ACTION")
        else:
            component = Event()
            if e.at is not None:
                component.add("dtstart", e.at)
                component.add("dtend", e.at + dt.timedelta(minutes=30))
            else:
                component.add("dtstart", e.first)
                component.add("dtend", e.last + dt.timedelta(days=1))
        component.add("uid", e.uid)
        component.add("dtstamp", stamp)
        component.add("summary", e.title)
        component.add("categories", [e.type_label])
        component.add("description", f"{e.type_label}{' · ' + e.status if e.status else ''}")
        component.add("url", _absolute(e.url))
        cal.add_component(component)
    return bytes(cal.to_ical())


def feed_user(key: str) -> User | None:
    """The active user of a live feed key (None for an unknown or revoked key); the key's
    last use is recorded."""
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=calendar_feed_key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def feed_ics(user: User, *, today: dt.date | None = None) -> bytes:
    today = today or timezone.localdate()
    entries = calendar_entries(
        user=user,
        first=today - dt.timedelta(days=FEED_PAST_DAYS),
        last=today + dt.timedelta(days=FEED_FUTURE_DAYS),
    )
    return ics_calendar(entries, name=f"dirco · {user}")


def plan_ics(*, plan: ActionPlan, user: User) -> bytes:
    """The plan's actions and all their tasks, as far as ``user`` sees them, as iCalendar."""
    actions = actions_visible_to(user).filter(plan=plan).exclude(status=Action.Status.CANCELLED)
    tasks = tasks_visible_to(user).filter(action__plan=plan)
    return ics_calendar([*_action_entries(actions), *_task_entries(tasks)], name=plan.name)
