"""The forecast's warnings in the reader's language.

The engine (``dirco.forecasting``) and the services here record each warning as a code
with its values (``{"code": ..., "params": {...}, "text": English}``) in the stored
payload; :func:`say` turns one into a sentence when the payload is read, so a forecast
computed by a background worker (in the default language) reads in French for a French
user and in English for an English one, on the page, in the API and on the objectives'
curves alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dirco.forecasting.notes import Note


def _percent(share: float) -> str:
    # Translators: a percentage; French puts a no-break space before the sign.
    return _("%(value)s%%") % {"value": number_format(round(100 * share), 0)}


SAY: dict[str, Callable[[dict[str, Any]], str]] = {
    "short_for_seasons": lambda p: (
        _("Only %(months)s months of history, under two years: the forecast has no seasonal shape.")
        % {"months": p["periods"]}
    ),
    "weak_seasonality": lambda p: (
        _("Weak seasonality (strength %(strength)s): the seasonal models were left out.")
        % {"strength": number_format(p["strength"], 2)}
    ),
    "no_backtest_last_year": lambda p: _(
        "Too little history to test the models: the forecast repeats last year's months."
    ),
    "no_backtest_last_value": lambda p: _(
        "Too little history to test the models: the forecast carries the last month forward."
    ),
    "last_year_outweighs": lambda p: (
        _(
            "Last year's months forecast the recent past better than the models: "
            "they weigh %(share)s of the forecast."
        )
        % {"share": _percent(p["share"])}
    ),
    "no_significant_seasonality": lambda p: _("No significant seasonality: trend models only."),
    "lumpy": lambda p: _(
        "Lumpy revenue (a few big months): level models, no trend carried forward."
    ),
    "negative_values": lambda p: _("Negative months found: the forecasts are still at least zero."),
    "last_years_only": lambda p: (
        _("Only the last %(years)s years were used.") % {"years": p["years"]}
    ),
    "intermittent": lambda p: _(
        "Intermittent revenue (over three months in ten without any): expect wide intervals."
    ),
    "level_shift": lambda p: (
        _(
            "A change of level around %(month)s: the models adapt, but the intervals may be too "
            "narrow."
        )
        % {"month": p["period"]}
    ),
    "borrowed_errors": lambda p: _(
        "The intervals also draw on the company forecast's past errors: this scope's own "
        "history is short or lumpy."
    ),
    "no_profile": lambda p: (
        _("Only %(months)s months of history, under two years: no seasonal profile.")
        % {"months": p["periods"]}
    ),
    "stability_not_measured": lambda p: _(
        "Fewer than two complete years: the stability of the shape is not measured."
    ),
    "missing_interpolated": lambda p: (
        ngettext(
            "%(count)s missing month filled in: %(months)s.",
            "%(count)s missing months filled in: %(months)s.",
            p["count"],
        )
        % {"count": p["count"], "months": p["periods"]}
    ),
    "outliers_replaced": lambda p: (
        ngettext(
            "%(count)s unusual month (%(months)s) set aside: the models used its seasonal fit.",
            "%(count)s unusual months (%(months)s) set aside: the models used their seasonal fit.",
            p["count"],
        )
        % {"count": p["count"], "months": p["periods"]}
    ),
    "departed": lambda p: (
        _("%(rep)s has left the company (account deactivated): no forecast of their revenue.")
        % {"rep": p["rep"]}
    ),
    "not_enough_history": lambda p: _(
        "Not enough won history to forecast: at least 3 months are needed."
    ),
}


def note(code: str, text: str = "", **params: Any) -> dict[str, Any]:
    """A note of the services here, stored like the engine's (:meth:`Note.as_dict`)."""
    return Note(code, text, **params).as_dict()


def say(stored: dict[str, Any] | str) -> str:
    """One stored note in the active language; the English text for a code not known here
    (a newer engine's) or a bare string (a snapshot stored before notes had codes)."""
    if isinstance(stored, str):
        return stored
    sentence = SAY.get(stored.get("code", ""))
    if sentence is None:
        return str(stored.get("text", ""))
    try:
        return sentence(stored.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(stored.get("text", ""))


def say_all(stored: Iterable[dict[str, Any] | str]) -> list[str]:
    return [say(n) for n in stored]


def models_in_words(weights: dict[str, float]) -> str:
    """The combined models and their weights, ``theta_adj (45 %) + hw_damped (30 %)`` in
    French: the model names are the engine's, the percentages the reader's."""
    return " + ".join(f"{name} ({_percent(share)})" for name, share in weights.items())
