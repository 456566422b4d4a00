"""Writes on leads: create, route, accept, decline, convert, lose, and the SLA expiry sweep.

Every change of hands is an ``LeadAssignment`` (the offer and how it ended) plus a
``LeadEvent`` (the timeline). Notifications are stored at once and emailed after commit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_rep
from dirco.catalog.models import ProductLine
from dirco.core.countries import country_clean
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.l10n import format_datetime
from dirco.core.money import company_currency
from dirco.core.transactions import atomic_retrying
from dirco.customers.services import account_create
from dirco.leads.models import Lead, LeadAssignment, LeadEvent
from dirco.leads.permissions import lead_can_convert, lead_can_respond, lead_can_route
from dirco.leads.routing import (
    candidate_draw,
    lead_sla,
    partner_candidates,
    rep_next,
    routing_config_for,
    territory_country_check,
    territory_resolve,
)
from dirco.marketing.services import consent_follow_conversion
from dirco.notifications.services import notification_send
from dirco.partners.models import Partner, Territory
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.services import deal_create
from dirco.teams.selectors import users_assignable_by
from dirco.webhooks.services import emit


class LeadFields(TypedDict, total=False):
    """What a caller may set on a new lead: the public form, the staff form and the API."""

    company_name: str
    contact_name: str
    email: str
    phone: str
    country: str
    postcode: str
    territory: Territory | None
    product_line: ProductLine | None
    message: str
    source: str
    consent: bool


LEAD_WRITABLE_FIELDS = frozenset(LeadFields.__annotations__)
PORTAL_URL = "/portal/"
CONVERTED_DEAL_CLOSE_DAYS = 90
# Mail providers whose domain says nothing about the company.
FREEMAIL_DOMAINS = frozenset(
    {"gmail.com", "hotmail.com", "hotmail.fr", "outlook.com", "yahoo.com", "yahoo.fr",
     "orange.fr", "free.fr", "wanadoo.fr", "laposte.net", "icloud.com", "gmx.de", "live.com"}
)  # fmt: skip


def _notify(
    *, recipients: Iterable[User], kind: str, url: str, text: Callable[[], tuple[str, str]]
) -> None:
    """One notification per recipient, worded in the recipient's language."""
    by_language: dict[str, list[User]] = {}
    for user in recipients:
        by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
    for language, users in by_language.items():
        with translation.override(language):
            title, body = text()
        notification_send(recipients=users, kind=kind, title=title, body=body, url=url)


def _staff_url(lead: Lead) -> str:
    return reverse("lead_detail", args=[lead.pk])


def _event(
    *,
    lead: Lead,
    kind: str,
    actor: User | None = None,
    assignment: LeadAssignment | None = None,
    message: str = "",
    now: dt.datetime | None = None,
) -> LeadEvent:
    return LeadEvent.objects.create(
        lead=lead,
        kind=kind,
        actor=actor,
        assignment=assignment,
        partner=assignment.partner if assignment else None,
        rep=assignment.rep if assignment else None,
        message=message,
        created_at=now or timezone.now(),
    )


@transaction.atomic
def lead_create(
    *, created_by: User | None, route: bool = True, **fields: Unpack[LeadFields]
) -> Lead:
    """A new lead; its territory is resolved from country and postcode when not given.

    With ``route``, it is routed by a task once the transaction commits.
    """
    unknown = set(fields) - LEAD_WRITABLE_FIELDS
    if unknown:
        raise ApplicationError(
            _("These fields cannot be set: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            fields={name: [_("This field cannot be set.")] for name in sorted(unknown)},
        )
    lead = Lead(**fields, created_by=created_by)
    lead.country = country_clean(lead.country)
    lead.email = (lead.email or "").strip()
    if lead.territory_id is None:
        lead.territory = territory_resolve(country=lead.country, postcode=lead.postcode)
    elif lead.territory is not None:
        territory_country_check(territory=lead.territory, country=lead.country)
    try:
        lead.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("The lead was not saved: correct the fields shown."),
            fields=validation_error_fields(exc),
        ) from exc
    lead.save()
    _event(lead=lead, kind=LeadEvent.Kind.CREATED, actor=created_by)
    if route:
        from dirco.leads.tasks import lead_route_task

        lead_id = lead.pk
        transaction.on_commit(lambda: lead_route_task.enqueue(lead_id=lead_id))
    return lead


