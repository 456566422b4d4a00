"""Scopes: the company, a team, a rep, a partner or a product line, in one place.

A scope is what a figure is measured over. It is written ``company``, ``team:3``,
``rep:12``, ``partner:5`` or ``product_line:2`` in URLs, the API, caches and the rollup
tables; only :class:`Scope` formats and parses that text. This module also says which
scopes a deal counts in (:data:`DEAL_SCOPE_FIELDS`, :func:`scopes_of_deal`,
:meth:`Scope.deal_filter`): the pipeline services (to mark cached forecasts stale), the
rollups (kept on every write and rebuilt in SQL) and the revenue reads all derive from it.

It sits below the pipeline (the pipeline imports it) and imports only accounts, teams,
partners and catalog. Who may see a scope is decided by the access functions of those
apps (``partners_visible_to``, ``teams_managed_by``, ``team_member_ids_for_manager``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    quota_carriers,
    user_is_manager,
    user_is_partner,
    user_is_rep,
    user_sees_all_staff_work,
)
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.partners.models import Partner
from dirco.partners.permissions import manager_reach, partners_visible_to
from dirco.teams.models import SalesTeam
from dirco.teams.permissions import manager_line_ids
from dirco.teams.selectors import teams_managed_by

SCOPE_KINDS = ("company", "team", "rep", "partner", "product_line")

# Which fields of a deal put it in a scope of each kind; each deal counts once per scope.
# A rep's scope holds the deals the rep owns and the deals of the partners the rep is the
# channel manager of. ``channel_manager_id`` is the deal's partner's channel manager.
DEAL_SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "company": (),
    "team": ("team_id",),
    "rep": ("owner_id", "channel_manager_id"),
    "partner": ("partner_id",),
    "product_line": ("product_line_id",),
}
# The kinds stored as rows of the rollup tables; a product line is a column of every row
# (its scope reads the company rows of that product line).
ROLLUP_ROW_KINDS = ("company", "team", "rep", "partner")

_DEAL_LOOKUPS = {"channel_manager_id": "partner__channel_manager_id"}


@dataclass(frozen=True)
class Scope:
    kind: str
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS or (self.kind == "company") != (self.id is None):
            raise ValueError(f"Not a scope: {self.kind}:{self.id}")

    @property
    def key(self) -> str:
        """The scope as text: ``company`` or ``kind:id``."""
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return self.key

    @classmethod
    def parse(cls, text: str | None) -> Scope:
        """``company``, ``team:3`` ... to a Scope; an empty text is the company.

        Raises ApplicationError (the API answers 400) for anything else."""
        text = (text or "company").strip()
        if text == "company":
            return cls("company")
        kind, _sep, raw_id = text.partition(":")
        if kind not in SCOPE_KINDS or kind == "company" or not raw_id.isdigit():
            raise ApplicationError(
                _(
                    "Unknown scope '%(scope)s': use company, team:ID, rep:ID, partner:ID or "
                    "product_line:ID."
                )
                % {"scope": text},
                fields={"scope": [_("Not a valid scope.")]},
            )
        return cls(kind, int(raw_id))

    @property
    def label(self) -> str:
        """The scope's name as shown on pages (one query; see :func:`scope_labels`)."""
        return scope_labels([self])[self.key]

    def deal_filter(self) -> Q:
        """The deals that count in this scope (a filter on ``Deal``)."""
        if self.kind == "company":
            return Q()
        q = Q(pk__in=[])
        for field in DEAL_SCOPE_FIELDS[self.kind]:
            q |= Q(**{_DEAL_LOOKUPS.get(field, field): self.id})
        return q

    def rollup_filter(self, product_line_id: int | None = None) -> Q:
        """The rows of a rollup table (scope_kind, scope_id, product_line_id) of this scope,
        optionally of one product line."""
        if self.kind == "company":
            q = Q(scope_kind="company", scope_id=0)
        elif self.kind == "product_line":
            q = Q(scope_kind="company", scope_id=0, product_line_id=self.id)
        else:
            q = Q(scope_kind=self.kind, scope_id=self.id)
        if product_line_id is not None:
            q &= Q(product_line_id=product_line_id)
        return q

    def holds_rollup_row(self, *, scope_kind: str, scope_id: int, product_line_id: int) -> bool:
        """Whether a rollup row (its key columns) belongs to this scope."""
        if self.kind == "company":
            return scope_kind == "company"
        if self.kind == "product_line":
            return scope_kind == "company" and product_line_id == self.id
        return scope_kind == self.kind and scope_id == self.id


