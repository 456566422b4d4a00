"""The world of the route-matrix test: records on three sides, each name carrying a marker.

Sides say who stands in which relation to a record (``SIDES``):

- ``A``: partner A's business, channel-managed by ``rep`` (team North, ``manager``);
- ``R``: the rep's own business without a partner (a direct deal, a lead routed to the rep);
- ``B``: partner B's business, channel-managed by ``other_rep`` (team South,
  ``other_manager``);
- ``T``: the North team itself (scope ``team:ID``), ``C``: the company as a whole;
- ``U<actor>``: one user's personal records (notifications, API tokens, the user itself).

Every record's name contains ``LEAKCHECK-<side>-<kind>-``; ``marker_visible`` says, from
``core/access_matrix.py``, which actor may read which marker. A response to an actor that
contains a marker it may not read is a leak, whatever the route.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.files.base import ContentFile
from django.db import models
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone
from stdnum import luhn

from dirco.accounts.models import User
from dirco.accounts.services import api_token_create
from dirco.catalog.tests.factories import ProductLineFactory
from dirco.conftest import Company
from dirco.core.access_matrix import access_scope
from dirco.customers.tests.factories import AccountFactory
from dirco.documents.models import Document
from dirco.funds.tests.factories import budget_make, claim_make, request_make
from dirco.imports.models import ImportJob, ImportMapping
from dirco.leads.models import Lead, LeadAssignment
from dirco.notifications.models import Notification
from dirco.objectives import fiscal_calendar
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import objective_create
from dirco.partners.models import Partner, Tier
from dirco.partners.tests.factories import PartnerContactFactory, TerritoryFactory
from dirco.pipeline.models import Stage
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.plans.models import Action
from dirco.plans.services import (
    ActionInput,
    PlanInput,
    TaskInput,
    action_create,
    plan_create,
    plan_version_share,
    task_create,
)
from dirco.registrations.models import (
    DealRegistration,
    PartnerApplication,
    TierProposal,
    TierReview,
)
from dirco.registrations.services import registration_approve, registration_extension_request
from dirco.registrations.tests.factories import submit
from dirco.scopes import Scope
from dirco.teams.models import Departure
from dirco.webhooks.models import WebhookDelivery, WebhookSubscription

MARKER = "LEAKCHECK"
MARKER_RE = re.compile(r"LEAKCHECK-([A-Za-z_]+)-([a-z_]+)-")

# The actors every route is requested as: the five the issue names first (forbidden for
# partner A's and the rep's records), then the owners and the roles above them.
ACTORS: tuple[str, ...] = (
    "partner_a_user",
    "partner_a_admin",
    "partner_b_user",
    "other_rep",
    "other_manager",
    "marketing",
    "manager",
    "director",
    "rep",
)


def _siren(seed: str) -> str:
    """A valid SIREN (Luhn check digit) made from ``seed``: distinct seeds, distinct numbers."""
    body = f"{zlib.crc32(seed.encode()) % 10**8:08d}"
    return body + luhn.calc_check_digit(body)


@dataclass(frozen=True)
class Side:
    """Who owns a record (``own``), which manager's team it is (``team``), which partner it
    belongs to (``partner``)."""

    owner: str | None = None
    manager: str | None = None
    partner: str | None = None  # "a" or "b"


SIDES: dict[str, Side] = {
    "A": Side(owner="rep", manager="manager", partner="a"),
    "R": Side(owner="rep", manager="manager"),
    "B": Side(owner="other_rep", manager="other_manager", partner="b"),
    "T": Side(manager="manager"),
    "C": Side(),
    **{f"U{actor}": Side(owner=actor) for actor in ACTORS},
}
# A partner user is also "own" to its partner admin for users: partner scope covers it.
SIDES["Urep"] = Side(owner="rep", manager="manager")
SIDES["Uother_rep"] = Side(owner="other_rep", manager="other_manager")
SIDES["Upartner_a_user"] = Side(owner="partner_a_user", partner="a")
SIDES["Upartner_a_admin"] = Side(owner="partner_a_admin", partner="a")
SIDES["Upartner_b_user"] = Side(owner="partner_b_user", partner="b")

ACTOR_ROLE: dict[str, str] = {
    "partner_a_user": "partner_user",
    "partner_a_admin": "partner_admin",
    "partner_b_user": "partner_user",
    "other_rep": "rep",
    "other_manager": "manager",
    "marketing": "marketing",
    "manager": "manager",
    "director": "director",
    "rep": "rep",
}
ACTOR_PARTNER: dict[str, str | None] = {
    "partner_a_user": "a",
    "partner_a_admin": "a",
    "partner_b_user": "b",
}
PARTNER_ROLES = frozenset({"partner_user", "partner_admin"})

# Marker kinds that are not objects of the matrix read as the object that gates them.
KIND_OBJECT: dict[str, str] = {
    "document": "partner",
    "token": "api_token",
    "webhookdelivery": "webhook",
}


def allowed(*, actor: str, obj: str, action: str, side: str | None) -> bool:
    """Whether the matrix lets ``actor`` do ``action`` on an ``obj`` of ``side`` (``None``: a
    route without a record, e.g. a list or a create: any scope but ``none``)."""
    scope = access_scope(obj=obj, action=action, role=ACTOR_ROLE[actor])
    if scope == "none":
        return False
    if scope == "all" or side is None:
        return True
    who = SIDES[side]
    if scope == "own":
        return who.owner == actor
    if scope == "team":
        return actor in (who.owner, who.manager)
    # partner
    return who.partner is not None and ACTOR_PARTNER.get(actor) == who.partner


def marker_visible(*, actor: str, side: str, kind: str) -> bool:
    if kind == "application":  # partner applications: reviewed by the director and managers
        return ACTOR_ROLE[actor] in ("director", "manager")
    if side not in SIDES:
        return False
    return allowed(actor=actor, obj=KIND_OBJECT.get(kind, kind), action="view", side=side)


def leaked_markers(*, actor: str, body: str) -> list[str]:
    """The markers in ``body`` that ``actor`` may not read."""
    found = {m.group(0) for m in MARKER_RE.finditer(body)}
    out = []
    for marker in sorted(found):
        m = MARKER_RE.match(marker)
        assert m is not None
        if not marker_visible(actor=actor, side=m.group(1), kind=m.group(2)):
            out.append(marker)
    return out


def response_text(response: HttpResponseBase) -> str:
    """The body as text, whatever the format: streamed files, XLSX (zip of XML), CSV."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        raw = response.content  # type: ignore[attr-defined]
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                raw = b"\n".join(archive.read(name) for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    text = raw.decode("utf-8", errors="replace")
    for key, value in response.items():
        text += f"\n{key}: {value}"
    return text


def mark(side: str, kind: str, n: int | str = 1) -> str:
    return f"{MARKER}-{side}-{kind}-{n}"


@dataclass
class World:
    company: Company
    users: dict[str, User]
    objects: dict[str, models.Model] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # actor -> bearer key
    counter: int = 0

    def pk(self, key: str) -> int:
        return int(self.objects[key].pk)

    def next(self) -> int:
        self.counter += 1
        return self.counter


def _lead_offered(partner: Partner, name: str) -> Lead:
    now = timezone.now()
    due = now + dt.timedelta(hours=48)
    lead = Lead.objects.create(
        company_name=name,
        contact_name=name,
        email="buyer@lead.example",
        country="FR",
        status=Lead.Status.OFFERED,
        partner=partner,
        offered_at=now,
        sla_due_at=due,
    )
    LeadAssignment.objects.create(
        lead=lead,
        partner=partner,
        rule=LeadAssignment.Rule.PARTNER_SCORE,
        offered_at=now,
        due_at=due,
    )
    return lead


def _lead_for_rep(rep: User, name: str) -> Lead:
    now = timezone.now()
    due = now + dt.timedelta(hours=48)
    lead = Lead.objects.create(
        company_name=name,
        contact_name=name,
        email="buyer@lead.example",
        country="FR",
        status=Lead.Status.OFFERED,
        rep=rep,
        offered_at=now,
        sla_due_at=due,
    )
    LeadAssignment.objects.create(
        lead=lead, rep=rep, rule=LeadAssignment.Rule.REP_ROUND_ROBIN, offered_at=now, due_at=due
    )
    return lead


def _lead_accepted(partner: Partner, user: User, name: str) -> Lead:
    lead = _lead_offered(partner, f"{name} {_SIDE_WORDS['A']}")
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.ACCEPTED, accepted_at=timezone.now(), accepted_by=user
    )
    LeadAssignment.objects.filter(lead=lead).update(outcome=LeadAssignment.Outcome.ACCEPTED)
    lead.refresh_from_db()
    return lead


