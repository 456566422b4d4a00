"""Every kind of object a file can bring in, by name (``dirco import <kind>``, the pages)."""

from __future__ import annotations

from dirco.core.errors import ApplicationError
from dirco.imports.deals import DEALS
from dirco.imports.engine import ImportKind
from dirco.imports.records import AccountKind, ContactKind, ObjectiveKind, PartnerKind

KINDS: dict[str, ImportKind] = {
    kind.name: kind
    for kind in (AccountKind(), ContactKind(), PartnerKind(), DEALS, ObjectiveKind())
}


def import_kind(name: str) -> ImportKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ApplicationError(f"Unknown object to import: {name}.") from None
