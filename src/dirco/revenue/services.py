"""Forecasts and seasonal profiles of a scope's monthly won revenue, cached per scope.

The snapshot holds a 24-month forecast; a request for a shorter horizon is a slice of it.
It is computed from complete months only (the won revenue of the months before the current
one, and their in-month pattern); the month in progress is added at each read from the
rollups. So a snapshot is marked stale when a deal change moves the won revenue of a complete
month of its scope (:func:`revenue_forecast_inputs_changed`; see receivers.py): a deal moved
between open stages, created, or won or reopened within the current month leaves every
stored forecast as it would be computed again. A stale snapshot is recomputed by a
background task, coalesced per scope: the write that turns a fresh snapshot
stale enqueues one refresh, delayed by ``DIRCO_FORECAST_DEBOUNCE_SECONDS``; later writes
find it stale already and enqueue nothing, so a burst of writes costs one computation.

No forecast is computed inside a write transaction (it would hold the transaction's locks,
and SQLite's one write lock, for the whole computation):

- :func:`revenue_forecast_refresh` computes first, then stores in a short transaction;
- a read serves a stale snapshot for ``DIRCO_FORECAST_STALE_GRACE_SECONDS`` while its
  refresh is due, then recomputes it itself (a small install may run no worker); inside a write
  transaction it serves what is stored, whatever its age;
- the write services that read forecasts (objectives: learned split, allocation by forecast)
  warm them with :func:`revenue_forecasts_warm` before their transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dirco.core.money import company_currency
from dirco.core.periods import month_add
from dirco.core.transactions import atomic_retrying, in_write_transaction
from dirco.forecasting import ErrorProfile, forecast, seasonal_profile
from dirco.forecasting.notes import Note
from dirco.forecasting.series import Period
from dirco.metrics import month_in_progress
from dirco.revenue.models import ForecastSnapshot
from dirco.revenue.notes import note, say_all
from dirco.revenue.selectors import in_month_pattern
from dirco.rollups.selectors import (
    first_won_month,
    month_in_progress_figures,
    monthly_won_revenue,
)
from dirco.scopes import Scope

logger = logging.getLogger("dirco.revenue")

MAX_HORIZON = 24
HISTORY_YEARS = 6
# Scopes whose intervals, when their revenue is lumpy, borrow from the company's
# backtest errors (see dirco.forecasting.intervals): few deals make few backtest errors.
PRIOR_FROM_COMPANY = ("rep", "partner", "product_line")


def _history(scope: Scope, today: dt.date) -> list[tuple[dt.date, float]]:
    """Complete months only: the current month is still moving. Read from the rollups, like
    the curve's won months (:func:`dirco.rollups.selectors.monthly_won_revenue`)."""
    last = month_add(today.replace(day=1), -1)
    first = first_won_month(scope=scope)
    if first is None or first > last:
        return []
    first = max(first, month_add(last, -12 * HISTORY_YEARS + 1))
    return [
        (m, float(v))
        for m, v in monthly_won_revenue(scope=scope, first_month=first, last_month=last)
    ]


def departed_rep_notice(scope: Scope) -> dict[str, Any] | None:
    """Why a rep's scope gets no forecast: the rep has left (account deactivated), so there
    is no future revenue of theirs to forecast; None for every other scope. A stored note
    (:mod:`dirco.revenue.notes`), said in the reader's language when read."""
    from django.contrib.auth import get_user_model

    if scope.kind != "rep" or scope.id is None:
        return None
    if get_user_model().objects.filter(pk=scope.id, is_active=True).exists():
        return None
    return note(
        "departed",
        f"{scope.label} has left the company (account deactivated): no forecast of their revenue.",
        rep=scope.label,
    )


def revenue_forecast_compute(*, scope: Scope, today: dt.date | None = None) -> dict[str, Any]:
    """Compute (without the cache) the payload served by the API and the page."""
    today = today or timezone.localdate()
    history = _history(scope, today)
    payload: dict[str, Any] = {
        "scope": scope.key,
        "label": scope.label,
        "currency": company_currency(),
        "computed_at": timezone.now().isoformat(),
        "history": [{"period": f"{m:%Y-%m}", "value": round(v, 2)} for m, v in history],
        "forecast": [],
        "method": "",
        "weights": {},
        "backtest_mase": {},
        # Codes and values, said in the reader's language at each read (see notes.py).
        "notes": [],
        "seasonal": None,
        "seasonality": None,
        "in_month_pattern": in_month_pattern(scope=scope, today=today) if history else [],
    }
    departed = departed_rep_notice(scope)
    if departed is not None:
        payload["notes"].append(departed)
        return payload
    if len(history) < 3:
        payload["notes"].append(
            note(
                "not_enough_history",
                "Not enough won history to forecast: at least 3 months are needed.",
            )
        )
        return payload
    values = [v for _m, v in history]
    start = Period(history[0][0].year, history[0][0].month, "M")
    result = forecast(values, start, "M", horizon=MAX_HORIZON, prior=_company_error_profile(scope))
    payload["forecast"] = [
        {
            "period": str(p),
            "forecast": round(result.point[i], 2),
            "lower80": round(result.lower[80][i], 2),
            "upper80": round(result.upper[80][i], 2),
            "lower95": round(result.lower[95][i], 2),
            "upper95": round(result.upper[95][i], 2),
        }
        for i, p in enumerate(result.periods)
    ]
    payload["method"] = result.method
    payload["weights"] = result.weights
    payload["backtest_mase"] = result.backtest_mase
    payload["notes"] = [_as_note(w) for w in result.warnings]
    payload["seasonal"] = result.seasonal
    if result.error_profile is not None:
        payload["error_profile"] = dataclasses.asdict(result.error_profile)
    profile = seasonal_profile(values, start, "M")
    payload["seasonality"] = {
        "labels": profile.labels,
        "index": [round(x, 4) for x in profile.index],
        "lower": [round(x, 4) for x in profile.lower],
        "upper": [round(x, 4) for x in profile.upper],
        "std": [round(x, 4) for x in profile.std],
        "strength": round(profile.strength, 4),
        "peak": profile.peak,
        "trough": profile.trough,
        "stability": None if profile.stability is None else round(profile.stability, 4),
        "years": profile.years,
        "kind": profile.kind,
        "notes": [_as_note(w) for w in profile.warnings],
    }
    return payload


