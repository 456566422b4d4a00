"""Form plumbing shared by the HTML views: service errors shown on the fields they concern."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.core.errors import ApplicationError
from dirco.core.l10n import format_number, parse_amount
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


class AmountInput(forms.TextInput):
    """A text box (a number box refuses "28 000 000,00"), showing the amount in the user's
    language; phones get the numeric keypad."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return format_number(value, decimals=2)
        return super().format_value(value)


class AmountField(forms.DecimalField):
    """An amount typed as people write it in their language: ``28 000 000,00``,
    ``1 900 000 €`` in French, ``1,900,000.00`` in English (``dirco.core.l10n``)."""

    widget = AmountInput
    default_error_messages = {
        "invalid": _("Enter an amount, e.g. %(example)s."),
    }

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"example": format_number(Decimal("1900000"), decimals=2)},
            ) from None
