"""Server-side SVG charts: readable without JavaScript, printable, nothing fetched."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dirco.core.l10n import format_compact

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 36


def compact_amount(value: float) -> str:
    """12 345 678 -> '12.3M' ('12,3 M' in French), 45 000 -> '45k': axis labels stay short."""
    return format_compact(value)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    if top <= 0:
        return [0.0]
    raw = top / count
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= step * mult:
            step *= mult
            break
    return [i * step for i in range(int(top // step) + 2)]


def _polyline(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def forecast_chart_svg(
    history: list[dict[str, Any]],
    forecast: list[dict[str, Any]],
    *,
    width: int = 960,
    height: int = 320,
    history_months: int = 36,
) -> SafeString:
    """History (solid), forecast (dashed) and its 80% and 95% intervals (shaded).

    The scale fits the history, the forecast and its 80% band: a wide 95% band is cut at
    the top of the chart rather than crushing the history into a flat line. The month in
    progress shows what is won so far (a dot)."""
    history = history[-history_months:]
    periods = [h["period"] for h in history] + [f["period"] for f in forecast]
    if not periods:
        return mark_safe("")
    values = [h["value"] for h in history]
    values += [max(f["upper80"], f["forecast"]) for f in forecast]
    ticks = nice_ticks(max(values) if values else 1.0)
    top = ticks[-1] or 1.0
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return PAD_LEFT + i * step

    def y(v: float) -> float:
        return PAD_TOP + plot_h * (1 - min(max(v, 0.0), top) / top)

    title = _("Monthly won revenue: history and forecast")
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for t in ticks:
        parts.append(
            f'<line class="grid" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y(t):.1f}" '
            f'y2="{y(t):.1f}"/><text class="axis" x="{PAD_LEFT - 6}" y="{y(t) + 4:.1f}" '
            f'text-anchor="end">{escape(compact_amount(t))}</text>'
        )
    for i, period in enumerate(periods):
        if period.endswith("-01"):
            parts.append(
                f'<line class="year" x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{PAD_TOP}" '
                f'y2="{height - PAD_BOTTOM}"/><text class="axis" x="{x(i) + 3:.1f}" '
                f'y="{height - PAD_BOTTOM + 16}">{escape(period[:4])}</text>'
            )
    n_hist = len(history)
    if forecast:
        start = n_hist - 1 if n_hist else 0
        anchor = [(x(start), y(history[-1]["value"]))] if n_hist else []
        for level, css in ((95, "band95"), (80, "band80")):
            upper = anchor + [
                (x(n_hist + i), y(f[f"upper{level}"])) for i, f in enumerate(forecast)
            ]
            lower = [(x(n_hist + i), y(f[f"lower{level}"])) for i, f in enumerate(forecast)]
            lower = list(reversed(lower)) + anchor
            parts.append(f'<polygon class="{css}" points="{_polyline(upper + lower)}"/>')
        line = anchor + [(x(n_hist + i), y(f["forecast"])) for i, f in enumerate(forecast)]
        parts.append(f'<polyline class="forecast" points="{_polyline(line)}"/>')
        # Outside the f-string, or makemessages does not see it (it stayed in English).
        won_so_far = escape(_("Won so far this month"))
        for i, f in enumerate(forecast):
            if f.get("in_progress"):
                parts.append(
                    f'<circle class="won-so-far" cx="{x(n_hist + i):.1f}" '
                    f'cy="{y(f["won_so_far"]):.1f}" r="4" fill="#1c7c47">'
                    f"<title>{won_so_far}</title></circle>"
                )
    if history:
        hist_line = [(x(i), y(h["value"])) for i, h in enumerate(history)]
        parts.append(f'<polyline class="history" points="{_polyline(hist_line)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def seasonality_chart_svg(
    seasonality: dict[str, Any], *, width: int = 960, height: int = 240
) -> SafeString:
    """Monthly seasonal indices as bars around the neutral line, with their 95% interval."""
    index = seasonality["index"]
    lower, upper = seasonality["lower"], seasonality["upper"]
    multiplicative = seasonality["kind"] == "multiplicative"
    neutral = 1.0 if multiplicative else 0.0
    lo = min([*lower, neutral])
    hi = max([*upper, neutral])
    span = (hi - lo) or 1.0
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(index)

    def y(v: float) -> float:
        return float(PAD_TOP + plot_h * (1 - (v - lo) / span))

    title = _("Seasonal profile: each month against the trend")
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line class="neutral" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" y1="{y(neutral):.1f}" '
        f'y2="{y(neutral):.1f}"/>',
        f'<text class="axis" x="{PAD_LEFT - 6}" y="{y(neutral) + 4:.1f}" text-anchor="end">'
        f"{'100%' if multiplicative else '0'}</text>",
    ]
    for i, value in enumerate(index):
        cx = PAD_LEFT + slot * (i + 0.5)
        top, bottom = sorted((y(value), y(neutral)))
        css = "bar-up" if value >= neutral else "bar-down"
        label = f"{value:.0%}" if multiplicative else compact_amount(value)
        parts.append(
            f'<rect class="{css}" x="{cx - slot * 0.3:.1f}" y="{top:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{max(bottom - top, 1):.1f}"><title>{escape(seasonality["labels"][i])}: '
            f"{escape(label)}</title></rect>"
            f'<line class="whisker" x1="{cx:.1f}" x2="{cx:.1f}" y1="{y(upper[i]):.1f}" '
            f'y2="{y(lower[i]):.1f}"/>'
            f'<text class="axis" x="{cx:.1f}" y="{height - PAD_BOTTOM + 16}" '
            f'text-anchor="middle">{escape(seasonality["labels"][i])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
