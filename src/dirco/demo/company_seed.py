"""The demo company: a French B2B SME selling industrial software, hardware and services.

``demo_company_seed`` fills an empty database with staff, teams, territories, partners,
customer accounts, contacts, products, exchange rates, and three years of deals with their
stage history and activities. The same seed on the same day gives the same data.

Deals, stage changes and activities are generated with numpy (``deal_generation``) and
written with ``executemany`` on one cursor; everything else goes through ``bulk_create``.
All of it runs in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat

from dirco.accounts.models import User
from dirco.catalog.models import Product, ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.models import ExchangeRate
from dirco.core.money import RateTable, company_currency
from dirco.customers.models import Account
from dirco.demo import fake_names
from dirco.demo.deal_generation import (
    NONE,
    Accounts,
    DealChunk,
    Effect,
    Partners,
    People,
    ProductLines,
    Stages,
    World,
    deal_chunks,
)
from dirco.demo.dynamics_seed import (
    CHANGED_TEAM,
    CHANGED_TEAM_WIN_FACTOR,
    MANAGER_CHANGE_DAYS_AGO,
    PROMOTED_OWN_FACTOR,
    PROMOTED_TEAM,
    PROMOTED_TEAM_WIN_FACTOR,
    PROMOTION_DAYS_AGO,
)
from dirco.demo.story_seed import StorySummary, demo_story_seed
from dirco.partners.models import Contact, Partner, Territory, Tier
from dirco.pipeline.models import Activity, Deal, Stage, StageChange
from dirco.teams.models import SalesTeam

DEMO_PASSWORD = "dirco-demo"
DEMO_DOMAIN = "demo.test"
DEFAULT_DEALS = 25_000
DEFAULT_SEED = 42
HISTORY_MONTHS = 36
CHUNK_SIZE = 50_000
SEATS_PER_TEAM = 5
FAR_FUTURE = 10**6  # a day number after any date we use

# code, name, parent code
TERRITORIES = [
    ("monde", "Monde", None),
    ("france", "France", "monde"),
    ("fr-nord-est", "France Nord & Est", "france"),
    ("fr-ouest", "France Ouest", "france"),
    ("fr-sud", "France Sud", "france"),
    ("international", "International", "monde"),
    ("uk-ie", "Royaume-Uni & Irlande", "international"),
    ("dach", "DACH", "international"),
    ("benelux", "Benelux", "international"),
    ("north-america", "Amérique du Nord", "international"),
]
# team name, territory code, share of its deals brought by partners
TEAMS = [
    ("France Nord & Est", "fr-nord-est", 0.30),
    ("France Ouest", "fr-ouest", 0.33),
    ("France Sud", "fr-sud", 0.30),
    ("International", "international", 0.45),
]
INTERNATIONAL_TEAM = 3
# country, territory code, share of the international team's accounts
INTERNATIONAL_COUNTRIES = [
    ("GB", "uk-ie", 0.24), ("IE", "uk-ie", 0.05), ("DE", "dach", 0.2), ("AT", "dach", 0.05),
    ("CH", "dach", 0.12), ("BE", "benelux", 0.1), ("NL", "benelux", 0.08),
    ("LU", "benelux", 0.02), ("US", "north-america", 0.11), ("CA", "north-america", 0.03),
]  # fmt: skip
COUNTRY_CURRENCY = {"GB": "GBP", "CH": "CHF", "US": "USD", "CA": "CAD"}
# currency, approximate EUR value at the start, monthly volatility
RATE_MODELS = [
    ("USD", 0.92, 0.012),
    ("GBP", 1.17, 0.008),
    ("CHF", 1.04, 0.007),
    ("CAD", 0.67, 0.01),
]

# name, rank, min won revenue, min registrations, min certified people, protection days,
# lead weight, deal weight in the simulation
TIERS = [
    ("Gold", 1, 400_000, 12, 4, 120, 5, 6.0),
    ("Silver", 2, 120_000, 6, 2, 90, 3, 2.5),
    ("Bronze", 3, 0, 0, 0, 60, 1, 1.0),
]
GOLD, SILVER, BRONZE = range(3)
# Tier of each of a team's 15 partners, by position; the second team starts with Silver so
# that partner 2 differs from partner 1.
TEAM_TIER_SEQUENCE = [
    [GOLD, SILVER, SILVER, BRONZE, GOLD, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE],
    [SILVER, GOLD, SILVER, BRONZE, GOLD, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE],
    [GOLD, SILVER, SILVER, BRONZE, GOLD, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE],
    [GOLD, SILVER, SILVER, BRONZE, GOLD, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE, SILVER, BRONZE, BRONZE],
]  # fmt: skip
_A, _O, _P, _S, _C = "active", "onboarding", "prospect", "suspended", "churned"
# Status of each team's partners at positions 10-14 (0-9 are active).
TEAM_LAST_STATUSES = [
    [_O, _P, _S, _C, _A],
    [_O, _A, _C, _P, _O],
    [_A, _O, _P, _S, _C],
    [_O, _C, _P, _S, _A],
]
PARTNERS_PER_TEAM = 15
PARTNER_PORTAL_COUNT = 10  # the first partners get portal users
# Positions, within a team, of the partners that resell under the team's first partner.
CHILD_POSITIONS = (5, 8)

_PARTNER_REGIONS = [
    ["Nord", "Flandres", "Artois", "Champagne", "Lorraine", "Alsace", "Ardennes", "Picardie",
     "Vosges", "Moselle", "Rhin", "Opale", "Hainaut", "Argonne", "Meuse"],
    ["Atlantique", "Armor", "Bretagne", "Loire", "Vendée", "Anjou", "Normandie", "Cotentin",
     "Maine", "Océane", "Iroise", "Touraine", "Charentes", "Poitou", "Estuaire"],
    ["Provence", "Rhône", "Alpes", "Occitanie", "Garonne", "Méditerranée", "Pyrénées", "Cévennes",
     "Azur", "Camargue", "Dauphiné", "Savoie", "Languedoc", "Gascogne", "Var"],
]  # fmt: skip
_PARTNER_TRADES = [
    "Automatismes", "Intégration", "Systèmes", "Industrie Services", "Connect", "Process",
    "Solutions", "Informatique Industrielle", "Robotique", "Maintenance", "Énergie", "Réseaux",
    "Télécom", "Mesure", "Digital",
]  # fmt: skip
_INTERNATIONAL_PARTNERS = [
    ("Thames Automation Ltd", "GB"), ("Midlands Control Systems Ltd", "GB"),
    ("Pennine Integration Ltd", "GB"), ("Liffey Industrial Systems Ltd", "IE"),
    ("Rheinland Industrietechnik GmbH", "DE"), ("Bayern Automation GmbH", "DE"),
    ("Ruhr Prozesstechnik GmbH", "DE"), ("Alpen Steuerungstechnik GmbH", "AT"),
    ("Léman Automation SA", "CH"), ("Zürich Industrie Systeme AG", "CH"),
    ("Vlaanderen Automatisering NV", "BE"), ("Wallonie Process SA", "BE"),
    ("Randstad Systems BV", "NL"), ("Great Lakes Industrial Systems Inc.", "US"),
    ("Ontario Controls Inc.", "CA"),
]  # fmt: skip

# code, name, share of deals, median amount (EUR), median sales cycle (days), products
PRODUCT_LINES: list[tuple[str, str, float, float, float, list[tuple[str, str, int]]]] = [
    ("logiciel", "Logiciel", 0.45, 6000, 55, [
        ("LOG-SUP", "Supervision d'atelier (licence site)", 12000),
        ("LOG-MP", "Maintenance prédictive (abonnement annuel)", 8400),
        ("LOG-MES", "MES : module ordonnancement", 15000),
        ("LOG-NRJ", "Tableaux de bord énergie", 4800),
        ("LOG-TRACE", "Traçabilité des lots", 9600),
    ]),
    ("materiel", "Matériel", 0.3, 8000, 45, [
        ("MAT-GW", "Passerelle IoT industrielle", 1450),
        ("MAT-VIB10", "Kit capteurs de vibration (x10)", 3900),
        ("MAT-EDGE", "Automate edge", 2800),
        ("MAT-HMI", "Écran opérateur durci", 1900),
        ("MAT-NRJ", "Compteur d'énergie communicant", 650),
    ]),
    ("services", "Services", 0.25, 3000, 30, [
        ("SRV-MES", "Mise en service sur site", 3200),
        ("SRV-FORM", "Formation opérateurs (2 jours)", 2400),
        ("SRV-SUP", "Contrat de support premium", 6000),
        ("SRV-AUDIT", "Audit de performance industrielle", 5500),
        ("SRV-DEV", "Développement d'interfaces", 8000),
    ]),
]  # fmt: skip

ACCOUNT_SIZES = [
    (Account.Size.MICRO, 0.1, 0.35),
    (Account.Size.SMALL, 0.35, 0.6),
    (Account.Size.MEDIUM, 0.35, 1.0),
    (Account.Size.LARGE, 0.15, 1.8),
    (Account.Size.ENTERPRISE, 0.05, 3.0),
]
REP_STANDING_TASKS = [
    "Préparer la revue de compte",
    "Mettre à jour la prévision du mois",
    "Relancer le partenaire sur les affaires en cours",
]


@dataclass(frozen=True)
class SeedSummary:
    users: int
    partners: int
    accounts: int
    deals: int
    stage_changes: int
    activities: int
    seconds: float
    story: StorySummary | None = None


def demo_company_exists() -> bool:
    """True when the database already holds deals or demo users: seeding again would clash."""
    return Deal.objects.exists() or User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists()


def demo_account_count(deals: int) -> int:
    """800 accounts for the default 25,000 deals, more for larger seeds, at most 10,000."""
    return min(10_000, max(800, deals // 30))


def demo_company_seed(
    *,
    deals: int = DEFAULT_DEALS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    defer_indexes_from: int = 100_000,
    with_story: bool = True,
) -> SeedSummary:
    """Create the demo company in an empty database, in one transaction.

    With ``with_story`` (the default), ``demo_story_seed`` then adds objectives, forecast
    calls, leads, registrations, documents and the rest through the services.

    From ``defer_indexes_from`` deals on, SQLite indexes of the bulk tables are rebuilt at the
    end instead of being updated row by row.
    """
    if deals < 0:
        raise ApplicationError(
            _("The number of deals cannot be negative."), fields={"deals": [_("Use 0 or more.")]}
        )
    if demo_company_exists():
        raise ApplicationError(
            _("The database already has deals or demo users; flush it first (dirco flush).")
        )
    started = time.monotonic()
    # The story's services notify people by email; the demo's addresses are fake.
    quiet_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    with quiet_mail, _fast_sqlite_writes(), transaction.atomic():
        seeder = _Seeder(
            deals=deals,
            seed=seed,
            today=today or timezone.localdate(),
            progress=progress or (lambda message: None),
            defer_indexes_from=defer_indexes_from,
        )
        counts = seeder.run()
        # The bulk insert bypasses the deal services that keep the monthly rollups; build
        # them once from scratch, inside the same transaction.
        from dirco.objectives.services import rollups_rebuild

        rollups_rebuild()
        story = None
        if with_story:
            seeder.progress(_("Adding objectives, leads, registrations and documents…"))
            # The story goes through the services, which read the clock: it happens today.
            story = demo_story_seed(seed=seed, today=timezone.localdate())
    return SeedSummary(**counts, seconds=round(time.monotonic() - started, 2), story=story)


@contextmanager
def _fast_sqlite_writes() -> Iterator[None]:
    """Skip fsync during the seed on SQLite; a crash mid-seed loses only the seed itself."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