def _registration_with_extension(world: World, n: int | str) -> DealRegistration:
    """Partner A's approved registration with a pending extension request."""
    c = world.company
    registration = submit(
        c.partner_a_user,
        product_line=world.objects["line"],
        customer_name=f"{mark('A', 'registration', n)} Yonder Kite Aviation {n}",
        customer_domain=f"yonder{n}.example",
        customer_legal_identifier=_siren(f"1{n}"),
    )
    registration = registration_approve(
        registration=registration, approved_by=c.rep, override_conflicts=True
    )
    registration_extension_request(
        registration=registration, requested_by=c.partner_a_user, reason="More time"
    )
    registration.refresh_from_db()
    return registration


def _document(title: str, partner: Partner) -> Document:
    document = Document(title=title, description=title, is_published=True)
    document.file.save(f"{title.lower()}.pdf", ContentFile(f"%PDF {title}".encode()), save=True)
    document.partners.set([partner])
    return document


# Names and customer details kept far apart so that conflict detection does not pair the
# two partners' registrations (conflicts are shown to the channel manager by design).
_SIDE_WORDS = {"A": "Zephyr Quantum Orchards", "B": "Marmalade Bakery Cooperative"}


def world_build(company: Company) -> World:
    c = company
    users = {actor: getattr(c, actor) for actor in ACTORS}
    world = World(company=c, users=users)
    o = world.objects
    line = ProductLineFactory(name="Leakcheck line", code="leakline")
    o["line"] = line
    gold = Tier.objects.create(name="Leakcheck Gold", rank=30001)
    silver = Tier.objects.create(name="Leakcheck Silver", rank=30002)
    Partner.objects.filter(pk=c.partner_a.pk).update(
        name=f"{mark('A', 'partner')} Alpha", tier=gold
    )
    Partner.objects.filter(pk=c.partner_b.pk).update(name=f"{mark('B', 'partner')} Beta", tier=gold)
    c.partner_a.refresh_from_db()
    c.partner_b.refresh_from_db()
    o["partner_A"], o["partner_B"] = c.partner_a, c.partner_b
    for side, partner, owner, team in (
        ("A", c.partner_a, c.rep, c.team),
        ("B", c.partner_b, c.other_rep, c.other_team),
    ):
        account = AccountFactory(name=mark(side, "account"), owner=owner, domain=f"{side}.example")
        o[f"account_{side}"] = account
        o[f"contact_{side}"] = PartnerContactFactory(
            first_name=mark(side, "contact"), last_name="Partnerside", partner=partner
        )
        deal = DealFactory(
            name=mark(side, "deal"),
            account=account,
            owner=owner,
            team=team,
            partner=partner,
            product_line=line,
        )
        o[f"deal_{side}"] = deal
        o[f"activity_{side}"] = ActivityFactory(
            subject=mark(side, "activity"), owner=owner, deal=deal
        )
        o[f"lead_{side}"] = _lead_offered(partner, f"{mark(side, 'lead')} {_SIDE_WORDS[side]}")
        o[f"document_{side}"] = _document(mark(side, "document"), partner)
    o["registration_A"] = submit(
        c.partner_a_user,
        product_line=line,
        customer_name=f"{mark('A', 'registration')} Zephyr Quantum Orchards",
        customer_domain="zephyr-quantum.example",
        customer_legal_identifier=_siren("111"),
    )
    o["registration_B"] = submit(
        c.partner_b_user,
        product_line=line,
        customer_name=f"{mark('B', 'registration')} Marmalade Bakery Cooperative",
        customer_domain="marmalade-bakery.example",
        customer_legal_identifier="DE136695976",
        customer_country="de",
    )
    # The rep's direct business.
    account_r = AccountFactory(name=mark("R", "account"), owner=c.rep, domain="r.example")
    o["account_R"] = account_r
    o["contact_R"] = PartnerContactFactory(
        first_name=mark("R", "contact"), last_name="Accountside", partner=None, account=account_r
    )
    deal_r = DealFactory(
        name=mark("R", "deal"), account=account_r, owner=c.rep, team=c.team, product_line=line
    )
    o["deal_R"] = deal_r
    o["activity_R"] = ActivityFactory(subject=mark("R", "activity"), owner=c.rep, deal=deal_r)
    o["lead_R"] = _lead_for_rep(c.rep, mark("R", "lead"))
    # Objectives: partner A, the rep, the North team, partner B.
    year = timezone.localdate().year
    for key, scope in (
        ("objective_A", f"partner:{c.partner_a.pk}"),
        ("objective_R", f"rep:{c.rep.pk}"),
        ("objective_T", f"team:{c.team.pk}"),
        ("objective_B", f"partner:{c.partner_b.pk}"),
    ):
        o[key] = objective_create(
            user=c.director,
            scope=Scope.parse(scope),
            fiscal_year=year,
            amount=Decimal("120000"),
            split_method=Objective.SplitMethod.FLAT,
        )
    Objective.objects.filter(
        pk__in=[o[k].pk for k in ("objective_A", "objective_R", "objective_B")]
    ).update(status=Objective.Status.PUBLISHED, published_at=timezone.now())
    for key in ("objective_A", "objective_R", "objective_B"):
        o[key].refresh_from_db()
    o["leadaccepted_A"] = _lead_accepted(c.partner_a, c.partner_a_user, mark("A", "lead", "acc"))
    o["registrationext_A"] = _registration_with_extension(world, "ext")
    # Personal records: notifications and tokens.
    for actor, user in users.items():
        o[f"notification_{actor}"] = Notification.objects.create(
            recipient=user, kind="leakcheck", title=mark(f"U{actor}", "notification")
        )
        token, key = api_token_create(user=user, name=mark(f"U{actor}", "token"))
        o[f"token_{actor}"] = token
        world.tokens[actor] = key
        o[f"user_{actor}"] = user
    # A planned departure of the rep (team dynamics): their manager and the director only.
    o["departure_Urep"] = _planned_departure(c.rep, mark("Urep", "team_dynamics"))
    # Import jobs: the director's (accounts) and partner A's admin's (contacts), each checked
    # with one refused row, so that its error file exists.
    for actor, kind, text in (
        ("director", "accounts", "Name;Domain;Size\nOk;ok.example;\nBad;bad.example;huge\n"),
        ("partner_a_admin", "contacts", "Last name;Email\nOk;ok@a.example\n;no-name@a.example\n"),
    ):
        job = ImportJob(
            kind=kind,
            user=users[actor],
            partner=users[actor].partner,
            file_name=f"{mark(f'U{actor}', 'import')}.csv",
            rows=2,
            headers=text.split("\n", 1)[0].split(";"),
            status=ImportJob.Status.CHECKED,
            report={"rows": 2, "errors": [{"line": 3, "column": "X", "message": "bad"}]},
        )
        job.file.save("import.csv", ContentFile(text.encode()), save=False)
        job.save()
        o[f"importjob_U{actor}"] = job
    # Saved column mappings of contacts: the company's (staff) and partner A's.
    o["importmapping_C"] = _import_mapping("C", None)
    o["importmapping_A"] = _import_mapping("A", c.partner_a)
    # A webhook subscription and one of its deliveries (the director's only).
    o["webhook_C"] = WebhookSubscription.objects.create(
        url="https://93.184.215.14/hook", description=mark("C", "webhook"), events=["*"]
    )
    o["webhookdelivery_C"] = WebhookDelivery.objects.create(
        subscription=o["webhook_C"],  # type: ignore[misc]
        event="deal.created",
        message_id="msg_leakcheck",
        payload={"type": "deal.created", "data": {"note": mark("C", "webhookdelivery")}},
    )
    # Partner applications and tier proposals (director's and managers' business).
    o["application"] = PartnerApplication.objects.create(
        company_name=mark("C", "application"),
        country="FR",
        contact_first_name="Ada",
        contact_last_name="Applicant",
        contact_email="ada@applicant.example",
    )
    review = TierReview.objects.create(
        run_by=c.director,
        period_start=timezone.localdate() - dt.timedelta(days=365),
        period_end=timezone.localdate(),
    )
    o["tierproposal"] = TierProposal.objects.create(
        review=review, partner=c.partner_a, from_tier=gold, to_tier=silver
    )
    o["territory"] = TerritoryFactory(code="leakcheck")
    o["team_T"], o["team_other"] = c.team, c.other_team
    o["tier_gold"], o["tier_silver"] = gold, silver
    o["stage_proposal"] = Stage.objects.get(name="Proposal")
    o["stage"] = _stage_unused(world.next())
    # Marketing development funds: a budget per partner, a submitted request and a
    # submitted claim (on an approved request) per side.
    for side, partner, user, approver in (
        ("A", c.partner_a, c.partner_a_user, c.rep),
        ("B", c.partner_b, c.partner_b_user, c.other_rep),
    ):
        budget = budget_make(
            director=c.director, partner=partner, amount="1000000", name=mark(side, "mdf_budget")
        )
        o[f"mdfbudget_{side}"] = budget
        o[f"mdfrequest_{side}"] = _mdf_request(side, user, budget)
        o[f"mdfclaim_{side}"] = _mdf_claim(side, user, approver, budget)
    # Action plans: a joint plan per partner, owned by its channel manager and shared with
    # the partner, with an action and a checklist task of that channel manager.
    for side, partner, owner in (("A", c.partner_a, c.rep), ("B", c.partner_b, c.other_rep)):
        plan = plan_create(
            by=owner,
            data=PlanInput(
                name=mark(side, "plan"),
                scope=Scope("partner", partner.pk),
                period=str(fiscal_year_of(timezone.localdate())),
                owner=owner,
            ),
        )
        start = max(plan.starts_on, timezone.localdate())
        action = action_create(
            plan=plan,
            by=owner,
            data=ActionInput(
                kind=Action.Kind.PARTNER_VISIT,
                title=mark(side, "plan", "action"),
                owner=owner,
                starts_on=start,
                ends_on=start,
            ),
        )
        o[f"task_{side}"] = task_create(
            action=action,
            by=owner,
            data=TaskInput(title=mark(side, "plan", "task"), due_on=start, assignee=owner),
        )
        plan_version_share(plan=plan, by=owner, note=mark(side, "plan", "note"))
        o[f"plan_{side}"], o[f"action_{side}"] = plan, action
    _social_world(world)
    # Direct marketing: a segment, a template and a campaign (the director's and marketing's).
    from dirco.marketing.segments import SegmentFilter
    from dirco.marketing.services import (
        CampaignInput,
        TemplateInput,
        campaign_create,
        segment_save,
        template_save,
    )

    marketing = c.marketing
    o["segment_C"] = segment_save(
        segment=None, name=mark("C", "campaign", "segment"), spec=SegmentFilter(), by=marketing
    )
    o["template_C"] = template_save(
        template=None,
        data=TemplateInput(
            name=mark("C", "campaign", "template"),
            subject="Hello",
            html_body="<p>Hello {{ contact.first_name }}</p>",
            text_body="Hello",
        ),
        by=marketing,
    )
    o["campaign_C"] = campaign_create(
        data=CampaignInput(
            name=mark("C", "campaign"),
            segment=o["segment_C"],  # type: ignore[arg-type]
            template=o["template_C"],  # type: ignore[arg-type]
        ),
        by=marketing,
    )
    _channel_and_social(world)
    return world


