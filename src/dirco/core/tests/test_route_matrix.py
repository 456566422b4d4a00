"""Every page and API operation, requested by every role: no leaks, and the matrix holds.

The routes are discovered (Django's URL resolver, recursively, and the API's OpenAPI
schema); each must have an entry in ``WEB_ROUTES`` or ``API_ROUTES`` below, or the test
fails and says where to add it. An entry names the matrix object and action
(``core/access_matrix.py``) and the record whose id goes into the URL (a key of
``World.objects`` in ``route_matrix_fixtures.py``; its suffix is the record's side).

For each route and method, each actor of ``ACTORS`` (partner A user and admin, partner B
user, the other rep, the other team's manager, marketing, the manager, the director, the
rep) requests it, by session and, for the API, by bearer token:

- a leak is any response containing a ``LEAKCHECK-<side>-<kind>-`` marker the actor may
  not read (lists, searches, exports, charts, downloads included);
- an actor the matrix refuses gets 403/404/405 (the web may also redirect away, or show
  the record with a refusal message on GET), and a refused write changes nothing;
- an actor the matrix allows is not refused (403/404) and never gets a 5xx.

Adding a route: one line in ``WEB_ROUTES`` (by URL name) or ``API_ROUTES`` (by
"METHOD /api/v1/path"). Public routes go in ``PUBLIC_ROUTES``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dirco.conftest import Company
from dirco.core.tests.route_matrix_fixtures import (
    ACTOR_ROLE,
    ACTORS,
    PARTNER_ROLES,
    World,
    allowed,
    client_session,
    client_token,
    fresh,
    leaked_markers,
    response_text,
    snapshot,
    world_build,
)
from dirco.customers.tests.factories import AccountFactory
from dirco.partners.tests.factories import PartnerContactFactory
from dirco.pipeline.tests.factories import ActivityFactory, DealFactory
from dirco.urls import api

Body = Callable[[World], dict[str, Any]]
PARTNERS = PARTNER_ROLES
STAFF = frozenset({"director", "manager", "rep", "marketing"})


@dataclass(frozen=True)
class R:
    """One route's place in the matrix.

    ``obj``/``action``: the matrix pair (``obj=None``: the user's own pages, every role).
    ``target``: key of ``World.objects`` filling the URL's id (or, without an id in the
    URL, the record the request body points at); its suffix after ``_`` is its side.
    ``view``: the object whose visibility hides the target (default ``obj``).
    ``post``: the pair for a web POST when it differs from GET's.
    ``queries``: query-string variants; ``"A|scope=partner:{partner_A}"`` says the variant
    is about side ``A`` (``{key}`` is replaced by ``World.objects[key].pk``).
    ``roles``: the roles this interface serves (the portal: partner roles); others are
    refused or sent away whatever the matrix says.
    ``body``: the JSON body of an API write (valid, so that refusal is tested, not
    validation). ``kw``: extra URL kwargs, each value a tuple of variants.
    ``stricter``: roles this route refuses although the matrix allows them (say why).
    """

    obj: str | None
    action: str = "view"
    target: str | None = None
    view: str | None = None
    post: tuple[str, str] | None = None
    queries: tuple[str, ...] = ("",)
    roles: frozenset[str] | None = None
    body: Body | None = None
    kw: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stricter: frozenset[str] = frozenset()


SEARCH = ("", "q=LEAKCHECK")
SCOPES = (
    "",
    "A|scope=partner:{partner_A}",
    "B|scope=partner:{partner_B}",
    "Urep|scope=rep:{user_rep}",
    "T|scope=team:{team_T}",
    "C|scope=company",
)
API_SCOPES = ("C|", *SCOPES[1:])  # the API's default scope is the company
ALL_VIEW = R(None)
# A list and its exports (the same selector: the matrix reads the CSV and the XLSX too).
EXPORTS = (*SEARCH, "export=csv", "q=LEAKCHECK&export=xlsx")

# Where an app is stricter than the matrix (never looser): (object, role) -> why.
STRICTER: dict[tuple[str, str], str] = {
    ("registration", "marketing"): "registrations: the deciding roles and partners only",
}

# Accepting or declining a lead is its current assignee's answer alone: the staff the
# matrix's ("lead", "approve") names above it decide only the outcome of an accepted lead.
# (On partner A's lead, the rep is its channel manager, not its assignee: stricter too.)
LEAD_ANSWER_STRICTER = frozenset({"director", "manager"})

# Not object routes: no login needed, or the login itself, or API documentation.
PUBLIC_ROUTES = frozenset(
    {
        "plans:calendar_ics",  # a secret key in the URL, no login (calendar apps)
        "login",
        "logout",
        "healthz",
        "readyz",
        "metrics",  # a bearer token of its own (DIRCO_METRICS_TOKEN); 404 without it
        "favicon",
        "set_language",
        "lead_contact",
        "lead_contact_thanks",
        "registrations:apply",
        "registrations:application_thanks",
        "portal:set_password",  # signed one-time link, checked by its token
        "api:openapi-json",
        "api:openapi-view",
        "api:api-root",
        # The links of a campaign email: no login, each authorised by its signed token
        # (marketing/tests/test_campaign_send.py forges and tampers with them).
        "mail:open",
        "mail:click",
        "mail:unsubscribe",
        "mail:confirm",
        # A shared post's short link: its HMAC is checked (marketing/tests/test_social.py).
        "mail:share",
    }
)

_year = dt.date.today().year

WEB_ROUTES: dict[str, R] = {
    "home": ALL_VIEW,
    "kpi_glossary": ALL_VIEW,
    "revenue-forecast": R("forecast", queries=SCOPES),
    # objectives
    "objective_list": R("objective", "list", queries=("", "scope=partner:{partner_A}")),
    "objective_create": R("objective", "create"),
    "objective_detail": R("objective", target="objective_A"),
    "objective_edit": R("objective", "edit", target="objective_A"),
    "objective_months": R("objective", "edit", target="objective_A"),
    "objective_allocate": R("objective", "edit", target="objective_T"),
    "objective_publish": R("objective", "edit", target="objective_A"),
    "objective_curve": R("forecast", queries=SCOPES),
    "objective_gap": R("forecast", queries=SCOPES),
    "leaderboard": R("forecast", "list", queries=("", "kind=partner", "kind=rep", "kind=team")),
    "leaderboard_export": R(
        "forecast", "list", queries=("", "kind=partner", "kind=rep"), kw={"fmt": ("csv", "xlsx")}
    ),
    "forecast_calls": R("forecast", queries=SCOPES),
    # registrations (staff side) and partner lifecycle
    "registrations:list": R("registration", "list", queries=EXPORTS),
    "registrations:detail": R("registration", target="registration_A"),
    "registrations:approve": R("registration", "approve", target="registration_A"),
    "registrations:reject": R("registration", "approve", target="registration_A"),
    "registrations:account_search": R(
        "registration", "approve", target="registration_A", queries=SEARCH
    ),
    "registrations:extension_decide": R("registration", "approve", target="registrationext_A"),
    "registrations:application_list": R(
        "partner", "create", roles=frozenset({"director", "manager"})
    ),
    "registrations:application_detail": R(
        "partner", "create", target="application", roles=frozenset({"director", "manager"})
    ),
    "registrations:application_approve": R(
        "partner", "create", target="application", roles=frozenset({"director", "manager"})
    ),
    "registrations:application_reject": R(
        "partner", "create", target="application", roles=frozenset({"director", "manager"})
    ),
    "registrations:onboarding": R(
        "partner", target="partner_A", post=("partner", "edit"), roles=STAFF
    ),
    "registrations:tier_review": R("partner", "edit", roles=frozenset({"director"})),
    "registrations:tier_proposal_confirm": R(
        "partner", "edit", target="tierproposal", roles=frozenset({"director"})
    ),
    "registrations:tier_proposal_dismiss": R(
        "partner", "edit", target="tierproposal", roles=frozenset({"director"})
    ),
    # leads (staff side)
    "lead_list": R("lead", "list", queries=EXPORTS),
    "lead_detail": R("lead", target="lead_A"),
    "lead_route": R("lead", "edit", target="lead_A", stricter=frozenset({"rep"})),
    # Offering a lead by hand: whoever may route it (the form then needs a valid assignee).
    "lead_assign": R("lead", "edit", target="lead_A", stricter=frozenset({"rep"})),
    # Accepting or declining: the current assignee alone (the staff above it decide only the
    # outcome of an accepted lead).
    "lead_accept": R("lead", "approve", target="lead_R", stricter=LEAD_ANSWER_STRICTER),
    "lead_decline": R("lead", "approve", target="lead_R", stricter=LEAD_ANSWER_STRICTER),
    # Converting or losing an accepted lead (leads.permissions.lead_can_convert): its
    # recipient, the partner's channel manager, their manager or the director.
    "lead_convert": R("lead", "approve", target="leadaccepted_A"),
    "lead_lost": R("lead", "approve", target="leadaccepted_A"),
    # the partner portal
    "portal:home": R(None, roles=PARTNERS),
    "portal:deal_list": R(
        "deal", "list", queries=(*SEARCH, "status=all&export=csv"), roles=PARTNERS
    ),
    "portal:deal_detail": R("deal", target="deal_A", roles=PARTNERS),
    "portal:registration_list": R("registration", "list", queries=EXPORTS, roles=PARTNERS),
    "portal:registration_create": R("registration", "create", roles=PARTNERS),
    "portal:registration_detail": R("registration", target="registration_A", roles=PARTNERS),
    "portal:registration_extension": R(
        "registration", "edit", target="registration_A", roles=PARTNERS
    ),
    "portal:lead_list": R(
        "lead", "list", queries=("", "status=all", "status=", "export=xlsx"), roles=PARTNERS
    ),
    "portal:lead_accept": R("lead", "approve", target="lead_A", roles=PARTNERS),
    "portal:lead_decline": R("lead", "approve", target="lead_A", roles=PARTNERS),
    "portal:document_list": R("partner", "list", queries=SEARCH, roles=PARTNERS),
    "portal:document_download": R("partner", target="document_A", roles=PARTNERS),
    "portal:announcement_list": R(None, roles=PARTNERS),
    "portal:notification_list": R("notification", "list", roles=PARTNERS),
    "portal:notification_read": R("notification", "edit", roles=PARTNERS),
    "notifications:list": R("notification", "list", roles=STAFF),
    "notifications:read": R("notification", "edit", roles=STAFF),
    "portal:user_list": R("user", "list", roles=frozenset({"partner_admin"})),
    "portal:user_invite": R("user", "create", roles=frozenset({"partner_admin"})),
    "portal:user_deactivate": R(
        "user", "delete", target="user_partner_a_user", roles=frozenset({"partner_admin"})
    ),
    # the user's own security settings
    "otp_status": ALL_VIEW,
    "otp_enrol": ALL_VIEW,
    "otp_verify": ALL_VIEW,
    "otp_backup_codes": ALL_VIEW,
    "otp_disable": ALL_VIEW,
    "api_tokens": ALL_VIEW,
    "api_token_revoke": R("api_token", "delete", target="token_rep"),
    # staff pages
    "partner_list": R("partner", "list", queries=EXPORTS),
    "partner_detail": R("partner", target="partner_A"),
    "partner_edit": R("partner", "edit", target="partner_A"),
    "account_list": R("account", "list", queries=EXPORTS),
    # Contact exports serve the portal too (scoped by contacts_visible_to).
    "contact_export": R(
        "contact", "list", queries=("", "q=LEAKCHECK", "export=vcf"), roles=STAFF | PARTNERS
    ),
    "contact_vcard": R("contact", target="contact_A", roles=STAFF | PARTNERS),
    "account_search": R("account", "list", queries=("", "q=LEAKCHECK")),
    "account_create": R("account", "create"),
    "account_detail": R("account", target="account_A"),
    "account_edit": R("account", "edit", target="account_A"),
    "pipeline_board": R("deal", "list", queries=SEARCH),
    "deal_list": R("deal", "list", queries=EXPORTS),
    "deal_create": R("deal", "create"),
    "deal_detail": R("deal", target="deal_A"),
    "deal_edit": R("deal", "edit", target="deal_A"),
    "deal_move": R("deal", "edit", target="deal_A"),
    "deal_activity_create": R("activity", "create", target="deal_A", view="deal"),
    "activity_list": R("activity", "list", queries=("", "export=csv")),
    "activity_done": R("activity", "edit", target="activity_A"),
    "imports:list": R("import", "list", post=("import", "create"), roles=STAFF),
    "imports:detail": R(
        "import", target="importjob_Udirector", post=("import", "edit"), roles=STAFF
    ),
    "imports:run": R("import", "edit", target="importjob_Udirector", roles=STAFF),
    "imports:progress": R("import", target="importjob_Udirector", roles=STAFF),
    "imports:errors": R("import", target="importjob_Udirector", roles=STAFF),
    "imports:mapping_delete": R("import_mapping", "delete", target="importmapping_C", roles=STAFF),
    "portal:imports:list": R(
        "import", "list", post=("import", "create"), roles=frozenset({"partner_admin"})
    ),
    "portal:imports:detail": R(
        "import",
        target="importjob_Upartner_a_admin",
        post=("import", "edit"),
        roles=frozenset({"partner_admin"}),
    ),
    "portal:imports:run": R(
        "import", "edit", target="importjob_Upartner_a_admin", roles=frozenset({"partner_admin"})
    ),
    "portal:imports:progress": R(
        "import", target="importjob_Upartner_a_admin", roles=frozenset({"partner_admin"})
    ),
    "portal:imports:errors": R(
        "import", target="importjob_Upartner_a_admin", roles=frozenset({"partner_admin"})
    ),
    "portal:imports:mapping_delete": R(
        "import_mapping", "delete", target="importmapping_A", roles=frozenset({"partner_admin"})
    ),
    "webhooks:list": R("webhook", "list", post=("webhook", "create"), roles=STAFF),
    "webhooks:detail": R("webhook", target="webhook_C", roles=STAFF),
    "webhooks:toggle": R("webhook", "edit", target="webhook_C", roles=STAFF),
    "webhooks:delete": R("webhook", "delete", target="webhook_C", roles=STAFF),
    "webhooks:redeliver": R("webhook", "edit", target="webhookdelivery_C", roles=STAFF),
    # marketing development funds (staff side, then the portal)
    "funds:overview": R("mdf_request", "list"),
    "funds:budget_create": R("mdf_budget", "create"),
    "funds:budget_detail": R("mdf_budget", target="mdfbudget_A"),
    "funds:request_detail": R("mdf_request", target="mdfrequest_A"),
    "funds:request_approve": R("mdf_request", "approve", target="mdfrequest_A"),
    "funds:request_reject": R("mdf_request", "approve", target="mdfrequest_A"),
    "funds:claim_pay": R("mdf_request", "approve", target="mdfclaim_A"),
    "funds:claim_reject": R("mdf_request", "approve", target="mdfclaim_A"),
    "funds:claim_proof": R("mdf_request", target="mdfclaim_A"),
    "portal:mdf": R("mdf_request", "list", queries=("", "status=submitted"), roles=PARTNERS),
    "portal:mdf_request_create": R("mdf_request", "create", roles=PARTNERS),
    "portal:mdf_request_detail": R(
        "mdf_request", target="mdfrequest_A", post=("mdf_request", "edit"), roles=PARTNERS
    ),
    "portal:mdf_claim_proof": R("mdf_request", target="mdfclaim_A", roles=PARTNERS),
    # Action plans: staff pages (partners reach the list and a plan through the portal;
    # every other plan page is staff-only), the portal's joint plans.
    "plans:list": R("plan", "list", queries=("", "status=draft", "scope=partner", "year=2026")),
    "plans:create": R("plan", "create", roles=STAFF),
    "plans:proposals": R("plan", "list", roles=STAFF),
    "plans:proposal_add": R("plan", "create", roles=STAFF),
    "plans:detail": R("plan", target="plan_A"),
    "plans:edit": R("plan", "edit", target="plan_A", roles=STAFF),
    "plans:status": R("plan", "edit", target="plan_A", roles=STAFF),
    "plans:share": R("plan", "edit", target="plan_A", roles=STAFF),
    "plans:comment": R("plan", target="plan_A", roles=STAFF),
    "plans:impact": R("plan", target="plan_A", roles=STAFF),
    # Marketing adds marketing actions to any plan it sees (plans.permissions
    # action_can_create): the form answers whoever sees the plan.
    "plans:action_create": R("plan", "edit", target="plan_A", post=("plan", "view"), roles=STAFF),
    "plans:action_detail": R("plan", target="action_A", post=("plan", "edit"), roles=STAFF),
    "plans:action_status": R("plan", "edit", target="action_A", roles=STAFF),
    "plans:task_create": R("plan", "edit", target="action_A", roles=STAFF),
    "plans:task_done": R("plan", "edit", target="task_A", roles=STAFF),
    "plans:calendar": R(
        None,
        queries=("", "view=week", "type=tasks", "team={team_T}", "partner={partner_B}"),
        roles=STAFF,
    ),
    "plans:calendar_feed": R(None, roles=STAFF),
    # Team dynamics: the director and managers (a manager for their line).
    "dynamics:handovers": R("team_dynamics", "list", queries=("", "export=csv", "export=xlsx")),
    "dynamics:handover": R("team_dynamics", "create", target="user_rep", roles=STAFF),
    "dynamics:method": R("team_dynamics", "list"),
    "dynamics:managers": R("team_dynamics", "list", queries=("", "export=xlsx")),
    "dynamics:turnover": R(
        "team_dynamics", "list", queries=("", "export=csv", "Urep|what_if={user_rep}")
    ),
    "dynamics:capacity": R(
        "team_dynamics",
        "list",
        queries=("", "T|team={team_T}", "export=csv", "table=ramp&export=xlsx"),
    ),
    "dynamics:departures": R(
        "team_dynamics",
        "list",
        queries=("", "export=csv", "export=xlsx"),
        post=("team_dynamics", "create"),
    ),
    "dynamics:departure_cancel": R("team_dynamics", "edit", target="departure_Urep"),
    "dynamics:synergy": R(
        "team_dynamics", "list", queries=("", "T|team={team_T}", "T|team={team_T}&export=csv")
    ),
    "plans:plan_ics": R("plan", target="plan_A", roles=STAFF),
    "portal:plan_list": R("plan", "list", roles=PARTNERS),
    "portal:plan_detail": R("plan", target="plan_A", queries=("", "version=1"), roles=PARTNERS),
    "portal:plan_comment": R("plan", target="plan_A", roles=PARTNERS),
    "portal:plan_accept": R(
        "plan", "approve", target="plan_A", kw={"number": ("1",)}, roles=PARTNERS
    ),
    # Direct marketing: the director's and marketing's pages (404 for anyone else).
    "marketing:overview": R("campaign", "list"),
    "marketing:segment_list": R("campaign", "list"),
    "marketing:segment_create": R("campaign", "create"),
    "marketing:segment_preview": R(
        "campaign", "list", queries=("", "roles=LEAKCHECK", "consent=sendable&kind=partner")
    ),
    "marketing:segment_edit": R("campaign", target="segment_C", post=("campaign", "edit")),
    "marketing:template_list": R("campaign", "list"),
    "marketing:template_create": R("campaign", "create"),
    "marketing:template_edit": R("campaign", target="template_C", post=("campaign", "edit")),
    "marketing:template_test": R("campaign", "edit", target="template_C"),
    "marketing:campaign_create": R("campaign", "create"),
    "marketing:campaign_detail": R("campaign", target="campaign_C", queries=("", "status=sent")),
    "marketing:campaign_schedule": R("campaign", "approve", target="campaign_C"),
    "marketing:campaign_cancel": R("campaign", "edit", target="campaign_C"),
    "marketing:consent_list": R("campaign", "list", queries=("", "q=LEAKCHECK")),
    "marketing:consent_record": R("campaign", "edit", target="contact_A", view="contact"),
    "marketing:suppression_list": R("campaign", "list", post=("campaign", "edit")),
    "marketing:template_partner_approval": R("campaign", "edit", target="template_C"),
    # Through-channel campaigns: the channel manager's page (the partners one sees).
    "marketing:channel": R("partner_campaign", "list"),
    "marketing:channel_campaign": R("partner_campaign", target="pcampaign_A"),
    # Social selling: marketing's posts (drafts: its pages only), everyone's share page.
    "marketing:social_post_list": R("social_post", "list", stricter=frozenset({"manager", "rep"})),
    "marketing:social_post_create": R("social_post", "create"),
    "marketing:social_post_edit": R(
        "social_post",
        target="post_C",
        post=("social_post", "edit"),
        stricter=frozenset({"manager", "rep"}),
    ),
    "marketing:social_post_publish": R("social_post", "approve", target="post_C"),
    "marketing:social_share_list": R("social_share", "list"),
    "marketing:social_share": R(None, target="post_C", roles=STAFF),
    "marketing:social_leaderboard": R("social_share", "list"),
    "portal:campaign_list": R("partner_campaign", "list", roles=PARTNERS),
    "portal:campaign_create": R("partner_campaign", "create", roles=PARTNERS),
    "portal:campaign_detail": R("partner_campaign", target="pcampaign_A", roles=PARTNERS),
    "portal:campaign_schedule": R(
        "partner_campaign", "approve", target="pcampaign_A", roles=PARTNERS
    ),
    "portal:campaign_cancel": R("partner_campaign", "edit", target="pcampaign_A", roles=PARTNERS),
    # An approved template: every partner user may preview it with its own brand.
    "portal:campaign_template": R(None, target="ptemplate_C", roles=PARTNERS),
    "portal:brand": R("partner_campaign", "edit", roles=PARTNERS),
    "portal:social": R("social_share", "list", roles=PARTNERS),
    "portal:social_share": R(None, target="post_C", roles=PARTNERS),
    # The social feed: the company feed and a record's conversation (staff pages, then the
    # portal's); the world holds a post, an internal note and an attachment on each side's
    # deal, a partner A user's comment and a staff-only company post.
    "social:feed": R(
        "feed",
        "list",
        queries=("", "view=following", "view=announcements", "q=LEAKCHECK"),
        post=("feed", "create"),
        roles=STAFF,
    ),
    "social:digest": R(None, roles=STAFF),
    "social:unread": R("feed", "list", roles=STAFF),
    "social:record": R(
        "post", target="deal_A", kw={"kind": ("deal",)}, post=("post", "create"), roles=STAFF
    ),
    "social:follow": R("post", target="deal_A", kw={"kind": ("deal",)}, roles=STAFF),
    "social:comment": R("post", "create", target="post_A", roles=STAFF),
    "social:react": R("post", "create", target="post_A", roles=STAFF),
    "social:attachment": R("post", target="attachment_A", roles=STAFF),
    "portal:feed": R(
        "feed", "list", queries=("", "view=announcements", "q=LEAKCHECK"), roles=PARTNERS
    ),
    "portal:feed_digest": R(None, roles=PARTNERS),
    "portal:conversation": R(
        "post", target="deal_A", kw={"kind": ("deal",)}, post=("post", "create"), roles=PARTNERS
    ),
    "portal:feed_comment": R("post", "create", target="post_A", roles=PARTNERS),
    "portal:feed_react": R("post", "create", target="post_A", roles=PARTNERS),
    "portal:feed_attachment": R("post", target="attachment_A", roles=PARTNERS),
}

# Partner users never reach staff pages (dirco.web.partner_gate): outside the portal, an
# object route serves the staff roles only, whatever the matrix says partners may read.
WEB_ROUTES = {
    key: entry
    if key.startswith("portal:") or entry.obj is None or entry.roles is not None
    else replace(entry, roles=STAFF)
    for key, entry in WEB_ROUTES.items()
}


def _plan_year() -> int:
    from dirco.objectives.fiscal_calendar import fiscal_year_of

    return fiscal_year_of(dt.date.today())


def _plan_day() -> dt.date:
    """A day inside the world's plans (their fiscal year, from today)."""
    return dt.date.today()


