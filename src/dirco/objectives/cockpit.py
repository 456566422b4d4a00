"""Reads the cockpit pages need on top of objectives.selectors: pickers, sorting, top gaps.

Everything here is bounded by the number of teams, reps, partners and product lines the
user may see, never by the number of deals: the figures themselves come from the selectors
(which read the monthly rollups).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    quota_carriers,
    reps_among,
    user_is_director,
    user_is_manager,
    user_is_rep,
    user_sees_all_staff_work,
)
from dirco.catalog.models import ProductLine
from dirco.objectives.fiscal_calendar import fiscal_quarter_of, fiscal_year_of, period_for_year
from dirco.objectives.models import Objective, ScopeKind
from dirco.objectives.permissions import (
    forecast_call_can_adjust,
    forecast_call_can_submit,
    manager_objective_reach,
    objective_may_set_any,
    objectives_visible_to,
    users_in_line_of,
)
from dirco.objectives.selectors import (
    Cache,
    attainment_for,
    cockpit_director,
    cycles_prefetch,
    leaderboard,
    objective_curve,
)
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to
from dirco.scopes import Scope, scope_labels
from dirco.teams.models import SalesTeam

ZERO = Decimal(0)

# (row key, column title, kind): kind is "text", "int", "money" or "pct".
LEADERBOARD_COLUMNS: list[tuple[str, Promise, str]] = [
    ("rank", _("Rank"), "int"),
    ("label", _("Name"), "text"),
    ("won", _("Won to date"), "money"),
    ("objective", _("Yearly objective"), "money"),
    ("attainment_pct", _("Attainment %"), "pct"),
    ("objective_to_date", _("Objective to date"), "money"),
    ("attainment_to_date_pct", _("Attainment to date %"), "pct"),
    ("gap_to_date", _("Behind to date"), "money"),
    ("growth_pct", _("Growth %"), "pct"),
    ("win_rate_pct", _("Win rate %"), "pct"),
    ("avg_deal_size", _("Average deal"), "money"),
    ("cycle_days", _("Cycle (days)"), "int"),
    ("open_weighted", _("Weighted pipeline"), "money"),
    ("deals_created", _("Deals created"), "int"),
    ("activities_done", _("Activities done"), "int"),
    ("activities_created", _("Activities created"), "int"),
]
# The glossary entry (dirco.metrics.glossary) behind each column with a definition.
LEADERBOARD_KPIS = {
    "won": "won_to_date",
    "objective": "objective_full",
    "attainment_pct": "attainment_full",
    "objective_to_date": "objective_to_date",
    "attainment_to_date_pct": "attainment_to_date",
    "gap_to_date": "gap_to_date",
    "growth_pct": "yoy_growth",
    "win_rate_pct": "win_rate",
    "avg_deal_size": "avg_deal_size",
    "cycle_days": "cycle_length",
    "open_weighted": "weighted_pipeline",
}
LEADERBOARD_SORTABLE = frozenset(key for key, _title, _kind in LEADERBOARD_COLUMNS)
LEADERBOARD_KIND_LABELS: dict[str, Promise] = {
    "rep": _("Reps"),
    "team": _("Teams"),
    "partner": _("Partners"),
    "product_line": _("Product lines"),
}


def leaderboard_sort(rows: list[dict[str, Any]], *, sort: str) -> tuple[list[dict[str, Any]], str]:
    """Rows sorted by ``sort`` (a column key, ``-`` first for descending); empty values last.

    Returns the rows and the sort actually applied ("" for the selector's own ranking).
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in LEADERBOARD_SORTABLE:
        return rows, ""
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]

    def value(row: dict[str, Any]) -> Any:
        v = row[key]
        return v.casefold() if isinstance(v, str) else v

    present.sort(key=value, reverse=descending)
    return present + missing, sort


def top_gaps(rows: list[dict[str, Any]], *, limit: int = 5) -> list[dict[str, Any]]:
    """The leaderboard rows furthest behind their objective to date (the KPI gap to date,
    largest first)."""
    gaps = []
    for row in rows:
        gap = row.get("gap_to_date")
        if gap is not None and gap > 0:
            gaps.append({**row, "gap": gap})
    gaps.sort(key=lambda r: -r["gap"])
    return gaps[:limit]


def _labels_for(scopes: list[Scope]) -> dict[str, str]:
    """One query per kind of scope, whatever the number of scopes."""
    return scope_labels(scopes, prefixed=True)


def objective_scope_choices_for(user: User) -> list[tuple[str, str]]:
    """The scopes whose objective ``user`` may set (the service checks again on save)."""
    if not objective_may_set_any(user):
        return []
    scopes: list[Scope] = []
    if user_is_director(user):
        scopes.append(Scope("company"))
        scopes += [Scope("team", pk) for pk in SalesTeam.objects.values_list("id", flat=True)]
        scopes += [
            Scope("product_line", pk) for pk in ProductLine.objects.values_list("id", flat=True)
        ]
        reps = quota_carriers().exclude(pk=user.pk)
        partners = Partner.objects.all()
    else:
        reps = users_in_line_of(user)
        partners = partners_visible_to(user)
    scopes += [Scope("rep", pk) for pk in reps.order_by("id").values_list("id", flat=True)]
    scopes += [Scope("partner", pk) for pk in partners.order_by("id").values_list("id", flat=True)]
    labels = _labels_for(scopes)
    return [(s.key, labels.get(s.key, s.key)) for s in scopes]


