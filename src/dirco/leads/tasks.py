"""Background work on leads; each task only calls a service."""

from __future__ import annotations

from django_tasks import task

from dirco.leads.models import Lead
from dirco.leads.services import lead_route, leads_reroute_expired


@task()
def lead_route_task(lead_id: int) -> bool:
    """Route a newly created lead; True when it was offered to someone."""
    lead = Lead.objects.filter(pk=lead_id, status=Lead.Status.NEW).first()
    if lead is None:
        return False
    return lead_route(lead=lead) is not None


@task()
def leads_reroute_expired_task() -> int:
    """Expire unanswered offers and re-route their leads; run it every few minutes."""
    return leads_reroute_expired()
