"""Form plumbing shared by the HTML views: service errors shown on the fields they concern."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.core.text import TextRulesFormMixin


class DircoForm(TextRulesFormMixin, forms.Form):
    """A form whose labels carry no trailing colon (the layout puts them above the field),
    and whose text fields follow dirco.core.text (one line without CR/LF, a size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def form_errors_from_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put each of the service's field errors on the form field, the rest above the form."""
    for name, messages in exc.fields.items():
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def people_assignable_by(user: User) -> QuerySet[User]:
    """The staff a user may filter on or hand a deal, partner or account to: their scope."""
    staff = User.objects.filter(is_active=True).exclude(role__in=User.PARTNER_ROLES)
    if user.role in (User.Role.DIRECTOR, User.Role.MARKETING):
        return staff
    if user.role == User.Role.MANAGER:
        from dirco.teams.selectors import team_member_ids_for_manager

        return staff.filter(id__in=team_member_ids_for_manager(user))
    if user.role == User.Role.REP:
        return staff.filter(pk=user.pk)
    return User.objects.none()
