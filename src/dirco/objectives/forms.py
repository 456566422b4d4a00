"""Forms of the objectives pages. They only collect input: the services validate it (amounts,
percentages, who may set what) and their field errors are shown on the inputs they concern."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dirco.catalog.models import ProductLine
from dirco.core.errors import ApplicationError
from dirco.core.l10n import month_label
from dirco.objectives.fiscal_calendar import fiscal_year_months
from dirco.objectives.models import Objective, ObjectiveMonth
from dirco.web.forms import DircoForm

_AMOUNT_KEY = re.compile(r"^a_(team|rep|partner|product_line)_(\d+)$")
MONTH_FIELDS = [f"m{i}" for i in range(1, 13)]
PERCENT_FIELDS = [f"pct_{i}" for i in range(1, 13)]


def allocation_field_name(scope_key: str) -> str:
    return "a_" + scope_key.replace(":", "_")


def _month_names(fiscal_year: int) -> list[str]:
    return [month_label(m) for m in fiscal_year_months(fiscal_year)]


def _amount_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class CockpitForm(DircoForm):
    """A form that places a service's field errors next to its inputs.

    Errors about a group of inputs (the 12 percentages, the 12 months, the allocation
    targets) go to ``group_errors`` and are shown at the top of that group.
    """

    aliases: dict[str, str] = {}
    groups: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}

    def apply_error(self, exc: ApplicationError) -> None:
        summary = not exc.fields
        for name, messages in exc.fields.items():
            target = self.aliases.get(name, name)
            if target.startswith("months."):
                target = "m" + target.split(".", 1)[1]
            elif target.startswith("amounts."):
                target = allocation_field_name(target.split(".", 1)[1])
            for message in messages:
                if target in self.groups:
                    self.group_errors.setdefault(target, []).append(str(message))
                    summary = True
                elif target in self.fields:
                    self.add_error(target, message)
                else:
                    summary = True
        if summary:
            # The whole message above the form (it also keeps the form invalid).
            self.add_error(None, exc.message)


class ObjectiveForm(CockpitForm):
    """Create an objective (scope and year), or change its amount and split (edit)."""

    aliases = {"team": "scope", "rep": "scope", "partner": "scope"}
    groups = ("percentages",)

    scope = forms.ChoiceField(label=_("Scope"))
    product_line = forms.ModelChoiceField(
        label=_("Product line (optional)"),
        queryset=ProductLine.objects.none(),
        required=False,
        help_text=_("Narrow the objective to one product line."),
    )
    fiscal_year = forms.IntegerField(label=_("Fiscal year"))
    measure = forms.ChoiceField(label=_("Measure"), choices=Objective.Measure.choices)
    amount = forms.CharField(
        label=_("Yearly amount"),
        widget=_amount_input(),
        help_text=_("In the company currency for revenue; a count otherwise."),
    )
    split_method = forms.ChoiceField(
        label=_("Monthly split"),
        choices=Objective.SplitMethod.choices,
        initial=Objective.SplitMethod.LEARNED,
    )

    def __init__(
        self,
        *args: Any,
        scope_choices: list[tuple[str, str]] | None = None,
        objective: Objective | None = None,
        fiscal_year: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.objective = objective
        names = _month_names(objective.fiscal_year if objective else fiscal_year)
        for i, name in enumerate(PERCENT_FIELDS):
            self.fields[name] = forms.CharField(
                label=names[i],
                required=False,
                widget=_amount_input(size=5),
            )
        if objective is not None:
            for name in ("scope", "product_line", "fiscal_year", "measure"):
                del self.fields[name]
            self.fields["amount"].initial = objective.amount
            self.fields["split_method"].initial = objective.split_method
            if objective.split_method == Objective.SplitMethod.MANUAL and objective.amount:
                months = list(objective.months.order_by("month_index"))
                for row, name in zip(months, PERCENT_FIELDS, strict=False):
                    share = row.amount * 100 / objective.amount
                    self.fields[name].initial = share.quantize(Decimal("0.01"))
        else:
            scope_field = self.fields["scope"]
            assert isinstance(scope_field, forms.ChoiceField)
            scope_field.choices = scope_choices or []
            line_field = self.fields["product_line"]
            assert isinstance(line_field, forms.ModelChoiceField)
            line_field.queryset = ProductLine.objects.order_by("name")
            self.fields["fiscal_year"].initial = fiscal_year

    @property
    def percent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PERCENT_FIELDS]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in PERCENT_FIELDS]

    def percentages(self) -> list[str] | None:
        """The 12 typed percentages for a manual split (the service checks them)."""
        if self.cleaned_data.get("split_method") != Objective.SplitMethod.MANUAL:
            return None
        return [(self.cleaned_data.get(name) or "").strip() or "0" for name in PERCENT_FIELDS]


class MonthsForm(CockpitForm):
    """Set months by hand; only the months whose amount changed are sent to the service."""

    groups = ("months",)

    rebalance = forms.BooleanField(
        label=_("Spread the difference over the months not set by hand"), required=False
    )

    def __init__(self, *args: Any, months: list[ObjectiveMonth], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.months = months
        for row in months:
            name = f"m{row.month_index}"
            self.fields[name] = forms.CharField(
                label=month_label(row.month),
                initial=row.amount,
                widget=_amount_input(),
                help_text=_("set by hand") if row.is_override else "",
            )
        self.order_fields([*MONTH_FIELDS, "rebalance"])

    @property
    def month_fields(self) -> list[forms.BoundField]:
        return [self[f"m{row.month_index}"] for row in self.months]

    def changed_amounts(self) -> dict[int, str]:
        changed: dict[int, str] = {}
        for row in self.months:
            raw = (self.cleaned_data.get(f"m{row.month_index}") or "").strip()
            try:
                same = Decimal(raw) == row.amount
            except (InvalidOperation, ValueError):
                same = False
            if not same:
                changed[row.month_index] = raw
        return changed


class AllocationForm(CockpitForm):
    """Allocate by history share, forecast share, or typed amounts (one input per target).

    Amounts are read for every ``a_<kind>_<id>`` input sent, not only the listed ones: the
    service refuses a target outside the allocator's line with an error, nothing saved.
    """

    groups = ("targets", "amounts")
    aliases = {"parent": "targets"}

    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("history", _("Share of the last 12 months' won revenue")),
            ("forecast", _("Share of the forecast for the fiscal year")),
            ("manual", _("Amounts typed below")),
        ],
        initial="history",
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        targets: list[tuple[str, str]],
        current: dict[str, Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for key, label in targets:
            self.fields[allocation_field_name(key)] = forms.CharField(
                label=label,
                required=False,
                initial=current.get(key),
                widget=_amount_input(),
            )

    @property
    def target_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(key, self[allocation_field_name(key)]) for key, _label in self.targets]

    def manual_amounts(self) -> dict[str, str]:
        amounts: dict[str, str] = {}
        for name, value in self.data.items():
            match = _AMOUNT_KEY.match(name)
            if match and str(value).strip():
                amounts[f"{match[1]}:{match[2]}"] = str(value).strip()
        return amounts


class PublishForm(CockpitForm):
    aliases = {"amount": "confirm"}

    confirm = forms.BooleanField(
        label=_("Publish anyway: I have checked the allocation"), required=False
    )


class OwnerCallForm(CockpitForm):
    owner_call = forms.CharField(label=_("My call"), widget=_amount_input())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ManagerCallForm(CockpitForm):
    manager_call = forms.CharField(label=_("Manager's call"), widget=_amount_input())
    note = forms.CharField(
        label=_("Why (required)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
