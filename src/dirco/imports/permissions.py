"""Who may import what: one function for the pages, the API and the command's checks.

Staff import what they may create: accounts, contacts and partners the sellers (director,
managers, reps; a matched record is updated only when they may change it, row by row);
objectives those who set objectives (the objectives' services check each scope); deals the
director (a history import sets any owner and rebuilds the rollups). A partner admin
imports its own partner's contacts and deals, never another partner's; partner users
without the admin role, and marketing, import nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from dirco.accounts.models import User
from dirco.accounts.permissions import (
    user_is_director,
    user_is_partner,
    user_is_partner_admin,
    user_sells,
)
from dirco.imports.models import ImportJob, ImportMapping
from dirco.objectives.permissions import objective_may_set_any
from dirco.partners.models import Partner

PARTNER_KINDS = ("contacts", "deals")


def import_partner_of(user: User) -> Partner | None:
    """The partner whose records a partner user's imports write (None for staff)."""
    return user.partner if user_is_partner(user) else None


def import_can_run(*, user: User, kind: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user_is_partner(user):
        return user_is_partner_admin(user) and user.partner_id is not None and kind in PARTNER_KINDS
    if kind in ("accounts", "contacts", "partners"):
        return user_sells(user)
    if kind == "objectives":
        return objective_may_set_any(user)
    if kind == "deals":
        return user_is_director(user)
    return False


def import_kinds_for(user: User) -> list[str]:
    return [
        k
        for k in ("accounts", "contacts", "partners", "deals", "objectives")
        if import_can_run(user=user, kind=k)
    ]


def import_can_use(*, user: User) -> bool:
    """Whether the import pages are open to ``user`` at all (the menu entry)."""
    return bool(import_kinds_for(user))


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """One's own imports (the file and its rows are the importer's)."""
    if not import_can_use(user=user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user)


def get_import_job_for_user(*, user: User, job_id: int) -> ImportJob:
    try:
        return import_jobs_visible_to(user).get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import.") from None


def import_mappings_visible_to(user: User) -> QuerySet[ImportMapping]:
    """Staff share the company's saved mappings; a partner's users share their partner's."""
    if not import_can_use(user=user):
        return ImportMapping.objects.none()
    partner = import_partner_of(user)
    if partner is None:
        return ImportMapping.objects.filter(partner__isnull=True)
    return ImportMapping.objects.filter(Q(partner=partner))


def get_import_mapping_for_user(*, user: User, mapping_id: int) -> ImportMapping:
    """A saved mapping the user shares (404 for another company's or partner's)."""
    try:
        return import_mappings_visible_to(user).get(pk=mapping_id)
    except (ImportMapping.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mapping.") from None


def import_mapping_can_change(*, user: User, mapping: ImportMapping) -> bool:
    """Who may replace or delete a saved mapping: whoever shares it and may import its kind
    (the rule of saving one, :func:`import_can_run`)."""
    return import_can_run(user=user, kind=mapping.kind)
