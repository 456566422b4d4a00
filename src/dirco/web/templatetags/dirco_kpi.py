"""KPI definitions on pages: ``{% kpi_help "attainment_to_date" figures %}`` renders a "?"
linking to its entry of the KPI glossary page (``/help/kpis/#kpi-<key>``), whose hover
(and focus) text is the KPI's one definition (dirco.metrics.glossary) and, when
the figures are given, the numbers it is made of ("Objective to 30 Nov: 7,750,000 EUR;
won: 6,570,000 EUR; 84.8 %"). ``{{ value|kpi_raw }}`` writes a figure unformatted for a
``data-value`` attribute (read by the consistency test and by scripts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dirco.metrics.glossary import KPI_DEFINITIONS
from dirco.web.templatetags.dirco_web import money_short

register = template.Library()


def _day(value: Any) -> str:
    if isinstance(value, dt.date):
        return str(formats.date_format(value, "j M"))
    return ""


def _pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{formats.number_format(value, decimal_pos=1, use_l10n=True)}\u00a0%"


def kpi_detail(key: str, figures: Mapping[str, Any] | None) -> str:
    """The figures behind one KPI, in words (empty when they are not at hand)."""
    f = figures or {}
    as_of = _day(f.get("as_of"))
    if key in ("attainment_to_date", "gap_to_date", "objective_to_date", "won_to_date"):
        if "objective_to_date" not in f:
            return ""
        text = _("Objective to %(day)s: %(objective)s; won: %(won)s; %(pct)s") % {
            "day": as_of,
            "objective": money_short(f["objective_to_date"]),
            "won": money_short(f["won_to_date"]),
            "pct": _pct(f.get("attainment_to_date_pct")),
        }
        if key == "gap_to_date":
            text += "; " + _("behind: %(gap)s") % {"gap": money_short(f.get("gap_to_date"))}
        return text
    if key in ("attainment_full", "gap_to_period_end", "objective_full") and "objective_full" in f:
        return _("Objective of the period: %(objective)s; won to %(day)s: %(won)s; %(pct)s") % {
            "objective": money_short(f["objective_full"]),
            "day": as_of,
            "won": money_short(f["won_to_date"]),
            "pct": _pct(f.get("attainment_full_pct")),
        }
    if key == "projected_landing" and "projected_landing" in f:
        rest = f.get("statistical_forecast")
        if rest is None:
            rest = Decimal(f["projected_landing"]) - Decimal(f["won_to_date"])
        return _("Won to %(day)s: %(won)s + forecast of the rest: %(rest)s = %(landing)s") % {
            "day": as_of,
            "won": money_short(f["won_to_date"]),
            "rest": money_short(rest),
            "landing": money_short(f["projected_landing"]),
        }
    if key == "coverage" and "open_weighted" in f:
        return _("Weighted pipeline %(weighted)s / still to win %(left)s") % {
            "weighted": money_short(f["open_weighted"]),
            "left": money_short(f.get("remaining_objective")),
        }
    return ""


@register.simple_tag
def kpi_help(key: str, figures: Mapping[str, Any] | None = None) -> SafeString:
    name, definition = KPI_DEFINITIONS[key]
    text = f"{name}: {definition}"
    detail = kpi_detail(key, figures)
    if detail:
        text += f" ({detail})"
    return format_html(
        '<a class="kpi-help" href="{}#kpi-{}" title="{}" aria-label="{}">?</a>',
        reverse("kpi_glossary"),
        key,
        text,
        text,
    )


@register.filter
def kpi_raw(value: Any) -> str:
    """A figure as plain text for data attributes: ``6570000.00``, ``84.8``, ``""`` for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        value = Decimal(str(value))
    return str(value)
