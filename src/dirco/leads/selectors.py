"""Reads on leads, always scoped by leads.permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner
from dirco.leads.models import Lead, LeadAssignment, LeadEvent
from dirco.leads.permissions import (
    lead_assignments_visible_to,
    lead_events_visible_to,
    leads_visible_to,
)


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    status: str = ""
    source: str = ""
    territory_id: int | None = None
    partner_id: int | None = None
    rep_id: int | None = None


def lead_list(*, user: User, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    filters = filters or LeadFilters()
    qs = leads_visible_to(user).select_related("territory", "partner", "rep", "product_line")
    if filters.q:
        qs = qs.filter(
            Q(company_name__icontains=filters.q)
            | Q(contact_name__icontains=filters.q)
            | Q(email__icontains=filters.q)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.territory_id:
        qs = qs.filter(territory_id=filters.territory_id)
    if filters.partner_id:
        qs = qs.filter(partner_id=filters.partner_id)
    if filters.rep_id:
        qs = qs.filter(rep_id=filters.rep_id)
    return qs


def lead_history(*, user: User, lead: Lead) -> QuerySet[LeadEvent]:
    """The lead's timeline as ``user`` may read it (a partner: its own events only)."""
    return (
        lead_events_visible_to(user=user, lead=lead)
        .select_related("partner", "rep", "actor", "assignment")
        .order_by("created_at", "id")
    )


def lead_offers(*, user: User, lead: Lead) -> QuerySet[LeadAssignment]:
    """The lead's offers (who, when, rule, score, outcome) as ``user`` may read them."""
    return (
        lead_assignments_visible_to(user=user, lead=lead)
        .select_related("partner", "rep", "responded_by", "routing_rule")
        .order_by("offered_at", "id")
    )


def leads_offered_to(user: User) -> QuerySet[Lead]:
    """Leads awaiting this user's answer: offered to their partner, or to them as a rep."""
    qs = leads_visible_to(user).filter(status=Lead.Status.OFFERED)
    if user_is_partner(user):
        if user.partner_id is None:
            return qs.none()
        return qs.filter(partner_id=user.partner_id).order_by("sla_due_at", "id")
    return qs.filter(rep=user).order_by("sla_due_at", "id")


def leads_taken_by(user: User) -> QuerySet[Lead]:
    """Leads this user's partner (or this rep) accepted, converted or lost."""
    qs = leads_visible_to(user).filter(
        status__in=(Lead.Status.ACCEPTED, Lead.Status.CONVERTED, Lead.Status.LOST)
    )
    if user_is_partner(user):
        if user.partner_id is None:
            return qs.none()
        return qs.filter(partner_id=user.partner_id)
    return qs.filter(rep=user)
