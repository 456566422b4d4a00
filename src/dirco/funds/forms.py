"""Forms of marketing development funds: the portal's request and claim forms (exactly the
fields a partner may set) and the staff's budget and decision forms. Each builds the input
its service takes, as the API does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dirco.core.text import TextRulesFormMixin
from dirco.funds.models import FundBudget
from dirco.funds.proofs import MAX_PROOF_BYTES
from dirco.funds.services import FundBudgetInput, FundRequestInput
from dirco.partners.models import Partner, Tier
from dirco.web.forms import AmountField


class DateInput(forms.DateInput):
    input_type = "date"


class FundBudgetForm(TextRulesFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    partner = forms.ModelChoiceField(
        label=_("Partner"), queryset=Partner.objects.none(), required=False
    )
    tier = forms.ModelChoiceField(
        label=_("or a tier"), queryset=Tier.objects.order_by("rank"), required=False
    )
    period_start = forms.DateField(label=_("Period start"), widget=DateInput)
    period_end = forms.DateField(label=_("Period end"), widget=DateInput)
    amount = AmountField(label=_("Amount"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners.order_by("name")  # type: ignore[attr-defined]

    def service_input(self) -> FundBudgetInput:
        d = self.cleaned_data
        return FundBudgetInput(
            name=d["name"],
            partner=d["partner"],
            tier=d["tier"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            amount=d["amount"],
        )


class FundRequestForm(TextRulesFormMixin, forms.Form):
    budget = forms.ModelChoiceField(label=_("Budget"), queryset=FundBudget.objects.none())
    activity = forms.CharField(label=_("Activity"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    expected_result = forms.CharField(
        label=_("Expected result"),
        widget=forms.Textarea,
        help_text=_("e.g. 40 qualified leads, 3 deals registered."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    amount = AmountField(label=_("Amount requested"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, budgets: QuerySet[FundBudget], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = budgets  # type: ignore[attr-defined]

    def service_input(self) -> FundRequestInput:
        d = self.cleaned_data
        return FundRequestInput(
            activity=d["activity"],
            description=d["description"],
            expected_result=d["expected_result"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            amount=d["amount"],
        )


class FundApproveForm(TextRulesFormMixin, forms.Form):
    approved_amount = AmountField(
        label=_("Approved amount"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to approve all that was asked."),
    )


class FundReasonForm(TextRulesFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class FundClaimForm(TextRulesFormMixin, forms.Form):
    amount = AmountField(label=_("Amount claimed"), max_digits=14, decimal_places=2)
    description = forms.CharField(label=_("What was done"), widget=forms.Textarea)
    proof = forms.FileField(
        label=_("Proof of execution"),
        help_text=lazy(
            lambda: (
                gettext("PDF, PNG, JPEG or WebP, %(size)s MB at most.")
                % {"size": MAX_PROOF_BYTES // (1024 * 1024)}
            ),
            str,
        )(),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
    )
