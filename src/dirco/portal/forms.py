"""Forms of the portal pages that no domain app provides (registration and lead forms come
from their apps: registrations.forms, leads.forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dirco.core.text import TextRulesFormMixin


class PartnerUserInviteForm(TextRulesFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