def _channel_and_social(world: World) -> None:
    """Through-channel campaigns of partners A and B, a published social post, and a share
    of it by each partner's user (the leaderboard and the portal's results)."""
    from dirco.marketing.channel import PartnerCampaignInput, partner_campaign_create
    from dirco.marketing.models import Campaign, Share, SocialPost
    from dirco.marketing.services import TemplateInput, template_save
    from dirco.marketing.social import share_link_for

    c, o = world.company, world.objects
    # Approved for partners, so shown in every portal: it carries no marker on purpose.
    ptemplate = template_save(
        template=None,
        data=TemplateInput(
            name="Partner newsletter",
            subject="News from {{ sender.company }}",
            html_body="<p>Hello {{ contact.first_name }}</p>",
            text_body="Hello",
        ),
        by=c.marketing,
    )
    ptemplate.partner_approved = True
    ptemplate.save(update_fields=["partner_approved"])
    o["ptemplate_C"] = ptemplate
    o["pcampaign_A"] = partner_campaign_create(
        data=PartnerCampaignInput(name=mark("A", "partner_campaign"), template=ptemplate),
        by=c.partner_a_admin,
    )
    o["pcampaign_B"] = Campaign.objects.create(
        name=mark("B", "partner_campaign"),
        partner=c.partner_b,
        template=ptemplate,
        created_by=c.partner_b_user,
    )
    # Addressed to everyone, partners included: no marker (see test_social.py for a
    # staff-only post never reaching a partner).
    post = SocialPost.objects.create(
        title="Spring offer post",
        text="Spring offer",
        status=SocialPost.Status.PUBLISHED,
        published_at=timezone.now(),
        created_by=c.marketing,
    )
    o["post_C"] = post
    for side, user in (("A", c.partner_a_user), ("B", c.partner_b_user)):
        link = share_link_for(post=post, user=user)
        Share.objects.create(link=link, network=Share.Network.LINKEDIN)
        o[f"sharelink_{side}"] = link