class _Seeder:
    def __init__(
        self,
        *,
        deals: int,
        seed: int,
        today: dt.date,
        progress: Callable[[str], None],
        defer_indexes_from: int,
    ) -> None:
        self.n_deals = deals
        self.rnd = random.Random(seed)
        self.rng = np.random.default_rng(seed)
        self.today = today
        self.today_n = _day_number(today)
        self.start = _months_back(today, HISTORY_MONTHS)
        self.progress = progress
        self.password = make_password(DEMO_PASSWORD)
        self.sqlite = connection.vendor == "sqlite"
        self.defer_indexes_from = defer_indexes_from

    # -- helpers -------------------------------------------------------------------------

    def at(self, day_number: int, hour: float = 9.0) -> dt.datetime:
        """An aware UTC datetime on a day number at an hour."""
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day_number, hours=hour)

    def day(self, day_number: int) -> dt.date:
        return dt.date(1970, 1, 1) + dt.timedelta(days=day_number)

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self._territories()
        self._tiers()
        self._staff()
        self._catalog()
        self._rates()
        self._partners()
        self._accounts()
        self.progress(_("Reference data created; generating %(n)s deals…") % {"n": self.n_deals})
        n_changes, n_activities = self._deals()
        n_activities += self._standing_tasks()
        return {
            "users": User.objects.count(),
            "partners": len(self.partners),
            "accounts": len(self.accounts),
            "deals": self.n_deals,
            "stage_changes": n_changes,
            "activities": n_activities,
        }

    def _territories(self) -> None:
        self.territory: dict[str, Territory] = {}
        for code, name, parent in TERRITORIES:
            self.territory[code] = Territory.objects.create(
                code=code, name=name, parent=self.territory[parent] if parent else None
            )

    def _tiers(self) -> None:
        self.tiers = [
            Tier.objects.create(
                name=name,
                rank=rank,
                min_won_revenue=Decimal(revenue),
                min_registrations=registrations,
                min_certified_people=certified,
                protection_days=protection,
                lead_weight=lead_weight,
            )
            for name, rank, revenue, registrations, certified, protection, lead_weight, _w in TIERS
        ]

    def _user(self, email: str, role: str, *, hired: dt.date | None = None, **extra: Any) -> User:
        first, last = extra.pop("name", None) or fake_names.person_name(self.rnd)
        joined = self.at(_day_number(hired), 8) if hired else self.at(self.today_n - 400, 8)
        return User(
            email=email,
            password=self.password,
            first_name=first,
            last_name=last,
            role=role,
            hired_on=hired,
            date_joined=joined,
            **extra,
        )

    def _staff(self) -> None:
        rnd, today = self.rnd, self.today_n
        director = self._user(
            f"director@{DEMO_DOMAIN}",
            User.Role.DIRECTOR,
            hired=self.day(today - 365 * 12),
            is_staff=True,
            is_superuser=True,
            name=("Claire", "Vasseur"),
        )
        director.save()
        marketing = self._user(
            f"marketing@{DEMO_DOMAIN}",
            User.Role.MARKETING,
            hired=self.day(today - rnd.randint(700, 2500)),
            reports_to=director,
        )
        managers = [
            self._user(
                f"manager{i + 1}@{DEMO_DOMAIN}",
                User.Role.MANAGER,
                hired=self.day(today - rnd.randint(1500, 4000)),
                reports_to=director,
            )
            for i in range(len(TEAMS))
        ]
        # France Ouest's manager was hired from outside when they took the team.
        changed = managers[CHANGED_TEAM]
        changed.hired_on = self.day(today - MANAGER_CHANGE_DAYS_AGO - 20)
        changed.date_joined = self.at(today - MANAGER_CHANGE_DAYS_AGO - 20, 8)
        User.objects.bulk_create([marketing, *managers])
        self.director, self.managers = director, managers

        # 20 seats (5 per team). Three reps joined within the year: two replace reps who left
        # (seats 4 and 14) and one fills a new seat (19) that had no accounts worked before.
        n_seats = SEATS_PER_TEAM * len(TEAMS)
        hired = [today - rnd.randint(800, 3600) for _ in range(n_seats)]
        hired[4], hired[14], hired[19] = today - 330, today - 60, today - 210
        reps = [
            self._user(
                f"rep{i + 1}@{DEMO_DOMAIN}",
                User.Role.REP,
                hired=self.day(hired[i]),
                reports_to=managers[i // SEATS_PER_TEAM],
            )
            for i in range(n_seats)
        ]
        # (email, seat, hired, left)
        former_spec = [
            (f"former1@{DEMO_DOMAIN}", 4, today - 2600, today - 420),
            (f"former2@{DEMO_DOMAIN}", 14, today - 1900, today - 120),
        ]
        former = [
            self._user(
                email,
                User.Role.REP,
                hired=self.day(h),
                left_on=self.day(left),
                is_active=False,
                reports_to=managers[seat // SEATS_PER_TEAM],
            )
            for email, seat, h, left in former_spec
        ]
        # France Sud's manager retired; the company's best seller, manager3, took the team
        # (a promoted top seller: see dynamics_seed for the story told by the pages).
        retired = self._user(
            f"former3@{DEMO_DOMAIN}",
            User.Role.MANAGER,
            hired=self.day(today - 4200),
            left_on=self.day(today - PROMOTION_DAYS_AGO),
            is_active=False,
            reports_to=director,
            name=("Gérard", "Lambert"),
        )
        User.objects.bulk_create([*reps, *former, retired])
        self.reps = reps

        self.teams = []
        for (name, code, _share), manager in zip(TEAMS, managers, strict=True):
            self.teams.append(
                SalesTeam.objects.create(name=name, manager=manager, territory=self.territory[code])
            )
        promoted = managers[PROMOTED_TEAM]
        # Reps who left stay members: the team's history (and turnover) includes them.
        membership = SalesTeam.members.through
        membership.objects.bulk_create(
            [
                membership(salesteam_id=self.teams[i // SEATS_PER_TEAM].pk, user_id=rep.pk)
                for i, rep in enumerate(reps)
            ]
            + [
                membership(salesteam_id=self.teams[seat // SEATS_PER_TEAM].pk, user_id=user.pk)
                for user, (_e, seat, _h, _l) in zip(former, former_spec, strict=True)
            ]
            # The promoted manager still sells a little: a member of the team they run.
            + [membership(salesteam_id=self.teams[PROMOTED_TEAM].pk, user_id=promoted.pk)]
        )

        # Skills: volume, win rate and deal size. rep3 is the team star, rep12 struggles.
        everyone = reps + former
        volume = np.exp(self.rng.normal(0.0, 0.3, len(everyone)))
        win = np.clip(self.rng.normal(1.0, 0.12, len(everyone)), 0.75, 1.3)
        size = np.exp(self.rng.normal(0.0, 0.15, len(everyone)))
        volume[2], win[2] = 1.7, 1.25
        volume[11], win[11] = 0.6, 0.8
        seats = list(range(n_seats)) + [seat for _e, seat, _h, _l in former_spec]
        lefts = [FAR_FUTURE] * n_seats + [left for *_x, left in former_spec]
        hires = hired + [h for _e, _s, h, _l in former_spec]
        # The promoted manager sold from the first seat of their team: the best seller of
        # the company until the promotion (volume and win above rep3's).
        everyone.append(promoted)
        seats.append(PROMOTED_TEAM * SEATS_PER_TEAM)
        lefts.append(FAR_FUTURE)
        hires.append(_day_number(promoted.hired_on or self.day(today - 3000)))
        volume = np.append(volume, 1.9)
        win = np.append(win, 1.3)
        size = np.append(size, 1.1)
        self.people = People(
            user_id=np.array([u.pk for u in everyone], dtype=np.int64),
            seat=np.array(seats, dtype=np.int64),
            team=np.array([s // SEATS_PER_TEAM for s in seats], dtype=np.int64),
            hired_day=np.array(hires, dtype=np.int64),
            left_day=np.array(lefts, dtype=np.int64),
            volume=volume,
            win=win,
            size=size,
        )
        # The staged effects the team dynamics pages read: once promoted, the top seller
        # sells a fifth as much and their team wins 18% less often (nobody coaches it); the
        # manager who took France Ouest lifts its win rate by 15%.
        self.effects = [
            Effect("volume", len(everyone) - 1, today - PROMOTION_DAYS_AGO, PROMOTED_OWN_FACTOR),
            Effect("win", PROMOTED_TEAM, today - PROMOTION_DAYS_AGO, PROMOTED_TEAM_WIN_FACTOR),
            Effect("win", CHANGED_TEAM, today - MANAGER_CHANGE_DAYS_AGO, CHANGED_TEAM_WIN_FACTOR),
        ]

    def _catalog(self) -> None:
        lines, products = [], []
        for code, name, _share, _median, _cycle, items in PRODUCT_LINES:
            line = ProductLine.objects.create(code=code, name=name)
            lines.append(line)
            products += [
                Product(line=line, sku=sku, name=label, price=Decimal(price), currency="EUR")
                for sku, label, price in items
            ]
        Product.objects.bulk_create(products)
        self.lines = ProductLines(
            line_id=np.array([line.pk for line in lines], dtype=np.int64),
            share=np.array([p[2] for p in PRODUCT_LINES]),
            median_amount=np.array([p[3] for p in PRODUCT_LINES]),
            median_cycle_days=np.array([p[4] for p in PRODUCT_LINES]),
            product_names=[[label for _sku, label, _price in p[5]] for p in PRODUCT_LINES],
        )

    def _rates(self) -> None:
        """One rate per currency and month, a random walk, from a month before the history."""
        months = HISTORY_MONTHS + 2
        rows = []
        self.approx_rate: dict[str, float] = {"EUR": 1.0}
        for currency, base, volatility in RATE_MODELS:
            if currency == company_currency():
                continue
            walk = base * np.exp(np.cumsum(self.rng.normal(0.0, volatility, months)))
            self.approx_rate[currency] = float(walk.mean())
            for i, value in enumerate(walk.tolist()):
                rows.append(
                    ExchangeRate(
                        currency=currency,
                        valid_from=_months_back(self.today, months - 1 - i),
                        rate=Decimal(f"{value:.6f}"),
                    )
                )
        ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)
        self.rate_table = RateTable.load()

    def _partners(self) -> None:
        rnd, rng, today = self.rnd, self.rng, self.today_n
        specs: list[dict[str, Any]] = []
        for k in range(PARTNERS_PER_TEAM):
            for team in range(len(TEAMS)):
                status = _A if k < 10 else TEAM_LAST_STATUSES[team][k - 10]
                tier = TEAM_TIER_SEQUENCE[team][k]
                if status in (_P, _O):
                    tier = BRONZE
                if team == INTERNATIONAL_TEAM:
                    name, country = _INTERNATIONAL_PARTNERS[k]
                    territory = next(
                        code for c, code, _s in INTERNATIONAL_COUNTRIES if c == country
                    )
                else:
                    trade = _PARTNER_TRADES[(k * 4 + team) % len(_PARTNER_TRADES)]
                    name = (
                        f"{_PARTNER_REGIONS[team][k]} {trade} {rnd.choice(['SAS', 'SAS', 'SARL'])}"
                    )
                    country, territory = "FR", TEAMS[team][1]
                specs.append(
                    {"k": k, "team": team, "status": status, "tier": tier, "name": name,
                     "country": country, "territory": territory}
                )  # fmt: skip
        partners, starts, ends, weights = [], [], [], []
        for spec in specs:
            status, k = spec["status"], spec["k"]
            end = FAR_FUTURE
            if status == _A:
                # Two partners per team joined during the history: their deals start later.
                joined = today - (rnd.randint(400, 900) if k in (7, 8) else rnd.randint(1200, 3300))
            elif status == _O:
                joined = today - rnd.randint(20, 80)
            elif status == _P:
                joined = None
            elif status == _S:
                joined, end = today - rnd.randint(1500, 3000), today - rnd.randint(60, 200)
            else:
                joined, end = today - rnd.randint(1500, 3000), today - rnd.randint(250, 700)
            domain = f"{fake_names.slug(spec['name'].rsplit(' ', 1)[0])}.{'fr' if spec['country'] == 'FR' else 'com'}"
            channel_manager = self.reps[spec["team"] * SEATS_PER_TEAM + (k % SEATS_PER_TEAM)]
            partners.append(
                Partner(
                    name=spec["name"],
                    legal_identifier=self._legal_identifier(spec["country"]),
                    domain=domain,
                    country=spec["country"],
                    kind=self._partner_kind(spec["tier"]),
                    territory=self.territory[spec["territory"]],
                    tier=self.tiers[spec["tier"]],
                    status=status,
                    channel_manager=channel_manager,
                    joined_on=self.day(joined) if joined is not None else None,
                    created_at=self.at(joined if joined is not None else today - 30, 10),
                )
            )
            starts.append(FAR_FUTURE if joined is None else joined + (20 if status == _O else 45))
            ends.append(end)
            weight = TIERS[spec["tier"]][7] * math.exp(rng.normal(0.0, 0.3))
            weights.append(weight * (0.3 if status == _O else 1.0))
        Partner.objects.bulk_create(partners)
        # The first partner of each team distributes to two smaller resellers.
        children = []
        for spec, partner in zip(specs, partners, strict=True):
            if spec["k"] in CHILD_POSITIONS:
                partner.parent = partners[spec["team"]]
                children.append(partner)
        Partner.objects.bulk_update(children, ["parent"])
        self.partners = partners
        self.partner_world = Partners(
            partner_id=np.array([p.pk for p in partners], dtype=np.int64),
            team=np.array([s["team"] for s in specs], dtype=np.int64),
            weight=np.array(weights),
            start_day=np.array(starts, dtype=np.int64),
            end_day=np.array(ends, dtype=np.int64),
        )
        self._partner_people(partners)

    def _partner_kind(self, tier: int) -> str:
        if tier == GOLD:
            return self.rnd.choice([Partner.Kind.DISTRIBUTOR, Partner.Kind.INTEGRATOR])
        return self.rnd.choice(
            [
                Partner.Kind.RESELLER,
                Partner.Kind.RESELLER,
                Partner.Kind.INTEGRATOR,
                Partner.Kind.REFERRAL,
            ]
        )

    def _legal_identifier(self, country: str) -> str:
        """A SIREN for a French company, a VAT number that passes its check digits in the EU
        and the UK, a national company number elsewhere."""
        if country == "FR":
            body = "".join(self.rnd.choice("0123456789") for _ in range(8))
            return body + luhn.calc_check_digit(body)
        if country == "US":
            return f"{self.rnd.randint(10, 99)}-{self.rnd.randint(1_000_000, 9_999_999)}"
        if country == "CA":
            return f"BN {self.rnd.randint(100_000_000, 999_999_999)}"
        if country == "CH":
            return f"CHE-{self.rnd.randint(100, 999)}.{self.rnd.randint(100, 999)}.{self.rnd.randint(100, 999)}"
        valid = gb_vat.is_valid if country == "GB" else eu_vat.is_valid
        length = {"AT": 8, "IE": 7, "NL": 9, "LU": 8, "BE": 10, "DE": 9}.get(country, 9)
        for _attempt in range(1000):
            digits = "".join(self.rnd.choice("0123456789") for _ in range(length))
            candidate = f"{country}{'U' if country == 'AT' else ''}{digits}"
            if country == "IE":
                candidate += self.rnd.choice("ABCDEFGHIJKLMNOPQRSTUVW")
            if country == "NL":
                candidate += "B01"
            if valid(candidate):
                return candidate
        return ""

    def _partner_people(self, partners: list[Partner]) -> None:
        rnd = self.rnd
        contacts, users = [], []
        for index, partner in enumerate(partners):
            foreign = partner.country != "FR"
            for _contact in range(rnd.randint(2, 4)):
                first, last = fake_names.person_name(rnd, foreign=foreign)
                contacts.append(
                    Contact(
                        partner=partner,
                        first_name=first,
                        last_name=last,
                        email=f"{fake_names.slug(first)}.{fake_names.slug(last)}@{partner.domain}",
                        phone=self._phone(),
                        job_title=rnd.choice(fake_names.PARTNER_JOB_TITLES),
                    )
                )
            if index < PARTNER_PORTAL_COUNT:
                number = index + 1
                emails = [(f"partner{number}@{DEMO_DOMAIN}", User.Role.PARTNER_ADMIN)]
                emails.append((f"partner{number}-user@{DEMO_DOMAIN}", User.Role.PARTNER_USER))
                if number % 2:
                    emails.append((f"partner{number}-user2@{DEMO_DOMAIN}", User.Role.PARTNER_USER))
                for email, role in emails:
                    users.append(
                        self._user(
                            email,
                            role,
                            partner=partner,
                            name=fake_names.person_name(rnd, foreign=foreign),
                        )
                    )
        Contact.objects.bulk_create(contacts, batch_size=5000)
        User.objects.bulk_create(users)

    def _phone(self) -> str:
        digits = [self.rnd.randint(10, 99) for _ in range(4)]
        return f"+33 {self.rnd.randint(1, 5)} {self.rnd.randint(10, 99)} " + " ".join(
            map(str, digits)
        )

    def _accounts(self) -> None:
        rnd, rng = self.rnd, self.rng
        n_seats = SEATS_PER_TEAM * len(TEAMS)
        per_seat = math.ceil(demo_account_count(self.n_deals) / n_seats)
        n = per_seat * n_seats
        seat_of = np.repeat(np.arange(n_seats), per_seat)
        intl_p = np.array([share for _c, _t, share in INTERNATIONAL_COUNTRIES])
        intl_pick = rng.choice(len(intl_p), size=n, p=intl_p / intl_p.sum())
        countries = [
            INTERNATIONAL_COUNTRIES[int(pick)][0]
            if seat // SEATS_PER_TEAM == INTERNATIONAL_TEAM
            else "FR"
            for seat, pick in zip(seat_of.tolist(), intl_pick.tolist(), strict=True)
        ]
        territory_of_country = {c: code for c, code, _s in INTERNATIONAL_COUNTRIES}
        names = fake_names.company_names(rnd, countries)
        size_p = np.array([p for _s, p, _f in ACCOUNT_SIZES])
        size_idx = rng.choice(len(ACCOUNT_SIZES), size=n, p=size_p / size_p.sum())
        industries = rnd.choices(fake_names.INDUSTRIES, weights=fake_names.INDUSTRY_WEIGHTS, k=n)
        # The current holder of each seat owns its accounts.
        owners = self.reps
        accounts = []
        for i in range(n):
            seat, country = int(seat_of[i]), countries[i]
            team = seat // SEATS_PER_TEAM
            territory = (
                territory_of_country[country] if team == INTERNATIONAL_TEAM else TEAMS[team][1]
            )
            _short, name, domain = names[i]
            accounts.append(
                Account(
                    name=name,
                    domain=domain,
                    legal_identifier=self._legal_identifier(country),
                    industry=industries[i],
                    size=ACCOUNT_SIZES[int(size_idx[i])][0],
                    country=country,
                    territory=self.territory[territory],
                    owner=owners[seat],
                    created_at=self.at(_day_number(self.start) - rnd.randint(0, 1500), 10),
                )
            )
        Account.objects.bulk_create(accounts, batch_size=5000)
        self.accounts = accounts
        # Accounts pay in their own currency when we have its rate, else in ours.
        home = company_currency()
        local = [COUNTRY_CURRENCY.get(c, "EUR") for c in countries]
        local = [c if c in self.approx_rate and c != "EUR" else home for c in local]
        self.account_world = Accounts(
            account_id=np.array([a.pk for a in accounts], dtype=np.int64),
            per_seat=per_seat,
            size_factor=np.array([ACCOUNT_SIZES[int(i)][2] for i in size_idx]),
            local_currency=local,
            local_rate=np.array([self.approx_rate.get(c, 1.0) for c in local]),
            short_name=[short for short, _name, _domain in names],
        )
        self._account_contacts(accounts)

    def _account_contacts(self, accounts: list[Account]) -> None:
        rnd = self.rnd
        contacts = []
        for account in accounts:
            for _contact in range(1 + (rnd.random() < 0.5)):
                first, last = fake_names.person_name(rnd, foreign=account.country != "FR")
                contacts.append(
                    Contact(
                        account=account,
                        first_name=first,
                        last_name=last,
                        email=f"{fake_names.slug(first)}.{fake_names.slug(last)}@{account.domain}",
                        phone=self._phone(),
                        job_title=rnd.choice(fake_names.JOB_TITLES),
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=5000)

    def _stages(self) -> Stages:
        by_name = {s.name: s for s in Stage.objects.all()}
        order = ["Prospecting", "Qualification", "Proposal", "Negotiation"]
        open_stages = [by_name[name] for name in order if name in by_name]
        if len(open_stages) < 4:
            open_stages = list(Stage.objects.filter(is_won=False, is_lost=False).order_by("order"))
        won = Stage.objects.filter(is_won=True).order_by("order").first()
        lost = Stage.objects.filter(is_lost=True).order_by("order").first()
        if len(open_stages) < 4 or won is None or lost is None:
            raise ApplicationError(
                _(
                    "The demo needs four open stages, a won stage and a lost stage; run migrate first."
                )
            )
        # With more than four open stages the demo uses the first two and the last two.
        chosen = [*open_stages[:2], *open_stages[-2:], won, lost]
        return Stages(
            ids=[s.pk for s in chosen],
            probability=[s.probability for s in chosen],
            forecast_category=[s.forecast_category for s in chosen],
        )

    def _deals(self) -> tuple[int, int]:
        world = World(
            today=self.today_n,
            start=_day_number(self.start),
            people=self.people,
            accounts=self.account_world,
            partners=self.partner_world,
            lines=self.lines,
            stages=self._stages(),
            team_partner_share=np.array([share for _n, _c, share in TEAMS]),
            team_ids=[t.pk for t in self.teams],
            home_currency=company_currency(),
            effects=self.effects,
        )
        first_id = (Deal.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        writer = _RowWriter(sqlite=self.sqlite)
        n_changes = n_activities = written = 0
        bulk_models: list[type[models.Model]] = [Deal, StageChange, Activity]
        with _indexes_deferred(bulk_models, enabled=self.n_deals >= self.defer_indexes_from):
            for chunk in deal_chunks(
                world, self.n_deals, self.rng, first_id=first_id, chunk_size=CHUNK_SIZE
            ):
                writer.deals(chunk, self.rate_table)
                n_changes += writer.stage_changes(chunk)
                n_activities += writer.activities(chunk)
                written += len(chunk.deal_id)
                self.progress(
                    _("%(done)s / %(total)s deals written")
                    % {"done": written, "total": self.n_deals}
                )
            self.progress(_("Rebuilding indexes…"))
        writer.reset_sequences([Deal])
        return n_changes, n_activities

    def _standing_tasks(self) -> int:
        """A few open tasks due this week for every active rep, whatever the seed size."""
        rnd = self.rnd
        per_seat = self.account_world.per_seat
        tasks = []
        for seat, rep in enumerate(self.reps):
            for i, subject in enumerate(REP_STANDING_TASKS):
                account = self.accounts[seat * per_seat + i]
                due = self.at(self.today_n + rnd.randint(0, 5), rnd.choice([9, 11, 14, 16]))
                tasks.append(
                    Activity(
                        kind=Activity.Kind.TASK,
                        subject=subject,
                        owner=rep,
                        due_at=due,
                        account=account,
                        created_at=self.at(self.today_n - 2, 8),
                    )
                )
        Activity.objects.bulk_create(tasks)
        return len(tasks)


@contextmanager
def _indexes_deferred(model_list: list[type[models.Model]], *, enabled: bool) -> Iterator[None]:
    """On SQLite, drop the secondary indexes of ``model_list`` and rebuild them at the end.

    Building an index once over sorted rows is several times cheaper than updating thirteen
    B-trees on every insert. Each index is recreated from its own stored SQL, so it comes back
    exactly as the migrations made it. Other databases keep their indexes.
    """
    if not enabled or connection.vendor != "sqlite":
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ({})".format(", ".join(["%s"] * len(tables))),
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # Let SQLite's sorter use a second core while it builds each index.
        cursor.execute("PRAGMA threads=2")
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute("PRAGMA threads=0")


class _RowWriter:
    """Writes chunk columns with ``executemany``: no model instances, one prepared statement.

    Columns the demo does not fill (added to the models later) get their model default.
    """

    def __init__(self, *, sqlite: bool) -> None:
        self.sqlite = sqlite
        self._sql: dict[type[models.Model], tuple[str, list[str], list[Any]]] = {}

    def _statement(self, model: type[models.Model], given: Sequence[str]) -> tuple[str, list[Any]]:
        qn = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
        column_of = {f.attname: f.column for f in fields}
        missing: list[tuple[models.Field[Any, Any], Any]] = []
        for f in fields:
            if f.attname in given:
                continue
            if not f.has_default() and not f.null and not getattr(f, "auto_now", False):
                if f.empty_strings_allowed:
                    missing.append((f, ""))
                    continue
                raise ApplicationError(
                    f"The demo seed does not know how to fill {model.__name__}.{f.name}; "
                    "give the field a default."
                )
            missing.append((f, f.get_default() if f.has_default() else None))
        columns = [column_of[name] for name in given] + [f.column for f, _v in missing]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table),
            ", ".join(qn(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        constants = [f.get_db_prep_save(value, connection) for f, value in missing]
        return sql, constants

    def _write(
        self, model: type[models.Model], columns: dict[str, Sequence[Any]], count: int
    ) -> int:
        if count == 0:
            return 0
        sql, constants = self._statement(model, list(columns))
        values = [*columns.values(), *(itertools.repeat(c, count) for c in constants)]
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(zip(*values, strict=False)))
        return count

    def _datetimes(self, seconds: np.ndarray[Any, Any]) -> list[Any]:
        """UTC instants as the backend stores them.

        SQLite gets the exact text Django writes (``str()`` of a naive UTC datetime), formatted
        by numpy: sqlite3's per-value adapters would cost more than the inserts themselves.
        """
        stamps = seconds.astype("datetime64[s]")
        if self.sqlite:
            return [t.replace("T", " ") for t in np.datetime_as_string(stamps).tolist()]
        return [v.replace(tzinfo=dt.UTC) for v in stamps.tolist()]

    def _optional_datetimes(self, seconds: np.ndarray[Any, Any]) -> list[Any]:
        values = self._datetimes(np.where(seconds == NONE, 0, seconds))
        return [None if s == NONE else v for s, v in zip(seconds.tolist(), values, strict=True)]

    def _dates(self, days: np.ndarray[Any, Any]) -> list[Any]:
        as_dates = days.astype("datetime64[D]")
        values = np.datetime_as_string(as_dates).tolist() if self.sqlite else as_dates.tolist()
        return [None if d == NONE else v for d, v in zip(days.tolist(), values, strict=True)]

    @staticmethod
    def _nullable(ids: np.ndarray[Any, Any]) -> list[int | None]:
        return [None if i == NONE else i for i in ids.tolist()]

    def deals(self, chunk: DealChunk, rates: RateTable) -> int:
        home = company_currency()
        amounts: list[int] = chunk.amount.tolist()
        on_days = np.where(chunk.close_day == NONE, chunk.expected_close_day, chunk.close_day)
        amount_company: list[Any] = list(amounts)
        for i in np.nonzero(np.array(chunk.currency, dtype=object) != home)[0].tolist():
            on = dt.date(1970, 1, 1) + dt.timedelta(days=int(on_days[i]))
            converted = rates.to_company(Decimal(amounts[i]), chunk.currency[i], on)
            # SQLite stores decimals as text cast to a number, exactly like Django does.
            amount_company[i] = str(converted) if self.sqlite else converted
        amount: list[Any] = amounts
        if not self.sqlite:
            amount = [Decimal(a) for a in amounts]
            amount_company = [Decimal(a) if isinstance(a, int) else a for a in amount_company]
        entered = self._datetimes(chunk.stage_entered_at)
        return self._write(
            Deal,
            {
                "id": chunk.deal_id.tolist(),
                "created_at": self._datetimes(chunk.created_at),
                "updated_at": entered,
                "name": [n[:200] for n in chunk.name],
                "account_id": chunk.account_id.tolist(),
                "partner_id": self._nullable(chunk.partner_id),
                "owner_id": chunk.owner_id.tolist(),
                "team_id": chunk.team_id.tolist(),
                "product_line_id": chunk.product_line_id.tolist(),
                "amount": amount,
                "currency": chunk.currency,
                "amount_company": amount_company,
                "stage_id": chunk.stage_id.tolist(),
                "probability": chunk.probability.tolist(),
                "forecast_category": chunk.forecast_category,
                "expected_close_date": self._dates(chunk.expected_close_day),
                "close_date": self._dates(chunk.close_day),
                "source": chunk.source,
                "lost_reason": chunk.lost_reason,
                "stage_entered_at": entered,
            },
            len(chunk.deal_id),
        )

    def stage_changes(self, chunk: DealChunk) -> int:
        return self._write(
            StageChange,
            {
                "deal_id": chunk.change_deal_id.tolist(),
                "from_stage_id": self._nullable(chunk.change_from),
                "to_stage_id": chunk.change_to.tolist(),
                "changed_at": self._datetimes(chunk.change_at),
                "changed_by_id": chunk.change_by.tolist(),
            },
            len(chunk.change_deal_id),
        )

    def activities(self, chunk: DealChunk) -> int:
        created = self._datetimes(chunk.activity_created)
        done = self._optional_datetimes(chunk.activity_done)
        return self._write(
            Activity,
            {
                "created_at": created,
                "updated_at": [d or c for d, c in zip(done, created, strict=True)],
                "kind": chunk.activity_kind,
                "subject": chunk.activity_subject,
                "owner_id": chunk.activity_owner.tolist(),
                "due_at": self._datetimes(chunk.activity_due),
                "done_at": done,
                "deal_id": chunk.activity_deal.tolist(),
                "partner_id": self._nullable(chunk.activity_partner),
                "account_id": chunk.activity_account.tolist(),
            },
            len(created),
        )

    def reset_sequences(self, model_list: list[type[models.Model]]) -> None:
        """Explicit ids leave PostgreSQL sequences behind; move them past the new rows."""
        statements = connection.ops.sequence_reset_sql(no_style(), model_list)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
