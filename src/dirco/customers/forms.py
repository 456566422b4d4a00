"""HTML forms of the customer account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.core.countries import country_form_field
from dirco.customers.models import Account
from dirco.partners.models import Territory
from dirco.teams.permissions import users_assignable_by
from dirco.web.forms import DircoForm


class AccountFilterForm(DircoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("Any territory"),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    size = forms.ChoiceField(
        label=_("Size"), choices=[("", _("Any size")), *Account.Size.choices], required=False
    )

    def __init__(self, *args: Any, industries: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [  # type: ignore[attr-defined]
            ("", _("Any industry")),
            *((i, i) for i in industries),
        ]


class AccountForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.CharField(label=_("Web domain"), max_length=253, required=False)
    legal_identifier = forms.CharField(label=_("Legal identifier"), max_length=40, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=80, required=False)
    size = forms.ChoiceField(label=_("Size"), choices=Account.Size.choices)
    country = country_form_field(label=_("Country"), initial="FR")
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all())
    owner = forms.ModelChoiceField(
        label=_("Account owner"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: User, account: Account | None, **kwargs: Any) -> None:
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": account.name,
                    "domain": account.domain,
                    "legal_identifier": account.legal_identifier,
                    "industry": account.industry,
                    "size": account.size,
                    "country": account.country,
                    "territory": account.territory_id,
                    "owner": account.owner_id,
                },
            )
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            Q(id__in=users_assignable_by(user).values("id"))
            | Q(pk=account.owner_id if account is not None else None)
        ).order_by("email")