def _lead_offer_next(
    *, lead: Lead, actor: User | None, rng: random.Random | None, now: dt.datetime
) -> LeadAssignment | None:
    """Offer the (locked) lead to the next partner or rep; record it, or record that no one
    is left. Partners first when the policy allows, reps as the fallback."""
    rng = rng or random.Random()
    config = routing_config_for(territory=lead.territory)
    assignment: LeadAssignment | None = None
    due = now + lead_sla()
    if config.to_partners:
        pick = candidate_draw(partner_candidates(lead=lead, now=now), top_k=config.top_k, rng=rng)
        if pick is not None:
            assignment = LeadAssignment.objects.create(
                lead=lead,
                partner=pick.partner,
                rule=LeadAssignment.Rule.PARTNER_SCORE,
                routing_rule=config.rule,
                score=Decimal(str(round(pick.score, 4))),
                offered_at=now,
                due_at=due,
            )
    if assignment is None and config.to_reps:
        rep = rep_next(lead=lead, config=config)
        if rep is not None:
            assignment = LeadAssignment.objects.create(
                lead=lead,
                rep=rep,
                rule=LeadAssignment.Rule.REP_ROUND_ROBIN,
                routing_rule=config.rule,
                offered_at=now,
                due_at=due,
            )
    fields = ["status", "partner", "rep", "offered_at", "sla_due_at", "updated_at"]
    if assignment is None:
        refused = lead.assignments.filter(
            outcome__in=(LeadAssignment.Outcome.DECLINED, LeadAssignment.Outcome.EXPIRED)
        ).exists()
        lead.status = Lead.Status.DECLINED if refused else Lead.Status.NEW
        lead.partner = lead.rep = None
        lead.offered_at = lead.sla_due_at = None
        lead.save(update_fields=fields)
        _event(
            lead=lead,
            kind=LeadEvent.Kind.UNROUTABLE,
            actor=actor,
            message=_("No eligible partner or rep for this territory."),
            now=now,
        )
        return None
    lead.status = Lead.Status.OFFERED
    lead.partner = assignment.partner
    lead.rep = assignment.rep
    lead.offered_at = now
    lead.sla_due_at = due
    lead.save(update_fields=fields)
    _event(lead=lead, kind=LeadEvent.Kind.OFFERED, actor=actor, assignment=assignment, now=now)
    _offer_notify(lead=lead, assignment=assignment)
    emit(
        "lead.routed",
        {
            "id": lead.pk,
            "partner_id": lead.partner_id,
            "rep_id": lead.rep_id,
            "offered_at": now,
            "due_at": due,
            "rule": assignment.rule,
        },
    )
    return assignment


def _offer_notify(*, lead: Lead, assignment: LeadAssignment) -> None:
    def text() -> tuple[str, str]:
        return (
            _("New lead: %(company)s") % {"company": lead.company_name},
            _("Accept or decline it before %(due)s.") % {"due": format_datetime(assignment.due_at)},
        )

    if assignment.partner is not None:
        users = User.objects.filter(partner=assignment.partner, is_active=True)
        _notify(recipients=users, kind="lead_offered", url=PORTAL_URL, text=text)
    elif assignment.rep is not None:
        _notify(recipients=[assignment.rep], kind="lead_offered", url=_staff_url(lead), text=text)


def _refusal_notify(*, lead: Lead, assignment: LeadAssignment, kind: str) -> None:
    """Tell whoever answers for the assignee: the partner's channel manager, the rep's manager."""
    if assignment.partner is not None:
        recipient = assignment.partner.channel_manager
        who = str(assignment.partner)
    else:
        assert assignment.rep is not None
        recipient = assignment.rep.reports_to
        who = str(assignment.rep)
    if recipient is None:
        return

    def text() -> tuple[str, str]:
        if kind == LeadEvent.Kind.DECLINED:
            title = _("%(who)s declined the lead %(company)s")
        else:
            title = _("%(who)s did not answer in time for the lead %(company)s")
        return title % {"who": who, "company": lead.company_name}, assignment.reason

    _notify(recipients=[recipient], kind=f"lead_{kind}", url=_staff_url(lead), text=text)


def _lead_lock(lead: Lead) -> Lead:
    return (
        Lead.objects.select_for_update(of=("self",))
        .select_related("territory", "partner")
        .get(pk=lead.pk)
    )


