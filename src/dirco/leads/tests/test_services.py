"""Offer, accept, decline, convert and the SLA expiry, with a frozen clock."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from dirco.conftest import Company
from dirco.core.errors import ApplicationError
from dirco.leads.models import Lead, LeadAssignment, LeadEvent, PartnerRoutingProfile, RoutingRule
from dirco.leads.services import (
    lead_accept,
    lead_convert,
    lead_create,
    lead_decline,
    lead_mark_lost,
    lead_route,
    leads_reroute_expired,
)
from dirco.leads.tests.conftest import Map
from dirco.leads.tests.factories import LeadFactory
from dirco.notifications.models import Notification
from dirco.pipeline.models import Deal

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _only_partner_a(company: Company) -> None:
    PartnerRoutingProfile.objects.create(partner=company.partner_b, accepts_leads=False)


def test_offer_to_partner_notifies_its_users_only(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    lead = LeadFactory(territory=geo.ouest)
    assignment = lead_route(lead=lead, rng=random.Random(3))
    assert assignment is not None and assignment.partner == company.partner_a
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partner == company.partner_a
    notified = set(
        Notification.objects.filter(kind="lead_offered").values_list("recipient", flat=True)
    )
    assert notified == {company.partner_a_admin.pk, company.partner_a_user.pk}


def test_sla_expiry_reroutes_with_a_frozen_clock_and_keeps_history(
    company: Company, geo: Map
) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        lead = LeadFactory(territory=geo.ouest)
        _only_partner_a(company)
        lead_route(lead=lead)
        lead.refresh_from_db()
        assert lead.sla_due_at == T0 + dt.timedelta(hours=48)
        # B takes leads again: the expiry must send the lead to B, never back to A.
        PartnerRoutingProfile.objects.filter(partner=company.partner_b).update(accepts_leads=True)

        traveller.move_to(T0 + dt.timedelta(hours=47))
        assert leads_reroute_expired() == 0

        traveller.move_to(T0 + dt.timedelta(hours=48, minutes=1))
        call_command("leads_reroute_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115

        lead.refresh_from_db()
        assert lead.status == Lead.Status.OFFERED
        assert lead.partner == company.partner_b
        assert lead.sla_due_at == T0 + dt.timedelta(hours=96, minutes=1)
        offers = list(lead.assignments.order_by("id").values_list("partner__name", "outcome"))
        assert offers == [
            ("Alpha Systems", LeadAssignment.Outcome.EXPIRED),
            ("Beta Integration", LeadAssignment.Outcome.PENDING),
        ]
        kinds = list(lead.events.order_by("id").values_list("kind", "partner__name"))
        assert kinds == [
            (LeadEvent.Kind.OFFERED, "Alpha Systems"),
            (LeadEvent.Kind.EXPIRED, "Alpha Systems"),
            (LeadEvent.Kind.OFFERED, "Beta Integration"),
        ]
        expired_event = lead.events.get(kind=LeadEvent.Kind.EXPIRED)
        assert expired_event.created_at == T0 + dt.timedelta(hours=48, minutes=1)
        # A's channel manager hears about it.
        assert Notification.objects.filter(recipient=company.rep, kind="lead_expired").exists()

        # After the SLA, A can no longer accept: the lead is not theirs any more.
        with pytest.raises(PermissionDenied):
            lead_accept(lead=lead, user=company.partner_a_user)


def test_late_answer_is_refused_before_the_sweep_runs(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    with time_machine.travel(T0, tick=False) as traveller:
        lead = LeadFactory(territory=geo.ouest)
        lead_route(lead=lead)
        traveller.move_to(T0 + dt.timedelta(hours=49))
        with pytest.raises(ApplicationError):
            lead_accept(lead=lead, user=company.partner_a_user)


def test_decline_reroutes_and_excludes_the_decliner(company: Company, geo: Map) -> None:
    RoutingRule.objects.create(territory=geo.ouest, policy=RoutingRule.Policy.PARTNERS_ONLY)
    lead = LeadFactory(territory=geo.ouest)
    first = lead_route(lead=lead, rng=random.Random(0))
    assert first is not None and first.partner is not None
    decliner = (
        company.partner_a_user if first.partner == company.partner_a else company.partner_b_user
    )
    other = company.partner_b if first.partner == company.partner_a else company.partner_a

    with pytest.raises(ApplicationError):
        lead_decline(lead=lead, user=decliner, reason="  ")
    lead = lead_decline(lead=lead, user=decliner, reason="Too far from us", rng=random.Random(0))
    assert lead.partner == other and lead.status == Lead.Status.OFFERED
    first.refresh_from_db()
    assert (first.outcome, first.reason, first.responded_by) == (
        LeadAssignment.Outcome.DECLINED,
        "Too far from us",
        decliner,
    )
    assert Notification.objects.filter(kind="lead_declined").exists()

    # The second partner declines too: nobody is left (partners only), never the first again.
    second_user = company.partner_b_user if other == company.partner_b else company.partner_a_user
    lead = lead_decline(lead=lead, user=second_user, reason="No capacity")
    assert lead.status == Lead.Status.DECLINED and lead.partner is None
    assert lead.events.filter(kind=LeadEvent.Kind.UNROUTABLE).exists()
    assert lead_route(lead=lead) is None


def test_decline_falls_back_to_reps(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    lead = LeadFactory(territory=geo.ouest)
    lead_route(lead=lead)
    lead = lead_decline(lead=lead, user=company.partner_a_admin, reason="Not our market")
    assert lead.rep == company.rep  # the west team's only rep
    assert lead.partner is None and lead.status == Lead.Status.OFFERED


def test_only_the_assignee_may_answer(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    lead = LeadFactory(territory=geo.ouest)
    lead_route(lead=lead)
    for intruder in (company.partner_b_user, company.rep, company.director):
        with pytest.raises(PermissionDenied):
            lead_accept(lead=lead, user=intruder)
        with pytest.raises(PermissionDenied):
            lead_decline(lead=lead, user=intruder, reason="no")


def test_accept_and_convert_creates_account_and_deal(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    lead = LeadFactory(
        territory=geo.ouest,
        product_line=geo.product_line,
        source=Lead.Source.CAMPAIGN,
        email="jane@acme-robotics.example",
    )
    lead_route(lead=lead)
    lead = lead_accept(lead=lead, user=company.partner_a_user, convert=True)
    assert lead.status == Lead.Status.CONVERTED
    deal = Deal.objects.get(pk=lead.deal_id)
    assert (deal.owner, deal.partner, deal.source) == (
        company.rep,
        company.partner_a,
        Deal.Source.CAMPAIGN,
    )
    assert deal.account.name == lead.company_name
    assert deal.account.domain == "acme-robotics.example"
    assert lead.accepted_by == company.partner_a_user
    assert list(lead.events.values_list("kind", flat=True))[-2:] == [
        LeadEvent.Kind.ACCEPTED,
        LeadEvent.Kind.CONVERTED,
    ]


def test_convert_needs_a_product_line_and_lost_needs_a_reason(company: Company, geo: Map) -> None:
    _only_partner_a(company)
    lead = LeadFactory(territory=geo.ouest)
    lead_route(lead=lead)
    lead_accept(lead=lead, user=company.partner_a_user)
    with pytest.raises(ApplicationError) as exc:
        lead_convert(lead=lead, user=company.partner_a_user)
    assert "product_line" in exc.value.fields
    with pytest.raises(PermissionDenied):
        lead_mark_lost(lead=lead, user=company.partner_b_user, reason="x")
    lead = lead_mark_lost(lead=lead, user=company.partner_a_user, reason="No budget")
    assert lead.status == Lead.Status.LOST


def test_create_resolves_territory_refuses_unknown_fields_and_routes_on_commit(
    company: Company, geo: Map, django_capture_on_commit_callbacks: object
) -> None:
    with pytest.raises(ApplicationError):
        lead_create(created_by=company.marketing, status="accepted", company_name="X")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        lead = lead_create(
            created_by=company.marketing,
            company_name="Acme",
            contact_name="Jane Doe",
            email="jane@acme.example",
            country="fr",
            source=Lead.Source.EVENT,
        )
    lead.refresh_from_db()
    assert lead.territory == geo.france and lead.country == "FR"
    assert lead.status == Lead.Status.OFFERED


def test_staff_route_withdraws_the_pending_offer(company: Company, geo: Map) -> None:
    lead = LeadFactory(territory=geo.ouest)
    first = lead_route(lead=lead, rng=random.Random(5))
    second = lead_route(lead=lead, actor=company.director, rng=random.Random(5))
    assert first is not None and second is not None
    first.refresh_from_db()
    assert first.outcome == LeadAssignment.Outcome.WITHDRAWN
    lead.refresh_from_db()
    assert lead.assignments.filter(outcome=LeadAssignment.Outcome.PENDING).count() == 1


def test_settings_set_the_sla_and_the_default_policy(
    company: Company, geo: Map, settings: object
) -> None:
    settings.DIRCO_LEAD_SLA_HOURS = 2  # type: ignore[attr-defined]
    settings.DIRCO_LEAD_ROUTING_POLICY = "reps_only"  # type: ignore[attr-defined]
    with time_machine.travel(T0, tick=False):
        lead = LeadFactory(territory=geo.ouest)
        assignment = lead_route(lead=lead)
    assert assignment is not None and assignment.rep == company.rep
    assert assignment.due_at == T0 + dt.timedelta(hours=2)
