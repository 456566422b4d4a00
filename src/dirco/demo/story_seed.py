"""The demo company's story: everything a first login should find alive.

After the bulk seed (staff, partners, accounts, three years of deals), ``demo_story_seed``
adds, through the same services the application uses (so rollups, notifications, audit rows
and conflicts are what they would be in real use):

- postcode areas: every French department and the demo's other countries map to a territory,
  so a lead from Lille (59000) lands in "France Nord & Est" and routes;
- the published objective cascade of the running fiscal year: company, teams (by history),
  reps (by history, set by their managers), the active partners of each rep, each split by the
  learned seasonality, with a few audited monthly overrides;
- forecast calls of the first team's reps for the running month, and their manager's
  adjustments;
- the registrations behind the last year's partner deals (approved, some expired), and fresh
  ones: under review (one in conflict with an existing customer), approved and rejected;
- leads in every state: new, offered, accepted, converted, declined and re-offered, expired
  and re-routed, lost;
- documents for each tier, announcements, partner applications, partners in onboarding with
  their checklist, and a tier review with its proposals awaiting the director.

Deterministic for a seed and a day; a few seconds on top of the bulk seed.
"""

from __future__ import annotations

import datetime as dt
import random
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Q, Sum
from django.utils import timezone

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.money import company_currency
from dirco.customers.models import Account
from dirco.demo import fake_names
from dirco.demo.dynamics_seed import demo_dynamics_seed
from dirco.demo.funds_seed import demo_funds_seed
from dirco.demo.pac_seed import demo_plans_seed
from dirco.demo.social_seed import demo_social_seed
from dirco.documents.models import Announcement, Document
from dirco.leads.models import Lead, LeadAssignment, TerritoryArea
from dirco.leads.services import (
    lead_accept,
    lead_assign,
    lead_convert,
    lead_create,
    lead_decline,
    lead_mark_lost,
    lead_route,
    leads_reroute_expired,
)
from dirco.objectives.fiscal_calendar import fiscal_year_of
from dirco.objectives.models import Objective
from dirco.objectives.services import (
    forecast_adjust,
    forecast_call_submit,
    objective_allocate,
    objective_create,
    objective_months_set,
    objective_publish,
)
from dirco.partners.models import Partner, Territory, Tier
from dirco.pipeline.models import Deal
from dirco.registrations.conflicts import CustomerKeys
from dirco.registrations.lifecycle import (
    application_approve,
    application_submit,
    onboarding_certified_people_set,
    onboarding_checklist_create,
    onboarding_step_complete,
)
from dirco.registrations.models import DealRegistration, OnboardingStep
from dirco.registrations.services import registration_approve, registration_reject
from dirco.registrations.services import registration_submit as _registration_submit
from dirco.registrations.tier_review import tier_review_run
from dirco.scopes import Scope
from dirco.teams.models import SalesTeam

# French departments (the first two digits of a postcode) by demo territory. Corsica (2A,
# 2B) writes 20; the overseas departments (97x) fall back to "France".
FRENCH_DEPARTMENTS = {
    "fr-nord-est": [
        # Hauts-de-France, Grand Est, Île-de-France, Bourgogne-Franche-Comté
        "02", "59", "60", "62", "80", "08", "10", "51", "52", "54", "55", "57", "67", "68",
        "88", "75", "77", "78", "91", "92", "93", "94", "95", "21", "25", "39", "58", "70",
        "71", "89", "90",
    ],
    "fr-ouest": [
        # Bretagne, Normandie, Pays de la Loire, Centre-Val de Loire, Nouvelle-Aquitaine
        "22", "29", "35", "56", "14", "27", "50", "61", "76", "44", "49", "53", "72", "85",
        "18", "28", "36", "37", "41", "45", "16", "17", "19", "23", "24", "33", "40", "47",
        "64", "79", "86", "87",
    ],
    "fr-sud": [
        # Occitanie, Provence-Alpes-Côte d'Azur, Auvergne-Rhône-Alpes, Corse
        "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82", "04",
        "05", "06", "13", "83", "84", "01", "03", "07", "15", "26", "38", "42", "43", "63",
        "69", "73", "74", "20",
    ],
}  # fmt: skip
# Countries mapped as a whole: the demo's international territories.
COUNTRY_TERRITORIES = {
    "FR": "france",
    "GB": "uk-ie",
    "IE": "uk-ie",
    "DE": "dach",
    "AT": "dach",
    "CH": "dach",
    "BE": "benelux",
    "NL": "benelux",
    "LU": "benelux",
    "US": "north-america",
    "CA": "north-america",
}

