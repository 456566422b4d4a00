"""The menu entry of the import pages, for those who may import something."""

from __future__ import annotations

from typing import Any

from django import template

from dirco.imports.permissions import import_can_use

register = template.Library()


@register.simple_tag
def can_import(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and import_can_use(user=user))
