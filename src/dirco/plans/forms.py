"""Forms of the action plan pages: each builds the input its service takes (``PlanInput``,
``ActionInput``, ``TaskInput``), as the API does. The service checks the rules; the form
only reads the fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.catalog.models import ProductLine
from dirco.objectives.models import Objective
from dirco.objectives.selectors import objective_names
from dirco.partners.models import Partner, Territory, Tier
from dirco.plans.models import Action
from dirco.plans.services import ActionInput, PlanInput, TaskInput, revenue_spread_evenly
from dirco.scopes import Scope, scope_labels
from dirco.web.forms import AmountField, DircoForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


class PlanForm(DircoForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(label=_("Scope"))
    period = forms.CharField(
        label=_("Fiscal period"),
        max_length=10,
        help_text=_("A fiscal year (2026), a quarter (2026-Q2) or a month (2026-05)."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives served"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    diagnosis = forms.CharField(
        label=_("Diagnosis"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text=_("Where the scope stands and why (Markdown: **bold**, lists, links)."),
    )
    next_review_on = forms.DateField(label=_("Next review"), widget=DateInput, required=False)

    def __init__(
        self,
        *args: Any,
        scopes: list[Scope],
        owners: QuerySet[User],
        objectives: QuerySet[Objective],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        labels = scope_labels(scopes)
        self.fields["scope"].choices = [(s.key, labels.get(s.key, s.key)) for s in scopes]  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners.order_by("first_name", "last_name", "email")  # type: ignore[attr-defined]
        self.fields["objectives"].queryset = objectives  # type: ignore[attr-defined]
        names = objective_names(list(objectives))
        self.fields["objectives"].label_from_instance = lambda o: names.get(o.pk, str(o))  # type: ignore[attr-defined]

    def service_input(self) -> PlanInput:
        d = self.cleaned_data
        return PlanInput(
            name=d["name"],
            scope=Scope.parse(d["scope"]),
            period=d["period"].strip(),
            owner=d["owner"],
            objective_ids=tuple(sorted(o.pk for o in d["objectives"])),
            diagnosis=d["diagnosis"],
            next_review_on=d["next_review_on"],
        )


class ActionForm(DircoForm):
    kind = forms.ChoiceField(label=_("Type"), choices=Action.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    planned_cost = AmountField(
        label=_("Planned cost"), max_digits=14, decimal_places=2, initial=Decimal(0)
    )
    expected_revenue = AmountField(
        label=_("Expected won revenue"),
        max_digits=14,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("Spread evenly over the months from the start to the end of the action."),
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories"), queryset=Territory.objects.none(), required=False
    )
    tiers = forms.ModelMultipleChoiceField(
        label=_("Partner tiers"), queryset=Tier.objects.none(), required=False
    )
    product_lines = forms.ModelMultipleChoiceField(
        label=_("Product lines"), queryset=ProductLine.objects.none(), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"), queryset=Partner.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, owners: QuerySet[User], partners: QuerySet[Partner], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners.order_by("first_name", "last_name", "email")  # type: ignore[attr-defined]
        self.fields["territories"].queryset = Territory.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["tiers"].queryset = Tier.objects.order_by("rank")  # type: ignore[attr-defined]
        self.fields["product_lines"].queryset = ProductLine.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["partners"].queryset = partners.order_by("name")  # type: ignore[attr-defined]

    def service_input(self) -> ActionInput:
        d = self.cleaned_data
        starts_on: dt.date = d["starts_on"]
        ends_on: dt.date = d["ends_on"]
        expected: Decimal = d["expected_revenue"]
        spread: dict[dt.date, Decimal] = {}
        if expected and ends_on >= starts_on:
            spread = revenue_spread_evenly(
                total=expected, first_month=starts_on, months=_months_between(starts_on, ends_on)
            )
        elif expected:
            spread = {starts_on: expected}  # the service refuses the dates, with its message
        return ActionInput(
            kind=d["kind"],
            title=d["title"],
            owner=d["owner"],
            starts_on=starts_on,
            ends_on=ends_on,
            description=d["description"],
            planned_cost=d["planned_cost"],
            expected_revenue=spread,
            territory_ids=tuple(sorted(t.pk for t in d["territories"])),
            tier_ids=tuple(sorted(t.pk for t in d["tiers"])),
            product_line_ids=tuple(sorted(p.pk for p in d["product_lines"])),
            partner_ids=tuple(sorted(p.pk for p in d["partners"])),
        )


class ActionStatusForm(DircoForm):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    actual_cost = AmountField(
        label=_("Actual cost"), max_digits=14, decimal_places=2, required=False
    )


class TaskForm(DircoForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none())

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = owners.order_by("first_name", "last_name", "email")  # type: ignore[attr-defined]

    def service_input(self) -> TaskInput:
        d = self.cleaned_data
        return TaskInput(title=d["title"], due_on=d["due_on"], assignee=d["assignee"])


class CommentForm(DircoForm):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ProposalAddForm(DircoForm):
    """Add a proposed action to a plan, as a planned action of a draft or active plan."""

    proposal = forms.CharField(widget=forms.HiddenInput, max_length=40)
    plan = forms.ChoiceField(label=_("Plan"))

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [(str(pk), name) for pk, name in plans]  # type: ignore[attr-defined]