def _social_world(world: World) -> None:
    """On each side's deal: a post for everyone who sees it (with a text attachment) and an
    internal note; a partner A user's comment on A's post; a staff-only company post."""
    from dirco.social.models import Post
    from dirco.social.services import PostInput, comment_create, post_create

    o, c = world.objects, world.company
    for side, author in (("A", c.rep), ("B", c.other_rep)):
        deal = o[f"deal_{side}"]
        post = post_create(
            author=author,
            data=PostInput(
                body=f"{mark(side, 'post')} **hello**",
                audience=Post.Audience.RECORD,
                record_kind="deal",
                record=deal,
                attachments=[ContentFile(mark(side, "post", "file").encode(), name="notes.txt")],
            ),
        )
        o[f"post_{side}"] = post
        o[f"attachment_{side}"] = post.attachments.get()
        o[f"note_{side}"] = post_create(
            author=author,
            data=PostInput(
                body=mark(side, "note"),
                audience=Post.Audience.INTERNAL,
                record_kind="deal",
                record=deal,
            ),
        )
    comment_create(author=c.partner_a_user, post=o["post_A"], body=mark("A", "post", "reply"))  # type: ignore[arg-type]
    o["feedpost_C"] = post_create(
        author=c.director, data=PostInput(body=mark("C", "feed"), audience=Post.Audience.INTERNAL)
    )


