"""The columns of the lead exports (the staff list and the portal's taken leads)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dirco.core.exports import Column
from dirco.leads.models import Lead

LEAD_COLUMNS: list[Column[Lead]] = [
    Column(_("ID"), lambda ld: ld.pk, "number"),
    Column(_("Company"), lambda ld: ld.company_name),
    Column(_("Contact name"), lambda ld: ld.contact_name),
    Column(_("Email"), lambda ld: ld.email),
    Column(_("Phone"), lambda ld: ld.phone),
    Column(_("Country"), lambda ld: str(ld.country)),
    Column(_("Postcode"), lambda ld: ld.postcode),
    Column(_("Product line"), lambda ld: ld.product_line.name if ld.product_line else ""),
    Column(_("Status"), lambda ld: ld.get_status_display()),
    Column(_("Partner"), lambda ld: ld.partner.name if ld.partner else ""),
    Column(_("Rep"), lambda ld: str(ld.rep) if ld.rep_id else ""),
    Column(_("Received"), lambda ld: ld.created_at),
    Column(_("Accepted at"), lambda ld: ld.accepted_at),
]
