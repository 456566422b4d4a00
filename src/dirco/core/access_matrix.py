"""Who may do what to which object: the access matrix, machine-readable.

``ACCESS_MATRIX[(object, action)][role]`` is one of:

- ``"all"``: every record (for ``create``: may create, for any owner allowed by the form);
- ``"team"``: records of the teams the user manages and of their members (and, for
  partners, the partners those members manage);
- ``"own"``: records the user owns or channel-manages (for ``create``: as their owner);
- ``"partner"``: records of the user's partner (and of its child partners for a
  partner admin);
- ``"none"``: refused. A hidden record answers 404, a visible one the user may not
  change answers 403 (API) or a refusal message (web).

docs/security.md shows the same table; a test checks that the two agree. The route-walking
test checks every URL and API operation against it. Adding an object or an action: see
docs/security.md, "Adding an object to the matrix".
"""

from __future__ import annotations

from typing import Final, Literal

Scope = Literal["all", "team", "own", "partner", "none"]

ROLES: Final = ("director", "manager", "rep", "marketing", "partner_admin", "partner_user")
SCOPES: Final = ("all", "team", "own", "partner", "none")
ACTIONS: Final = ("list", "view", "create", "edit", "delete", "approve")
OBJECTS: Final = (
    "partner",
    "contact",
    "account",
    "deal",
    "activity",
    "registration",
    "lead",
    "objective",
    "forecast",
    "notification",
    "user",
    "api_token",
    "webhook",
    "mdf_budget",
    "mdf_request",
    "plan",
    "import",
    "import_mapping",
    "team_dynamics",
    "campaign",
    "catalog",
    "partner_campaign",
    "social_post",
    "social_share",
    "post",
    "note",
    "feed",
    "announcement",
)


def _row(spec: str) -> dict[str, Scope]:
    """``"all team own all partner partner"``: one scope per role, in ``ROLES`` order."""
    scopes = spec.split()
    assert len(scopes) == len(ROLES) and all(s in SCOPES for s in scopes), spec
    return dict(zip(ROLES, scopes, strict=True))  # type: ignore[arg-type]


_VISIBLE = "all team own all partner partner"
_STAFF_SELLERS_CREATE = "all all all none none none"
_STAFF_SELLERS_EDIT = "all team own none none none"
_NOBODY = "none none none none none none"
_OWN = "own own own own own own"
_DIRECTOR_ONLY = "all none none none none none"
_IMPORTERS = "own own own none own none"
_MAPPINGS = "all all all none partner none"
_MARKETING = "all none none all none none"
_STAFF_VISIBLE = "all team own all none none"