def _mdf_request(side: str, user: User, budget: Any, n: int | str = 1) -> Any:
    return request_make(
        user=user, budget=budget, amount="100", activity=mark(side, "mdf_request", n)
    )


def _mdf_claim(side: str, user: User, approver: User, budget: Any, n: int | str = 1) -> Any:
    return claim_make(
        user=user,
        approver=approver,
        budget=budget,
        amount="100",
        description=mark(side, "mdf_request", f"claim{n}"),
    )


def _planned_departure(user: User, note: str) -> Departure:
    return Departure.objects.create(
        user=user,
        left_on=timezone.localdate() + dt.timedelta(days=60),
        reason=Departure.Reason.RESIGNATION,
        status=Departure.Status.PLANNED,
        note=note,
    )


# Fresh records for write requests (each allowed actor acts on its own copy).
def _stage_unused(n: int) -> Stage:
    """A stage no deal went through (its writes and delete go through for the director)."""
    return Stage.objects.create(name=f"Walk stage {n}", order=1000 + n, probability=10)


def _import_mapping(side: str, partner: Any, n: int | str = 1) -> ImportMapping:
    return ImportMapping.objects.create(
        kind="contacts",
        name=mark(side, "import_mapping", n),
        columns={"last_name": "Nom"},
        partner=partner,
    )


