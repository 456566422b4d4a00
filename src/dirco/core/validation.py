"""What a model's validation may skip because the database already vouches for it."""

from __future__ import annotations

from django.db import models


def relations_read(obj: models.Model) -> set[str]:
    """The foreign keys of ``obj`` that hold an object read from the database (not one built
    in memory), by field name.

    ``full_clean`` checks each foreign key with one query (does the row exist?); for an object
    the caller has just read, that query proves nothing more: the row existed then, it may
    vanish before the INSERT whatever was checked, and the database's foreign key refuses
    that. dirco's foreign keys carry no ``limit_choices_to``, the one other thing the check
    would test (asserted by dirco.core.tests.test_validation).
    """
    names = set()
    for field in obj._meta.concrete_fields:
        if not field.is_relation or not field.is_cached(obj):  # type: ignore[attr-defined]
            continue
        related = field.get_cached_value(obj)  # type: ignore[attr-defined]
        if (
            related is not None
            and not related._state.adding
            and related.pk is not None
            and related.pk == getattr(obj, field.attname)
        ):
            names.add(field.name)
    return names