def _company_error_profile(scope: Scope) -> ErrorProfile | None:
    """The company forecast's backtest error profile (cached), for the scopes that borrow."""
    if scope.kind not in PRIOR_FROM_COMPANY:
        return None
    raw = revenue_forecast_for_scope(scope=Scope("company"), horizon=1).get("error_profile")
    if not raw:
        return None
    return ErrorProfile(
        scales=[float(v) for v in raw["scales"]],
        origins=int(raw["origins"]),
        volatility=float(raw["volatility"]),
    )


def revenue_forecast_refresh(*, scope: Scope) -> ForecastSnapshot:
    """Compute the scope's forecast, then store it (fresh, unless its deals changed during the
    computation: then it stays stale for the next refresh)."""
    generation = (
        ForecastSnapshot.objects.filter(scope_key=scope.key)
        .values_list("generation", flat=True)
        .first()
    )
    # Dated from the start of the computation: one that straddles midnight at a month's end
    # read the month before as the current one, and must count as last month's.
    started = timezone.now()
    payload = revenue_forecast_compute(scope=scope)
    now = timezone.now()
    fresh = {"payload": payload, "computed_at": started, "stale": False, "stale_since": None}
    with transaction.atomic():
        if generation is None:
            try:
                with transaction.atomic():
                    return ForecastSnapshot.objects.create(scope_key=scope.key, **fresh)
            except IntegrityError:
                pass  # another process stored it meanwhile: store ours as of its generation
        elif ForecastSnapshot.objects.filter(scope_key=scope.key, generation=generation).update(
            **fresh, updated_at=now
        ):
            return ForecastSnapshot.objects.get(scope_key=scope.key)
        ForecastSnapshot.objects.filter(scope_key=scope.key).update(
            payload=payload, computed_at=started, updated_at=now
        )
        return ForecastSnapshot.objects.get(scope_key=scope.key)


def revenue_forecast_inputs_changed(*, won_months: list[dt.date]) -> bool:
    """Whether a deal change whose won revenue moved in ``won_months`` (first days; see
    :data:`dirco.pipeline.signals.deals_changed`) changes what :func:`revenue_forecast_compute`
    reads: the won revenue of a month before the current one. A snapshot computed last month
    is refreshed anyway (:func:`revenue_forecast_needs_refresh`)."""
    month_start = timezone.localdate().replace(day=1)
    return any(month < month_start for month in won_months)


def revenue_forecast_needs_refresh(snapshot: ForecastSnapshot | None) -> bool:
    """Missing, from an earlier month, stored by an earlier version (its warnings as
    English text, not as notes to say in the reader's language), or stale past the grace
    period."""
    if snapshot is None or _is_from_an_earlier_month(snapshot) or "notes" not in snapshot.payload:
        return True
    if not snapshot.stale:
        return False
    grace = dt.timedelta(seconds=settings.DIRCO_FORECAST_STALE_GRACE_SECONDS)
    return snapshot.stale_since is None or timezone.now() - snapshot.stale_since >= grace


def revenue_forecasts_warm(*, scopes: list[Scope]) -> None:
    """Refresh the snapshots of ``scopes`` that a read would refresh, before a write
    transaction reads them (inside one, nothing is computed: see the module's docstring)."""
    if in_write_transaction():
        return
    keys = {s.key: s for s in scopes}
    snapshots = {s.scope_key: s for s in ForecastSnapshot.objects.filter(scope_key__in=keys)}
    for key, scope in keys.items():
        snapshot = snapshots.get(key)
        if revenue_forecast_needs_refresh(snapshot) or (snapshot is not None and snapshot.stale):
            revenue_forecast_refresh(scope=scope)


