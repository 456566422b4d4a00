"""Forms of deal registration and the partner lifecycle.

``RegistrationForm`` and ``ExtensionRequestForm`` are for the partner portal; their fields are
exactly what a partner may set. The other forms are for the staff pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.countries import country_form_field
from dirco.core.money import CURRENCY_CHOICES, company_currency
from dirco.core.text import LONG_TEXT_MAX, TextRulesFormMixin
from dirco.customers.models import Account
from dirco.partners.models import Partner, Territory, Tier
from dirco.registrations.models import DealRegistration, OnboardingStep, PartnerApplication
from dirco.teams.permissions import users_assignable_by
from dirco.web.autocomplete import AutocompleteWidget
from dirco.web.forms import AmountCurrencyMixin, AmountField, SpamTrapsForm


class DateInput(forms.DateInput):
    input_type = "date"


class RegistrationForm(AmountCurrencyMixin, TextRulesFormMixin, forms.Form):
    customer_name = forms.CharField(label=_("Customer company name"), max_length=200)
    customer_domain = forms.CharField(
        label=_("Customer web domain"), max_length=253, required=False, help_text=_("e.g. acme.com")
    )
    customer_legal_identifier = forms.CharField(
        label=_("Customer legal identifier"),
        max_length=40,
        required=False,
        help_text=_("SIREN or SIRET for a French company, a VAT number, or a company number."),
    )
    customer_country = country_form_field(label=_("Customer country"), initial="FR")
    amount = AmountField(
        label=_("Expected amount"), max_digits=14, decimal_places=2, currency_field="currency"
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.order_by("name")
    )
    expected_close_date = forms.DateField(label=_("Expected close date"), widget=DateInput)
    confirm_zero_amount = forms.BooleanField(
        label=_("The amount is really 0"),
        required=False,
        help_text=_("Tick to register a deal whose amount is 0 (e.g. not known yet)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = company_currency()

    def service_data(self) -> dict[str, Any]:
        """The cleaned input for ``registration_submit(user=, data=)``."""
        return dict(self.cleaned_data)


class ExtensionRequestForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need more time?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RegistrationFilterForm(TextRulesFormMixin, forms.Form):
    q = forms.CharField(label=_("Customer"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *DealRegistration.Status.choices],
    )


class RegistrationApproveForm(TextRulesFormMixin, forms.Form):
    account = forms.ModelChoiceField(
        label=_("Link to an existing account"),
        queryset=Account.objects.none(),
        required=False,
        widget=AutocompleteWidget(
            search_url_name="account_search",
            empty_label=_("Empty: a new account is created"),
        ),
        help_text=_("Leave empty to create a new account from the registration."),
        error_messages={
            "invalid_choice": _(
                "This account cannot be linked: choose one you may edit where no other "
                "partner sells, or leave the field empty to create a new account."
            )
        },
    )
    override_conflicts = forms.BooleanField(
        label=_("Approve although another registration protects this customer"), required=False
    )

    def __init__(
        self,
        *args: Any,
        accounts: QuerySet[Account],
        registration: DealRegistration,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = accounts.order_by("name")
        assert isinstance(field.widget, AutocompleteWidget)
        # The picker offers the linkable accounts only, not every account the user sees.
        field.widget.search_url = reverse(
            "registrations:account_search", kwargs={"registration_id": registration.pk}
        )


class RegistrationRejectForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (the partner will read it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionDecisionForm(TextRulesFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Grant")), ("decline", _("Decline"))]
    )
    note = forms.CharField(
        label=_("Note to the partner"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


SINGLE_LINE_APPLICATION_FIELDS = (
    "company_name",
    "legal_identifier",
    "domain",
    "contact_first_name",
    "contact_last_name",
    "contact_phone",
)


class PartnerApplicationForm(
    TextRulesFormMixin, SpamTrapsForm, forms.ModelForm[PartnerApplication]
):
    """The public form, with the public forms' spam traps (SpamTrapsForm). Each start token
    is good for one application only (finding 11 of the security test: a bot replayed one
    token for 24 hours), and for four hours."""

    spam_salt = "dirco.registrations.application-form"
    min_seconds_setting = "DIRCO_APPLICATION_MIN_SECONDS"
    max_age_seconds = 4 * 3600
    single_use_token = True

    kind = forms.ChoiceField(label=_("Kind of partner"), choices=Partner.Kind.choices)
    country = country_form_field(label=_("Country"), initial="FR")
    message = forms.CharField(
        label=_("Why you want to partner with us"),
        required=False,
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "legal_identifier",
            "domain",
            "country",
            "kind",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "message",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in SINGLE_LINE_APPLICATION_FIELDS:
            value = cleaned.get(name)
            if isinstance(value, str) and ("\r" in value or "\n" in value):
                self.add_error(name, _("One line only: remove the line breaks."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ApplicationApproveForm(TextRulesFormMixin, forms.Form):
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all())
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"), queryset=User.objects.none(), required=False
    )
    tier = forms.ModelChoiceField(
        label=_("Tier"),
        queryset=Tier.objects.order_by("rank"),
        required=False,
        empty_label=_("Entry tier"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel_manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users_assignable_by(user)


class ApplicationRejectForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class OnboardingStepForm(TextRulesFormMixin, forms.Form):
    code = forms.ChoiceField(choices=OnboardingStep.Code.choices, widget=forms.HiddenInput)
    done = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CertifiedPeopleForm(TextRulesFormMixin, forms.Form):
    certified_people = forms.IntegerField(
        label=_("Certified people"),
        min_value=0,
        required=False,
        help_text=_("Leave empty when unknown."),
    )


def application_form_token() -> str:
    """A signed start time for the application form (the test of the minimum fill time)."""
    return PartnerApplicationForm.start_token()
