"""Who may see and act on leads: the one chokepoint every page, endpoint and task uses.

- director, marketing: every lead;
- manager: leads ever routed to a rep of their teams or to a partner managed by their team;
- rep: leads ever routed to them or to a partner they manage;
- partner users: only leads currently offered to or taken by their own partner (and its child
  partners for a partner admin), and of a lead's history only the events about their partner.

Acting on a lead: routing (``lead_can_route``: matrix "edit"), the recipient's answer
(``lead_can_respond``: the current assignee only, stricter than the matrix's "approve") and
the outcome of an accepted lead, converted or lost (``lead_can_convert``: matrix "approve").

Hidden and missing leads both answer 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.leads.models import Lead, LeadAssignment, LeadEvent
from dirco.partners.permissions import partner_ids_of_partner_user
from dirco.teams.permissions import manager_line_ids

ALL_SEEING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MARKETING})
ROUTING_ROLES = frozenset({User.Role.DIRECTOR, User.Role.MARKETING, User.Role.MANAGER})


def _staff_assignments_filter(user: User) -> Q | None:
    if user.role == User.Role.MANAGER:
        members = manager_line_ids(user)
        return Q(rep_id__in=members) | Q(partner__channel_manager_id__in=members)
    if user.role == User.Role.REP:
        return Q(rep=user) | Q(partner__channel_manager=user)
    return None


def leads_visible_to(user: User) -> QuerySet[Lead]:
    qs = Lead.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_partner_user:
        ids = partner_ids_of_partner_user(user)
        return qs.filter(partner_id__in=ids).exclude(status__in=(Lead.Status.NEW,))
    if user.role in ALL_SEEING_ROLES:
        return qs
    condition = _staff_assignments_filter(user)
    if condition is None:
        return qs.none()
    return qs.filter(pk__in=LeadAssignment.objects.filter(condition).values("lead_id"))


def get_lead_for_user(*, user: User, lead_id: int | str) -> Lead:
    """The lead, or 404 both when it does not exist and when the user may not see it."""
    try:
        return (
            leads_visible_to(user)
            .select_related("territory", "product_line", "partner", "rep", "account", "deal")
            .get(pk=lead_id)
        )
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404("No such lead.") from None


def lead_events_visible_to(*, user: User, lead: Lead) -> QuerySet[LeadEvent]:
    """The lead's timeline as this user may read it: a partner sees only its own events."""
    qs = LeadEvent.objects.filter(lead=lead)
    if not leads_visible_to(user).filter(pk=lead.pk).exists():
        return qs.none()
    if user.is_partner_user:
        return qs.filter(partner_id__in=partner_ids_of_partner_user(user))
    return qs


def lead_assignments_visible_to(*, user: User, lead: Lead) -> QuerySet[LeadAssignment]:
    qs = LeadAssignment.objects.filter(lead=lead)
    if not leads_visible_to(user).filter(pk=lead.pk).exists():
        return qs.none()
    if user.is_partner_user:
        return qs.filter(partner_id__in=partner_ids_of_partner_user(user))
    return qs


def lead_can_create(*, user: User) -> bool:
    """Marketing and the director bring leads in (imports, campaigns, events)."""
    return user.is_authenticated and user.is_active and user.role in ALL_SEEING_ROLES


def lead_can_route(*, user: User, lead: Lead) -> bool:
    """The director, marketing and managers (on leads they see) route or re-route by hand."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role in ROUTING_ROLES
        and leads_visible_to(user).filter(pk=lead.pk).exists()
    )


def lead_is_offered_to(*, user: User, lead: Lead) -> bool:
    """The lead's current assignee: a user of the partner it went to, or the rep it went to."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_partner_user:
        return lead.partner_id is not None and lead.partner_id == user.partner_id
    return lead.rep_id is not None and lead.rep_id == user.pk


def lead_can_respond(*, user: User, lead: Lead) -> bool:
    """Accept or decline: only the current assignee, while the lead awaits an answer."""
    return lead.status == Lead.Status.OFFERED and lead_is_offered_to(user=user, lead=lead)


def lead_can_convert(*, user: User, lead: Lead) -> bool:
    """Decide how an accepted lead ends: convert it into an account and a deal, or mark it
    lost. The matrix's ("lead", "approve"), the one rule of the page, the API and the
    services: the lead's recipient (the users of its partner, a partner admin's child
    partners included; the rep it went to) or the staff above it (the partner's channel
    manager, a manager whose line holds the recipient rep or that channel manager, the
    director). Marketing brings leads in and routes them, but does not decide for the
    recipient. Only an accepted lead has an outcome to decide."""
    if not user.is_authenticated or not user.is_active or lead.status != Lead.Status.ACCEPTED:
        return False
    if user.is_partner_user:
        return lead.partner_id is not None and lead.partner_id in partner_ids_of_partner_user(user)
    if user.role == User.Role.DIRECTOR:
        return True
    handlers = {lead.rep_id}
    if lead.partner_id is not None:
        handlers.add(lead.partner.channel_manager_id if lead.partner is not None else None)
    handlers.discard(None)
    if user.role == User.Role.REP:
        return user.pk in handlers
    if user.role == User.Role.MANAGER:
        return bool(handlers) and manager_line_ids(user).filter(pk__in=handlers).exists()
    return False