def revenue_forecast_for_scope(
    *,
    scope: Scope,
    horizon: int = 12,
    today: dt.date | None = None,
    month_figures: tuple[Decimal, Decimal] | None = None,
) -> dict[str, Any]:
    """The cached forecast of a scope, recomputed when missing or stale.

    The first month of the forecast is the month in progress: its forecast is what is won
    so far plus a forecast of the rest of the month (:func:`dirco.metrics.month_in_progress`),
    computed at each read from ``month_figures`` (won so far, weighted open pipeline of the
    month) or, when not given, from the rollups (the cockpit passes the figures of the
    rollups it has already read: the same values)."""
    if not 1 <= horizon <= MAX_HORIZON:
        from dirco.core.errors import ApplicationError

        raise ApplicationError(
            _("The horizon must be between 1 and %(max)s months.") % {"max": MAX_HORIZON},
            fields={"horizon": [_("Choose 1 to %(max)s.") % {"max": MAX_HORIZON}]},
        )
    snapshot = ForecastSnapshot.objects.filter(scope_key=scope.key).first()
    if revenue_forecast_needs_refresh(snapshot) and not (
        snapshot is not None and in_write_transaction()
    ):
        if in_write_transaction():
            # Nothing stored to serve: the caller should have warmed it (revenue_forecasts_warm).
            logger.info("forecast of %s computed inside a write transaction", scope.key)
        snapshot = revenue_forecast_refresh(scope=scope)
    assert snapshot is not None
    payload = dict(snapshot.payload)
    today = today or timezone.localdate()
    departed = departed_rep_notice(scope) if payload["forecast"] else None
    if departed is not None:
        # Stored while the rep was active: deactivating an account changes no deal, so the
        # snapshot is not marked stale; the read drops the forecast.
        payload["forecast"] = []
        payload["method"] = ""
        payload["notes"] = [departed]
    forecast = [dict(point) for point in payload["forecast"][:horizon]]
    current = today.replace(day=1)
    if forecast and forecast[0]["period"] == f"{current:%Y-%m}":
        won, weighted = month_figures or month_in_progress_figures(scope=scope, month=current)
        in_progress = month_in_progress(
            as_of=today,
            won_so_far=won,
            weighted_open=weighted,
            engine_point=forecast[0],
            pattern=payload.get("in_month_pattern") or None,
        )
        point = in_progress.point()
        forecast[0] = {
            **forecast[0],
            **{k: float(v) if isinstance(v, Decimal) else v for k, v in point.items()},
            "engine_forecast": forecast[0]["forecast"],
        }
    payload["forecast"] = forecast
    payload["horizon"] = horizon
    _say_notes(payload)
    return payload


def _as_note(warning: str) -> dict[str, Any]:
    if isinstance(warning, Note):
        return warning.as_dict()
    return note("", str(warning))


def _say_notes(payload: dict[str, Any]) -> None:
    """The stored notes as ``warnings`` in the active language (a snapshot stored before
    notes had codes keeps its ``warnings``)."""
    if "notes" in payload:
        payload["warnings"] = say_all(payload.pop("notes"))
    seasonality = payload.get("seasonality")
    if seasonality and "notes" in seasonality:
        seasonality = dict(seasonality)
        seasonality["warnings"] = say_all(seasonality.pop("notes"))
        payload["seasonality"] = seasonality


def _is_from_an_earlier_month(snapshot: ForecastSnapshot) -> bool:
    # A new month turns the last month into complete history: the forecast must move on.
    computed = timezone.localtime(snapshot.computed_at).date()
    today = timezone.localdate()
    return (computed.year, computed.month) != (today.year, today.month)


@atomic_retrying
def revenue_snapshots_mark_stale(*, scope_keys: list[str]) -> list[str]:
    """Mark the snapshots of ``scope_keys`` stale; returns the keys that were fresh until now
    (each needs one refresh task; the others have one pending already). The rows are locked
    in key order, as every writer of the rollups does, and a deadlock is retried."""
    now = timezone.now()
    rows = list(
        ForecastSnapshot.objects.select_for_update()
        .filter(scope_key__in=scope_keys)
        .order_by("scope_key")
        .values_list("scope_key", "stale")
    )
    turning = [key for key, stale in rows if not stale]
    ForecastSnapshot.objects.filter(scope_key__in=[key for key, _s in rows]).update(
        generation=F("generation") + 1, updated_at=now
    )
    ForecastSnapshot.objects.filter(scope_key__in=turning).update(stale=True, stale_since=now)
    return turning


def revenue_snapshots_drop() -> int:
    """Drop every stored forecast: the rollups were rebuilt from the deals (a bulk write
    such as the demo seed, or an operator's ``rollups_rebuild``), so no snapshot is known
    to describe them any more; each is computed again at its next read. Before this, the
    demo's company forecast showed a history that no other page showed (32 of its 36 months
    read before the funds' and plans' deals were added)."""
    return ForecastSnapshot.objects.all().delete()[0]


def revenue_snapshots_due() -> list[str]:
    """The scopes whose snapshot a periodic refresh should recompute: stale (a refresh task
    lost, or a change during the last computation) or from an earlier month."""
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return sorted(
        ForecastSnapshot.objects.filter(Q(stale=True) | Q(computed_at__lt=month_start)).values_list(
            "scope_key", flat=True
        )
    )
