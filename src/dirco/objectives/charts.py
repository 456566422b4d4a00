"""Server-side SVG for the cockpit: the objectives curve and attainment bars.

Colours are SVG presentation attributes (not only CSS classes) so that the charts read the
same on screen, without the stylesheet and printed in black and white (dashes tell the
lines apart).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dirco.core.l10n import month_label as l10n_month_label
from dirco.revenue.charts import compact_amount, nice_ticks

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 40
OBJECTIVE = "#3451b2"
ACTUAL = "#1c7c47"
FORECAST = "#8a5a00"
UNDER = "#fdeceb"


def _f(value: Decimal | float | int | None) -> float:
    return float(value or 0)


def month_label(row: dict[str, Any]) -> str:
    month = row["month"]
    return l10n_month_label(month, short_year=True)


def curve_under(row: dict[str, Any], *, view: str) -> bool:
    """The shaded months: under objective (cumulative, metrics.months_under_objective) in
    the cumulative view; below their own objective in the monthly view."""
    if view == "cumulative":
        return bool(row["under_objective"])
    return bool(row["below_month_objective"])


def _series(rows: list[dict[str, Any]], view: str) -> dict[str, list[float | None]]:
    """The lines of the chart: objective, actual, forecast and its 80% band."""
    objective: list[float | None] = []
    actual: list[float | None] = []
    forecast: list[float | None] = []
    lower: list[float | None] = []
    upper: list[float | None] = []
    cumulative = view == "cumulative"
    base = 0.0  # what is won before the forecast starts (cumulative view)
    low_sum = high_sum = point_sum = 0.0
    for row in rows:
        objective.append(_f(row["objective_cumulative" if cumulative else "objective"]))
        if row["is_complete"] or row["is_current"]:
            actual.append(_f(row["actual_cumulative" if cumulative else "actual"]))
        else:
            actual.append(None)
        if row["is_complete"]:
            base += _f(row["actual"])
        has_point = row["forecast"] is not None and not row["is_complete"]
        if not has_point:
            forecast.append(None)
            lower.append(None)
            upper.append(None)
            continue
        won = _f(row["actual"])
        point = max(_f(row["forecast"]), won)
        low = max(_f(row["lower80"]), won)
        high = max(_f(row["upper80"]), won)
        if cumulative:
            # Summing the monthly bounds widens the band: a conservative interval.
            point_sum += point
            low_sum += low
            high_sum += high
            forecast.append(base + point_sum)
            lower.append(base + low_sum)
            upper.append(base + high_sum)
        else:
            forecast.append(point)
            lower.append(low)
            upper.append(high)
    return {
        "objective": objective,
        "actual": actual,
        "forecast": forecast,
        "lower": lower,
        "upper": upper,
    }


def _points(xs: list[float], ys: list[float | None], y: Any) -> str:
    return " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, ys, strict=True) if v is not None)


def objective_curve_svg(
    rows: list[dict[str, Any]],
    *,
    view: str = "cumulative",
    width: int = 960,
    height: int = 320,
) -> SafeString:
    """The objectives curve: objective (blue), actual (green, solid), forecast (brown,
    dashed) with its 80% interval (shaded); months under objective on a pink background."""
    if not rows:
        return mark_safe("")
    series = _series(rows, view)
    values = [v for line in series.values() for v in line if v is not None]
    ticks = nice_ticks(max(values) if values else 1.0)
    top = ticks[-1] or 1.0
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(rows)
    xs = [PAD_LEFT + slot * (i + 0.5) for i in range(len(rows))]

    def y(v: float) -> float:
        return PAD_TOP + plot_h * (1 - v / top)

    if view == "cumulative":
        title = _("Objectives curve, cumulative: objective, actual and forecast")
    else:
        title = _("Objectives curve, month by month: objective, actual and forecast")
    parts = [
        f'<svg class="chart curve" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'data-view="{escape(view)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, row in enumerate(rows):
        if curve_under(row, view=view):
            parts.append(
                f'<rect class="under" x="{PAD_LEFT + slot * i:.1f}" y="{PAD_TOP}" '
                f'width="{slot:.1f}" height="{plot_h}" fill="{UNDER}">'
                f"<title>{escape(month_label(row))}: {escape(_('under objective'))}</title></rect>"
            )
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y(t):.1f}" '
            f'y2="{y(t):.1f}" stroke="#e2e5ea" stroke-width="1"/>'
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#5f6773">{escape(compact_amount(t))}</text>'
        )
    for i, row in enumerate(rows):
        parts.append(
            f'<text class="axis" x="{xs[i]:.1f}" y="{height - PAD_BOTTOM + 18}" '
            f'text-anchor="middle" font-size="12" fill="#5f6773">{escape(month_label(row))}</text>'
        )
    band = [(x, lo, hi) for x, lo, hi in zip(xs, series["lower"], series["upper"], strict=True)]
    band = [(x, lo, hi) for x, lo, hi in band if lo is not None and hi is not None]
    if band:
        upper = " ".join(f"{x:.1f},{y(hi):.1f}" for x, _lo, hi in band)  # type: ignore[arg-type]
        lower = " ".join(f"{x:.1f},{y(lo):.1f}" for x, lo, _hi in reversed(band))  # type: ignore[arg-type]
        parts.append(
            f'<polygon class="band80" points="{upper} {lower}" fill="{FORECAST}" '
            f'fill-opacity="0.15" stroke="none"><title>{escape(_("80% interval"))}</title>'
            "</polygon>"
        )
    if view == "monthly":
        bar_w = slot * 0.32
        for i, v in enumerate(series["objective"]):
            if v:
                parts.append(
                    f'<rect class="bar-objective" x="{xs[i] - bar_w:.1f}" y="{y(v):.1f}" '
                    f'width="{bar_w:.1f}" height="{max(y(0) - y(v), 1):.1f}" fill="{OBJECTIVE}" '
                    f'fill-opacity="0.35"><title>{escape(month_label(rows[i]))}: '
                    f"{escape(_('objective'))} {escape(compact_amount(v))}</title></rect>"
                )
        for i, v in enumerate(series["actual"]):
            if v is not None:
                parts.append(
                    f'<rect class="bar-actual" x="{xs[i]:.1f}" y="{y(v):.1f}" '
                    f'width="{bar_w:.1f}" height="{max(y(0) - y(v), 1):.1f}" fill="{ACTUAL}">'
                    f"<title>{escape(month_label(rows[i]))}: {escape(_('won'))} "
                    f"{escape(compact_amount(v))}</title></rect>"
                )
    else:
        parts.append(
            f'<polyline class="line-objective" points="{_points(xs, series["objective"], y)}" '
            f'fill="none" stroke="{OBJECTIVE}" stroke-width="2.5"/>'
        )
        parts.append(
            f'<polyline class="line-actual" points="{_points(xs, series["actual"], y)}" '
            f'fill="none" stroke="{ACTUAL}" stroke-width="3"/>'
        )
    forecast_points = _points(xs, series["forecast"], y)
    if forecast_points:
        parts.append(
            f'<polyline class="line-forecast" points="{forecast_points}" fill="none" '
            f'stroke="{FORECAST}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def attainment_bars_svg(
    rows: list[dict[str, Any]], *, title: str, width: int = 480, row_height: int = 28
) -> SafeString:
    """One horizontal bar per row (team, rep): attainment to date %, with the 100% mark."""
    rows = [r for r in rows if r.get("attainment_to_date_pct") is not None]
    if not rows:
        return mark_safe("")
    label_w, pad_right = 140, 56
    height = row_height * len(rows) + 24
    top = max(150.0, *(float(r["attainment_to_date_pct"]) for r in rows))
    plot_w = width - label_w - pad_right

    def x(v: float) -> float:
        return label_w + plot_w * min(v, top) / top

    parts = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, row in enumerate(rows):
        value = float(row["attainment_to_date_pct"])
        cy = 12 + i * row_height
        colour = ACTUAL if value >= 100 else "#b42318"
        label = str(row["label"])
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{cy + 14}" text-anchor="end" font-size="12" '
            f'fill="#1b1f24">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{cy + 2}" width="{max(x(value) - label_w, 1):.1f}" '
            f'height="{row_height - 10}" fill="{colour}"><title>{escape(label)}: '
            f"{value:.1f}%</title></rect>"
            f'<text x="{x(value) + 4:.1f}" y="{cy + 14}" font-size="12" fill="#1b1f24">'
            f"{value:.1f}%</text>"
        )
    parts.append(
        f'<line x1="{x(100):.1f}" x2="{x(100):.1f}" y1="4" y2="{height - 8}" stroke="#1b1f24" '
        f'stroke-dasharray="3 3"><title>100%</title></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
