"""The KPI pages say what each figure means, what it takes honestly, and the forecast's
method in plain words."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo

import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dirco.conftest import Company
from dirco.objectives.services import objective_create, objective_publish
from dirco.pipeline.models import Deal
from dirco.scopes import Scope


def _last_day_of_this_month() -> dt.datetime:
    today = timezone.localdate()
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return dt.datetime.combine(last, dt.time(15), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _company_objective(company: Company, amount: str) -> int:
    """A published company objective for this year, split flat; returns the year."""
    year = timezone.localdate().year
    objective = objective_create(
        user=company.director,
        scope=Scope("company"),
        fiscal_year=year,
        amount=amount,
        split_method="flat",
    )
    objective_publish(objective=objective, user=company.director, confirm=True)
    return year


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_gap_page_on_the_last_day_rolls_the_month_over_and_says_it_cannot_be_reached(
    company: Company, history: list[Deal]
) -> None:
    year = _company_objective(company, "100000000")
    with time_machine.travel(_last_day_of_this_month(), tick=False):
        response = _client(company.director).get(
            reverse("objective_gap"), {"scope": "company", "year": year}
        )
        gap = response.context["gap"]
    assert response.status_code == 200
    current = gap["rows"][0]
    # No day left this month: nothing more is asked of it, everything rolls over.
    assert current["days_left"] == 0 and current["planned"] == 0
    assert current["deals_to_win"] == 0 and current["rolls_over"] > 0
    assert not gap["reachable"] and gap["shortfall"] > 0
    content = response.content.decode()
    assert 'data-testid="gap-unreachable"' in content
    assert "cannot be reached" in content
    # A rep may not see the company's gap at all.
    assert (
        _client(company.rep).get(reverse("objective_gap"), {"scope": "company"}).status_code == 404
    )


def test_curve_page_explains_each_kpi_with_its_figures(
    company: Company, history: list[Deal]
) -> None:
    year = _company_objective(company, "120000")
    content = (
        _client(company.director)
        .get(reverse("objective_curve"), {"scope": "company", "year": year})
        .content.decode()
    )
    helps = re.findall(r'class="kpi-help"[^>]*title="([^"]+)"', content)
    assert any(h.startswith("Attainment to date:") and "Objective to " in h for h in helps)
    assert any(h.startswith("Months under objective:") for h in helps)
    for kpi in ("won_to_date", "attainment_to_date_pct", "gap_to_date", "projected_landing"):
        assert f'data-kpi="{kpi}"' in content


def test_forecast_page_says_the_method_in_plain_words(
    company: Company, history: list[Deal]
) -> None:
    content = (
        _client(company.director)
        .get(reverse("revenue-forecast"), {"scope": "company"})
        .content.decode()
    )
    words = re.search(r'data-testid="forecast-in-words">([^<]+)<', content)
    assert words is not None and words.group(1).startswith("From 36 months of history")
    # 36 months make one complete calendar year of ratios to the trend, but the forecast is
    # seasonal: the sentence says its seasonality, as the profile below does.
    assert "too short" not in words.group(1) and "seasonality" in words.group(1)
    # Model names only inside the details toggle.
    before, _sep, _after = content.partition("<details")
    assert "_naive" not in before and "theta" not in before
    assert 'data-testid="month-in-progress"' in content