def allocation_targets(*, parent: Objective, user: User) -> list[tuple[str, str]]:
    """Whom ``parent`` is allocated to on the allocation page: teams under the company; the
    reps (in the user's line) and the partners of a team under a team objective."""
    scopes: list[Scope] = []
    if parent.scope_kind == ScopeKind.COMPANY:
        scopes = [
            Scope("team", pk)
            for pk in SalesTeam.objects.order_by("id").values_list("id", flat=True)
        ]
    elif parent.scope_kind == ScopeKind.TEAM and parent.team_id is not None:
        reps = reps_among(User.objects.filter(sales_teams=parent.team_id)).order_by("id")
        if not user_is_director(user):
            reps = reps.filter(pk__in=users_in_line_of(user).values("id"))
        scopes = [Scope("rep", pk) for pk in reps.values_list("id", flat=True)]
        members = User.objects.filter(sales_teams=parent.team_id).values("id")
        partners = Partner.objects.filter(channel_manager_id__in=members)
        if not user_is_director(user):
            partners = partners.filter(pk__in=partners_visible_to(user).values("id"))
        scopes += [
            Scope("partner", pk) for pk in partners.order_by("id").values_list("id", flat=True)
        ]
    labels = _labels_for(scopes)
    return [(s.key, labels.get(s.key, s.key)) for s in scopes]


def current_quarter_label(today: dt.date) -> str:
    return f"{fiscal_year_of(today)}-Q{fiscal_quarter_of(today)}"


def forecast_call_rights(*, user: User, scope: Scope) -> dict[str, bool]:
    """Which call forms to offer: the owner's own call, and the manager's adjustment (the
    services decide again on submit)."""
    owns = forecast_call_can_submit(user=user, scope=scope)
    adjusts = forecast_call_can_adjust(user=user, scope=scope)
    return {"call": bool(owns), "adjust": bool(adjusts)}


def home_scope_for(user: User) -> Scope | None:
    """The scope at the top of a user's home: the company, the first managed team, or self."""
    if user_sees_all_staff_work(user):
        return Scope("company")
    if user_is_manager(user):
        teams = manager_objective_reach(user)[0]
        return Scope("team", teams[0]) if teams else None
    if user_is_rep(user):
        return Scope("rep", user.pk)
    return None


def home_cockpit(*, user: User, today: dt.date) -> dict[str, Any] | None:
    """The cockpit blocks of a staff user's home, by role (None: nothing to show).

    Director (and marketing): the company curve, the teams side by side and the top gaps
    (teams and reps furthest behind their objective to date). Manager: the first managed
    team's curve and its reps. Rep: their own objectives, attainment and curve.
    """
    year = fiscal_year_of(today)
    scope = home_scope_for(user)
    if scope is None:
        return None
    if scope.kind == "company":
        data = cockpit_director(user=user, fiscal_year=year, today=today)
        return {
            "role": "director",
            "scope": scope,
            "year": year,
            "curve": data["curve"],
            "attainment": data["attainment"],
            "side_by_side": data["teams"],
            "gaps": top_gaps(data["teams"] + data["reps"]),
            "compared": any(r["objective"] is not None for r in data["teams"] + data["reps"]),
        }
    # One read of the scope's objective, rollups, forecast and cycles for the whole home, as
    # the director's cockpit does (the curve and the attainment read the same ones).
    cache: Cache = {}
    cycles_prefetch(cache, [scope.kind, "rep"] if scope.kind == "team" else [scope.kind], today)
    curve = objective_curve(scope=scope, fiscal_year=year, user=user, today=today, cache=cache)
    attainment = attainment_for(
        scope=scope, period=period_for_year(year), user=user, today=today, cache=cache
    )
    out: dict[str, Any] = {
        "role": "manager" if scope.kind == "team" else "rep",
        "scope": scope,
        "year": year,
        "curve": curve,
        "attainment": attainment,
        "side_by_side": [],
    }
    if scope.kind == "team":
        reps = leaderboard(kind="rep", fiscal_year=year, user=user, today=today, cache=cache)
        members = set(User.objects.filter(sales_teams=scope.id).values_list("id", flat=True))
        out["side_by_side"] = [r for r in reps if r["id"] in members]
        out["gaps"] = top_gaps(out["side_by_side"])
        out["compared"] = any(r["objective"] is not None for r in out["side_by_side"])
    else:
        out["objectives"] = list(
            objectives_visible_to(user)
            .filter(fiscal_year=year)
            .filter(Q(rep=user) | Q(partner__channel_manager=user))
            .select_related("partner", "product_line")
            .order_by("scope_kind", "id")
        )
    return out
