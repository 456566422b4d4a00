"""Conflict detection: does a registered customer match an account, an open deal or another
registration?

Names are compared after normalisation (lowercase, accents and punctuation removed, legal
forms such as SA, SARL, GmbH or Ltd dropped) with rapidfuzz's WRatio; web domains and legal
identifiers are compared for equality after normalisation. The result names other partners:
it is for staff only, never shown to a partner.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz, process

from dirco.customers.models import Account
from dirco.pipeline.models import Deal
from dirco.registrations.models import DealRegistration

DEFAULT_NAME_THRESHOLD = 88

# Legal forms dropped from names before comparing ("Acme SAS" is "Acme GmbH" is "Acme").
LEGAL_FORMS = frozenset(
    {
        "sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scop", "sca", "sem",
        "societe", "ste", "cie", "et",
        "gmbh", "ag", "kg", "ohg", "ug", "ev",
        "ltd", "limited", "llc", "llp", "plc", "inc", "incorporated", "corp", "corporation",
        "co", "company",
        "bv", "nv", "vof", "srl", "spa", "sl", "slu", "sprl", "bvba",
        "oy", "ab", "as", "asa", "aps",
    }
)  # fmt: skip
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def _ascii_lower(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# Every registration compares its customer with every account: the accounts' keys are
# remembered per process (a key depends on the text alone), not recomputed for each one.
@functools.lru_cache(maxsize=100_000)
def name_key(name: str) -> str:
    """'Société Générale S.A.' -> 'generale'; 'ACME, Inc.' -> 'acme'."""
    text = _ascii_lower(name or "").replace("&", " ")
    text = text.replace(".", "")  # "S.A.R.L." is "sarl", not "s a r l"
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    tokens = [t for t in text.split(" ") if t and t not in LEGAL_FORMS]
    # A name made only of legal forms ("SAS") keeps them rather than vanish.
    return " ".join(tokens) if tokens else text


@functools.lru_cache(maxsize=100_000)
def domain_key(domain: str) -> str:
    """'https://www.Acme.fr/contact' -> 'acme.fr'; 'jane@acme.fr' -> 'acme.fr'."""
    text = (domain or "").strip().lower()
    text = _SCHEME.sub("", text)
    if "@" in text.split("/")[0]:
        text = text.split("@", 1)[1]
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    return text


@functools.lru_cache(maxsize=100_000)
def legal_id_key(value: str) -> str:
    """'FR 12 345-678.90' -> 'FR1234567890': spaces and separators do not count."""
    return _NOT_ALNUM.sub("", (value or "").upper())


def name_threshold() -> int:
    return int(getattr(settings, "DIRCO_REGISTRATION_NAME_THRESHOLD", DEFAULT_NAME_THRESHOLD))


@dataclass(frozen=True)
class CustomerKeys:
    name: str
    domain: str
    legal_id: str

    @classmethod
    def of(cls, *, name: str, domain: str, legal_identifier: str) -> CustomerKeys:
        return cls(
            name=name_key(name), domain=domain_key(domain), legal_id=legal_id_key(legal_identifier)
        )


@dataclass
class Conflict:
    """One match. ``partner_name`` is another partner's name: staff eyes only."""

    kind: str  # "account", "deal" or "registration" (RegistrationConflict.Kind)
    object_id: int
    label: str
    matched_on: list[str] = field(default_factory=list)
    score: float | None = None
    account_id: int | None = None
    partner_id: int | None = None
    partner_name: str = ""
    status: str = ""
    protected: bool = False
    protected_until: dt.datetime | None = None
    owner_name: str = ""

    @property
    def matched_on_display(self) -> str:
        return ", ".join(self.matched_on)


def _match(
    keys: CustomerKeys, *, name: str, domain: str, legal_id: str, scores: dict[str, float]
) -> tuple[list[str], float | None]:
    matched: list[str] = []
    score = scores.get(name)
    if score is not None:
        matched.append("name")
    if keys.domain and domain and keys.domain == domain:
        matched.append("domain")
    if keys.legal_id and legal_id and keys.legal_id == legal_id:
        matched.append("legal_identifier")
    return matched, score


