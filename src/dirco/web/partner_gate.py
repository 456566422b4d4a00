"""Partner users stay in their portal: the one gate in front of every staff page.

Deny by default. A partner user (partner admin or partner user) may reach only the portal,
the API (which scopes every call itself), the pages every visitor may open (login, logout,
the language switch, the public contact and application forms, the health check), their
own security settings and the home (which sends them to the portal). Any other page
answers with its portal equivalent (a redirect, on a plain GET) or 404: a new staff page is
closed to partners the day it is written, without anyone remembering to close it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import ResolverMatch, reverse

from dirco.accounts.models import User
from dirco.accounts.permissions import user_is_partner

# Namespaces a partner user may enter: the portal, the API (own auth and scoping), admin
# (Django refuses non-staff users there itself), and the public links of marketing emails
# (a partner's people receive campaigns too; each link is authorised by its signed token).
PARTNER_NAMESPACES = frozenset({"portal", "api", "admin", "mail"})

# URL names (with namespace) open to every logged-in user, partners included.
PARTNER_OPEN_ROUTES = frozenset(
    {
        "home",
        "kpi_glossary",
        "login",
        "logout",
        "healthz",
        "readyz",
        "favicon",
        "set_language",
        "lead_contact",
        "lead_contact_thanks",
        "registrations:apply",
        "registrations:application_thanks",
        "otp_status",
        "otp_enrol",
        "otp_verify",
        "otp_backup_codes",
        "otp_disable",
        "api_tokens",
        "api_token_revoke",
        # Scoped by contacts_visible_to: a partner user gets its own partner's contacts.
        "contact_export",
        "contact_vcard",
    }
)


Equivalent = Callable[[ResolverMatch, User], str | None]


def _portal(name: str, **kwargs: Any) -> Equivalent:
    """The portal URL ``name``, with kwargs taken from the staff URL's own (``{"deal_id"}``)."""

    def build(match: ResolverMatch, user: User) -> str:
        return reverse(name, kwargs={k: match.kwargs[v] for k, v in kwargs.items()})

    return build


def _own_partner_home(match: ResolverMatch, user: User) -> str | None:
    """The partner's own page is its portal home; another partner's page does not exist."""
    return reverse("portal:home") if match.kwargs.get("partner_id") == user.partner_id else None


# Staff page -> the portal page showing the same thing to a partner (scoped to its own
# records by the portal's own access checks: another partner's deal still answers 404).
PORTAL_EQUIVALENT: dict[str, Equivalent] = {
    "pipeline_board": _portal("portal:deal_list"),
    "deal_list": _portal("portal:deal_list"),
    "deal_detail": _portal("portal:deal_detail", deal_id="deal_id"),
    "partner_list": _portal("portal:home"),
    "partner_detail": _own_partner_home,
    "registrations:list": _portal("portal:registration_list"),
    "registrations:detail": _portal(
        "portal:registration_detail", registration_id="registration_id"
    ),
    "lead_list": _portal("portal:lead_list"),
    "objective_list": _portal("portal:home"),
    "activity_list": _portal("portal:home"),
    "funds:overview": _portal("portal:mdf"),
    "plans:list": _portal("portal:plan_list"),
    "plans:detail": _portal("portal:plan_detail", plan_id="plan_id"),
    "funds:request_detail": _portal("portal:mdf_request_detail", request_id="request_id"),
    "social:feed": _portal("portal:feed"),
    "social:record": _portal("portal:conversation", kind="kind", record_id="record_id"),
}


def partner_may_open(match: ResolverMatch) -> bool:
    """Whether a partner user may open the page ``match`` resolved to."""
    if PARTNER_NAMESPACES.intersection(match.namespaces) or match.route.startswith("api/"):
        return True
    return match.view_name in PARTNER_OPEN_ROUTES


def partner_redirect_for(match: ResolverMatch, user: User) -> str | None:
    """The portal page equivalent to the staff page ``match``, if there is one."""
    build = PORTAL_EQUIVALENT.get(match.view_name)
    return build(match, user) if build is not None else None


class PartnerGateMiddleware:
    """Answer a partner user's request for a staff page with the portal equivalent or 404.

    Only plain GETs are redirected; writes and HTMX calls get 404 (a redirect followed by
    htmx would paste a whole portal page into a staff fragment).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user_is_partner(user):
            return None
        match = request.resolver_match
        if match is None or partner_may_open(match):
            return None
        is_htmx = request.headers.get("HX-Request") == "true"
        if request.method in ("GET", "HEAD") and not is_htmx and user.partner_id is not None:
            target = partner_redirect_for(match, user)
            if target is not None:
                return HttpResponseRedirect(target)
        raise Http404("No such page.")
