"""A set of leads in every routing state, built directly so that access tests stay exact."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from dirco.accounts.models import User
from dirco.conftest import Company
from dirco.leads.models import Lead, LeadAssignment, LeadEvent
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.factories import LeadFactory
from dirco.partners.models import Partner


@dataclass
class Leads:
    a: Lead  # offered to partner A
    b: Lead  # offered to partner B
    ab: Lead  # declined by A, now offered to B
    rep: Lead  # offered to the rep of the North team
    new: Lead  # not routed


def offer(lead: Lead, *, partner: Partner | None = None, rep: User | None = None) -> LeadAssignment:
    now = timezone.now()
    assignment = LeadAssignment.objects.create(
        lead=lead,
        partner=partner,
        rep=rep,
        rule=LeadAssignment.Rule.PARTNER_SCORE if partner else LeadAssignment.Rule.REP_ROUND_ROBIN,
        offered_at=now,
        due_at=now + timezone.timedelta(hours=48),
    )
    LeadEvent.objects.create(
        lead=lead, kind=LeadEvent.Kind.OFFERED, assignment=assignment, partner=partner, rep=rep
    )
    lead.status = Lead.Status.OFFERED
    lead.partner, lead.rep = partner, rep
    lead.offered_at, lead.sla_due_at = now, assignment.due_at
    lead.save()
    return assignment


def leads_scenario(company: Company, geo: Map) -> Leads:
    a = LeadFactory(company_name="Lead for A", territory=geo.ouest)
    offer(a, partner=company.partner_a)
    b = LeadFactory(company_name="Lead for B", territory=geo.ouest)
    offer(b, partner=company.partner_b)
    ab = LeadFactory(company_name="Lead A then B", territory=geo.ouest)
    declined = offer(ab, partner=company.partner_a)
    declined.outcome = LeadAssignment.Outcome.DECLINED
    declined.reason = "Secret reason of A"
    declined.save()
    LeadEvent.objects.create(
        lead=ab,
        kind=LeadEvent.Kind.DECLINED,
        assignment=declined,
        partner=company.partner_a,
        message="Secret reason of A",
    )
    offer(ab, partner=company.partner_b)
    rep = LeadFactory(company_name="Lead for the rep", territory=geo.ouest)
    offer(rep, rep=company.rep)
    new = LeadFactory(company_name="Unrouted lead", territory=None)
    return Leads(a=a, b=b, ab=ab, rep=rep, new=new)
