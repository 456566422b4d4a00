"""HTML forms of the pipeline pages. Validation of business rules stays in the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.money import CURRENCY_CHOICES, company_currency
from dirco.customers.models import Account
from dirco.customers.permissions import accounts_visible_to
from dirco.partners.models import Partner
from dirco.partners.permissions import partners_visible_to
from dirco.pipeline.models import Activity, Deal, Stage
from dirco.pipeline.selectors import DealFilters
from dirco.pipeline.services import ActivityFields, DealFields
from dirco.teams.permissions import people_visible_to, users_assignable_by
from dirco.web.autocomplete import AutocompleteWidget
from dirco.web.forms import AmountCurrencyMixin, AmountField, DircoForm, PlainSelect

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SORT_CHOICES = [
    ("-close", _("Close date, latest first")),
    ("close", _("Close date, soonest first")),
    ("-amount", _("Amount, largest first")),
    ("amount", _("Amount, smallest first")),
    ("name", _("Name, A to Z")),
    ("-name", _("Name, Z to A")),
    ("-created", _("Newest first")),
]

STATUS_CHOICES = [
    ("", _("Any status")),
    ("open", _("Open")),
    ("overdue", _("Open, past expected close date")),
    ("won", _("Won")),
    ("lost", _("Lost")),
]


class StageSelect(forms.Select):
    """The deal form's stage: each won/lost option says so (``data-closed``), so that the page
    shows the close date and the lost reason only when the chosen stage needs them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.closed: dict[int, str] = {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        kind = self.closed.get(option["value"])
        if kind:
            option["attrs"]["data-closed"] = kind
        return option


class DealFilterForm(DircoForm):
    """The deal list's and the board's filters (GET). Invalid values are ignored, not fatal."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=Stage.objects.all(),
        required=False,
        empty_label=_("Any stage"),
        widget=PlainSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, widget=PlainSelect
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
        widget=PlainSelect,
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Any partner"),
        widget=PlainSelect,
    )
    product_line = forms.ModelChoiceField(
        label=_("Product line"),
        queryset=ProductLine.objects.all(),
        required=False,
        empty_label=_("Any product line"),
        widget=PlainSelect,
    )
    close_from = forms.DateField(label=_("Closing from"), required=False, widget=DATE_INPUT)
    close_to = forms.DateField(label=_("Closing until"), required=False, widget=DATE_INPUT)
    sort = forms.ChoiceField(
        label=_("Sort"), choices=SORT_CHOICES, required=False, widget=PlainSelect
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        partner_field = self.fields["partner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        assert isinstance(partner_field, forms.ModelChoiceField)
        owner_field.queryset = people_visible_to(user)
        partner_field.queryset = partners_visible_to(user).only("id", "name").order_by("name")

    def deal_filters(self, *, default_sort: str = "-close") -> DealFilters:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}

        def pk(name: str) -> int | None:
            obj = data.get(name)
            return obj.pk if obj is not None else None

        return DealFilters(
            q=(data.get("q") or "").strip(),
            stage_id=pk("stage"),
            owner_id=pk("owner"),
            partner_id=pk("partner"),
            product_line_id=pk("product_line"),
            status=data.get("status") or "",
            close_from=data.get("close_from"),
            close_to=data.get("close_to"),
            sort=data.get("sort") or default_sort,
        )


class DealForm(AmountCurrencyMixin, DircoForm):
    """Create or edit a deal. Amount, currency, stage and dates are checked by the service."""

    name = forms.CharField(label=_("Name"), max_length=200)
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        widget=AutocompleteWidget(
            search_url_name="account_search",
            create_url_name="account_create",
            create_label=_("New account"),
        ),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("None (direct deal)"),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    product_line = forms.ModelChoiceField(
        label=_("Product line"), queryset=ProductLine.objects.all()
    )
    amount = AmountField(
        label=_("Amount"), max_digits=14, decimal_places=2, currency_field="currency"
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, widget=forms.Select(choices=CURRENCY_CHOICES)
    )
    stage = forms.IntegerField(
        label=_("Stage"), widget=StageSelect(attrs={"data-stage-select": ""})
    )
    expected_close_date = forms.DateField(label=_("Expected close date"), widget=DATE_INPUT)
    close_date = forms.DateField(
        label=_("Close date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Set when the deal is won or lost; today if left empty."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Deal.Source.choices)
    lost_reason = forms.ChoiceField(
        label=_("Lost reason"),
        choices=[("", "—"), *Deal.LostReason.choices],
        required=False,
    )
    confirm_zero_amount = forms.BooleanField(
        label=_("The amount is really 0"),
        required=False,
        help_text=_("Tick to save a deal whose amount is 0 (e.g. not qualified yet)."),
    )

    def __init__(self, *args: Any, user: User, deal: Deal | None = None, **kwargs: Any) -> None:
        if deal is not None and "initial" not in kwargs:
            kwargs["initial"] = deal_form_initial(deal)
        super().__init__(*args, **kwargs)
        stages = list(Stage.objects.order_by("order"))
        stage_widget = self.fields["stage"].widget
        assert isinstance(stage_widget, StageSelect)
        stage_widget.choices = [(s.pk, s.label) for s in stages]
        stage_widget.closed = {
            s.pk: ("lost" if s.is_lost else "won") for s in stages if s.is_won or s.is_lost
        }
        keep: dict[str, int | None] = {"account": None, "partner": None, "owner": None}
        if deal is not None:
            keep = {"account": deal.account_id, "partner": deal.partner_id, "owner": deal.owner_id}
        # A deal keeps its current account, partner and owner even when the editor
        # could not pick them today.
        querysets: dict[str, QuerySet[Any]] = {
            "account": Account.objects.filter(
                Q(id__in=accounts_visible_to(user).values("id")) | Q(pk=keep["account"])
            ),
            "partner": Partner.objects.filter(
                Q(id__in=partners_visible_to(user).values("id")) | Q(pk=keep["partner"])
            ).exclude(status=Partner.Status.CHURNED),
            "owner": User.objects.filter(
                Q(id__in=users_assignable_by(user).values("id")) | Q(pk=keep["owner"])
            ),
        }
        for name, qs in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs.order_by(*(["email"] if name == "owner" else ["name"]))
        if deal is None and not self.is_bound:
            self.initial.setdefault("owner", user.pk)
            self.initial.setdefault("currency", company_currency())
            self.initial.setdefault("source", Deal.Source.DIRECT)
            first_open = Stage.objects.filter(is_won=False, is_lost=False).order_by("order").first()
            if first_open is not None:
                self.initial.setdefault("stage", first_open.pk)
            self.initial.setdefault("expected_close_date", dt.date.today() + dt.timedelta(days=30))

    def deal_fields(self) -> DealFields:
        """The cleaned values, typed as deal_create/deal_update take them (the API builds the
        same); an unknown stage id is a field error."""
        data = self.cleaned_data
        stage = Stage.objects.filter(pk=data["stage"]).first()
        if stage is None:
            raise ApplicationError(
                str(_("The deal was not saved: correct the fields shown.")),
                fields={"stage": [str(_("Unknown stage: %(id)s.")) % {"id": data["stage"]}]},
            )
        amount: Decimal = data["amount"]
        return DealFields(
            name=data["name"],
            account=data["account"],
            partner=data["partner"],
            owner=data["owner"],
            product_line=data["product_line"],
            amount=amount,
            currency=data["currency"],
            stage=stage,
            expected_close_date=data["expected_close_date"],
            close_date=data["close_date"],
            source=data["source"],
            lost_reason=data.get("lost_reason") or "",
        )


def deal_form_initial(deal: Deal) -> dict[str, Any]:
    return {
        "name": deal.name,
        "account": deal.account_id,
        "partner": deal.partner_id,
        "owner": deal.owner_id,
        "product_line": deal.product_line_id,
        "amount": deal.amount,
        "currency": deal.currency,
        "stage": deal.stage_id,
        "expected_close_date": deal.expected_close_date,
        "close_date": deal.close_date,
        "source": deal.source,
        "lost_reason": deal.lost_reason,
    }


class ActivityForm(DircoForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)

    subject = forms.CharField(label=_("Subject"), max_length=200)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def activity_fields(self, *, deal: Deal) -> ActivityFields:
        data = self.cleaned_data
        return ActivityFields(
            deal=deal,
            kind=data["kind"],
            subject=data["subject"],
            due_at=data["due_at"],
            notes=data["notes"],
        )


class DealMoveForm(DircoForm):
    """The board's move: a stage id, and a reason when the target is Lost."""

    stage = forms.IntegerField()
    lost_reason = forms.ChoiceField(choices=[("", "—"), *Deal.LostReason.choices], required=False)
