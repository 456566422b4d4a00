"""The forecast's method said in plain words for a sales director; model names stay in a
"details" toggle."""

from __future__ import annotations

from typing import Any

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def seasonality_level(strength: float) -> str:
    if strength >= 0.6:
        return _("strong seasonality")
    if strength >= 0.3:
        return _("moderate seasonality")
    if strength > 0.1:
        return _("weak seasonality")
    return _("no clear seasonality")


def forecast_in_words(payload: dict[str, Any]) -> str:
    """E.g. "From 36 months of history; strong seasonality, peak in March."."""
    months = len(payload.get("history") or [])
    if not payload.get("forecast"):
        return ""
    text = ngettext(
        "From %(months)d month of history", "From %(months)d months of history", months
    ) % {"months": months}
    seasonality = payload.get("seasonality")
    seasonal = payload.get("seasonal")
    if seasonal is None:  # a snapshot stored before the forecast said whether it was seasonal
        seasonal = bool(seasonality and seasonality.get("years", 0) >= 2)
    if seasonal and seasonality:
        # The forecast's own decision (two seasons and the lag-12 test, or the backtest),
        # not the profile's count of complete calendar years: 36 months make one complete
        # year of ratios to the trend, and their forecast is seasonal.
        strength = float(seasonality.get("strength") or 0)
        part = seasonality_level(strength)
        if strength >= 0.3 and seasonality.get("peak"):
            part += ", " + _("peak in %(month)s") % {"month": MONTHS[int(seasonality["peak"])]}
    elif months < 24:
        part = _("too short to learn a seasonal shape")
    else:
        part = _("no significant seasonality")
    # Translators: between the parts of a sentence (French: a no-break space first).
    return text + _("; ") + part + "."
