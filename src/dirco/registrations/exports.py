"""The columns of the deal registration and partner exports."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dirco.core.exports import Column
from dirco.partners.models import Partner
from dirco.registrations.models import DealRegistration

REGISTRATION_COLUMNS: list[Column[DealRegistration]] = [
    Column(_("ID"), lambda r: r.pk, "number"),
    Column(_("Customer"), lambda r: r.customer_name),
    Column(_("Customer web domain"), lambda r: r.customer_domain),
    Column(_("Partner"), lambda r: r.partner.name),
    Column(_("Product line"), lambda r: r.product_line.name if r.product_line_id else ""),
    Column(_("Amount"), lambda r: r.amount, "money"),
    Column(_("Currency"), lambda r: r.currency),
    Column(_("Expected close date"), lambda r: r.expected_close_date),
    Column(_("Status"), lambda r: r.get_status_display()),
    Column(_("Submitted"), lambda r: r.created_at),
    Column(_("Protected until"), lambda r: r.protected_until),
]

# The partner directory's rows carry won_12m and pipeline_open (partners_with_figures).
PARTNER_COLUMNS: list[Column[Partner]] = [
    Column(_("ID"), lambda p: p.pk, "number"),
    Column(_("Name"), lambda p: p.name),
    Column(_("Kind"), lambda p: p.get_kind_display()),
    Column(_("Tier"), lambda p: p.tier.name if p.tier_id else ""),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Territory"), lambda p: p.territory.name if p.territory_id else ""),
    Column(_("Country"), lambda p: str(p.country)),
    Column(_("Web domain"), lambda p: p.domain),
    Column(_("Channel manager"), lambda p: str(p.channel_manager) if p.channel_manager_id else ""),
    Column(_("Won, 12 months"), lambda p: getattr(p, "won_12m", None), "money"),
    Column(_("Open pipeline"), lambda p: getattr(p, "pipeline_open", None), "money"),
]