API_ROUTES: dict[str, R] = {
    "GET /api/v1/me": ALL_VIEW,
    "GET /api/v1/tokens": R("api_token", "list"),
    "POST /api/v1/tokens": R("api_token", "create", body=lambda w: {"name": "script"}),
    "DELETE /api/v1/tokens/{token_id}": R("api_token", "delete", target="token_rep"),
    "GET /api/v1/partners": R("partner", "list", queries=SEARCH),
    "POST /api/v1/partners": R(
        "partner",
        "create",
        body=lambda w: {"name": "New P", "country": "FR", "territory_id": w.pk("territory")},
    ),
    "GET /api/v1/partners/{partner_id}": R("partner", target="partner_A"),
    "PATCH /api/v1/partners/{partner_id}": R(
        "partner", "edit", target="partner_A", body=lambda w: {"domain": "patched.example"}
    ),
    "GET /api/v1/contacts": R("contact", "list", queries=SEARCH),
    "POST /api/v1/contacts": R(
        "contact",
        "create",
        target="partner_A",
        view="partner",
        body=lambda w: {"first_name": "N", "last_name": "C", "partner_id": w.pk("partner_A")},
    ),
    "GET /api/v1/contacts/{contact_id}": R("contact", target="contact_A"),
    "PATCH /api/v1/contacts/{contact_id}": R(
        "contact", "edit", target="contact_A", body=lambda w: {"phone": "+33 9"}
    ),
    "DELETE /api/v1/contacts/{contact_id}": R("contact", "delete", target="contact_A"),
    "GET /api/v1/accounts": R("account", "list", queries=SEARCH),
    "POST /api/v1/accounts": R(
        "account", "create", body=lambda w: {"name": "New A", "territory_id": w.pk("territory")}
    ),
    "GET /api/v1/accounts/{account_id}": R("account", target="account_A"),
    "PATCH /api/v1/accounts/{account_id}": R(
        "account", "edit", target="account_A", body=lambda w: {"industry": "Patched"}
    ),
    "GET /api/v1/stages": ALL_VIEW,
    "GET /api/v1/stages/{stage_id}": R(None, target="stage"),
    # The catalogue: everyone reads it, the director changes it (a line in use: 409).
    "POST /api/v1/stages": R(
        "catalog",
        "create",
        body=lambda w: {"name": f"Walk new {w.next()}", "order": 2000 + w.next(), "probability": 5},
    ),
    "PATCH /api/v1/stages/{stage_id}": R(
        "catalog", "edit", target="stage", body=lambda w: {"probability": 15}
    ),
    "DELETE /api/v1/stages/{stage_id}": R("catalog", "delete", target="stage"),
    "GET /api/v1/product-lines": ALL_VIEW,
    "GET /api/v1/product-lines/{product_line_id}": R(None, target="line"),
    "POST /api/v1/product-lines": R(
        "catalog",
        "create",
        body=lambda w: {"name": f"Walk line {w.next()}", "code": f"walk-{w.next()}"},
    ),
    "PATCH /api/v1/product-lines/{product_line_id}": R(
        "catalog", "edit", target="line", body=lambda w: {"name": "Automation (renamed)"}
    ),
    "DELETE /api/v1/product-lines/{product_line_id}": R("catalog", "delete", target="line"),
    # The users of one's own partner: partner admins only (the director manages staff users
    # in the admin site, not through this endpoint).
    "GET /api/v1/partner-users": R("user", "list"),
    "GET /api/v1/partner-users/{user_id}": R(
        "user",
        target="user_partner_a_user",
        stricter=frozenset({"director", "manager", "rep", "marketing", "partner_user"}),
    ),
    "POST /api/v1/partner-users": R(
        "user",
        "create",
        body=lambda w: {"email": "new.person@alpha.example", "first_name": "New"},
        stricter=frozenset({"director"}),
    ),
    # Names and role of one's partner's users: the partner admin (a partner user edits its
    # own profile elsewhere; the director manages users in the admin site).
    "PATCH /api/v1/partner-users/{user_id}": R(
        "user",
        "edit",
        target="user_partner_a_user",
        body=lambda w: {"first_name": "Renamed", "role": "partner_user"},
        stricter=frozenset({"director", "manager", "rep", "marketing", "partner_user"}),
    ),
    "DELETE /api/v1/partner-users/{user_id}": R(
        "user", "delete", target="user_partner_a_user", stricter=frozenset({"director"})
    ),
    "GET /api/v1/deals": R("deal", "list", queries=SEARCH),
    "POST /api/v1/deals": R(
        "deal",
        "create",
        target="account_A",
        view="account",
        body=lambda w: {
            "name": "New D",
            "account_id": w.pk("account_A"),
            "product_line_id": w.pk("line"),
            "amount": "1000",
            "stage_id": w.pk("stage_proposal"),
            "expected_close_date": str(dt.date.today() + dt.timedelta(days=30)),
        },
    ),
    "GET /api/v1/deals/{deal_id}": R("deal", target="deal_A"),
    "PATCH /api/v1/deals/{deal_id}": R(
        "deal", "edit", target="deal_A", body=lambda w: {"amount": "123456"}
    ),
    "DELETE /api/v1/deals/{deal_id}": R("deal", "delete", target="deal_A"),
    "POST /api/v1/deals/{deal_id}/stage": R(
        "deal", "edit", target="deal_A", body=lambda w: {"stage_id": w.pk("stage_proposal")}
    ),
    "GET /api/v1/deals/{deal_id}/history": R("deal", target="deal_A"),
    "GET /api/v1/activities": R("activity", "list", queries=("", "include_done=true")),
    "POST /api/v1/activities": R(
        "activity",
        "create",
        target="deal_A",
        view="deal",
        body=lambda w: {"kind": "call", "subject": "New", "deal_id": w.pk("deal_A")},
    ),
    "GET /api/v1/activities/{activity_id}": R("activity", target="activity_A"),
    "PATCH /api/v1/activities/{activity_id}": R(
        "activity", "edit", target="activity_A", body=lambda w: {"subject": "Patched"}
    ),
    "POST /api/v1/activities/{activity_id}/complete": R(
        "activity", "edit", target="activity_A", body=lambda w: {"done": True}
    ),
    "POST /api/v1/registrations": R(
        "registration",
        "create",
        body=lambda w: {
            "customer_name": "Quixotic Ferns Limited",
            "customer_country": "GB",
            "amount": "5000",
            "currency": "EUR",
            "product_line_id": w.pk("line"),
            "expected_close_date": str(dt.date.today() + dt.timedelta(days=40)),
        },
    ),
    "GET /api/v1/registrations": R("registration", "list", queries=SEARCH),
    "GET /api/v1/registrations/{registration_id}": R("registration", target="registration_A"),
    "GET /api/v1/registrations/{registration_id}/conflicts": R(
        "registration", "approve", target="registration_A"
    ),
    "POST /api/v1/registrations/{registration_id}/extension": R(
        "registration", "edit", target="registration_A", body=lambda w: {"reason": "More time"}
    ),
    "POST /api/v1/registrations/{registration_id}/approve": R(
        "registration", "approve", target="registration_A", body=lambda w: {}
    ),
    "POST /api/v1/registrations/{registration_id}/reject": R(
        "registration", "approve", target="registration_A", body=lambda w: {"reason": "No"}
    ),
    "POST /api/v1/registrations/{registration_id}/extension/decide": R(
        "registration", "approve", target="registrationext_A", body=lambda w: {"approve": True}
    ),
    "GET /api/v1/objectives": R("objective", "list", queries=("", "scope=partner:{partner_A}")),
    "POST /api/v1/objectives": R(
        "objective",
        "create",
        target="partner_A",
        view="partner",
        body=lambda w: {
            "scope": f"partner:{w.pk('partner_A')}",
            "fiscal_year": _year + 3,
            "amount": "1000",
            "split_method": "flat",
        },
    ),
    "GET /api/v1/objectives/{objective_id}": R("objective", target="objective_A"),
    "PATCH /api/v1/objectives/{objective_id}": R(
        "objective", "edit", target="objective_A", body=lambda w: {"amount": "99999"}
    ),
    "DELETE /api/v1/objectives/{objective_id}": R("objective", "delete", target="objective_A"),
    "PUT /api/v1/objectives/{objective_id}/months": R(
        "objective", "edit", target="objective_A", body=lambda w: {"amounts": {"1": "5"}}
    ),
    "POST /api/v1/objectives/{objective_id}/allocate": R(
        "objective", "edit", target="objective_T", body=lambda w: {"method": "history"}
    ),
    "POST /api/v1/objectives/{objective_id}/publish": R(
        "objective", "edit", target="objective_A", body=lambda w: {"confirm": True}
    ),
    "GET /api/v1/attainment": R("forecast", queries=API_SCOPES),
    "GET /api/v1/curve": R("forecast", queries=API_SCOPES),
    "GET /api/v1/gap": R("forecast", queries=API_SCOPES),
    "GET /api/v1/leaderboard": R("forecast", "list", queries=("", "kind=partner", "kind=rep")),
    "GET /api/v1/forecast": R("forecast", queries=API_SCOPES),
    "GET /api/v1/leads": R("lead", "list", queries=SEARCH),
    # Leads come in through marketing and the director (imports, campaigns, events).
    "POST /api/v1/leads": R(
        "lead",
        "create",
        stricter=frozenset({"manager", "rep"}),
        body=lambda w: {
            "company_name": "Inbound Co",
            "contact_name": "Ines",
            "email": "ines@inbound.example",
            "country": "FR",
            "consent": True,
            "route": False,
        },
    ),
    "GET /api/v1/leads/{lead_id}": R("lead", target="lead_A"),
    "POST /api/v1/leads/{lead_id}/route": R(
        "lead", "edit", target="lead_A", body=lambda w: {}, stricter=frozenset({"rep"})
    ),
    "POST /api/v1/leads/{lead_id}/accept": R(
        "lead",
        "approve",
        target="lead_A",
        body=lambda w: {},
        stricter=LEAD_ANSWER_STRICTER | {"rep"},
    ),
    "POST /api/v1/leads/{lead_id}/decline": R(
        "lead",
        "approve",
        target="lead_A",
        body=lambda w: {"reason": "busy"},
        stricter=LEAD_ANSWER_STRICTER | {"rep"},
    ),
    "POST /api/v1/leads/{lead_id}/convert": R(
        "lead", "approve", target="leadaccepted_A", body=lambda w: {}
    ),
    "POST /api/v1/leads/{lead_id}/lost": R(
        "lead", "approve", target="leadaccepted_A", body=lambda w: {"reason": "No budget"}
    ),
    "GET /api/v1/leads/{lead_id}/history": R("lead", target="lead_A"),
    "GET /api/v1/seasonality": R("forecast", queries=API_SCOPES),
    "GET /api/v1/webhooks": R("webhook", "list"),
    "POST /api/v1/webhooks": R(
        "webhook",
        "create",
        body=lambda w: {"url": "https://93.184.215.14/new", "events": ["deal.won"]},
    ),
    "GET /api/v1/webhooks/{subscription_id}": R("webhook", target="webhook_C"),
    "PATCH /api/v1/webhooks/{subscription_id}": R(
        "webhook", "edit", target="webhook_C", body=lambda w: {"is_active": False}
    ),
    "DELETE /api/v1/webhooks/{subscription_id}": R("webhook", "delete", target="webhook_C"),
    "GET /api/v1/webhooks/{subscription_id}/deliveries": R("webhook", target="webhook_C"),
    "POST /api/v1/webhook-deliveries/{delivery_id}/redeliver": R(
        "webhook", "edit", target="webhookdelivery_C", body=lambda w: {}
    ),
    # Action plans: staff only through the API (partner users read their joint plan's
    # shared versions in the portal, never the live plan).
    "GET /api/v1/plans": R(
        "plan", "list", queries=("", "status=draft", "scope_kind=partner", "fiscal_year=2026")
    ),
    "GET /api/v1/plans/{plan_id}": R("plan", target="plan_A", stricter=PARTNERS),
    "GET /api/v1/plans/{plan_id}/impact": R("plan", target="plan_A", stricter=PARTNERS),
    "POST /api/v1/plans": R(
        "plan",
        "create",
        body=lambda w: {
            "name": "API plan",
            "scope": f"partner:{w.pk('partner_A')}",
            "period": str(_plan_year()),
        },
    ),
    "PUT /api/v1/plans/{plan_id}": R(
        "plan",
        "edit",
        target="plan_A",
        body=lambda w: {
            "name": "Renamed plan",
            "scope": f"partner:{w.pk('partner_A')}",
            "period": str(_plan_year()),
            "owner_id": w.pk("user_rep"),
        },
    ),
    "POST /api/v1/plans/{plan_id}/status": R(
        "plan", "edit", target="plan_A", body=lambda w: {"status": "active"}
    ),
    "DELETE /api/v1/plans/{plan_id}": R("plan", "edit", target="plan_A"),
    "GET /api/v1/actions": R("plan", "list", queries=("", "status=planned", "kind=webinar")),
    "GET /api/v1/actions/{action_id}": R("plan", target="action_A", stricter=PARTNERS),
    "POST /api/v1/actions": R(
        "plan",
        "edit",
        target="plan_A",
        body=lambda w: {
            "plan_id": w.pk("plan_A"),
            "kind": "partner_visit",
            "title": "Visit",
            "starts_on": str(_plan_day()),
            "ends_on": str(_plan_day()),
        },
    ),
    "PUT /api/v1/actions/{action_id}": R(
        "plan",
        "edit",
        target="action_A",
        body=lambda w: {
            "kind": "partner_visit",
            "title": "Visit again",
            "owner_id": w.pk("user_rep"),
            "starts_on": str(_plan_day()),
            "ends_on": str(_plan_day()),
        },
    ),
    "POST /api/v1/actions/{action_id}/status": R(
        "plan", "edit", target="action_A", body=lambda w: {"status": "running"}
    ),
    "DELETE /api/v1/actions/{action_id}": R("plan", "edit", target="action_A"),
    "GET /api/v1/mdf/budgets": R("mdf_budget", "list"),
    "POST /api/v1/mdf/budgets": R(
        "mdf_budget",
        "create",
        target="partner_A",
        view="partner",
        body=lambda w: {
            "name": "New budget",
            "partner_id": w.pk("partner_A"),
            "period_start": f"{_year}-01-01",
            "period_end": f"{_year}-12-31",
            "amount": "5000",
        },
    ),
    "GET /api/v1/mdf/budgets/{budget_id}": R("mdf_budget", target="mdfbudget_A"),
    "GET /api/v1/mdf/requests": R("mdf_request", "list", queries=("", "status=submitted")),
    "POST /api/v1/mdf/requests": R(
        "mdf_request",
        "create",
        target="mdfbudget_A",
        view="mdf_budget",
        body=lambda w: {
            "budget_id": w.pk("mdfbudget_A"),
            "activity": "Webinar",
            "expected_result": "20 leads",
            "starts_on": f"{_year}-06-01",
            "ends_on": f"{_year}-06-01",
            "amount": "50",
        },
    ),
    "GET /api/v1/mdf/requests/{request_id}": R("mdf_request", target="mdfrequest_A"),
    "PATCH /api/v1/mdf/requests/{request_id}": R(
        "mdf_request", "edit", target="mdfrequest_A", body=lambda w: {"activity": "Webinar 2"}
    ),
    "POST /api/v1/mdf/requests/{request_id}/approve": R(
        "mdf_request", "approve", target="mdfrequest_A", body=lambda w: {}
    ),
    "POST /api/v1/mdf/requests/{request_id}/reject": R(
        "mdf_request", "approve", target="mdfrequest_A", body=lambda w: {"reason": "No"}
    ),
    "GET /api/v1/mdf/claims": R("mdf_request", "list", queries=("", "status=submitted")),
    # A multipart upload: the walk's JSON body is refused (415) before any access check;
    # funds/tests/test_api.py posts real files as the allowed and the forbidden partner.
    "POST /api/v1/mdf/claims": R("mdf_request", "edit", target="mdfrequest_A"),
    "GET /api/v1/mdf/claims/{claim_id}": R("mdf_request", target="mdfclaim_A"),
    "POST /api/v1/mdf/claims/{claim_id}/pay": R(
        "mdf_request", "approve", target="mdfclaim_A", body=lambda w: {}
    ),
    "POST /api/v1/mdf/claims/{claim_id}/reject": R(
        "mdf_request", "approve", target="mdfclaim_A", body=lambda w: {"reason": "No proof"}
    ),
    # Imports: one's own jobs (imports.permissions); the upload is multipart, so the walk's
    # JSON body is refused (415) before any access check: imports/tests/test_import_api.py
    # uploads real files as the allowed and the forbidden users.
    "GET /api/v1/imports": R("import", "list"),
    "POST /api/v1/imports": R("import", "create"),
    "GET /api/v1/imports/{job_id}": R("import", target="importjob_Udirector"),
    "GET /api/v1/imports/{job_id}/errors": R("import", target="importjob_Udirector"),
    "POST /api/v1/imports/{job_id}/run": R(
        "import", "edit", target="importjob_Udirector", body=lambda w: {"dry_run": True}
    ),
    "GET /api/v1/import-mappings": R("import_mapping", "list"),
    "POST /api/v1/import-mappings": R(
        "import_mapping",
        "create",
        body=lambda w: {"kind": "contacts", "name": "Walk", "columns": {"last_name": "Nom"}},
    ),
    "DELETE /api/v1/import-mappings/{mapping_id}": R(
        "import_mapping", "delete", target="importmapping_C"
    ),
    # Direct marketing (the director and marketing only).
    "GET /api/v1/marketing/segments": R("campaign", "list"),
    "POST /api/v1/marketing/segments": R(
        "campaign", "create", body=lambda w: {"name": "API segment", "filters": {"kind": "partner"}}
    ),
    "GET /api/v1/marketing/segments/{segment_id}": R("campaign", target="segment_C"),
    "PUT /api/v1/marketing/segments/{segment_id}": R(
        "campaign", "edit", target="segment_C", body=lambda w: {"name": "Renamed", "filters": {}}
    ),
    "GET /api/v1/marketing/templates": R("campaign", "list"),
    "POST /api/v1/marketing/templates": R(
        "campaign",
        "create",
        body=lambda w: {"name": "T", "subject": "S", "html_body": "<p>H</p>", "text_body": "H"},
    ),
    "GET /api/v1/marketing/templates/{template_id}": R("campaign", target="template_C"),
    "PUT /api/v1/marketing/templates/{template_id}": R(
        "campaign",
        "edit",
        target="template_C",
        body=lambda w: {"name": "T2", "subject": "S", "html_body": "<p>H</p>", "text_body": "H"},
    ),
    "GET /api/v1/marketing/campaigns": R("campaign", "list"),
    "POST /api/v1/marketing/campaigns": R(
        "campaign",
        "create",
        body=lambda w: {
            "name": "API campaign",
            "segment_id": w.pk("segment_C"),
            "template_id": w.pk("template_C"),
        },
    ),
    "GET /api/v1/marketing/campaigns/{campaign_id}": R("campaign", target="campaign_C"),
    "PUT /api/v1/marketing/campaigns/{campaign_id}": R(
        "campaign",
        "edit",
        target="campaign_C",
        body=lambda w: {
            "name": "Renamed campaign",
            "segment_id": w.pk("segment_C"),
            "template_id": w.pk("template_C"),
        },
    ),
    "POST /api/v1/marketing/campaigns/{campaign_id}/schedule": R(
        "campaign", "approve", target="campaign_C", body=lambda w: {"at": "2099-01-01T09:00:00Z"}
    ),
    "POST /api/v1/marketing/campaigns/{campaign_id}/cancel": R(
        "campaign", "edit", target="campaign_C", body=lambda w: {}
    ),
    "GET /api/v1/marketing/campaigns/{campaign_id}/recipients": R(
        "campaign", target="campaign_C", queries=("", "status=sent")
    ),
    "GET /api/v1/marketing/consents": R("campaign", "list", queries=("", "status=granted")),
    "GET /api/v1/handovers": R("team_dynamics", "list"),
    "GET /api/v1/team-turnover": R("team_dynamics", "list"),
    "GET /api/v1/team-managers": R("team_dynamics", "list"),
    "GET /api/v1/team-synergy": R("team_dynamics", "view", queries=("T|team={team_T}",)),
    "GET /api/v1/handovers/preview": R(
        "team_dynamics", "view", queries=("Urep|leaver={user_rep}",)
    ),
    "POST /api/v1/handovers": R(
        "team_dynamics",
        "create",
        target="user_rep",
        body=lambda w: {"leaver_id": w.pk("user_rep"), "items": []},
    ),
    "GET /api/v1/team-capacity": R("team_dynamics", "view", queries=("", "T|team={team_T}")),
    "GET /api/v1/planned-departures": R("team_dynamics", "list"),
    "POST /api/v1/planned-departures": R(
        "team_dynamics",
        "create",
        target="user_rep",
        body=lambda w: {"user_id": w.pk("user_rep"), "left_on": _FUTURE, "reason": "resignation"},
    ),
    "DELETE /api/v1/planned-departures/{departure_id}": R(
        "team_dynamics", "edit", target="departure_Urep"
    ),
    # The social feed (posts of the feed or of a record's conversation, comments, reactions).
    "GET /api/v1/posts": R(
        "post",
        "list",
        queries=(
            "",
            "view=following",
            "view=announcements",
            "q=LEAKCHECK",
            "A|record_kind=deal&record_id={deal_A}",
            "A|record_kind=partner&record_id={partner_A}",
        ),
    ),
    "POST /api/v1/posts": R(
        "post",
        "create",
        target="deal_A",
        view="deal",
        body=lambda w: {
            "body": "Hello",
            "audience": "record",
            "record_kind": "deal",
            "record_id": w.pk("deal_A"),
        },
    ),
    "GET /api/v1/posts/{post_id}": R("post", target="post_A"),
    "GET /api/v1/posts/{post_id}/comments": R("post", target="post_A"),
    "POST /api/v1/posts/{post_id}/comments": R(
        "post", "create", target="post_A", body=lambda w: {"body": "Reply"}
    ),
    "POST /api/v1/posts/{post_id}/reactions": R(
        "post", "create", target="post_A", body=lambda w: {"kind": "like"}
    ),
    "POST /api/v1/forecast-calls": R(
        "forecast",
        target="user_rep",
        body=lambda w: {"scope": f"rep:{w.pk('user_rep')}", "period": f"{_year}-Q4"},
    ),
}