# Web-form leads: company, contact, country, postcode.
LEADS = [
    ("Brasserie Lilloise Industrie", "Julie Vandamme", "FR", "59000"),
    ("Métallerie du Cambrésis", "Marc Lefebvre", "FR", "59400"),
    ("Verreries de l'Aisne", "Sophie Carlier", "FR", "02100"),
    ("Plasturgie Champenoise", "Hugo Perrin", "FR", "51100"),
    ("Forges de Lorraine", "Nadia Bauer", "FR", "57000"),
    ("Cartonnerie Alsacienne", "Paul Meyer", "FR", "67000"),
    ("Conserverie Bretonne", "Anne Le Gall", "FR", "29000"),
    ("Chantiers de l'Estuaire", "Yann Guérin", "FR", "44600"),
    ("Laiterie Normande", "Claire Lemoine", "FR", "14000"),
    ("Fonderie du Poitou", "Louis Girard", "FR", "86000"),
    ("Aéro Composites Toulouse", "Inès Martin", "FR", "31000"),
    ("Parfumerie de Grasse", "Léa Rossi", "FR", "06130"),
    ("Mécanique Savoyarde", "Thomas Favre", "FR", "74000"),
    ("Textiles Lyonnais", "Camille Roux", "FR", "69003"),
    ("Salins du Midi Process", "Émile Blanc", "FR", "34000"),
    ("Agro Gascogne", "Pierre Dupuy", "FR", "32000"),
    ("Midland Precision Ltd", "Oliver Smith", "GB", "B1 1AA"),
    ("Bavaria Kunststoff GmbH", "Anna Huber", "DE", "80331"),
    ("Brabant Food Processing NV", "Pieter Janssens", "BE", "1000"),
    ("Ohio Valley Plastics Inc.", "Emily Johnson", "US", "43004"),
    ("Rotterdam Packaging BV", "Daan de Vries", "NL", "3011"),
    ("Robotique du Val de Loire", "Chloé Petit", "FR", "37000"),
    ("Charpentes du Jura", "Lucas Mercier", "FR", "39000"),
    ("Imprimerie Marseillaise", "Sarah Fabre", "FR", "13002"),
]
# Registrations partners submit in the portal: customer, domain, country, SIREN/VAT.
FRESH_REGISTRATIONS = [
    ("Papeteries de Haute-Alsace", "papeteries-ha.fr", "FR", "732829320"),
    ("Sucrerie de Picardie", "sucrerie-picardie.fr", "FR", "552100554"),
    ("Tuileries du Nord", "tuileries-nord.fr", "FR", "542065479"),
    ("Cidrerie du Perche", "cidrerie-perche.fr", "FR", "443061841"),
    ("Ateliers Mécaniques de Rouen", "amr-rouen.fr", "FR", "775665011"),
]
DOCUMENTS = [
    # title, tier rank or None for everyone, description, file name
    (
        "Catalogue 2026",
        None,
        "Every product with its list price and lead time.",
        "catalogue.txt",
    ),
    (
        "Partner price list",
        None,
        "Partner discounts by tier and product line.",
        "price-list.txt",
    ),
    (
        "Demo kit: shop-floor supervision",
        None,
        "Slides, a demo script and a sample data set.",
        "demo-kit.txt",
    ),
    (
        "Silver sales playbook",
        2,
        "Qualifying, proposing and closing with our pre-sales team.",
        "silver-playbook.txt",
    ),
    (
        "Gold roadmap (confidential)",
        1,
        "What ships in the next twelve months; under NDA.",
        "gold-roadmap.txt",
    ),
    (
        "Gold co-marketing fund rules",
        1,
        "How to request co-marketing funds and what they cover.",
        "gold-mdf.txt",
    ),
]
APPLICATIONS = [
    # company, SIREN, domain, contact first and last name, approve?
    ("Comtois Automation SARL", "404833048", "comtois-automation.fr", "Julien", "Vuillemin", True),
    ("Océan Process SAS", "418765426", "ocean-process.fr", "Maëlle", "Kervella", False),
    ("Durance Systèmes SAS", "428780282", "durance-systemes.fr", "Romain", "Arnaud", False),
]


