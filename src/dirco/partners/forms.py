"""HTML forms of the partner pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dirco.accounts.models import User
from dirco.core.countries import country_form_field
from dirco.partners.models import Partner, Territory, Tier
from dirco.partners.permissions import partner_can_set_standing
from dirco.teams.permissions import users_assignable_by
from dirco.web.forms import DircoForm

PARTNER_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "tier": ("tier__rank", "name", "id"),
    "-tier": ("-tier__rank", "name", "id"),
    "status": ("status", "name", "id"),
    # KPI columns (annotated by the partner list): largest first, then the rest.
    "-won": ("-won_12m", "name", "id"),
    "won": ("won_12m", "name", "id"),
    "-pipeline": ("-pipeline_open", "name", "id"),
    "pipeline": ("pipeline_open", "name", "id"),
    # Tier progress (registrations.tier_review.partners_with_tier_progress): most criteria met
    # first, then the better tier.
    "-progress": ("-progress_met", "tier__rank", "name", "id"),
    "progress": ("progress_met", "-tier__rank", "name", "id"),
}


class PartnerFilterForm(DircoForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tier = forms.ModelChoiceField(
        label=_("Tier"), queryset=Tier.objects.all(), required=False, empty_label=_("Any tier")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Partner.Status.choices], required=False
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("Any territory"),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("tier", _("Tier, top first")),
            ("-tier", _("Tier, bottom first")),
            ("status", _("Status")),
            ("-won", _("Won revenue, largest first")),
            ("won", _("Won revenue, smallest first")),
            ("-pipeline", _("Pipeline, largest first")),
            ("pipeline", _("Pipeline, smallest first")),
            ("-progress", _("Tier progress, most criteria met first")),
            ("progress", _("Tier progress, fewest criteria met first")),
        ],
    )


class PartnerForm(DircoForm):
    """Edit a partner; tier and status only for the director (partner_update checks it too)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    legal_identifier = forms.CharField(label=_("Legal identifier"), max_length=40, required=False)
    domain = forms.CharField(label=_("Web domain"), max_length=253, required=False)
    country = country_form_field(label=_("Country"), initial="FR")
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices)
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all())
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.all())
    status = forms.ChoiceField(label=_("Status"), choices=Partner.Status.choices)
    channel_manager = forms.ModelChoiceField(
        label=_("Channel manager"), queryset=User.objects.none(), required=False
    )
    joined_on = forms.DateField(
        label=_("Joined on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, user: User, partner: Partner, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": partner.name,
                "legal_identifier": partner.legal_identifier,
                "domain": partner.domain,
                "country": partner.country,
                "kind": partner.kind,
                "territory": partner.territory_id,
                "tier": partner.tier_id,
                "status": partner.status,
                "channel_manager": partner.channel_manager_id,
                "joined_on": partner.joined_on,
            },
        )
        super().__init__(*args, **kwargs)
        if not partner_can_set_standing(user=user):
            del self.fields["tier"]
            del self.fields["status"]
        field = self.fields["channel_manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            Q(id__in=users_assignable_by(user).values("id")) | Q(pk=partner.channel_manager_id)
        ).order_by("email")
