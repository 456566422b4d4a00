"""Forms of the lead pages: the public contact form (with its spam traps) and staff forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.accounts.permissions import reps_among
from dirco.catalog.models import ProductLine
from dirco.core.countries import country_form_field
from dirco.core.text import TextRulesFormMixin
from dirco.leads.models import Lead
from dirco.leads.selectors import LeadFilters
from dirco.partners.models import Partner, Territory
from dirco.partners.permissions import partners_visible_to
from dirco.teams.selectors import users_assignable_by
from dirco.web.forms import SpamTrapsForm


def contact_form_token() -> str:
    """A signed start time for the contact form (the test of the minimum fill time)."""
    return LeadContactForm.start_token()


class LeadContactForm(TextRulesFormMixin, SpamTrapsForm):
    """The public "contact sales" form, with the public forms' spam traps (SpamTrapsForm: a
    filled honeypot drops the submission silently, a form sent within seconds is refused)."""

    spam_salt = "dirco.leads.contact"
    min_seconds_setting = "DIRCO_LEAD_FORM_MIN_SECONDS"

    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Work email"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        validators=[
            RegexValidator(
                r"^[0-9+().\- ]{6,40}$",
                _("Enter a phone number with digits, spaces and + ( ) - only."),
            )
        ],
    )
    country = country_form_field(label=_("Country"), initial="FR")
    postcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    territory = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Territory.objects.all(),
        required=False,
        help_text=_("Optional: we find it from your country and postcode when we can."),
    )
    product_line = forms.ModelChoiceField(
        label=_("Interested in"), queryset=ProductLine.objects.all(), required=False
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=_("I agree to be contacted about my request by the company or one of its partners.")
    )
    # Marketing email is a separate, unticked choice (consent to be contacted about one's
    # request is not consent to newsletters); ticked, it records a double opt-in consent.
    marketing_consent = forms.BooleanField(
        label=_("Send me news and offers by email (I can unsubscribe at any time)."),
        required=False,
        help_text=_("We email you a link to confirm."),
    )
    # The signed token of the share link that brought the visitor (social selling).
    ref = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    @property
    def person_fields(self) -> list[forms.BoundField]:
        return [field for field in super().person_fields if field.name != "ref"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_spam:
            return cleaned
        if cleaned.get("country"):
            cleaned["country"] = str(cleaned["country"]).upper()
        return cleaned


class LeadFilterForm(TextRulesFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Lead.Status.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *Lead.Source.choices]
    )

    def lead_filters(self) -> LeadFilters:
        if not self.is_bound or not self.is_valid():
            return LeadFilters()
        data = self.cleaned_data
        return LeadFilters(q=data["q"], status=data["status"], source=data["source"])


class LeadDeclineForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LeadLostForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why was it lost?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LeadAssignForm(TextRulesFormMixin, forms.Form):
    """Offer a lead by hand: one active partner or one rep the user may hand work to."""

    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    rep = forms.ModelChoiceField(label=_("or rep"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field = self.fields["partner"]
        rep_field = self.fields["rep"]
        assert isinstance(partner_field, forms.ModelChoiceField)
        assert isinstance(rep_field, forms.ModelChoiceField)
        partner_field.queryset = (
            partners_visible_to(user).filter(status=Partner.Status.ACTIVE).order_by("name")
        )
        # The reps the service accepts (leads.services.lead_assign asks user_is_rep too).
        rep_field.queryset = reps_among(users_assignable_by(user)).order_by("last_name", "id")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("partner")) == bool(cleaned.get("rep")):
            raise forms.ValidationError(_("Choose one partner or one rep."), code="one_assignee")
        return cleaned
