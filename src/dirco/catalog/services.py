"""Writes on the catalogue's product lines; each one transaction, refusals naming the field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.catalog.permissions import catalog_can_change
from dirco.core.errors import ApplicationError, validation_error_fields
from dirco.core.versioning import version_bump, version_check


def _allowed(user: User) -> None:
    if not catalog_can_change(user=user):
        raise PermissionDenied(_("Only the director changes the catalogue."))


def _save(line: ProductLine, fields: list[str] | None = None) -> ProductLine:
    try:
        line.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Nothing was saved: correct the fields shown."), fields=validation_error_fields(exc)
        ) from None
    line.save(update_fields=fields)
    return line


@transaction.atomic
def product_line_create(*, created_by: User, name: str, code: str) -> ProductLine:
    _allowed(created_by)
    return _save(ProductLine(name=name.strip(), code=code.strip().lower()))


@transaction.atomic
def product_line_update(
    *,
    product_line: ProductLine,
    updated_by: User,
    name: str | None = None,
    code: str | None = None,
    expected_version: int | None = None,
) -> ProductLine:
    _allowed(updated_by)
    line = ProductLine.objects.select_for_update().get(pk=product_line.pk)
    version_check(line, expected_version)
    version_bump(line)
    fields = ["updated_at", "version"]
    if name is not None:
        line.name, fields = name.strip(), [*fields, "name"]
    if code is not None:
        line.code, fields = code.strip().lower(), [*fields, "code"]
    return _save(line, fields)


@transaction.atomic
def product_line_delete(*, product_line: ProductLine, deleted_by: User) -> None:
    """Delete a product line nothing uses. Deals and registrations protect theirs; the
    objectives and plans of a line would go with it without a word, so they protect it
    here too (a lead only forgets its line of interest)."""
    _allowed(deleted_by)
    for relation in ProductLine._meta.related_objects:
        if getattr(relation, "on_delete", None) is models.SET_NULL:
            continue
        model: Any = relation.related_model
        users = model._default_manager.filter(**{relation.field.name: product_line})
        if users.exists():
            raise ProtectedError(
                _("This product line is in use: %(what)s.")
                % {"what": model._meta.verbose_name_plural},
                set(users[:10]),
            )
    product_line.delete()