REGISTRATION_HISTORY_PER_PARTNER = 60


@dataclass(frozen=True)
class StorySummary:
    objectives: int
    forecast_calls: int
    leads: dict[str, int]
    registrations: dict[str, int]
    documents: int
    announcements: int
    tier_proposals: int
    onboarding_partners: int
    applications: int
    fund_requests: dict[str, int]
    plans: dict[str, int] = field(default_factory=dict)


def _round(amount: Decimal, step: int = 10_000) -> Decimal:
    return (amount / step).quantize(Decimal(1)) * step


class _Story:
    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rnd = random.Random(seed * 7919 + 17)
        self.today = today
        self.now = timezone.now()
        self.director = User.objects.get(role=User.Role.DIRECTOR, email__startswith="director@")
        self.marketing = User.objects.filter(role=User.Role.MARKETING).order_by("id").first()
        self.lines = list(ProductLine.objects.order_by("id"))

    # -- territories ---------------------------------------------------------------------

    def areas(self) -> None:
        by_code = {t.code: t for t in Territory.objects.all()}
        rows = [
            TerritoryArea(territory=by_code[code], country="FR", postcode_prefix=prefix)
            for code, prefixes in FRENCH_DEPARTMENTS.items()
            if code in by_code
            for prefix in prefixes
        ]
        rows += [
            TerritoryArea(territory=by_code[code], country=country, postcode_prefix="")
            for country, code in COUNTRY_TERRITORIES.items()
            if code in by_code
        ]
        TerritoryArea.objects.bulk_create(rows, ignore_conflicts=True)

    # -- objectives ----------------------------------------------------------------------

    def objectives(self) -> int:
        year = fiscal_year_of(self.today)
        last_year_won = Deal.objects.filter(
            stage__is_won=True,
            close_date__gt=self.today - dt.timedelta(days=365),
            close_date__lte=self.today,
        ).aggregate(total=Sum("amount_company"))["total"] or Decimal(0)
        amount = max(_round(Decimal(last_year_won) * Decimal("1.12")), Decimal(100_000))
        company = objective_create(
            user=self.director, scope=Scope("company"), fiscal_year=year, amount=amount
        )
        objective_allocate(parent=company, user=self.director, method="history", today=self.today)
        objective_publish(objective=company, user=self.director, confirm=True)
        for team in SalesTeam.objects.select_related("manager").order_by("id"):
            team_objective = Objective.objects.get(scope_key=f"team:{team.pk}", fiscal_year=year)
            manager = team.manager or self.director
            objective_allocate(
                parent=team_objective, user=manager, method="history", today=self.today
            )
            objective_publish(objective=team_objective, user=self.director, confirm=True)
            for rep_objective in Objective.objects.filter(
                parent=team_objective, scope_kind="rep"
            ).order_by("id"):
                self._partner_objectives(rep_objective)
                objective_publish(objective=rep_objective, user=manager, confirm=True)
        self._monthly_overrides(year)
        return Objective.objects.filter(fiscal_year=year).count()

    def _partner_objectives(self, rep_objective: Objective) -> None:
        """The rep's active partners with portal users (those who see their objective in the
        portal) get last year's partner revenue plus 10%."""
        partners = (
            Partner.objects.filter(
                channel_manager_id=rep_objective.rep_id,
                status=Partner.Status.ACTIVE,
                users__isnull=False,
            )
            .distinct()
            .order_by("id")
        )
        start = self.today - dt.timedelta(days=365)
        won = dict(
            Deal.objects.filter(partner__in=partners, stage__is_won=True, close_date__gt=start)
            .values("partner_id")
            .annotate(total=Sum("amount_company"))
            .values_list("partner_id", "total")
        )
        amounts = {
            f"partner:{p.pk}": str(_round(Decimal(won[p.pk]) * Decimal("1.1"), 5_000))
            for p in partners
            if won.get(p.pk)
        }
        if not amounts:
            return
        objective_allocate(
            parent=rep_objective, user=self.director, method="manual", amounts=amounts
        )
        for child in Objective.objects.filter(parent=rep_objective).order_by("id"):
            objective_publish(objective=child, user=self.director, confirm=True)

    def _monthly_overrides(self, year: int) -> None:
        """Managers move some objective out of August into September and out of the last
        week of December into January: audited changes, rebalanced over the other months."""
        for team in SalesTeam.objects.select_related("manager").order_by("id")[:2]:
            rep_objective = (
                Objective.objects.filter(
                    fiscal_year=year, scope_kind="rep", parent__team=team, rep__is_active=True
                )
                .order_by("id")
                .first()
            )
            if rep_objective is None or team.manager is None:
                continue
            months = {m.month_index: m.amount for m in rep_objective.months.all()}
            august = self._fiscal_month_index(8)
            objective_months_set(
                objective=rep_objective,
                user=team.manager,
                amounts={august: _round(months[august] * Decimal("0.5"), 500)},
                rebalance=True,
            )

    @staticmethod
    def _fiscal_month_index(calendar_month: int) -> int:
        from dirco.objectives.fiscal_calendar import fiscal_start_month

        return (calendar_month - fiscal_start_month()) % 12 + 1

    # -- forecast calls ------------------------------------------------------------------

    def forecast_calls(self) -> int:
        period = f"{self.today.year}-{self.today.month:02d}"
        team = SalesTeam.objects.select_related("manager").order_by("id").first()
        if team is None or team.manager is None:
            return 0
        reps = list(team.members.filter(role=User.Role.REP, is_active=True).order_by("id"))
        start = self.today.replace(day=1)
        count = 0
        for i, rep in enumerate(reps):
            open_weighted = sum(
                (
                    Decimal(d.amount_company) * d.probability / 100
                    for d in Deal.objects.filter(
                        owner=rep,
                        stage__is_won=False,
                        stage__is_lost=False,
                        expected_close_date__gte=start,
                        expected_close_date__lte=start + dt.timedelta(days=31),
                    ).only("amount_company", "probability")
                ),
                Decimal(0),
            )
            call = _round(open_weighted + Decimal(self.rnd.randint(5, 40) * 1000), 1_000)
            forecast_call_submit(
                user=rep,
                scope=Scope("rep", rep.pk),
                period=period,
                owner_call=call,
                note="Deals in negotiation plus what is already won this month.",
            )
            count += 1
            if i in (0, 2):
                forecast_adjust(
                    user=team.manager,
                    scope=Scope("rep", rep.pk),
                    period=period,
                    manager_call=_round(call * Decimal("0.85"), 1_000),
                    note="Two of these deals slipped last month already; I keep 85%.",
                )
                count += 1
        forecast_call_submit(
            user=team.manager,
            scope=Scope("team", team.pk),
            period=period,
            owner_call=_round(Decimal(120_000 + self.rnd.randint(0, 60) * 1000), 5_000),
            note="Team call after the Monday pipeline review.",
        )
        return count + 1

    # -- registrations -------------------------------------------------------------------

    def registration_history(self) -> None:
        """The registrations behind last year's partner deals: approved on the deal's
        creation, expired when the protection ended without a win."""
        since = self.now - dt.timedelta(days=400)
        tiers = {t.pk: t for t in Tier.objects.all()}
        users = {
            u.partner_id: u
            for u in User.objects.filter(role=User.Role.PARTNER_ADMIN).order_by("-id")
        }
        rows = []
        deals: list[Deal] = []
        for partner_id in Partner.objects.order_by("id").values_list("id", flat=True):
            # The most recent ones: enough for any tier threshold, bounded at a million deals.
            deals += (
                Deal.objects.filter(partner_id=partner_id, created_at__gte=since)
                .select_related("account", "partner", "stage")
                .order_by("-created_at", "-id")[:REGISTRATION_HISTORY_PER_PARTNER]
            )
        for deal in deals:
            account, partner = deal.account, deal.partner
            assert partner is not None
            keys = CustomerKeys.of(
                name=account.name, domain=account.domain, legal_identifier=account.legal_identifier
            )
            approved = deal.created_at
            protected = approved + dt.timedelta(days=tiers[partner.tier_id].protection_days)
            ended = protected <= self.now and not deal.stage.is_won
            rows.append(
                DealRegistration(
                    created_at=approved - dt.timedelta(days=2),
                    partner=partner,
                    submitted_by=users.get(partner.pk),
                    customer_name=account.name,
                    customer_domain=account.domain,
                    customer_legal_identifier=account.legal_identifier,
                    customer_country=account.country,
                    name_key=keys.name,
                    domain_key=keys.domain,
                    legal_id_key=keys.legal_id,
                    amount=deal.amount,
                    currency=deal.currency,
                    product_line_id=deal.product_line_id,
                    expected_close_date=deal.expected_close_date,
                    status=(
                        DealRegistration.Status.EXPIRED
                        if ended
                        else DealRegistration.Status.APPROVED
                    ),
                    decided_by_id=partner.channel_manager_id,
                    decided_at=approved,
                    approved_at=approved,
                    protected_until=protected,
                    expired_at=protected if ended else None,
                    account=account,
                    deal=deal,
                )
            )
        DealRegistration.objects.bulk_create(rows, batch_size=2000)

    def registrations(self) -> None:
        portal_partners = list(
            Partner.objects.filter(
                status=Partner.Status.ACTIVE, users__role=User.Role.PARTNER_ADMIN
            )
            .distinct()
            .order_by("id")
        )
        users = {
            u.partner_id: u
            for u in User.objects.filter(role=User.Role.PARTNER_ADMIN).order_by("id")
        }
        made: list[DealRegistration] = []
        for i, (name, domain, country, siren) in enumerate(FRESH_REGISTRATIONS):
            partner = portal_partners[i % len(portal_partners)]
            made.append(
                self._submit(
                    users[partner.pk],
                    customer_name=name,
                    customer_domain=domain,
                    customer_country=country,
                    customer_legal_identifier=siren,
                )
            )
        # One in conflict with an existing customer of ours: same company, other spelling.
        existing = Account.objects.filter(country="FR").order_by("id")[7]
        partner = portal_partners[1]
        self._submit(
            users[partner.pk],
            customer_name=existing.name.upper(),
            customer_domain=existing.domain,
            customer_country="FR",
            customer_legal_identifier="",
        )
        for registration in made[:2]:
            registration_approve(registration=registration, approved_by=self.director)
        reasons = [
            "The customer is already in negotiation with our direct team.",
            "Not enough detail: give the project and the decision maker, then register again.",
        ]
        for registration, reason in zip(made[2:4], reasons, strict=True):
            registration_reject(registration=registration, rejected_by=self.director, reason=reason)

    def _submit(self, user: User, **data: Any) -> DealRegistration:
        line = self.lines[self.rnd.randrange(len(self.lines))]
        data.update(
            amount=str(self.rnd.randint(8, 90) * 1000),
            currency=company_currency(),
            product_line=line,
            expected_close_date=self.today + dt.timedelta(days=self.rnd.randint(30, 120)),
        )
        return _registration_submit(user=user, data=data)

    # -- leads ---------------------------------------------------------------------------

    def leads(self) -> None:
        created = []
        for i, (company, contact, country, postcode) in enumerate(LEADS):
            first = fake_names.slug(contact.split()[0])
            domain = fake_names.slug(company.split()[0])
            created.append(
                lead_create(
                    created_by=self.marketing,
                    route=False,
                    company_name=company,
                    contact_name=contact,
                    email=f"{first}@{domain}.example",
                    country=country,
                    postcode=postcode,
                    product_line=self.lines[i % len(self.lines)],
                    source=[Lead.Source.WEB_FORM, Lead.Source.EVENT, Lead.Source.CAMPAIGN][i % 3],
                    message="We would like a demonstration for our plant.",
                    consent=True,
                )
            )
        hour = dt.timedelta(hours=1)
        fresh, routed = created[:3], created[3:]
        # fresh: still new (arrived in the last hour, not routed yet).
        expired_first = routed[:3]
        for lead in expired_first:
            # Offered three days ago and never answered: the sweep re-routes them below.
            lead_route(lead=lead, rng=self.rnd, now=self.now - 72 * hour)
        wanted = {"accepted": 4, "converted": 2, "declined": 3, "lost": 1}
        for lead in routed[3:]:
            lead_route(lead=lead, rng=self.rnd, now=self.now - 5 * hour)
            lead.refresh_from_db()
            if lead.status != Lead.Status.OFFERED or not any(wanted.values()):
                continue
            user = self._assignee(lead)
            manager = lead.partner.channel_manager if lead.partner else None
            if user is None and manager is not None and manager.role == User.Role.REP:
                # The partner has no portal user to answer: the director hands the lead to
                # the partner's channel manager instead (a manual assignment).
                lead_assign(lead=lead, user=self.director, rep=manager, now=self.now - 4 * hour)
                lead.refresh_from_db()
                user = lead.rep
            if user is None:
                continue
            if wanted["declined"]:
                wanted["declined"] -= 1
                lead_decline(
                    lead=lead,
                    user=user,
                    reason="Outside our area of expertise.",
                    rng=self.rnd,
                    now=self.now - 3 * hour,
                )
            elif wanted["accepted"]:
                wanted["accepted"] -= 1
                lead_accept(lead=lead, user=user, now=self.now - 2 * hour)
            elif wanted["converted"]:
                wanted["converted"] -= 1
                lead_accept(lead=lead, user=user, now=self.now - 2 * hour)
                lead_convert(lead=lead, user=user, now=self.now - hour)
            elif wanted["lost"]:
                wanted["lost"] -= 1
                lead_accept(lead=lead, user=user, now=self.now - 2 * hour)
                lead_mark_lost(
                    lead=lead,
                    user=user,
                    reason="The customer chose to postpone the project.",
                    now=self.now - hour,
                )
        leads_reroute_expired(now=self.now, rng=self.rnd)
        assert all(lead.status == Lead.Status.NEW for lead in fresh)

    @staticmethod
    def _assignee(lead: Lead) -> User | None:
        if lead.rep_id is not None:
            return lead.rep
        if lead.partner_id is None:
            return None
        return (
            User.objects.filter(partner_id=lead.partner_id, is_active=True)
            .order_by("role", "id")
            .first()
        )

    # -- partner programme ---------------------------------------------------------------

    def documents(self) -> int:
        specific = Partner.objects.filter(status=Partner.Status.ACTIVE).order_by("id").first()
        for title, rank, description, filename in DOCUMENTS:
            document = Document(
                title=title,
                description=description,
                min_tier_rank=rank,
                is_published=True,
                created_by=self.marketing,
            )
            body = f"{title}\n\n{description}\n".encode()
            document.file.save(f"demo-{filename}", ContentFile(body), save=False)
            document.save()
        draft = Document(
            title="Price list 2027 (draft)",
            description="Not published yet: partners do not see it.",
            is_published=False,
            created_by=self.marketing,
        )
        draft.file.save("demo-price-list-2027.txt", ContentFile(b"Draft"), save=False)
        draft.save()
        if specific is not None:
            joint = Document(
                title=f"Joint business plan: {specific.name}",
                description="Our plan for the year with this partner only.",
                is_published=True,
                created_by=self.director,
            )
            joint.file.save("demo-joint-plan.txt", ContentFile(b"Joint plan"), save=False)
            joint.save()
            joint.partners.add(specific)
        return Document.objects.count()

    def announcements(self) -> int:
        day = dt.timedelta(days=1)
        gold_rank = Tier.objects.order_by("rank").values_list("rank", flat=True).first() or 1
        Announcement.objects.bulk_create(
            [
                Announcement(
                    title="Spring partner days: 14-15 April in Lyon",
                    body="Two days of training, roadmap and workshops. Register in the portal.",
                    audience=Announcement.Audience.ALL,
                    published_at=self.now - 3 * day,
                    expires_at=self.now + 60 * day,
                    created_by=self.marketing,
                ),
                Announcement(
                    title="New: predictive maintenance subscription",
                    body="Sell it from today; the demo kit is in the documents.",
                    audience=Announcement.Audience.ALL,
                    published_at=self.now - 10 * day,
                    created_by=self.marketing,
                ),
                Announcement(
                    title="Gold partners: co-marketing funds open",
                    body="Request your funds for the second half before the end of the month.",
                    audience=Announcement.Audience.TIER,
                    min_tier_rank=gold_rank,
                    published_at=self.now - day,
                    created_by=self.director,
                ),
                Announcement(
                    title="Winter price list (expired)",
                    body="Replaced by the partner price list.",
                    audience=Announcement.Audience.ALL,
                    published_at=self.now - 120 * day,
                    expires_at=self.now - 30 * day,
                    created_by=self.marketing,
                ),
            ]
        )
        return Announcement.objects.count()

    def onboarding(self) -> int:
        onboarding = list(Partner.objects.filter(status=Partner.Status.ONBOARDING).order_by("id"))
        for i, partner in enumerate(onboarding):
            onboarding_checklist_create(partner=partner)
            onboarding_step_complete(
                partner=partner,
                code=OnboardingStep.Code.AGREEMENT_SIGNED,
                done_by=partner.channel_manager,
            )
            if i % 2:
                onboarding_step_complete(
                    partner=partner,
                    code=OnboardingStep.Code.FIRST_TRAINING,
                    done_by=partner.channel_manager,
                )
                onboarding_certified_people_set(partner=partner, certified_people=1)
        # Active partners' certifications, so that the tier review can judge them: about
        # what their tier asks, one in six unknown.
        for i, partner in enumerate(
            Partner.objects.filter(status=Partner.Status.ACTIVE)
            .select_related("tier")
            .order_by("id")
        ):
            people = partner.tier.min_certified_people + i % 3
            onboarding_certified_people_set(
                partner=partner, certified_people=None if i % 6 == 5 else people
            )
        return Partner.objects.filter(status=Partner.Status.ONBOARDING).count()

    def applications(self) -> int:
        territory = Territory.objects.filter(code="fr-nord-est").first()
        for name, siren, domain, first, last, approve in APPLICATIONS:
            application = application_submit(
                data={
                    "company_name": name,
                    "legal_identifier": siren,
                    "domain": domain,
                    "country": "FR",
                    "kind": Partner.Kind.RESELLER,
                    "contact_first_name": first,
                    "contact_last_name": last,
                    "contact_email": f"{fake_names.slug(first)}.{fake_names.slug(last)}@{domain}",
                    "message": "We integrate automation lines and want to resell your software.",
                },
                ip=None,
            )
            if approve and territory is not None:
                application_approve(
                    application=application, approved_by=self.director, territory=territory
                )
        return len(APPLICATIONS)

    def tier_review(self) -> int:
        review = tier_review_run(run_by=self.director, today=self.today)
        return review.proposals.count()