# --- discovery ---------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            out += _walk(p, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or prefix + str(p.pattern))
            out.append((prefix + str(p.pattern), name))
    return out


def discovered_web_routes() -> dict[str, str]:
    """URL name -> pattern, every pattern outside the admin and the API."""
    return {
        name: pattern
        for pattern, name in _walk(get_resolver())
        if not pattern.startswith(("admin/", "api/v1/"))
    }


def discovered_api_patterns() -> set[str]:
    return {pattern for pattern, _n in _walk(get_resolver()) if pattern.startswith("api/v1/")}


def openapi_operations() -> list[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(
        f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
    )


WEB_KEYS = sorted(set(discovered_web_routes()) - PUBLIC_ROUTES)
API_KEYS = openapi_operations()


def test_every_route_is_in_the_matrix() -> None:
    missing_web = [k for k in WEB_KEYS if k not in WEB_ROUTES]
    missing_api = [k for k in API_KEYS if k not in API_ROUTES]
    stale = [k for k in WEB_ROUTES if k not in WEB_KEYS] + [
        k for k in API_ROUTES if k not in API_KEYS
    ]
    assert not missing_web and not missing_api and not stale, (
        "Routes without an entry in the access matrix. Add one line per route to "
        "src/dirco/core/tests/test_route_matrix.py: WEB_ROUTES (by URL name) "
        f"{missing_web}, API_ROUTES ('METHOD /api/v1/path') {missing_api}; or to "
        "PUBLIC_ROUTES if it is public. Entries for routes that no longer exist: "
        f"{stale}"
    )


def test_every_api_url_is_in_the_schema() -> None:
    """An operation left out of the OpenAPI schema would escape the walk."""
    in_schema = {op.split(" ", 1)[1] for op in API_KEYS}
    public = {"api/v1/openapi.json", "api/v1/docs", "api/v1/"}
    for pattern in discovered_api_patterns() - public:
        path = "/" + pattern.replace("<", "{").replace(">", "}")
        assert path in in_schema, f"{pattern} is routed but not in the OpenAPI schema"


def test_served_schema_is_the_walked_one(company: Company) -> None:
    response = client_session(company.director).get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = sorted(
        f"{method.upper()} {path}"
        for path, ops in response.json()["paths"].items()
        for method in ops
    )
    assert served == API_KEYS


# --- the walk ---------------------------------------------------------------------------

REFUSED = {403, 404, 405}
REDIRECTS = {301, 302, 303}


@dataclass
class Tally:
    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


def _side_of(key: str | None) -> str | None:
    if key is None:
        return None
    kind, _, side = key.partition("_")
    if not side:
        return None
    return f"U{side}" if kind in ("user", "token", "notification") else side


def _expand(world: World, text: str) -> str:
    if "{" not in text:
        return text
    return text.format(**{k: v.pk for k, v in world.objects.items()})


def _verdict(
    *, actor: str, entry: R, method: str, side: str | None, web: bool
) -> tuple[bool, bool]:
    """(visible, permitted) for this actor."""
    obj, action = entry.obj, entry.action
    if web and method == "POST" and entry.post:
        obj, action = entry.post
    role = ACTOR_ROLE[actor]
    if entry.roles is not None and role not in entry.roles:
        return False, False
    if obj is None:
        return True, True
    view_obj = entry.view or obj
    visible = side is None or allowed(actor=actor, obj=view_obj, action="view", side=side)
    if not visible:
        return False, False
    if role in entry.stricter or (
        action != "list" and ((obj, role) in STRICTER or (view_obj, role) in STRICTER)
    ):
        return True, False  # (a stricter list just comes back shorter)
    if action == "create" and side is not None:
        # "own" create means "as their owner": any visible parent will do.
        from dirco.core.access_matrix import access_scope

        if access_scope(obj=obj, action="create", role=role) == "own":
            return True, True
    return True, allowed(actor=actor, obj=obj, action=action, side=side)


def _check(
    *,
    tally: Tally,
    label: str,
    actor: str,
    response: Any,
    visible: bool,
    permitted: bool,
    method: str,
    web: bool,
) -> None:
    tally.requests += 1
    status = response.status_code
    body = response_text(response)
    leaks = leaked_markers(actor=actor, body=body)
    if leaks:
        tally.leaks.append(f"{label} as {actor} ({status}): {leaks}")
    if status >= 500:
        tally.wrong.append(f"{label} as {actor}: {status}")
    elif permitted:
        if status in (403, 404):
            tally.wrong.append(
                f"{label} as {actor}: refused ({status}) but the matrix allows {body[:200]!r}"
            )
    else:
        # 400: a refusal as a field error (a body pointing at a hidden record, or a web
        # form refused); the snapshot check below proves nothing was written.
        ok = (
            status in REFUSED
            or (web and status in REDIRECTS)
            or (method != "GET" and status in (400, 415))  # the body refused before access
        )
        if web and method == "GET" and visible and status == 200:
            ok = True  # the record with a refusal message
        if not ok:
            tally.wrong.append(f"{label} as {actor}: {status} but the matrix refuses")


@dataclass(frozen=True)
class Call:
    """One request of the walk: who sends it, how they authenticate, and the URL variant
    (its kwargs and query; the target's id is filled in when the request is made)."""

    actor: str
    auth: str
    client: Client
    kw: dict[str, str]
    query: str
    side: str | None


def _calls(world: World, key: str, entry: R, *, web: bool) -> Iterator[Call]:
    """Every request of a route, the one loop of the walk: each URL-kwarg and query variant,
    by session (and, for the API, by bearer token on the first variant: authentication is
    the same for all of them), by each actor of ``ACTORS``."""
    kinds: list[tuple[str, dict[str, Client]]] = [("session", world_sessions(world))]
    if not web:
        kinds.append(("token", {a: client_token(world.tokens[a]) for a in ACTORS}))
    kw_variants: list[dict[str, str]] = [{}]
    for name, values in entry.kw.items():
        kw_variants = [{**kv, name: v} for kv in kw_variants for v in values]
    first = True
    for kw in kw_variants:
        for query in entry.queries:
            variant_kinds, first = (kinds if first else kinds[:1]), False
            side = _side_of(entry.target)
            if "|" in query:
                side, query = query.split("|", 1)
            query = _expand(world, query)
            for auth, clients in variant_kinds:
                for actor in ACTORS:
                    yield Call(actor, auth, clients[actor], kw, query, side)


def _run(world: World, key: str, entry: R, method: str, *, web: bool) -> Tally:
    tally = Tally()
    for call in _calls(world, key, entry, web=web):
        visible, permitted = _verdict(
            actor=call.actor, entry=entry, method=method, side=call.side, web=web
        )
        target = world.objects.get(entry.target) if entry.target else None
        if method != "GET" and permitted and entry.target:
            target = fresh(world, entry.target)
        before = snapshot(target) if target is not None else None
        url = _url(world, key, call.kw, target, web=web)
        if call.query:
            url = f"{url}?{call.query}"
        response = _request(call.client, method, url, entry, world, web=web)
        label = f"{method} {url} [{call.auth}]"
        _check(
            tally=tally,
            label=label,
            actor=call.actor,
            response=response,
            visible=visible,
            permitted=permitted,
            method=method,
            web=web,
        )
        if target is not None and not permitted and method != "GET" and snapshot(target) != before:
            tally.wrong.append(f"{label} as {call.actor}: refused write changed {target!r}")
    return tally


def world_sessions(world: World) -> dict[str, Client]:
    """One logged-in client per actor, shared by the methods of a test."""
    cache: dict[str, Client] | None = getattr(world, "_sessions", None)
    if cache is None:
        cache = {actor: client_session(world.users[actor]) for actor in ACTORS}
        world._sessions = cache  # type: ignore[attr-defined]
    return cache


def _url(world: World, key: str, kw: dict[str, str], target: Any, *, web: bool) -> str:
    if web:
        pattern = discovered_web_routes()[key]
        kwargs: dict[str, Any] = dict(kw)
        for name in _params(pattern):
            if name not in kwargs:
                assert target is not None, f"{key}: give the entry a target for <{name}>"
                kwargs[name] = target.pk
        return reverse(key, kwargs=kwargs)
    path = key.split(" ", 1)[1]
    for name in _params(path.replace("{", "<").replace("}", ">")):
        assert target is not None, f"{key}: give the entry a target for {{{name}}}"
        path = path.replace("{" + name + "}", str(target.pk))
    return path


def _params(pattern: str) -> list[str]:
    import re

    return [m.split(":")[-1] for m in re.findall(r"<([^>]+)>", pattern)]


def _request(client: Client, method: str, url: str, entry: R, world: World, *, web: bool) -> Any:
    if web:
        return client.get(url) if method == "GET" else client.post(url, data={})
    if method == "GET":
        return client.get(url)
    body = entry.body(world) if entry.body else {}
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


SUMMARY: dict[str, int] = {"routes": 0, "requests": 0, "leaks": 0}


@pytest.fixture
def world(company: Company, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return world_build(company)


@pytest.mark.parametrize("key", WEB_KEYS)
def test_web_route(key: str, world: World) -> None:
    entry = WEB_ROUTES.get(key)
    if entry is None:
        pytest.fail(f"{key}: no entry in WEB_ROUTES (src/dirco/core/tests/test_route_matrix.py)")
    get, post = (_run(world, key, entry, method, web=True) for method in ("GET", "POST"))
    _report(
        key, Tally(get.requests + post.requests, get.leaks + post.leaks, get.wrong + post.wrong)
    )


@pytest.mark.parametrize("key", API_KEYS)
def test_api_operation(key: str, world: World) -> None:
    entry = API_ROUTES.get(key)
    if entry is None:
        pytest.fail(f"{key}: no entry in API_ROUTES (src/dirco/core/tests/test_route_matrix.py)")
    method = key.split(" ", 1)[0]
    _report(key, _run(world, key, entry, method, web=False))


def _report(key: str, tally: Tally) -> None:
    print(f"\n{key}: {tally.requests} requests, {len(tally.leaks)} leaks")
    problems = [f"LEAK {x}" for x in tally.leaks] + tally.wrong
    assert not problems, f"{key}:\n" + "\n".join(problems)


# --- mass assignment ----------------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    """A write by ``actor`` (who may otherwise write here) carrying fields it may not set:
    refused (4xx), or accepted with ``stored`` still true afterwards."""

    actor: str
    method: str
    path: str  # "{key}" is replaced by World.objects[key].pk
    body: Body
    stored: Callable[[World], bool]


def _get(world: World, key: str) -> Any:
    obj = world.objects[key]
    return type(obj)._default_manager.get(pk=obj.pk)


def _last(model_path: str) -> Any:
    from django.apps import apps

    return apps.get_model(model_path)._default_manager.order_by("-pk").first()


_FUTURE = str(dt.date.today() + dt.timedelta(days=30))

MASS_ASSIGNMENT: dict[str, Assign] = {
    "partner status by its channel manager": Assign(
        "rep",
        "PATCH",
        "/api/v1/partners/{partner_A}",
        lambda w: {"status": "inactive"},
        lambda w: _get(w, "partner_A").status == "active",
    ),
    "partner tier by its channel manager": Assign(
        "rep",
        "PATCH",
        "/api/v1/partners/{partner_A}",
        lambda w: {"tier_id": w.pk("tier_silver")},
        lambda w: _get(w, "partner_A").tier_id != w.pk("tier_silver"),
    ),
    "partner created active and tiered by a rep": Assign(
        "rep",
        "POST",
        "/api/v1/partners",
        lambda w: {
            "name": "Mass Assigned",
            "country": "FR",
            "territory_id": w.pk("territory"),
            "status": "active",
            "tier_id": w.pk("tier_silver"),
        },
        lambda w: _last("partners.Partner").name != "Mass Assigned",
    ),
    "partner handed to another team's rep": Assign(
        "rep",
        "PATCH",
        "/api/v1/partners/{partner_A}",
        lambda w: {"channel_manager_id": w.pk("user_other_rep")},
        lambda w: _get(w, "partner_A").channel_manager_id == w.pk("user_rep"),
    ),
    "deal amount_company (computed)": Assign(
        "rep",
        "PATCH",
        "/api/v1/deals/{deal_A}",
        lambda w: {"amount_company": "1"},
        lambda w: _get(w, "deal_A").amount_company != 1,
    ),
    "deal owner given to another team's rep": Assign(
        "rep",
        "PATCH",
        "/api/v1/deals/{deal_A}",
        lambda w: {"owner_id": w.pk("user_other_rep")},
        lambda w: _get(w, "deal_A").owner_id == w.pk("user_rep"),
    ),
    "deal moved to a partner the rep cannot see": Assign(
        "rep",
        "PATCH",
        "/api/v1/deals/{deal_A}",
        lambda w: {"partner_id": w.pk("partner_B")},
        lambda w: _get(w, "deal_A").partner_id == w.pk("partner_A"),
    ),
    "deal team, probability source fields": Assign(
        "rep",
        "PATCH",
        "/api/v1/deals/{deal_A}",
        lambda w: {"team_id": w.pk("team_other"), "stage_entered_at": "2000-01-01T00:00:00Z"},
        lambda w: _get(w, "deal_A").team_id == w.pk("team_T"),
    ),
    "deal created for another owner and a hidden partner": Assign(
        "rep",
        "POST",
        "/api/v1/deals",
        lambda w: {
            "name": "Mass deal",
            "account_id": w.pk("account_A"),
            "product_line_id": w.pk("line"),
            "amount": "10",
            "stage_id": w.pk("stage_proposal"),
            "expected_close_date": _FUTURE,
            "owner_id": w.pk("user_other_rep"),
            "partner_id": w.pk("partner_B"),
        },
        lambda w: _last("pipeline.Deal").name != "Mass deal",
    ),
    "account owner given away": Assign(
        "rep",
        "PATCH",
        "/api/v1/accounts/{account_A}",
        lambda w: {"owner_id": w.pk("user_other_rep")},
        lambda w: _get(w, "account_A").owner_id == w.pk("user_rep"),
    ),
    "contact moved to a hidden partner": Assign(
        "rep",
        "PATCH",
        "/api/v1/contacts/{contact_A}",
        lambda w: {"partner_id": w.pk("partner_B")},
        lambda w: _get(w, "contact_A").partner_id == w.pk("partner_A"),
    ),
    "registration submitted approved, for partner B": Assign(
        "partner_a_user",
        "POST",
        "/api/v1/registrations",
        lambda w: {
            "customer_name": "Vellum Orchid Partners",
            "customer_country": "GB",
            "amount": "5000",
            "currency": "EUR",
            "product_line_id": w.pk("line"),
            "expected_close_date": _FUTURE,
            "status": "approved",
            "partner_id": w.pk("partner_B"),
            "protected_until": "2100-01-01T00:00:00Z",
        },
        lambda w: not _last("registrations.DealRegistration").customer_name.startswith("Vellum"),
    ),
    "registration approved by the partner": Assign(
        "partner_a_admin",
        "POST",
        "/api/v1/registrations/{registration_A}/approve",
        lambda w: {"override_conflicts": True},
        lambda w: _get(w, "registration_A").status == w.objects["registration_A"].status,  # type: ignore[attr-defined]
    ),
    "extension granted by the partner": Assign(
        "partner_a_admin",
        "POST",
        "/api/v1/registrations/{registrationext_A}/extension/decide",
        lambda w: {"approve": True},
        lambda w: (
            _get(w, "registrationext_A").protected_until
            == w.objects["registrationext_A"].protected_until
        ),  # type: ignore[attr-defined]
    ),
    "activity logged in the rep's name by a partner user": Assign(
        "partner_a_user",
        "POST",
        "/api/v1/activities",
        lambda w: {
            "kind": "call",
            "subject": "Mass call",
            "deal_id": w.pk("deal_A"),
            "owner_id": w.pk("user_rep"),
        },
        lambda w: (
            (a := _last("pipeline.Activity")).subject != "Mass call"
            or a.owner_id == w.pk("user_partner_a_user")
        ),
    ),
    "objective published or rescoped by a patch": Assign(
        "manager",
        "PATCH",
        "/api/v1/objectives/{objective_T}",
        lambda w: {"status": "published", "scope": f"partner:{w.pk('partner_B')}"},
        lambda w: _get(w, "objective_T").status == "draft",
    ),
    "objective amount by a rep": Assign(
        "rep",
        "PATCH",
        "/api/v1/objectives/{objective_R}",
        lambda w: {"amount": "1"},
        lambda w: _get(w, "objective_R").amount != 1,
    ),
    "lead created already offered to partner A": Assign(
        "marketing",
        "POST",
        "/api/v1/leads",
        lambda w: {
            "company_name": "Mass Lead",
            "contact_name": "M",
            "email": "m@mass.example",
            "country": "FR",
            "consent": True,
            "route": False,
            "status": "accepted",
            "partner_id": w.pk("partner_A"),
            "rep_id": w.pk("user_rep"),
        },
        lambda w: _last("leads.Lead").company_name != "Mass Lead",
    ),
    "token created for another user": Assign(
        "rep",
        "POST",
        "/api/v1/tokens",
        lambda w: {"name": "mass token", "user_id": w.pk("user_director")},
        lambda w: (
            _last("accounts.ApiToken").name != "mass token"
            or _last("accounts.ApiToken").user_id == w.pk("user_rep")
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(MASS_ASSIGNMENT))
def test_mass_assignment(case: str, world: World) -> None:
    spec = MASS_ASSIGNMENT[case]
    for client in (world_sessions(world)[spec.actor], client_token(world.tokens[spec.actor])):
        path = _expand(world, spec.path)
        response = client.generic(
            spec.method, path, data=json.dumps(spec.body(world)), content_type="application/json"
        )
        assert response.status_code < 500, (case, response.status_code)
        assert spec.stored(world), (
            f"{case}: {spec.method} {path} as {spec.actor} stored a field it may not set "
            f"({response.status_code} {response.content[:300]!r})"
        )
        assert not leaked_markers(actor=spec.actor, body=response_text(response)), case


# --- the admin site -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/pipeline/deal/", "/admin/partners/partner/", "/admin/accounts/user/"],
)
def test_admin_refuses_non_staff(path: str, world: World) -> None:
    """The admin has its own check (is_staff): partner users and reps without it never get
    in, and see no record there."""
    for actor in ("partner_a_admin", "partner_a_user", "partner_b_user", "rep", "manager"):
        response = world_sessions(world)[actor].get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], (
            path,
            actor,
            response.status_code,
        )
        assert not leaked_markers(actor=actor, body=response_text(response))


def test_matrix_size() -> None:
    """The size of the walk (printed with ``-s``): routes x methods x roles x auth kinds."""
    web = len(WEB_KEYS) * 2 * len(ACTORS)
    api = len(API_KEYS) * len(ACTORS) * 2
    print(
        f"\nroute matrix: {len(WEB_KEYS)} pages x 2 methods + {len(API_KEYS)} API operations; "
        f"x {len(ACTORS)} roles = {len(WEB_KEYS) * 2 * len(ACTORS) + len(API_KEYS) * len(ACTORS)}"
        f" route-method-role cells ({web} by session, {api} API cells by session and token)"
    )
    assert WEB_KEYS and API_KEYS


# --- edit and delete through a related object --------------------------------------------
#
# Seeing a record through another one (an account through a partner's deal, an activity
# through a deal, a contact through its account) must never give the right to change it:
# edit rights are written apart from view rights (accounts_editable_by, deals_editable_by,
# activities_editable_by, partners_editable_by). Each case: the record, who sees it only
# through the relation (refused, nothing changes), and who owns it (allowed).


@dataclass(frozen=True)
class Related:
    build: Callable[[World], Any]  # the record, seen by ``refused`` only through a relation
    requests: tuple[tuple[str, str, dict[str, Any] | None], ...]  # method, path ({pk}), body
    refused: str
    allowed: str
    web: tuple[tuple[str, dict[str, Any]], ...] = ()  # URL name (pk arg), POST data


def _account_through_partner_deal(w: World) -> Any:
    c = w.company
    account = AccountFactory(name="Via partner deal", owner=c.other_rep, domain="via.example")
    DealFactory(account=account, owner=c.other_rep, team=c.other_team, partner=c.partner_a)
    return account


def _contact_through_account(w: World) -> Any:
    return PartnerContactFactory(
        first_name="Via",
        last_name="Account",
        partner=None,
        account=_account_through_partner_deal(w),
    )


def _activity_through_deal(w: World) -> Any:
    c = w.company
    deal = DealFactory(owner=c.rep, team=c.team, partner=c.partner_a)
    return ActivityFactory(subject="Via deal", owner=c.other_rep, deal=deal)


def _deal_moved_to_other_team(w: World) -> Any:
    from dirco.pipeline.services import deal_update

    c = w.company
    deal = DealFactory(owner=c.rep, team=c.team)
    return deal_update(deal=deal, updated_by=c.director, owner=c.other_rep)


RELATED: dict[str, Related] = {
    "account seen through a partner's deal": Related(
        _account_through_partner_deal,
        (("PATCH", "/api/v1/accounts/{pk}", {"owner_id": 0, "industry": "Taken"}),),
        refused="rep",
        allowed="other_rep",
        web=(("account_edit", {"name": "Taken"}),),
    ),
    "contact seen through its account": Related(
        _contact_through_account,
        (
            ("PATCH", "/api/v1/contacts/{pk}", {"phone": "+33 6"}),
            ("DELETE", "/api/v1/contacts/{pk}", None),
        ),
        refused="rep",
        allowed="other_rep",
    ),
    "activity seen through its deal": Related(
        _activity_through_deal,
        (("POST", "/api/v1/activities/{pk}/complete", {"done": True}),),
        refused="rep",
        allowed="other_rep",
    ),
    "deal whose owner moved to another team": Related(
        _deal_moved_to_other_team,
        (
            ("PATCH", "/api/v1/deals/{pk}", {"amount": "1"}),
            ("DELETE", "/api/v1/deals/{pk}", None),
        ),
        refused="manager",
        allowed="other_manager",
        web=(("deal_edit", {"name": "Moved back"}),),
    ),
}


@pytest.mark.parametrize("case", sorted(RELATED))
def test_edit_and_delete_through_a_related_object(case: str, world: World) -> None:
    spec = RELATED[case]
    record = spec.build(world)
    before = snapshot(record)
    refused = client_token(world.tokens[spec.refused])
    for method, path, body in spec.requests:
        if body is not None and "owner_id" in body:
            body = {**body, "owner_id": world.users[spec.refused].pk}
        response = refused.generic(
            method,
            path.format(pk=record.pk),
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
        )
        assert response.status_code in (403, 404), (case, method, response.status_code)
    for name, data in spec.web:
        world_sessions(world)[spec.refused].post(reverse(name, args=[record.pk]), data)
    assert snapshot(record) == before, f"{case}: a refused write changed {record!r}"
    # The owner's side may change it (the first request, without the owner swap).
    method, path, body = spec.requests[0]
    if body is not None and "owner_id" in body:
        body = {k: v for k, v in body.items() if k != "owner_id"}
    allowed = client_token(world.tokens[spec.allowed]).generic(
        method,
        path.format(pk=record.pk),
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
    )
    assert allowed.status_code in (200, 204), (case, allowed.status_code, allowed.content[:300])
