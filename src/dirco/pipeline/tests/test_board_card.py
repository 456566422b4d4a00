"""The board's card, made in Python (dirco.pipeline.templatetags.pipeline_board), is the markup
the board's template made: compared here with that template, card by card."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from dirco.conftest import Company
from dirco.pipeline.models import Deal, Stage
from dirco.pipeline.tests.factories import DealFactory, stage_named

pytestmark = pytest.mark.django_db

# The card as pipeline/board.html wrote it before the tag (keep in step with the tag).
TEMPLATE_CARD = """{% load i18n dirco_web %}<li class="deal-card{% if deal.expected_close_date < today %} deal-card--overdue{% endif %}" {% if can_edit %}draggable="true"{% endif %} data-deal-card data-deal-id="{{ deal.pk }}" data-stage="{{ deal.stage_id }}"
          data-deal-name="{{ deal.name }}" data-move-url="{% url 'deal_move' deal.pk %}">
        <a class="deal-card__name" href="{% url 'deal_detail' deal.pk %}">{{ deal.name }}</a>
        <span class="deal-card__account">{{ deal.account.name }}{% if show_owner %} · {{ deal.owner }}{% endif %}</span>
        <span class="deal-card__meta">
          <span class="num">{{ deal.amount|money_short:deal.currency }}</span>
          <span class="deal-card__date">{% if deal.expected_close_date < today %}<span class="flag flag--overdue">{% translate "Overdue" %}</span> {% endif %}{{ deal.expected_close_date|date:"SHORT_DATE_FORMAT" }}</span>
        </span>
        <span class="deal-card__age muted">{% with days=deal|days_in_stage:today %}{% blocktranslate count days=days %}{{ days }} day in stage{% plural %}{{ days }} days in stage{% endblocktranslate %}{% endwith %}</span>
        {% if can_edit %}
        <details class="deal-card__more">
          <summary>{% translate "Move" %}<span class="visually-hidden"> {{ deal.name }}</span></summary>
          <form class="deal-card__move" method="post" action="{% url 'deal_move' deal.pk %}" data-move-form>
            {% csrf_token %}
            <input type="hidden" name="next" value="{{ request.get_full_path }}">
            <label class="visually-hidden" for="move-{{ deal.pk }}">{% blocktranslate with name=deal.name %}Move {{ name }} to{% endblocktranslate %}</label>
            <select id="move-{{ deal.pk }}" name="stage" required>
              <option value="" selected disabled>{% translate "Move to…" %}</option>
              {{ move_options|get_item:deal.stage_id }}
            </select>
            <button type="submit" class="button button--small">{% translate "Move" %}</button>
          </form>
        </details>
        {% endif %}
      </li>"""

TAG_CARD = "{% load pipeline_board %}{% board_card deal %}"


def _deals(company: Company) -> list[Deal]:
    today = timezone.localdate()
    negotiation = stage_named("Negotiation")
    return [
        DealFactory(
            name="""Café <b>&amp; "quotes" 'too'""",
            owner=company.rep,
            amount=Decimal("1234567.89"),
            currency="USD",
            expected_close_date=today - dt.timedelta(days=3),  # overdue
            stage_entered_at=timezone.now() - dt.timedelta(days=1),
        ),
        DealFactory(
            name="Plain",
            owner=company.other_rep,
            stage=negotiation,
            amount=Decimal("0"),
            expected_close_date=today + dt.timedelta(days=40),
            stage_entered_at=timezone.now() - dt.timedelta(days=1500),
        ),
        DealFactory(name="Today", owner=company.rep, expected_close_date=today),
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("can_edit", [True, False])
@pytest.mark.parametrize("show_owner", [True, False])
def test_board_card_markup_matches_the_template(
    company: Company, language: str, can_edit: bool, show_owner: bool
) -> None:
    request = RequestFactory().get("/pipeline/?owner=&partner=<x>")
    request.META["CSRF_COOKIE"] = "a" * 32
    stages = list(Stage.objects.order_by("order"))
    move_options = {s.pk: mark_safe(f'<option value="{s.pk}">{s.pk}</option>') for s in stages}
    with translation.override(language):
        for deal in _deals(company):
            values: dict[str, Any] = {
                "deal": deal,
                "today": timezone.localdate(),
                "can_edit": can_edit,
                "show_owner": show_owner,
                "request": request,
                "csrf_token": "tok&en<",
                "move_options": move_options,
            }
            expected = Template(TEMPLATE_CARD).render(Context(values))
            made = Template(TAG_CARD).render(Context(values))
            assert made == expected
            assert ("deal-card--overdue" in made) is deal.name.startswith("Café")