def _deal_field(deal: Any, field: str) -> int | None:
    if field == "channel_manager_id" and not hasattr(deal, "channel_manager_id"):
        partner = getattr(deal, "partner", None) if getattr(deal, "partner_id", None) else None
        return partner.channel_manager_id if partner is not None else None
    value = getattr(deal, field)
    return int(value) if value else None


def scopes_of_deal(deal: Any, *, kinds: Iterable[str] = SCOPE_KINDS) -> list[Scope]:
    """The scopes a deal counts in, each once, in :data:`SCOPE_KINDS` order.

    ``deal`` is a ``Deal`` (its partner's channel manager is read through ``deal.partner``)
    or anything with the fields of :data:`DEAL_SCOPE_FIELDS` (the pipeline's snapshots)."""
    wanted = set(kinds)
    out: list[Scope] = []
    for kind in SCOPE_KINDS:
        if kind not in wanted:
            continue
        if kind == "company":
            out.append(Scope("company"))
            continue
        for field in DEAL_SCOPE_FIELDS[kind]:
            value = _deal_field(deal, field)
            if value is not None and Scope(kind, value) not in out:
                out.append(Scope(kind, value))
    return out


def scope_labels(scopes: Iterable[Scope], *, prefixed: bool = False) -> dict[str, str]:
    """The names of many scopes, one query per kind whatever their number, by key.

    ``prefixed`` names the kind ("Team North", "Partner Acme") for pickers mixing kinds."""
    ids: dict[str, list[int]] = {}
    out: dict[str, str] = {}
    for scope in scopes:
        if scope.id is None:
            out[scope.key] = _("Company") if prefixed else str(settings.DIRCO_COMPANY_NAME)
        else:
            ids.setdefault(scope.kind, []).append(scope.id)
            out[scope.key] = scope.key  # missing object: its key
    prefixes = {
        "team": _("Team %(name)s"),
        "partner": _("Partner %(name)s"),
        "product_line": _("Product line %(name)s"),
    }
    models: dict[str, Any] = {"team": SalesTeam, "partner": Partner, "product_line": ProductLine}
    for kind, pks in ids.items():
        if kind == "rep":
            for user in User.objects.filter(pk__in=pks).only(
                "id", "first_name", "last_name", "email"
            ):
                out[Scope("rep", user.pk).key] = str(user)
            continue
        for pk, name in models[kind].objects.filter(pk__in=pks).values_list("id", "name"):
            out[Scope(kind, pk).key] = prefixes[kind] % {"name": name} if prefixed else str(name)
    return out


def scope_may_see(*, user: User, scope: Scope) -> bool:
    """Whether ``user`` may see the figures of ``scope``."""
    if not user.is_authenticated or not user.is_active:
        return False
    sid = scope.id if scope.id is not None else 0
    if scope.kind == "partner":
        return partners_visible_to(user).filter(pk=sid).exists()
    if user_is_partner(user):
        return False
    if user_sees_all_staff_work(user):
        if scope.kind == "company":
            return True
        model = {"team": SalesTeam, "rep": User, "product_line": ProductLine}[scope.kind]
        qs = model.objects.filter(pk=sid)  # type: ignore[attr-defined]
        if scope.kind == "rep":
            qs = qs.filter(role__in=[User.Role.REP, User.Role.MANAGER])
        return bool(qs.exists())
    if user_is_manager(user):
        # The ids of teams_managed_by and manager_line_ids, read once per user object.
        teams, line = manager_reach(user)
        if scope.kind == "team":
            return sid in teams
        if scope.kind == "rep":
            return sid in line
        return False
    if user_is_rep(user):
        return scope.kind == "rep" and scope.id == user.pk
    return False