_SPEC: Final[dict[tuple[str, str], str]] = {
    # Partners: the channel; status and tier are the director's fields (partners/services.py).
    ("partner", "list"): _VISIBLE,
    ("partner", "view"): _VISIBLE,
    ("partner", "create"): _STAFF_SELLERS_CREATE,
    ("partner", "edit"): _STAFF_SELLERS_EDIT,
    ("partner", "delete"): _NOBODY,  # partners churn, they are not deleted
    # Contacts: people at a partner or an account; who edits the parent edits the contact.
    ("contact", "list"): _VISIBLE,
    ("contact", "view"): _VISIBLE,
    ("contact", "create"): _STAFF_SELLERS_EDIT,
    ("contact", "edit"): _STAFF_SELLERS_EDIT,
    ("contact", "delete"): _STAFF_SELLERS_EDIT,
    # Customer accounts: a partner sees the accounts of its own deals only.
    ("account", "list"): _VISIBLE,
    ("account", "view"): _VISIBLE,
    ("account", "create"): _STAFF_SELLERS_CREATE,
    ("account", "edit"): _STAFF_SELLERS_EDIT,
    ("account", "delete"): _NOBODY,
    # Deals: partners bring deals through registration and do not change them directly.
    ("deal", "list"): _VISIBLE,
    ("deal", "view"): _VISIBLE,
    ("deal", "create"): _STAFF_SELLERS_CREATE,
    ("deal", "edit"): _STAFF_SELLERS_EDIT,
    ("deal", "delete"): _STAFF_SELLERS_EDIT,
    # Activities: everyone logs their own; the director and managers see their people's.
    ("activity", "list"): "all team own own partner partner",
    ("activity", "view"): "all team own own partner partner",
    ("activity", "create"): _OWN,
    ("activity", "edit"): "all team own own own own",
    ("activity", "delete"): _NOBODY,
    # Deal registrations: partners submit, the channel manager (or above) approves/rejects.
    ("registration", "list"): _VISIBLE,
    ("registration", "view"): _VISIBLE,
    ("registration", "create"): "none none none none partner partner",
    ("registration", "edit"): "none none none none partner partner",  # extension requests
    ("registration", "delete"): _NOBODY,
    ("registration", "approve"): "all team own none none none",
    # Leads: routed to reps and partners. "approve" decides a lead: the recipient accepts
    # or declines it (the current assignee only: stricter), then the accepted lead is
    # converted or marked lost by its recipient or the staff above it (leads/permissions.py
    # lead_can_convert).
    ("lead", "list"): _VISIBLE,
    ("lead", "view"): _VISIBLE,
    ("lead", "create"): "all all all all none none",
    ("lead", "edit"): "all team own all none none",
    ("lead", "delete"): _NOBODY,
    ("lead", "approve"): "all team own none partner partner",
    # Objectives: set top-down, allocated by the director and managers.
    ("objective", "list"): _VISIBLE,
    ("objective", "view"): _VISIBLE,
    ("objective", "create"): "all team none none none none",
    ("objective", "edit"): "all team none none none none",
    ("objective", "delete"): "all none none none none none",
    # Revenue and forecast of a scope (revenue/scopes.py scope_may_see); read-only.
    ("forecast", "list"): _VISIBLE,
    ("forecast", "view"): _VISIBLE,
    # In-app notifications: one's own only; "edit" is marking read.
    ("notification", "list"): _OWN,
    ("notification", "view"): _OWN,
    ("notification", "edit"): _OWN,
    # Users: a partner admin manages its partner's users; "delete" is deactivation.
    ("user", "list"): "all team own own partner own",
    ("user", "view"): "all team own own partner own",
    ("user", "create"): "all none none none partner none",
    ("user", "edit"): "all own own own partner own",
    ("user", "delete"): "all none none none partner none",
    # API tokens: nobody sees or revokes another user's tokens.
    ("api_token", "list"): _OWN,
    ("api_token", "view"): _OWN,
    ("api_token", "create"): _OWN,
    ("api_token", "delete"): _OWN,
    # Webhook subscriptions and their deliveries: the director's integration settings.
    ("webhook", "list"): _DIRECTOR_ONLY,
    ("webhook", "view"): _DIRECTOR_ONLY,
    ("webhook", "create"): _DIRECTOR_ONLY,
    ("webhook", "edit"): _DIRECTOR_ONLY,
    ("webhook", "delete"): _DIRECTOR_ONLY,
    # Marketing development funds: the director sets budgets (per partner or tier); partners
    # ask (create) and claim (edit) funds; the channel manager, their manager or the
    # director approves or rejects requests and pays or rejects claims (approve).
    ("mdf_budget", "list"): _VISIBLE,
    ("mdf_budget", "view"): _VISIBLE,
    ("mdf_budget", "create"): "all none none none none none",
    ("mdf_request", "list"): _VISIBLE,
    ("mdf_request", "view"): _VISIBLE,
    ("mdf_request", "create"): "none none none none partner partner",
    ("mdf_request", "edit"): "none none none none partner partner",
    ("mdf_request", "approve"): "all team own none none none",
    # Action plans (plans/permissions.py), their actions and checklist tasks: staff plan for
    # the scopes they may see; a partner's plan is shown to that partner once shared
    # (read and comment); the partner admin accepts a shared version (approve).
    ("plan", "list"): _VISIBLE,
    ("plan", "view"): _VISIBLE,
    ("plan", "create"): "all team own all none none",
    ("plan", "edit"): "all team own own none none",
    ("plan", "approve"): "none none none none partner none",
    # Import jobs (imports/permissions.py): one's own; "edit" is checking and confirming.
    # What a job may write is the importer's right on each object (see docs/security.md).
    ("import", "list"): _IMPORTERS,
    ("import", "view"): _IMPORTERS,
    ("import", "create"): _IMPORTERS,
    ("import", "edit"): _IMPORTERS,
    # Saved column mappings (imports/permissions.py): staff share the company's, a partner's
    # admin its partner's; saving one (create) or deleting it needs the right to import
    # its kind (the walk's mappings are of contacts, which every seller and a partner
    # admin import).
    ("import_mapping", "list"): _MAPPINGS,
    ("import_mapping", "view"): _MAPPINGS,
    ("import_mapping", "create"): _MAPPINGS,
    ("import_mapping", "delete"): _MAPPINGS,
    # Team dynamics (dynamics/permissions.py): the figures of people and teams (baselines,
    # synergy, ramp-up, turnover, manager effect) and the handover of a leaving person's
    # book ("create": a handover, or a planned departure recorded; "edit": a planned
    # departure cancelled). The director: everyone; a manager: their line.
    ("team_dynamics", "list"): "all team none none none none",
    ("team_dynamics", "view"): "all team none none none none",
    ("team_dynamics", "create"): "all team none none none none",
    ("team_dynamics", "edit"): "all team none none none none",
    # Direct marketing (marketing/permissions.py): segments, email templates, campaigns,
    # consent records and the suppression list are the director's and marketing's alone;
    # no other role, and no partner, sees anything of them ("approve" is scheduling a send).
    ("campaign", "list"): _MARKETING,
    ("campaign", "view"): _MARKETING,
    ("campaign", "create"): _MARKETING,
    ("campaign", "edit"): _MARKETING,
    ("campaign", "approve"): _MARKETING,
    # The catalogue (catalog/permissions.py): product lines and the pipeline's stages.
    # Everyone reads them (a deal, a registration or a lead names one; no row: not scoped);
    # the director alone changes them, since every figure per line and forecast reads them.
    ("catalog", "create"): _DIRECTOR_ONLY,
    ("catalog", "edit"): _DIRECTOR_ONLY,
    ("catalog", "delete"): _DIRECTOR_ONLY,
    # Through-channel campaigns (marketing/permissions.py): a partner's co-branded campaign
    # to its own contacts. Its users see it (a partner admin: its child partners' too), staff
    # the campaigns of the partners they see; only a partner admin creates, changes ("edit":
    # also cancel and the partner's brand) and sends ("approve") one, for its own partner.
    ("partner_campaign", "list"): _VISIBLE,
    ("partner_campaign", "view"): _VISIBLE,
    ("partner_campaign", "create"): "none none none none partner none",
    ("partner_campaign", "edit"): "none none none none partner none",
    ("partner_campaign", "approve"): "none none none none partner none",
    # Social selling posts: marketing writes and publishes ("approve"); a published post is
    # read by its audience (staff, partners or both); drafts by marketing and the director.
    # "partner": a partner user reads the published posts addressed to partners, as it
    # reads the announcements addressed to it (a post belongs to no partner).
    ("social_post", "list"): "all all all all partner partner",
    ("social_post", "view"): "all all all all partner partner",
    ("social_post", "create"): _MARKETING,
    ("social_post", "edit"): _MARKETING,
    ("social_post", "approve"): _MARKETING,
    # Shares of posts (one tracked short link per sharer): everyone shares ("create", as
    # themselves); results are read like partner records (a partner: its own only).
    ("social_share", "list"): _VISIBLE,
    ("social_share", "view"): _VISIBLE,
    ("social_share", "create"): _OWN,
    # The social feed (social/permissions.py). A record's conversation (its posts, comments,
    # reactions and attachments) follows the record: whoever sees the record reads and
    # writes there ("create": a post, a comment or a reaction). An internal note on a record
    # is staff-only. The company feed: staff read and post; a partner user reads the
    # announcements addressed to it (every partner, or its tier and better). Announcements
    # are published by the director, managers and marketing.
    ("post", "list"): _VISIBLE,
    ("post", "view"): _VISIBLE,
    ("post", "create"): _VISIBLE,
    ("note", "list"): _STAFF_VISIBLE,
    ("note", "view"): _STAFF_VISIBLE,
    ("note", "create"): _STAFF_VISIBLE,
    ("feed", "list"): "all all all all partner partner",
    ("feed", "view"): "all all all all partner partner",
    ("feed", "create"): "all all all all none none",
    ("announcement", "create"): "all all none all none none",
}

ACCESS_MATRIX: Final[dict[tuple[str, str], dict[str, Scope]]] = {
    key: _row(spec) for key, spec in _SPEC.items()
}


def access_scope(*, obj: str, action: str, role: str) -> Scope:
    """The scope ``role`` has for ``action`` on ``obj``; KeyError for an unknown pair."""
    return ACCESS_MATRIX[(obj, action)][role]
