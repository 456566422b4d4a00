"""The routing algorithm: who a lead may go to, how each candidate scores, and the draw.

Partners (Odoo-style grades): every eligible partner gets a score; the K best are kept and
one is drawn with probability proportional to its score. Eligible means active, accepting
leads, covering the lead's territory (same territory, an ancestor or a descendant), under
capacity, and not having declined or let the answer time lapse on this lead.

    score = tier.lead_weight x territory fit x conversion rate x load factor

- territory fit: 1 for the lead's own territory, 0.75 for a broader one, 0.5 for a narrower;
- conversion rate: accepted -> converted over the last 12 months, smoothed towards a prior so
  that a new partner starts at the prior instead of 0 or 1;
- load factor: 1 when no lead is open, down to 0.5 at capacity, to spread the load.

Reps: round-robin in the team's order (by id), after the rep who got the previous lead,
skipping reps at their cap of open leads and reps who already refused this lead.

This module only reads; ``leads.services`` writes the outcome.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import reps_among
from dirco.core.errors import ApplicationError
from dirco.leads.models import (
    Lead,
    LeadAssignment,
    PartnerRoutingProfile,
    RoutingRule,
    TerritoryArea,
)
from dirco.partners.models import Partner, Territory
from dirco.teams.models import SalesTeam

DEFAULT_PARTNER_CAPACITY = 10
DEFAULT_REP_CAP = 20
DEFAULT_TOP_K = 3
CONVERSION_PRIOR_RATE = 0.25
CONVERSION_PRIOR_STRENGTH = 4.0
CONVERSION_WINDOW = dt.timedelta(days=365)
FIT_SAME, FIT_BROADER, FIT_NARROWER = 1.0, 0.75, 0.5
REFUSED_OUTCOMES = (LeadAssignment.Outcome.DECLINED, LeadAssignment.Outcome.EXPIRED)


def lead_sla() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "DIRCO_LEAD_SLA_HOURS", 48)))


def default_policy() -> str:
    policy = str(
        getattr(settings, "DIRCO_LEAD_ROUTING_POLICY", RoutingRule.Policy.PARTNERS_THEN_REPS)
    )
    return policy if policy in RoutingRule.Policy.values else RoutingRule.Policy.PARTNERS_THEN_REPS


@dataclass(frozen=True)
class RoutingConfig:
    policy: str
    team: SalesTeam | None
    rep_cap: int
    top_k: int
    rule: RoutingRule | None

    @property
    def to_partners(self) -> bool:
        return self.policy != RoutingRule.Policy.REPS_ONLY

    @property
    def to_reps(self) -> bool:
        return self.policy != RoutingRule.Policy.PARTNERS_ONLY


@dataclass(frozen=True)
class PartnerCandidate:
    partner: Partner
    score: float
    tier_weight: int
    territory_fit: float
    conversion_rate: float
    open_leads: int
    capacity: int


def territory_resolve(*, country: object, postcode: str = "") -> Territory | None:
    """The territory of an address: the longest matching postcode prefix of the country's
    areas, else a territory whose code is the country code."""
    country = str(country or "").strip().upper()
    postcode = postcode.replace(" ", "").upper()
    if not country:
        return None
    best: TerritoryArea | None = None
    for area in TerritoryArea.objects.filter(country=country).select_related("territory"):
        prefix = area.postcode_prefix.replace(" ", "").upper()
        if postcode.startswith(prefix) and (
            best is None or len(prefix) > len(best.postcode_prefix)
        ):
            best = area
    if best is not None:
        return best.territory
    return Territory.objects.filter(code__iexact=country).first()


def territory_country_check(*, territory: Territory, country: object) -> None:
    """Refuse a territory that does not cover the country (a French lead in "North America").

    A territory covers a country when an area of that country maps to it, to one of its
    sub-territories or to one of its parents. Countries no area mentions cannot be judged and
    pass; so does every country for a territory without areas below or above it.
    """
    country = str(country or "").strip().upper()
    related = {*territory_ancestor_ids(territory), *territory_descendant_ids(territory)}
    areas = TerritoryArea.objects.filter(territory_id__in=related)
    if not areas.exists() or not TerritoryArea.objects.filter(country=country).exists():
        return
    if areas.filter(country=country).exists():
        return
    covered = sorted(set(areas.values_list("country", flat=True)))
    message = _(
        "The region %(territory)s does not cover the country %(country)s (it covers "
        "%(countries)s). Choose the right region, or leave it empty: we find it from the "
        "country and postcode."
    ) % {"territory": territory.name, "country": country, "countries": ", ".join(covered)}
    raise ApplicationError(message, fields={"territory": [message]})


def territory_ancestor_ids(territory: Territory) -> list[int]:
    """The territory and its ancestors, nearest first."""
    ids: list[int] = []
    node: Territory | None = territory
    while node is not None and node.pk not in ids:
        ids.append(node.pk)
        node = node.parent
    return ids


def territory_descendant_ids(territory: Territory) -> set[int]:
    """The territory's descendants (not itself)."""
    found: set[int] = set()
    frontier = {territory.pk}
    while frontier:
        children = set(
            Territory.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - found - {territory.pk}
        found |= frontier
    return found


def routing_config_for(*, territory: Territory | None) -> RoutingConfig:
    """The active rule of the territory or its nearest ancestor with one; else the defaults."""
    rule: RoutingRule | None = None
    if territory is not None:
        ancestors = territory_ancestor_ids(territory)
        rules = {
            r.territory_id: r
            for r in RoutingRule.objects.filter(
                territory_id__in=ancestors, is_active=True
            ).select_related("team")
        }
        rule = next((rules[i] for i in ancestors if i in rules), None)
    if rule is None:
        return RoutingConfig(
            policy=default_policy(),
            team=None,
            rep_cap=DEFAULT_REP_CAP,
            top_k=DEFAULT_TOP_K,
            rule=None,
        )
    return RoutingConfig(
        policy=rule.policy, team=rule.team, rep_cap=rule.rep_cap, top_k=rule.top_k, rule=rule
    )


def refused_partner_ids(lead: Lead) -> set[int]:
    return set(
        LeadAssignment.objects.filter(
            lead=lead, partner__isnull=False, outcome__in=REFUSED_OUTCOMES
        ).values_list("partner_id", flat=True)
    )


def refused_rep_ids(lead: Lead) -> set[int]:
    return set(
        LeadAssignment.objects.filter(
            lead=lead, rep__isnull=False, outcome__in=REFUSED_OUTCOMES
        ).values_list("rep_id", flat=True)
    )


def partner_conversion_rates(*, partner_ids: list[int], now: dt.datetime) -> dict[int, float]:
    """Smoothed accepted -> converted rate of each partner over the last 12 months."""
    rows = (
        LeadAssignment.objects.filter(
            partner_id__in=partner_ids,
            outcome=LeadAssignment.Outcome.ACCEPTED,
            responded_at__gte=now - CONVERSION_WINDOW,
        )
        .values("partner_id")
        .annotate(
            accepted=Count("id"),
            converted=Count("id", filter=Q(lead__status=Lead.Status.CONVERTED)),
        )
    )
    stats = {row["partner_id"]: (row["accepted"], row["converted"]) for row in rows}
    rates: dict[int, float] = {}
    for pid in partner_ids:
        accepted, converted = stats.get(pid, (0, 0))
        rates[pid] = (converted + CONVERSION_PRIOR_STRENGTH * CONVERSION_PRIOR_RATE) / (
            accepted + CONVERSION_PRIOR_STRENGTH
        )
    return rates


def partner_candidates(*, lead: Lead, now: dt.datetime) -> list[PartnerCandidate]:
    """Every eligible partner with its score, best first (ties by partner id)."""
    if lead.territory_id is None or lead.territory is None:
        return []
    ancestors = territory_ancestor_ids(lead.territory)
    descendants = territory_descendant_ids(lead.territory)
    partners = list(
        Partner.objects.filter(
            status=Partner.Status.ACTIVE,
            territory_id__in=[*ancestors, *descendants],
        )
        .exclude(pk__in=refused_partner_ids(lead))
        .exclude(lead_routing__accepts_leads=False)
        .select_related("tier", "territory")
        .order_by("id")
    )
    if not partners:
        return []
    ids = [p.pk for p in partners]
    capacities = dict(
        PartnerRoutingProfile.objects.filter(partner_id__in=ids).values_list(
            "partner_id", "capacity"
        )
    )
    open_counts = dict(
        Lead.objects.filter(partner_id__in=ids, status__in=Lead.OPEN_STATUSES)
        .exclude(pk=lead.pk)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )
    rates = partner_conversion_rates(partner_ids=ids, now=now)
    candidates: list[PartnerCandidate] = []
    for partner in partners:
        capacity = capacities.get(partner.pk, DEFAULT_PARTNER_CAPACITY)
        open_leads = open_counts.get(partner.pk, 0)
        weight = partner.tier.lead_weight
        if open_leads >= capacity or weight <= 0:
            continue
        if partner.territory_id == lead.territory_id:
            fit = FIT_SAME
        elif partner.territory_id in ancestors:
            fit = FIT_BROADER
        else:
            fit = FIT_NARROWER
        load = 1.0 - 0.5 * open_leads / capacity
        rate = rates[partner.pk]
        candidates.append(
            PartnerCandidate(
                partner=partner,
                score=weight * fit * rate * load,
                tier_weight=weight,
                territory_fit=fit,
                conversion_rate=rate,
                open_leads=open_leads,
                capacity=capacity,
            )
        )
    candidates.sort(key=lambda c: (-c.score, c.partner.pk))
    return candidates


def candidate_draw(
    candidates: list[PartnerCandidate], *, top_k: int, rng: random.Random
) -> PartnerCandidate | None:
    """Keep the ``top_k`` best (the list is sorted best first); draw one by score."""
    best = [c for c in candidates[: max(1, top_k)] if c.score > 0]
    if not best:
        return None
    total = sum(c.score for c in best)
    point = rng.random() * total
    for candidate in best:
        point -= candidate.score
        if point < 0:
            return candidate
    return best[-1]


def team_for_territory(territory: Territory | None) -> SalesTeam | None:
    """The team of the territory or of its nearest ancestor with a team."""
    if territory is None:
        return None
    ancestors = territory_ancestor_ids(territory)
    teams: dict[int, SalesTeam] = {}
    for team in SalesTeam.objects.filter(territory_id__in=ancestors).order_by("-id"):
        assert team.territory_id is not None
        teams[team.territory_id] = team
    return next((teams[i] for i in ancestors if i in teams), None)


def rep_next(*, lead: Lead, config: RoutingConfig) -> User | None:
    """The next rep of the team in turn, skipping capped reps and those who refused the lead."""
    team = config.team or team_for_territory(lead.territory)
    if team is None:
        return None
    reps = list(reps_among(team.members.all()).order_by("id"))
    if not reps:
        return None
    ids = [r.pk for r in reps]
    open_counts = dict(
        Lead.objects.filter(rep_id__in=ids, status__in=Lead.OPEN_STATUSES)
        .exclude(pk=lead.pk)
        .values("rep_id")
        .annotate(n=Count("id"))
        .values_list("rep_id", "n")
    )
    refused = refused_rep_ids(lead)
    last = (
        LeadAssignment.objects.filter(rep_id__in=ids, rule=LeadAssignment.Rule.REP_ROUND_ROBIN)
        .order_by("-offered_at", "-id")
        .values_list("rep_id", flat=True)
        .first()
    )
    start = ids.index(last) + 1 if last in ids else 0
    for step in range(len(reps)):
        rep = reps[(start + step) % len(reps)]
        if rep.pk in refused or open_counts.get(rep.pk, 0) >= config.rep_cap:
            continue
        return rep
    return None