def scope_check(user: User, scope: Scope) -> None:
    """Raise 404 unless ``user`` may see ``scope`` (hidden and missing alike)."""
    if not scope_may_see(user=user, scope=scope):
        raise Http404("No such scope.")


def scopes_for(user: User) -> list[Scope]:
    """The scopes a user may pick, broadest first."""
    scopes: list[Scope] = []
    if user_is_partner(user):
        return [Scope("partner", p) for p in partners_visible_to(user).values_list("id", flat=True)]
    if user_sees_all_staff_work(user):
        scopes.append(Scope("company"))
        scopes += [Scope("team", t) for t in SalesTeam.objects.values_list("id", flat=True)]
        scopes += [
            Scope("product_line", p) for p in ProductLine.objects.values_list("id", flat=True)
        ]
    elif user_is_manager(user):
        scopes += [Scope("team", t) for t in teams_managed_by(user).values_list("id", flat=True)]
        scopes += [
            Scope("rep", r)
            for r in User.objects.filter(
                id__in=manager_line_ids(user), role=User.Role.REP
            ).values_list("id", flat=True)
        ]
    elif user_is_rep(user):
        scopes.append(Scope("rep", user.pk))
    return scopes


def scopes_in_reach(user: User) -> list[Scope]:
    """Every scope whose figures ``user`` may see, for a page that shows any scope (the
    forecast page): the company, teams and product lines of :func:`scopes_for`, then the
    people (active reps and managers) and the partners within the user's reach, each by
    name. A partner user's reach is its partner(s); a rep's is itself and the partners
    it is the channel manager of."""
    if user_is_partner(user):
        return scopes_for(user)
    scopes = [s for s in scopes_for(user) if s.kind != "rep"]
    if user_sees_all_staff_work(user):
        people = quota_carriers()
    elif user_is_manager(user):
        people = quota_carriers().filter(pk__in=manager_line_ids(user))
    else:
        people = User.objects.filter(pk=user.pk)
    reps = people.order_by("first_name", "last_name", "id").values_list("id", flat=True)
    scopes += [Scope("rep", pk) for pk in reps]
    partners = partners_visible_to(user).order_by("name", "id").values_list("id", flat=True)
    scopes += [Scope("partner", pk) for pk in partners]
    return scopes


ScopeGroups = list[tuple[str, list[tuple[str, str]]]]


def scope_picker_groups(user: User, shown: Scope | None = None) -> ScopeGroups:
    """A scope picker's options: :func:`scopes_in_reach` in groups of one kind (company,
    teams, product lines, people, partners), named in one query per kind, with ``shown``
    added when it is not among them (a departed rep's page, reached from their history):
    the select says what the page shows, and "Show" with another period keeps it."""
    choices = scopes_in_reach(user)
    if (
        shown is not None
        and shown.key not in {s.key for s in choices}
        and scope_may_see(user=user, scope=shown)
    ):
        choices.append(shown)
    labels = scope_labels(choices)
    titles = {
        "company": _("Company"),
        "team": _("Teams"),
        "product_line": _("Product lines"),
        "rep": _("People"),
        "partner": _("Partners"),
    }
    groups: dict[str, list[tuple[str, str]]] = {}
    for scope in choices:
        groups.setdefault(scope.kind, []).append((scope.key, labels[scope.key]))
    return [(titles[kind], groups[kind]) for kind in titles if kind in groups]


def scope_default(user: User) -> Scope:
    """The scope a picker page opens on: the broadest in the user's reach."""
    choices = scopes_for(user)
    return choices[0] if choices else Scope("company")