def demo_story_seed(*, seed: int, today: dt.date) -> StorySummary:
    """Add the story to a freshly bulk-seeded demo company (inside the seed's transaction)."""
    with warnings.catch_warnings():
        # Partners with a short history give the seasonality fit degenerate slices; the
        # split falls back to the company's shape, which is what the demo wants.
        warnings.simplefilter("ignore", RuntimeWarning)
        return _story_run(seed=seed, today=today)


def _story_run(*, seed: int, today: dt.date) -> StorySummary:
    story = _Story(seed=seed, today=today)
    story.areas()
    objectives = story.objectives()
    calls = story.forecast_calls()
    story.registration_history()
    story.onboarding()
    story.registrations()
    story.leads()
    documents = story.documents()
    announcements = story.announcements()
    applications = story.applications()
    proposals = story.tier_review()
    plans = demo_plans_seed(director=story.director, today=today, seed=seed)
    fund_requests = demo_funds_seed(director=story.director, today=today)
    demo_dynamics_seed(today=today, director=story.director)
    demo_social_seed()
    leads = {status: Lead.objects.filter(status=status).count() for status in Lead.Status.values}
    leads["expired_offers"] = LeadAssignment.objects.filter(
        outcome=LeadAssignment.Outcome.EXPIRED
    ).count()
    registrations = {
        status: DealRegistration.objects.filter(status=status).count()
        for status in DealRegistration.Status.values
    }
    registrations["with_conflicts"] = DealRegistration.objects.filter(~Q(conflict_count=0)).count()
    return StorySummary(
        objectives=objectives,
        forecast_calls=calls,
        leads=leads,
        registrations=registrations,
        documents=documents,
        announcements=announcements,
        tier_proposals=proposals,
        onboarding_partners=Partner.objects.filter(status=Partner.Status.ONBOARDING).count(),
        applications=applications,
        fund_requests=fund_requests,
        plans=plans,
    )