def fresh(world: World, key: str) -> models.Model:
    """A copy of ``world.objects[key]`` for a write by an allowed actor (same side, same
    relations); objects without a copy recipe are returned as they are."""
    o, c, n = world.objects, world.company, world.next()
    kind, _, side = key.partition("_")
    if kind == "stage" and not side:
        return _stage_unused(n)
    if kind == "importmapping":
        return _import_mapping(side, getattr(o[key], "partner", None), f"w{n}")
    if kind == "departure":
        base = o[key]
        return _planned_departure(base.user, mark(side, "team_dynamics", f"w{n}"))
    if kind == "webhook":
        return WebhookSubscription.objects.create(
            url="https://93.184.215.14/hook",
            description=mark(side, "webhook", f"w{n}"),
            events=["*"],
        )
    if kind == "deal" and side in ("A", "B", "R"):
        base: Any = o[key]
        return DealFactory(
            name=mark(side, "deal", f"w{n}"),
            account=base.account,
            owner=base.owner,
            team=base.team,
            partner=base.partner,
            product_line=base.product_line,
        )
    if kind == "activity" and side in ("A", "B", "R"):
        base = o[key]
        return ActivityFactory(
            subject=mark(side, "activity", f"w{n}"), owner=base.owner, deal=base.deal
        )
    if kind == "contact" and side in ("A", "B", "R"):
        base = o[key]
        return PartnerContactFactory(
            first_name=mark(side, "contact", f"w{n}"),
            last_name="Copy",
            partner=base.partner,
            account=base.account,
        )
    if kind == "lead" and side in ("A", "B"):
        partner = c.partner_a if side == "A" else c.partner_b
        return _lead_offered(partner, f"{mark(side, 'lead', f'w{n}')} {_SIDE_WORDS[side]}")
    if kind == "lead" and side == "R":
        return _lead_for_rep(c.rep, mark("R", "lead", f"w{n}"))
    if kind == "leadaccepted":
        return _lead_accepted(c.partner_a, c.partner_a_user, mark("A", "lead", f"w{n}"))
    if kind == "registrationext":
        return _registration_with_extension(world, f"w{n}")
    if kind == "registration" and side in ("A", "B"):
        user = c.partner_a_user if side == "A" else c.partner_b_user
        return submit(
            user,
            product_line=o["line"],
            customer_name=f"{mark(side, 'registration', f'w{n}')} {_SIDE_WORDS[side]} {n}",
            customer_domain=f"w{n}-{side.lower()}.example",
            customer_legal_identifier=_siren(f"2{n}{ord(side)}"),
        )
    if kind == "objective":
        base = o[key]
        assert isinstance(base, Objective)
        # Each copy needs a year of its own (one objective per scope and year), further
        # ahead than the settable window allows: widen the window for the fixture only.
        with mock.patch.object(fiscal_calendar, "SETTABLE_YEARS_AHEAD", 100):
            copy = objective_create(
                user=c.director,
                scope=Scope.parse(base.scope_key),
                fiscal_year=base.fiscal_year + n,
                amount=Decimal("60000"),
                split_method=Objective.SplitMethod.FLAT,
            )
        Objective.objects.filter(pk=copy.pk).update(
            status=base.status, published_at=base.published_at
        )
        copy.refresh_from_db()
        return copy
    if kind in ("mdfrequest", "mdfclaim") and side in ("A", "B"):
        user, approver = (
            (c.partner_a_user, c.rep) if side == "A" else (c.partner_b_user, c.other_rep)
        )
        budget = o[f"mdfbudget_{side}"]
        if kind == "mdfrequest":
            return _mdf_request(side, user, budget, f"w{n}")
        return _mdf_claim(side, user, approver, budget, f"w{n}")
    if kind == "action" and side in ("A", "B"):
        base = o[key]
        assert isinstance(base, Action)
        return action_create(
            plan=base.plan,
            by=base.owner,
            data=ActionInput(
                kind=base.kind,
                title=mark(side, "plan", f"w{n}"),
                owner=base.owner,
                starts_on=base.starts_on,
                ends_on=base.ends_on,
            ),
        )
    if kind == "token":
        token, _key = api_token_create(user=o[key].user, name=mark(f"U{side}", "token", f"w{n}"))  # type: ignore[attr-defined]
        return token
    if kind == "user" and side in ("partner_a_user",):
        from dirco.accounts.tests.factories import UserFactory

        return UserFactory(
            email=f"w{n}@alpha.test", role=User.Role.PARTNER_USER, partner=c.partner_a
        )
    return o[key]


def snapshot(obj: models.Model) -> dict[str, Any] | None:
    """The stored values of a record (None once deleted): what a refused write must not
    change."""
    model = type(obj)
    row = model._default_manager.filter(pk=obj.pk).values().first()
    if row is None:
        return None
    row.pop("updated_at", None)
    row.pop("last_used_at", None)
    row.pop("last_login", None)
    return row


def client_session(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_token(key: str) -> Client:
    return Client(headers={"authorization": f"Bearer {key}"})
