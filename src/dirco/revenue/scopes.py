"""Revenue scopes: the company, a team, a rep, a partner or a product line.

A scope is written ``company``, ``team:3``, ``rep:12``, ``partner:5`` or ``product_line:2``
in URLs, the API and the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to
from dirco.teams.models import SalesTeam
from dirco.teams.permissions import manager_line_ids
from dirco.teams.selectors import teams_managed_by

SCOPE_KINDS = ("company", "team", "rep", "partner", "product_line")


@dataclass(frozen=True)
class Scope:
    kind: str
    id: int | None = None

    @property
    def key(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Scope:
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

    def deal_filter(self) -> Q:
        """The deals that count in this scope; a partner's deal also counts for its channel
        manager (each deal counts once per scope)."""
        if self.kind == "company":
            return Q()
        if self.kind == "team":
            return Q(team_id=self.id)
        if self.kind == "rep":
            return Q(owner_id=self.id) | Q(partner__channel_manager_id=self.id)
        if self.kind == "partner":
            return Q(partner_id=self.id)
        return Q(product_line_id=self.id)


def scope_label(scope: Scope) -> str:
    if scope.kind == "company":
        return str(settings.DIRCO_COMPANY_NAME)
    model = {"team": SalesTeam, "rep": User, "partner": Partner, "product_line": ProductLine}[
        scope.kind
    ]
    obj = model.objects.filter(pk=scope.id).first()  # type: ignore[attr-defined]
    return str(obj) if obj else scope.key


def scope_check_access(*, user: User, scope: Scope) -> None:
    """Raise 404 unless the user may see this scope's revenue (hidden and missing alike)."""
    if scope_may_see(user=user, scope=scope):
        return
    raise Http404("No such scope.")


def scope_may_see(*, user: User, scope: Scope) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    role = user.role
    sid = scope.id if scope.id is not None else 0
    if scope.kind == "partner":
        return partners_visible_to(user).filter(pk=sid).exists()
    if user.is_partner_user:
        return False
    if role in (User.Role.DIRECTOR, User.Role.MARKETING):
        if scope.kind == "company":
            return True
        model = {"team": SalesTeam, "rep": User, "product_line": ProductLine}[scope.kind]
        qs = model.objects.filter(pk=sid)  # type: ignore[attr-defined]
        if scope.kind == "rep":
            qs = qs.filter(role__in=[User.Role.REP, User.Role.MANAGER])
        return bool(qs.exists())
    if role == User.Role.MANAGER:
        if scope.kind == "team":
            return teams_managed_by(user).filter(pk=sid).exists()
        if scope.kind == "rep":
            return User.objects.filter(pk=sid, id__in=manager_line_ids(user)).exists()
        return False
    if role == User.Role.REP:
        return scope.kind == "rep" and scope.id == user.pk
    return False


def scopes_for_user(user: User) -> list[Scope]:
    """The scopes offered in the scope picker, broadest first."""
    scopes: list[Scope] = []
    if user.is_partner_user:
        return [Scope("partner", p) for p in partners_visible_to(user).values_list("id", flat=True)]
    if user.role in (User.Role.DIRECTOR, User.Role.MARKETING):
        scopes.append(Scope("company"))
        scopes += [Scope("team", t) for t in SalesTeam.objects.values_list("id", flat=True)]
        scopes += [
            Scope("product_line", p) for p in ProductLine.objects.values_list("id", flat=True)
        ]
    elif user.role == User.Role.MANAGER:
        scopes += [Scope("team", t) for t in teams_managed_by(user).values_list("id", flat=True)]
        scopes += [
            Scope("rep", r)
            for r in User.objects.filter(
                id__in=manager_line_ids(user), role=User.Role.REP
            ).values_list("id", flat=True)
        ]
    elif user.role == User.Role.REP:
        scopes.append(Scope("rep", user.pk))
    return scopes