def _name_scores(query: str, choices: set[str]) -> dict[str, float]:
    """Each candidate name scoring at least the threshold against ``query``."""
    if not query or not choices:
        return {}
    found = process.extract(
        query,
        list(choices),
        scorer=fuzz.WRatio,
        processor=None,
        score_cutoff=name_threshold(),
        limit=None,
    )
    return {choice: round(float(score), 1) for choice, score, _index in found}


def conflicts_find(
    *,
    keys: CustomerKeys,
    exclude_registration_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Conflict]:
    """Accounts, open deals on those accounts, and live registrations matching ``keys``.

    A live registration is pending, or approved and still protected. Account names are
    normalised here on each call: fine for tens of thousands of accounts.
    """
    now = now or timezone.now()
    conflicts: list[Conflict] = []

    accounts = list(Account.objects.values_list("id", "name", "domain", "legal_identifier"))
    account_keys = {pk: (name_key(n), domain_key(d), legal_id_key(li)) for pk, n, d, li in accounts}
    names = {pk: n for pk, n, _d, _li in accounts}
    scores = _name_scores(keys.name, {k[0] for k in account_keys.values()})
    matched_accounts: dict[int, tuple[list[str], float | None]] = {}
    for pk, (n, d, li) in account_keys.items():
        matched, score = _match(keys, name=n, domain=d, legal_id=li, scores=scores)
        if matched:
            matched_accounts[pk] = (matched, score)
            conflicts.append(
                Conflict(
                    kind="account",
                    object_id=pk,
                    label=names[pk],
                    matched_on=matched,
                    score=score,
                    account_id=pk,
                )
            )

    open_deals = (
        Deal.objects.filter(
            account_id__in=list(matched_accounts), stage__is_won=False, stage__is_lost=False
        )
        .select_related("account", "partner", "owner", "stage")
        .order_by("account_id", "id")
    )
    for deal in open_deals:
        matched, score = matched_accounts[deal.account_id]
        conflicts.append(
            Conflict(
                kind="deal",
                object_id=deal.pk,
                label=deal.name,
                matched_on=list(matched),
                score=score,
                account_id=deal.account_id,
                partner_id=deal.partner_id,
                partner_name=deal.partner.name if deal.partner else "",
                status=deal.stage.name,
                owner_name=str(deal.owner),
            )
        )

    live = DealRegistration.objects.filter(
        Q(status=DealRegistration.Status.PENDING)
        | Q(status=DealRegistration.Status.APPROVED, protected_until__gt=now)
    )
    if exclude_registration_id is not None:
        live = live.exclude(pk=exclude_registration_id)
    # The keys of every live registration, then the rows of the matching ones only (there are
    # thousands of live registrations, and a handful of matches).
    candidates = list(live.values_list("id", "name_key", "domain_key", "legal_id_key"))
    reg_scores = _name_scores(keys.name, {n for _pk, n, _d, _li in candidates})
    matched_registrations: dict[int, tuple[list[str], float | None]] = {}
    for pk, n, d, li in candidates:
        matched, score = _match(keys, name=n, domain=d, legal_id=li, scores=reg_scores)
        if matched:
            matched_registrations[pk] = (matched, score)
    registrations = (
        live.filter(pk__in=list(matched_registrations)).select_related("partner").order_by("id")
        if matched_registrations
        else []
    )
    for reg in registrations:
        matched, score = matched_registrations[reg.pk]
        conflicts.append(
            Conflict(
                kind="registration",
                object_id=reg.pk,
                label=reg.customer_name,
                matched_on=matched,
                score=score,
                account_id=reg.account_id,
                partner_id=reg.partner_id,
                partner_name=reg.partner.name,
                status=reg.status,
                protected=reg.is_protected(now=now),
                protected_until=reg.protected_until,
            )
        )
    return conflicts


def registration_conflicts_find(
    *, registration: DealRegistration, now: dt.datetime | None = None
) -> list[Conflict]:
    """The live conflicts of a registration (staff only: they name other partners)."""
    keys = CustomerKeys(
        name=registration.name_key,
        domain=registration.domain_key,
        legal_id=registration.legal_id_key,
    )
    return conflicts_find(keys=keys, exclude_registration_id=registration.pk, now=now)
