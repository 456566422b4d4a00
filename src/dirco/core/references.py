"""The message for a reference that names nothing the caller may use, one sentence per kind.

A sentence is translated whole ("Unknown stage: 12." -> « Étape inconnue : 12. »): a field's
name put into one shared sentence stays English and takes the wrong gender in French
("stage inconnu"). A kind not listed here gets a sentence that names no kind.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_BY_ID: dict[str, Promise] = {
    "account": _("Unknown account: %(id)s."),
    "budget": _("Unknown budget: %(id)s."),
    "channel_manager": _("Unknown channel manager: %(id)s."),
    "contact": _("Unknown contact: %(id)s."),
    "deal": _("Unknown deal: %(id)s."),
    "owner": _("Unknown owner: %(id)s."),
    "parent": _("Unknown parent partner: %(id)s."),
    "partner": _("Unknown partner: %(id)s."),
    "product_line": _("Unknown product line: %(id)s."),
    "rep": _("Unknown rep: %(id)s."),
    "stage": _("Unknown stage: %(id)s."),
    "team": _("Unknown team: %(id)s."),
    "territory": _("Unknown territory: %(id)s."),
    "tier": _("Unknown tier: %(id)s."),
}

_BY_NAME: dict[str, Promise] = {
    "partner": _("Unknown partner “%(value)s”."),
    "product_line": _("Unknown product line “%(value)s”."),
    "rep": _("Unknown rep “%(value)s”."),
    "team": _("Unknown team “%(value)s”."),
}


def unknown_reference(kind: str, ref: object) -> str:
    """ "Unknown <kind>: <ref>." for the id ``ref`` given for the field ``kind``."""
    message = _BY_ID.get(kind)
    if message is None:
        return gettext("No such record: %(id)s.") % {"id": ref}
    return str(message) % {"id": ref}


def unknown_named(kind: str, value: str) -> str:
    """ "Unknown <kind> “<value>”." for a name (an import's cell) of the kind ``kind``."""
    message = _BY_NAME.get(kind)
    if message is None:
        return gettext("Nothing is called “%(value)s”.") % {"value": value}
    return str(message) % {"value": value}