def _pending_assignment(lead: Lead) -> LeadAssignment | None:
    return (
        lead.assignments.filter(outcome=LeadAssignment.Outcome.PENDING)
        .select_related("partner", "rep")
        .order_by("-offered_at", "-id")
        .first()
    )


def _pending_offer_withdraw(*, lead: Lead, actor: User | None, now: dt.datetime) -> None:
    """Withdraw the lead's pending offer, if any, before it is offered again (logged)."""
    pending = _pending_assignment(lead)
    if pending is None:
        return
    pending.outcome = LeadAssignment.Outcome.WITHDRAWN
    pending.responded_at = now
    pending.responded_by = actor
    pending.save(update_fields=["outcome", "responded_at", "responded_by", "updated_at"])
    _event(lead=lead, kind=LeadEvent.Kind.WITHDRAWN, actor=actor, assignment=pending, now=now)


@transaction.atomic
def lead_route(
    *,
    lead: Lead,
    actor: User | None = None,
    rng: random.Random | None = None,
    now: dt.datetime | None = None,
) -> LeadAssignment | None:
    """Route a new lead, re-route an offered one (its pending offer is withdrawn), or try
    again a lead everybody declined. Returns the new offer, or None when no one is eligible."""
    now = now or timezone.now()
    lead = _lead_lock(lead)
    if lead.status not in (Lead.Status.NEW, Lead.Status.OFFERED, Lead.Status.DECLINED):
        raise ApplicationError(
            _("This lead was already taken (%(status)s); it cannot be routed again.")
            % {"status": lead.get_status_display()}
        )
    _pending_offer_withdraw(lead=lead, actor=actor, now=now)
    return _lead_offer_next(lead=lead, actor=actor, rng=rng, now=now)


@transaction.atomic
def lead_assign(
    *,
    lead: Lead,
    user: User,
    partner: Partner | None = None,
    rep: User | None = None,
    now: dt.datetime | None = None,
) -> LeadAssignment:
    """Offer the lead by hand to one partner or one rep (its pending offer is withdrawn).

    Whoever may route the lead may assign it, to an active partner or an active rep they
    can see; the assignee answers within the usual time, as after automatic routing.
    """
    now = now or timezone.now()
    if not lead_can_route(user=user, lead=lead):
        raise PermissionDenied(_("You may not assign this lead."))
    if (partner is None) == (rep is None):
        raise ApplicationError(
            _("Choose one partner or one rep to offer the lead to."),
            fields={"partner": [_("Choose a partner or a rep, not both.")]},
        )
    if partner is not None and not (
        partner.status == Partner.Status.ACTIVE
        and partners_visible_to(user).filter(pk=partner.pk).exists()
    ):
        raise ApplicationError(
            _("Offer leads to an active partner you manage."),
            fields={"partner": [_("This partner cannot take leads.")]},
        )
    if rep is not None and not (
        user_is_rep(rep) and users_assignable_by(user).filter(pk=rep.pk).exists()
    ):
        raise ApplicationError(
            _("Offer leads to an active rep of your line."),
            fields={"rep": [_("This person cannot take leads.")]},
        )
    lead = _lead_lock(lead)
    if lead.status not in (Lead.Status.NEW, Lead.Status.OFFERED, Lead.Status.DECLINED):
        raise ApplicationError(
            _("This lead was already taken (%(status)s); it cannot be assigned again.")
            % {"status": lead.get_status_display()}
        )
    _pending_offer_withdraw(lead=lead, actor=user, now=now)
    due = now + lead_sla()
    assignment = LeadAssignment.objects.create(
        lead=lead,
        partner=partner,
        rep=rep,
        rule=LeadAssignment.Rule.MANUAL,
        offered_at=now,
        due_at=due,
    )
    lead.status = Lead.Status.OFFERED
    lead.partner, lead.rep = partner, rep
    lead.offered_at, lead.sla_due_at = now, due
    lead.save(update_fields=["status", "partner", "rep", "offered_at", "sla_due_at", "updated_at"])
    _event(lead=lead, kind=LeadEvent.Kind.OFFERED, actor=user, assignment=assignment, now=now)
    _offer_notify(lead=lead, assignment=assignment)
    return assignment


