"""Segments: a saved filter over contacts, read when it is used (never a frozen list).

The filter is a :class:`SegmentFilter`; the form and the service both build one, and
:func:`segment_contacts` is the one reader (the live count, the preview and the campaigns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError
from dirco.marketing.consent import sendable_contacts, suppressed_q
from dirco.partners.models import Contact, Partner, Territory, Tier

KINDS = ("", "partner", "account")
CONSENTS = ("", "sendable", "granted", "pending", "none", "withdrawn", "suppressed")


@dataclass(frozen=True)
class SegmentFilter:
    """Every list empty means "any". ``roles`` are words looked for in the job title;
    ``territories`` include their sub-territories; ``industries`` are those of customer
    accounts (a partner's contact has none); ``tiers`` and ``partner_statuses`` select
    partners' contacts."""

    kind: str = ""  # "partner": contacts at partners, "account": at customer accounts
    tiers: list[int] = field(default_factory=list)
    territories: list[int] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    partner_statuses: list[str] = field(default_factory=list)
    consent: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentFilter:
        """The filter stored in a segment, checked as if it were new input."""
        try:
            spec = cls(
                kind=str(data.get("kind", "")),
                tiers=[int(x) for x in data.get("tiers", [])],
                territories=[int(x) for x in data.get("territories", [])],
                industries=[str(x) for x in data.get("industries", [])],
                roles=[str(x) for x in data.get("roles", [])],
                partner_statuses=[str(x) for x in data.get("partner_statuses", [])],
                consent=str(data.get("consent", "")),
            )
        except (TypeError, ValueError, AttributeError):
            raise ApplicationError(_("The segment's filter is not valid.")) from None
        spec.validate()
        return spec

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind not in KINDS:
            errors["kind"] = [_("Choose partners, accounts or both.")]
        if self.consent not in CONSENTS:
            errors["consent"] = [_("Unknown consent filter.")]
        if set(self.partner_statuses) - set(Partner.Status.values):
            errors["partner_statuses"] = [_("Unknown partner status.")]
        if self.tiers and Tier.objects.filter(pk__in=self.tiers).count() != len(set(self.tiers)):
            errors["tiers"] = [_("Unknown tier.")]
        if self.territories and Territory.objects.filter(pk__in=self.territories).count() != len(
            set(self.territories)
        ):
            errors["territories"] = [_("Unknown territory.")]
        if any(len(x) > 80 for x in (*self.industries, *self.roles)):
            errors["roles"] = [_("Each value has at most 80 characters.")]
        if errors:
            raise ApplicationError(_("The segment's filter is not valid."), fields=errors)


def territory_ids_with_descendants(ids: list[int]) -> set[int]:
    found = set(ids)
    frontier = set(ids)
    while frontier:
        frontier = (
            set(Territory.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
            - found
        )
        found |= frontier
    return found


def _words_q(field_name: str, words: list[str]) -> Q:
    condition = Q(pk__in=[])
    for word in words:
        if word.strip():
            condition |= Q(**{f"{field_name}__icontains": word.strip()})
    return condition


def segment_contacts(spec: SegmentFilter) -> QuerySet[Contact]:
    """The contacts the filter selects today (before consent, unless it filters on it)."""
    qs = Contact.objects.all()
    if spec.kind == "partner":
        qs = qs.filter(partner__isnull=False)
    elif spec.kind == "account":
        qs = qs.filter(account__isnull=False)
    if spec.tiers:
        qs = qs.filter(partner__tier_id__in=spec.tiers)
    if spec.partner_statuses:
        qs = qs.filter(partner__status__in=spec.partner_statuses)
    if spec.territories:
        ids = territory_ids_with_descendants(spec.territories)
        qs = qs.filter(Q(partner__territory_id__in=ids) | Q(account__territory_id__in=ids))
    if spec.industries:
        industries = [x.strip() for x in spec.industries if x.strip()]
        qs = qs.filter(account__industry__in=industries)
    if spec.roles:
        qs = qs.filter(_words_q("job_title", spec.roles))
    if spec.consent == "sendable":
        qs = sendable_contacts(qs)
    elif spec.consent in ("granted", "pending", "withdrawn"):
        qs = qs.filter(marketing_consent__status=spec.consent)
    elif spec.consent == "none":
        qs = qs.filter(marketing_consent__isnull=True)
    elif spec.consent == "suppressed":
        qs = qs.filter(suppressed_q())
    return qs.distinct().order_by("last_name", "first_name", "pk")


def segment_count(spec: SegmentFilter) -> dict[str, int]:
    """The live count: every contact matched, and how many of them may be sent to."""
    matched = segment_contacts(spec)
    return {
        "matched": matched.count(),
        "sendable": sendable_contacts(Contact.objects.filter(pk__in=matched.values("pk"))).count(),
    }