def _respond_check(*, lead: Lead, user: User, now: dt.datetime) -> LeadAssignment:
    if not lead_can_respond(user=user, lead=lead):
        if lead.status != Lead.Status.OFFERED:
            raise ApplicationError(_("This lead no longer awaits an answer."))
        raise PermissionDenied(_("This lead is not offered to you."))
    if lead.sla_due_at is not None and now > lead.sla_due_at:
        raise ApplicationError(
            _("The time to answer has passed; the lead is being offered to someone else.")
        )
    pending = _pending_assignment(lead)
    if pending is None:  # pragma: no cover - an offered lead always has its pending offer
        raise ApplicationError(_("This lead no longer awaits an answer."))
    return pending


@transaction.atomic
def lead_accept(
    *, lead: Lead, user: User, convert: bool = False, now: dt.datetime | None = None
) -> Lead:
    """The assignee takes the lead; with ``convert``, it becomes an account and a deal."""
    now = now or timezone.now()
    lead = _lead_lock(lead)
    assignment = _respond_check(lead=lead, user=user, now=now)
    assignment.outcome = LeadAssignment.Outcome.ACCEPTED
    assignment.responded_at = now
    assignment.responded_by = user
    assignment.save(update_fields=["outcome", "responded_at", "responded_by", "updated_at"])
    lead.status = Lead.Status.ACCEPTED
    lead.accepted_at = now
    lead.accepted_by = user
    lead.sla_due_at = None
    lead.save(update_fields=["status", "accepted_at", "accepted_by", "sla_due_at", "updated_at"])
    _event(lead=lead, kind=LeadEvent.Kind.ACCEPTED, actor=user, assignment=assignment, now=now)
    if convert:
        lead_convert(lead=lead, user=user, now=now)
        lead.refresh_from_db()
    return lead


@transaction.atomic
def lead_decline(
    *,
    lead: Lead,
    user: User,
    reason: str,
    rng: random.Random | None = None,
    now: dt.datetime | None = None,
) -> Lead:
    """The assignee refuses the lead; it goes to the next eligible partner or rep."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Say why you decline this lead."), fields={"reason": [_("This field is required.")]}
        )
    lead = _lead_lock(lead)
    assignment = _respond_check(lead=lead, user=user, now=now)
    assignment.outcome = LeadAssignment.Outcome.DECLINED
    assignment.responded_at = now
    assignment.responded_by = user
    assignment.reason = reason
    assignment.save(
        update_fields=["outcome", "responded_at", "responded_by", "reason", "updated_at"]
    )
    _event(
        lead=lead,
        kind=LeadEvent.Kind.DECLINED,
        actor=user,
        assignment=assignment,
        message=reason,
        now=now,
    )
    _refusal_notify(lead=lead, assignment=assignment, kind=LeadEvent.Kind.DECLINED)
    _lead_offer_next(lead=lead, actor=None, rng=rng, now=now)
    lead.refresh_from_db()
    return lead


def _deal_source(lead: Lead) -> str:
    if lead.source == Lead.Source.CAMPAIGN:
        return Deal.Source.CAMPAIGN
    if lead.source == Lead.Source.EVENT:
        return Deal.Source.EVENT
    return Deal.Source.PARTNER if lead.partner_id else Deal.Source.DIRECT


@atomic_retrying  # writes a deal: its rollup rows are shared with every deal write
def lead_convert(*, lead: Lead, user: User, now: dt.datetime | None = None) -> Deal:
    """An accepted lead becomes a new account and an open deal (amount to qualify: 0).

    The deal is owned by the partner's channel manager (or the rep who took the lead).
    """
    now = now or timezone.now()
    lead = _lead_lock(lead)
    if not lead_can_convert(user=user, lead=lead):
        if lead.status != Lead.Status.ACCEPTED:
            raise ApplicationError(_("Only an accepted lead can be converted."))
        raise PermissionDenied(_("You may not convert this lead."))
    partner: Partner | None = lead.partner
    owner = partner.channel_manager if partner is not None else lead.rep
    errors: dict[str, list[str]] = {}
    if owner is None:
        errors["partner"] = [
            _("This partner has no channel manager to own the deal; ask the director.")
        ]
    if lead.product_line is None:
        errors["product_line"] = [_("Choose the product line of interest first.")]
    if lead.territory is None:
        errors["territory"] = [_("Choose the lead's territory first.")]
    stage = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        errors["__all__"] = [_("No open pipeline stage exists; ask the director.")]
    if (
        errors
        or owner is None
        or stage is None
        or lead.product_line is None
        or lead.territory is None
    ):
        raise ApplicationError(
            _("The lead was not converted: correct the fields shown."), fields=errors
        )
    domain = lead.email.rpartition("@")[2].lower()
    account = account_create(
        created_by=user,
        name=lead.company_name,
        domain="" if domain in FREEMAIL_DOMAINS else domain,
        country=lead.country,
        territory=lead.territory,
        owner=owner,
    )
    deal = deal_create(
        created_by=user,
        confirm_zero_amount=True,  # the amount is qualified after conversion
        name=_("%(company)s (lead)") % {"company": lead.company_name},
        account=account,
        partner=partner,
        owner=owner,
        product_line=lead.product_line,
        amount=Decimal("0.00"),
        currency=company_currency(),
        stage=stage,
        expected_close_date=timezone.localdate(now) + dt.timedelta(days=CONVERTED_DEAL_CLOSE_DAYS),
        source=_deal_source(lead),
    )
    # A marketing consent given on the public form follows the person to the new account.
    consent_follow_conversion(
        lead_id=lead.pk, account=account, contact_name=lead.contact_name, email=lead.email
    )
    lead.status = Lead.Status.CONVERTED
    lead.account = account
    lead.deal = deal
    lead.save(update_fields=["status", "account", "deal", "updated_at"])
    assignment = (
        lead.assignments.filter(outcome=LeadAssignment.Outcome.ACCEPTED)
        .select_related("partner", "rep")
        .order_by("-offered_at", "-id")
        .first()
    )
    _event(lead=lead, kind=LeadEvent.Kind.CONVERTED, actor=user, assignment=assignment, now=now)
    return deal


@transaction.atomic
def lead_mark_lost(*, lead: Lead, user: User, reason: str, now: dt.datetime | None = None) -> Lead:
    """An accepted lead that came to nothing."""
    now = now or timezone.now()
    lead = _lead_lock(lead)
    if not lead_can_convert(user=user, lead=lead):
        if lead.status != Lead.Status.ACCEPTED:
            raise ApplicationError(_("Only an accepted lead can be marked lost."))
        raise PermissionDenied(_("You may not change this lead."))
    if not reason.strip():
        raise ApplicationError(
            _("Say why the lead was lost."), fields={"reason": [_("This field is required.")]}
        )
    lead.status = Lead.Status.LOST
    lead.lost_reason = reason.strip()
    lead.save(update_fields=["status", "lost_reason", "updated_at"])
    assignment = (
        lead.assignments.filter(outcome=LeadAssignment.Outcome.ACCEPTED)
        .order_by("-offered_at", "-id")
        .select_related("partner", "rep")
        .first()
    )
    _event(
        lead=lead,
        kind=LeadEvent.Kind.LOST,
        actor=user,
        assignment=assignment,
        message=lead.lost_reason,
        now=now,
    )
    return lead


def leads_reroute_expired(
    *, now: dt.datetime | None = None, rng: random.Random | None = None
) -> int:
    """Expire every offer whose answer time has passed and offer the lead to the next one.

    One transaction per lead, so that one failure does not hold back the others. Returns the
    number of offers expired.
    """
    now = now or timezone.now()
    lead_ids = list(
        Lead.objects.filter(status=Lead.Status.OFFERED, sla_due_at__lte=now)
        .order_by("sla_due_at", "id")
        .values_list("id", flat=True)
    )
    expired = 0
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = (
                Lead.objects.select_for_update(of=("self",))
                .select_related("territory", "partner")
                .filter(pk=lead_id, status=Lead.Status.OFFERED, sla_due_at__lte=now)
                .first()
            )
            if lead is None:
                continue
            assignment = _pending_assignment(lead)
            if assignment is not None:
                assignment.outcome = LeadAssignment.Outcome.EXPIRED
                assignment.responded_at = now
                assignment.reason = _("No answer within %(hours)s hours.") % {
                    "hours": int(lead_sla().total_seconds() // 3600)
                }
                assignment.save(update_fields=["outcome", "responded_at", "reason", "updated_at"])
                _event(
                    lead=lead,
                    kind=LeadEvent.Kind.EXPIRED,
                    assignment=assignment,
                    message=assignment.reason,
                    now=now,
                )
                _refusal_notify(lead=lead, assignment=assignment, kind=LeadEvent.Kind.EXPIRED)
            _lead_offer_next(lead=lead, actor=None, rng=rng, now=now)
            expired += 1
    return expired
